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
 * `output` cut to at most RESULT_OUTPUT_MAX_BYTES of UTF-8 (at a character boundary), so
 * that the result fits its topic's message limit.
 */
function capOutput(output: string): string {
  // A UTF-8 character is at most 3 bytes per UTF-16 unit: short outputs need no count.
  if (output.length * 3 <= RESULT_OUTPUT_MAX_BYTES) return output;
  const bytes = Buffer.from(output, 'utf8');
  if (bytes.length <= RESULT_OUTPUT_MAX_BYTES) return output;
  // A cut inside a character decodes to U+FFFD at the end: drop it.
  return bytes
    .subarray(0, RESULT_OUTPUT_MAX_BYTES)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
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
