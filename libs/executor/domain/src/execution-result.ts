import type {
  ErrorClass,
  ExecutionEvent,
  ExecutionOutcome,
  ExecutionRequest,
  ExecutionResult,
  OutputChunk,
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
export function capOutput(output: string, maxBytes = RESULT_OUTPUT_MAX_BYTES): string {
  // A UTF-8 character is at most 3 bytes per UTF-16 unit: short outputs need no count.
  if (output.length * 3 <= maxBytes) return output;
  const bytes = Buffer.from(output, 'utf8');
  if (bytes.length <= maxBytes) return output;
  // Cut before a character whose bytes would be split (continuation bytes are 10xxxxxx).
  let end = Math.max(0, maxBytes);
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

const CUT_NOTE = /^Output (?:cut to \d+|dropped) of (\d+) bytes: [^.]*\.\s?/;

/**
 * A result its topic refused as too large (a message of `encodedBytes` where values of at
 * most `valueLimit` bytes fit, e.g. an operator-owned topic still at Kafka's 1 MB
 * default), cut down to fit: the output keeps its start, parsed records are dropped (they
 * would describe a cut output; `parseError` says so, `parseTemplate` stays), and
 * `errorMessage` starts with what was done. What else the result carries stays; when that
 * alone is too large the output goes entirely.
 */
export function shrinkToFit(
  result: ExecutionResult,
  encodedBytes: number,
  valueLimit: number,
): ExecutionResult {
  const earlier = CUT_NOTE.exec(result.errorMessage ?? '');
  const rest = earlier ? (result.errorMessage ?? '').slice(earlier[0].length) : result.errorMessage;
  const outputBytes = Buffer.byteLength(result.output, 'utf8');
  const originalBytes = earlier ? Number(earlier[1]) : outputBytes;
  const jsonOutput = Buffer.byteLength(JSON.stringify(result.output), 'utf8');
  const jsonParsed =
    result.parsedOutput === null
      ? 0
      : Buffer.byteLength(JSON.stringify(result.parsedOutput), 'utf8');
  // Room for the output's JSON: the limit less everything else (and the note, ~200 bytes).
  const room = valueLimit - (encodedBytes - jsonOutput - jsonParsed) - 1_024;
  const escaping = jsonOutput / Math.max(outputBytes, 1);
  const output =
    room <= 0
      ? ''
      : capOutput(result.output, Math.min(outputBytes - 1, Math.floor(room / escaping)));
  const keptBytes = Buffer.byteLength(output, 'utf8');
  const note =
    (keptBytes === 0 ? `Output dropped` : `Output cut to ${keptBytes}`) +
    ` of ${originalBytes} bytes: the results topic accepts messages up to ${valueLimit} bytes.`;
  return {
    ...result,
    output,
    parsedOutput: null,
    parseError:
      result.parsedOutput === null
        ? result.parseError
        : 'Parsed records were dropped with the cut output.',
    errorMessage: (rest ? `${note} ${rest}` : note).slice(0, 4_096),
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
    parseTemplate: body.parsed?.parseTemplate ?? null,
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
    ...(request.notes === undefined ? {} : { notes: request.notes }),
  };
}

export function buildEvent(
  request: ExecutionRequest,
  phase: ExecutionEvent['phase'],
  executorId: string,
  attempt: number,
  at: Date,
  message?: string,
  output?: OutputChunk,
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
    ...(output === undefined ? {} : { output }),
  };
}
