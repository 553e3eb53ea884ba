import type {
  ErrorClass,
  ExecutionEvent,
  ExecutionOutcome,
  ExecutionRequest,
  ExecutionResult,
} from '@toolkit/contracts';
import { RESULT_OUTPUT_MAX_BYTES } from '@toolkit/contracts';
import type { ParsedOutcome, SyntaxErrorInfo } from './output-analysis';
import { NO_SYNTAX_ERROR } from './output-analysis';

export interface ResultContext {
  executorId: string;
  attempt: number;
  username: string;
  startedAt: Date;
  finishedAt: Date;
  connectMs: number | null;
}

export interface ResultBody {
  outcome: ExecutionOutcome;
  output: string;
  errorClass: ErrorClass | null;
  errorMessage: string | null;
  syntaxError?: SyntaxErrorInfo;
  parsed?: ParsedOutcome;
}

/**
 * `output` cut to at most `maxBytes` of UTF-8 (at a character boundary): by default
 * RESULT_OUTPUT_MAX_BYTES, so that the result fits its topic's message limit.
 */
function capOutput(output: string, maxBytes = RESULT_OUTPUT_MAX_BYTES): string {
  // A UTF-8 character is at most 3 bytes per UTF-16 unit: short outputs need no count.
  if (output.length * 3 <= maxBytes) return output;
  const bytes = Buffer.from(output, 'utf8');
  if (bytes.length <= maxBytes) return output;
  // A cut inside a character decodes to U+FFFD at the end: drop it.
  return bytes
    .subarray(0, maxBytes)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
}

/**
 * A result its topic refused as too large (`encodedBytes` against `limitBytes`, e.g. an
 * operator-owned topic still at Kafka's 1 MB default), cut down to fit: the output keeps
 * its start, in proportion to the room (the output is most of such a message), parsed
 * records are dropped (they would describe a cut output), and the message says so.
 */
export function shrinkToFit(
  result: ExecutionResult,
  encodedBytes: number,
  limitBytes: number,
): ExecutionResult {
  const outputBytes = Buffer.byteLength(result.output, 'utf8');
  const room = Math.floor((outputBytes * limitBytes * 0.9) / Math.max(encodedBytes, 1));
  const output = capOutput(result.output, Math.max(0, Math.min(room, outputBytes - 1)));
  const note =
    `Output cut to ${Buffer.byteLength(output, 'utf8')} of ${outputBytes} bytes: the results ` +
    `topic accepts messages up to ${limitBytes} bytes.`;
  return {
    ...result,
    output,
    parsedOutput: null,
    parseError:
      result.parsedOutput === null
        ? result.parseError
        : 'Parsed records were dropped with the cut output.',
    errorMessage: (result.errorMessage ? `${result.errorMessage} ${note}` : note).slice(0, 4_096),
  };
}

/** One result message per request; `success` is true exactly when the outcome is. */
export function buildResult(
  request: ExecutionRequest,
  context: ResultContext,
  body: ResultBody,
): ExecutionResult {
  return {
    executionId: request.executionId,
    outcome: body.outcome,
    success: body.outcome === 'succeeded',
    commandType: request.commandType,
    command: request.command,
    renderedCommand: request.renderedCommand,
    variables: request.variables,
    device: { id: request.device.id, name: request.device.name, platform: request.device.platform },
    username: context.username.slice(0, 256),
    requestedBy: request.requestedBy,
    output: capOutput(body.output),
    errorClass: body.errorClass,
    errorMessage: body.errorMessage === null ? null : body.errorMessage.slice(0, 4_096),
    syntaxError: body.syntaxError ?? NO_SYNTAX_ERROR,
    parsedOutput: body.parsed?.parsedOutput ?? null,
    parseError: body.parsed?.parseError ?? null,
    timings: {
      requestedAt: request.requestedAt,
      startedAt: context.startedAt.toISOString(),
      finishedAt: context.finishedAt.toISOString(),
      connectMs: context.connectMs,
      durationMs: Math.max(0, context.finishedAt.getTime() - context.startedAt.getTime()),
    },
    executorId: context.executorId,
    attempt: context.attempt,
    ...(request.bulkJobId === undefined ? {} : { bulkJobId: request.bulkJobId }),
    ...(request.position === undefined ? {} : { position: request.position }),
  };
}

export function buildEvent(
  request: ExecutionRequest,
  phase: ExecutionEvent['phase'],
  executorId: string,
  attempt: number,
  at: Date,
  message?: string,
): ExecutionEvent {
  return {
    executionId: request.executionId,
    phase,
    device: { id: request.device.id, name: request.device.name },
    executorId,
    at: at.toISOString(),
    attempt,
    ...(request.bulkJobId === undefined ? {} : { bulkJobId: request.bulkJobId }),
    ...(message === undefined ? {} : { message: message.slice(0, 1_024) }),
  };
}
