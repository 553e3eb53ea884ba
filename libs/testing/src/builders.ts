import { randomUUID } from 'node:crypto';
import type {
  ExecutionBatch,
  ExecutionEvent,
  ExecutionRequest,
  ExecutionResult,
} from '@toolkit/contracts';

/** Valid messages with unique ids; override what a test is about. */
export function anExecutionRequest(overrides: Partial<ExecutionRequest> = {}): ExecutionRequest {
  return {
    executionId: randomUUID(),
    commandType: 'show',
    command: { id: 1, name: 'Show version' },
    renderedCommand: 'show version',
    variables: {},
    device: { id: 1, name: 'R1', host: '127.0.0.1', port: 22, platform: 'cisco_ios' },
    credentials: {
      alg: 'A256GCM',
      kid: 'k1',
      iv: 'AAAAAAAAAAAAAAAA',
      tag: 'AAAAAAAAAAAAAAAAAAAAAA==',
      ct: 'AA==',
    },
    timeoutMs: 30_000,
    requestedBy: { userId: 1, username: 'admin' },
    requestedAt: new Date().toISOString(),
    ...overrides,
  };
}

/**
 * One device's items of a bulk job, as the gateway publishes them: positions in order
 * (from `firstPosition`), the job's id and device on every item.
 */
export function anExecutionBatch(
  items: readonly ExecutionRequest[],
  options: { bulkJobId?: string; firstPosition?: number; queuedBehindMs?: number } = {},
): ExecutionBatch {
  const bulkJobId = options.bulkJobId ?? randomUUID();
  const first = items[0] ?? anExecutionRequest();
  const requestedAt = first.requestedAt;
  return {
    kind: 'bulk-batch',
    bulkJobId,
    device: { id: first.device.id, name: first.device.name },
    job: {
      total: items.length,
      accepted: items.length,
      rejected: 0,
      requestedBy: first.requestedBy,
      requestedAt,
    },
    queuedBehindMs: options.queuedBehindMs ?? 0,
    items: items.map((item, index) => ({
      ...item,
      bulkJobId,
      position: (options.firstPosition ?? 0) + index,
      requestedAt,
    })),
  };
}

export function anExecutionResult(overrides: Partial<ExecutionResult> = {}): ExecutionResult {
  const now = new Date().toISOString();
  return {
    executionId: randomUUID(),
    outcome: 'succeeded',
    success: true,
    commandType: 'show',
    command: { id: 1, name: 'Show version' },
    renderedCommand: 'show version',
    variables: {},
    device: { id: 1, name: 'R1', platform: 'cisco_ios' },
    username: 'admin',
    requestedBy: { userId: 1, username: 'admin' },
    output: 'Cisco IOS Software, Version 15.2(4)M7',
    errorClass: null,
    errorMessage: null,
    syntaxError: { detected: false },
    parsedOutput: null,
    parseError: null,
    parseTemplate: null,
    timings: { requestedAt: now, startedAt: now, finishedAt: now, connectMs: 12, durationMs: 40 },
    executorId: 'executor-test',
    attempt: 1,
    ...overrides,
  };
}

export function anExecutionEvent(overrides: Partial<ExecutionEvent> = {}): ExecutionEvent {
  return {
    executionId: randomUUID(),
    phase: 'started',
    device: { id: 1, name: 'R1' },
    executorId: 'executor-test',
    at: new Date().toISOString(),
    attempt: 1,
    ...overrides,
  };
}

/** A short unique suffix so that tests never share records, topics or groups. */
export function uniqueSuffix(): string {
  return randomUUID().slice(0, 8);
}
