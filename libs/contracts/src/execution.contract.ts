import { z } from 'zod';
import { defineTopic } from './envelope.contract';
import { sealedBoxSchema } from './sealed-box.contract';

export const COMMAND_TYPES = ['show', 'config'] as const;
export type CommandType = (typeof COMMAND_TYPES)[number];

/** Platform drivers the executor knows; catalog platform slugs map onto these. */
export const PLATFORM_DRIVERS = [
  'cisco_ios',
  'cisco_nxos',
  'cisco_xr',
  'arista_eos',
  'juniper_junos',
  'linux',
  'frr',
] as const;
export type PlatformDriver = (typeof PLATFORM_DRIVERS)[number];

export const ERROR_CLASSES = [
  'unreachable',
  'connect_timeout',
  'auth_failed',
  'command_timeout',
  'syntax_error',
  'command_failed',
  'circuit_open',
  'disconnected',
  'invalid_request',
  'outcome_unknown',
  /** Cancelled by its requester before it ran, or (a `show`) while it ran. */
  'cancelled',
  /** Still queued when its timeout (counted from the request) had passed: never run. */
  'expired',
  'internal',
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

export const EXECUTION_OUTCOMES = ['succeeded', 'failed', 'unknown', 'cancelled'] as const;
export type ExecutionOutcome = (typeof EXECUTION_OUTCOMES)[number];

export const MIN_TIMEOUT_MS = 5_000;
export const MAX_TIMEOUT_MS = 300_000;

/** Free text a requester attaches to an execution; kept on its command log. */
export const NOTES_MAX_LENGTH = 1_000;
const notes = z.string().max(NOTES_MAX_LENGTH);

/** No control characters: a show command is one line of CLI; a config snippet is lines joined by \n. */
const commandText = z.string().min(1).max(65_536);
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

export function renderedCommandProblem(commandType: CommandType, text: string): string | undefined {
  const lines = commandType === 'config' ? text.split('\n') : [text];
  if (lines.some((line) => CONTROL.test(line))) {
    return commandType === 'config'
      ? 'must not contain control characters other than line feeds between configuration lines'
      : 'must not contain line breaks or control characters';
  }
  if (lines.some((line) => line.trim() === '')) return 'must not contain empty lines';
  return undefined;
}

const deviceRef = z.object({
  id: z.number().int().positive(),
  name: z.string().min(1).max(255),
});

const commandRef = z.object({
  id: z.number().int().positive().optional(),
  name: z.string().min(1).max(255),
});

/** The longest TextFSM template text a command, a custom template or a message may carry. */
export const MAX_TEMPLATE_LENGTH = 200_000;

/**
 * The TextFSM template(s) an execution's output is parsed with, resolved by the catalog
 * when it renders the command: the template's name (a library or custom template's, or
 * `inline` for text written on the command) and its text, or several texts merged like
 * clitable merges an index row naming several templates (`a.textfsm:b.textfsm`).
 */
export const parsingSpecSchema = z.object({
  template: z.string().min(1).max(255),
  texts: z.array(z.string().min(1).max(MAX_TEMPLATE_LENGTH)).min(1).max(8),
});
export type ParsingSpec = z.output<typeof parsingSpecSchema>;

const requester = z.object({
  userId: z.number().int().positive().optional(),
  username: z.string().min(1).max(150),
});

export const executionRequestSchema = z
  .object({
    executionId: z.uuid(),
    commandType: z.enum(COMMAND_TYPES),
    command: commandRef,
    renderedCommand: commandText,
    variables: z.record(z.string(), z.string()).default({}),
    device: deviceRef.extend({
      host: z.string().min(1).max(255),
      port: z.number().int().min(1).max(65_535),
      platform: z.enum(PLATFORM_DRIVERS),
    }),
    /** Sealed DeviceCredentials; the AAD is the execution id. */
    credentials: sealedBoxSchema,
    timeoutMs: z.number().int().min(MIN_TIMEOUT_MS).max(MAX_TIMEOUT_MS),
    /** Absent: the output is not parsed. */
    parsing: parsingSpecSchema.optional(),
    /**
     * Publish the output on the events topic while it is read (phase `output`), for live
     * streams; off by default, so that executions nobody follows cost nothing more.
     */
    streamOutput: z.boolean().optional(),
    /** Inline template text of messages published before `parsing` existed. */
    parsingTemplate: z.string().max(MAX_TEMPLATE_LENGTH).optional(),
    requestedBy: requester,
    requestedAt: z.iso.datetime({ offset: true }),
    bulkJobId: z.uuid().optional(),
    position: z.number().int().min(0).optional(),
    notes: notes.optional(),
    /** Absent: one execution (see executionBatchSchema). */
    kind: z.undefined().optional(),
  })
  .superRefine((request, ctx) => {
    const problem = renderedCommandProblem(request.commandType, request.renderedCommand);
    if (problem) ctx.addIssue({ code: 'custom', path: ['renderedCommand'], message: problem });
  });
export type ExecutionRequest = z.output<typeof executionRequestSchema>;

/** The most items one bulk execution request may carry (the API's limit, 400 beyond). */
export const MAX_BULK_ITEMS = 1_000;

/**
 * One device's items of a bulk job, in the order given: an executor runs them one after
 * the other on one SSH session, each with its own execution id, result and log. A device
 * with more items than fit one message gets several consecutive ones (same key, so the
 * same partition and the same order). `job` describes the whole job (every message
 * repeats it), so that analytics knows a job from whichever of its messages it reads first.
 */
export const executionBatchSchema = z
  .object({
    kind: z.literal('bulk-batch'),
    bulkJobId: z.uuid(),
    device: deviceRef,
    job: z.object({
      /** Items in the bulk request, refused ones included. */
      total: z.number().int().min(1).max(MAX_BULK_ITEMS),
      /** Items published (in this message and the job's others). */
      accepted: z.number().int().min(1).max(MAX_BULK_ITEMS),
      rejected: z.number().int().min(0).max(MAX_BULK_ITEMS),
      requestedBy: requester,
      requestedAt: z.iso.datetime({ offset: true }),
      notes: notes.optional(),
    }),
    /**
     * The first item's timeout counts from `requestedAt` plus this (default 0): the time
     * the device's items in the job's earlier messages may take. Each later item's counts
     * from when its turn comes.
     */
    queuedBehindMs: z.number().int().min(0).max(MAX_BULK_ITEMS * MAX_TIMEOUT_MS).default(0),
    items: z.array(executionRequestSchema).min(1).max(MAX_BULK_ITEMS),
  })
  .superRefine((batch, ctx) => {
    let previous = -1;
    batch.items.forEach((item, index) => {
      const problem =
        item.bulkJobId !== batch.bulkJobId
          ? 'belongs to another bulk job'
          : item.device.id !== batch.device.id
            ? 'is for another device'
            : item.position === undefined || item.position <= previous
              ? 'has no position, or not after the previous item'
              : undefined;
      if (problem) ctx.addIssue({ code: 'custom', path: ['items', index], message: problem });
      previous = item.position ?? previous;
    });
  });
export type ExecutionBatch = z.output<typeof executionBatchSchema>;

/**
 * What the requests topic carries: one execution, or (`kind: "bulk-batch"`) one device's
 * items of a bulk job. Discriminated, so that an invalid message is refused naming its field.
 */
export const executionRequestMessageSchema = z.discriminatedUnion('kind', [
  executionRequestSchema,
  executionBatchSchema,
]);
export type ExecutionRequestMessage = z.output<typeof executionRequestMessageSchema>;

export function isBatch(message: ExecutionRequestMessage): message is ExecutionBatch {
  return message.kind === 'bulk-batch';
}

/** The executions a request message carries, in order. */
export function requestsOf(message: ExecutionRequestMessage): readonly ExecutionRequest[] {
  return isBatch(message) ? message.items : [message];
}

export const syntaxErrorSchema = z.object({
  detected: z.boolean(),
  type: z.string().optional(),
  vendor: z.string().optional(),
  message: z.string().optional(),
  guidance: z.string().optional(),
});

export const executionResultSchema = z.object({
  executionId: z.uuid(),
  outcome: z.enum(EXECUTION_OUTCOMES),
  success: z.boolean(),
  commandType: z.enum(COMMAND_TYPES),
  command: commandRef,
  renderedCommand: z.string(),
  variables: z.record(z.string(), z.string()).default({}),
  device: deviceRef.extend({ platform: z.enum(PLATFORM_DRIVERS) }),
  /** Device login name (the original's `username`); never the password. */
  username: z.string().max(256),
  requestedBy: requester,
  output: z.string(),
  errorClass: z.enum(ERROR_CLASSES).nullable(),
  errorMessage: z.string().max(4_096).nullable(),
  syntaxError: syntaxErrorSchema,
  parsedOutput: z.array(z.record(z.string(), z.unknown())).nullable(),
  parseError: z.string().nullable().default(null),
  /**
   * The template the output was parsed with (`parsing.template`); null when none applied
   * ("no template for this command"), which `parseError` set tells apart from a template
   * that failed.
   */
  parseTemplate: z.string().max(255).nullable().default(null),
  timings: z.object({
    requestedAt: z.iso.datetime({ offset: true }),
    startedAt: z.iso.datetime({ offset: true }),
    finishedAt: z.iso.datetime({ offset: true }),
    connectMs: z.number().min(0).nullable(),
    durationMs: z.number().min(0),
  }),
  executorId: z.string().min(1),
  attempt: z.number().int().min(1),
  bulkJobId: z.uuid().optional(),
  position: z.number().int().min(0).optional(),
  notes: notes.optional(),
});
export type ExecutionResult = z.output<typeof executionResultSchema>;

export const EXECUTION_PHASES = ['started', 'progress', 'output', 'finished'] as const;

/** The most characters one output event carries (executors coalesce to about 16 KB). */
export const OUTPUT_CHUNK_MAX_CHARS = 65_536;

/**
 * A piece of a running execution's output (phase `output`, only for requests with
 * `streamOutput`): the command's output as the result will hold it (paging, terminal
 * control sequences, the echoed command and the trailing prompt removed), in order:
 * `offset` is the number of characters before `text`, so the pieces of one attempt
 * concatenate without gaps or repeats. `last` marks the attempt's final piece; the result
 * (authoritative) follows on the results topic. A piece with offset 0 after others starts
 * the output again (a new attempt).
 */
export const outputChunkSchema = z.object({
  offset: z.number().int().min(0),
  text: z.string().max(OUTPUT_CHUNK_MAX_CHARS),
  last: z.boolean().optional(),
});
export type OutputChunk = z.output<typeof outputChunkSchema>;

export const executionEventSchema = z
  .object({
    executionId: z.uuid(),
    phase: z.enum(EXECUTION_PHASES),
    device: deviceRef,
    executorId: z.string().min(1),
    at: z.iso.datetime({ offset: true }),
    attempt: z.number().int().min(1),
    bulkJobId: z.uuid().optional(),
    message: z.string().max(1_024).optional(),
    /** Phase `output` only. */
    output: outputChunkSchema.optional(),
  })
  .refine((event) => (event.phase === 'output') === (event.output !== undefined), {
    path: ['output'],
    message: 'output events, and only they, carry output',
  });
export type ExecutionEvent = z.output<typeof executionEventSchema>;

export const executionRequestsTopic = defineTopic({
  topic: 'toolkit.execution.requests.v1',
  type: 'execution.requested',
  schemaVersion: 1,
  payload: executionRequestMessageSchema,
  keyOf: (p) => String(p.device.id),
});

/** The most output (UTF-8 bytes) one result carries; executors cut longer outputs there. */
export const RESULT_OUTPUT_MAX_BYTES = 4 * 1024 * 1024;

export const executionResultsTopic = defineTopic({
  topic: 'toolkit.execution.results.v1',
  type: 'execution.finished',
  schemaVersion: 1,
  payload: executionResultSchema,
  keyOf: (p) => String(p.device.id),
  // Outputs are capped at RESULT_OUTPUT_MAX_BYTES of UTF-8, which leaves room for most
  // parsed records and JSON escapes; a result that still does not fit is published with
  // its output cut (the executor's publisher, shrinkToFit).
  maxMessageBytes: 16 * 1024 * 1024,
  compression: 'gzip',
});

export const executionEventsTopic = defineTopic({
  topic: 'toolkit.execution.events.v1',
  type: 'execution.progressed',
  schemaVersion: 1,
  payload: executionEventSchema,
  keyOf: (p) => String(p.device.id),
});

/**
 * A requester asks that an execution not run, or (a `show`) stop; or that the items of a
 * bulk job not yet started not run (`bulkJobId`, no `executionId`: running items finish).
 * Every executor reads every cancellation (a group of its own): whoever holds the request
 * skips it, or aborts it while it runs a `show`; a running `config` is never interrupted.
 * Only requests still within their timeout can run, so a cancellation matters for at most
 * MAX_TIMEOUT_MS after it (a bulk job's: that times its items, see the executor).
 */
export const executionCancellationSchema = z
  .object({
    executionId: z.uuid().optional(),
    bulkJobId: z.uuid().optional(),
    device: deviceRef.optional(),
    requestedBy: requester,
    requestedAt: z.iso.datetime({ offset: true }),
  })
  .superRefine((c, ctx) => {
    if ((c.executionId === undefined) === (c.bulkJobId === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['executionId'],
        message: 'name either an execution or a bulk job',
      });
  });
export type ExecutionCancellation = z.output<typeof executionCancellationSchema>;

export const executionCancellationsTopic = defineTopic({
  topic: 'toolkit.execution.cancellations.v1',
  type: 'execution.cancel-requested',
  schemaVersion: 1,
  payload: executionCancellationSchema,
  keyOf: (p) => p.bulkJobId ?? String(p.device?.id ?? p.executionId),
  retentionMs: 3_600_000,
});

/**
 * Analytics has recorded an execution's result (its command log is readable): small, so
 * that every gateway replica can read every completion and wake the request waiting for
 * it, which then reads the result once. `outcome` is the execution's status after it.
 */
export const executionCompletionSchema = z.object({
  executionId: z.uuid(),
  outcome: z.enum(EXECUTION_OUTCOMES),
  success: z.boolean(),
  errorClass: z.enum(ERROR_CLASSES).nullable(),
  commandLogId: z.number().int().positive().nullable(),
  commandType: z.enum(COMMAND_TYPES),
  device: deviceRef,
  /** Device login name: repeated authentication failures are limited per device and login. */
  username: z.string().max(256),
  requestedBy: requester,
  finishedAt: z.iso.datetime({ offset: true }),
  bulkJobId: z.uuid().optional(),
  position: z.number().int().min(0).optional(),
});
export type ExecutionCompletion = z.output<typeof executionCompletionSchema>;

export const executionCompletionsTopic = defineTopic({
  topic: 'toolkit.execution.completions.v1',
  type: 'execution.recorded',
  schemaVersion: 1,
  payload: executionCompletionSchema,
  keyOf: (p) => String(p.device.id),
  // Read live by the gateways (wake-ups) and by their shared settlement group (rate-limit
  // reservations, which expire on their own if a completion is never read).
  retentionMs: 86_400_000,
});

/**
 * What a platform's CLI reads as operators rather than text in a command line: output
 * pipes (`| redirect tftp://…`, `| tee`, `| append`, Junos `| save`), redirections (NX-OS
 * and EOS `> file`), command separators and, on a Linux shell, substitutions and quoting.
 * A variable's value may contain them only where the command's author allows it.
 */
export const COMMAND_OPERATORS: Readonly<
  Record<PlatformDriver, { pattern: RegExp; shown: string }>
> = {
  cisco_ios: { pattern: /\|/, shown: '|' },
  cisco_xr: { pattern: /\|/, shown: '|' },
  cisco_nxos: { pattern: /[|>;]/, shown: '| > ;' },
  arista_eos: { pattern: /[|>;]/, shown: '| > ;' },
  juniper_junos: { pattern: /[|;]/, shown: '| ;' },
  frr: { pattern: /[|;]/, shown: '| ;' },
  linux: { pattern: /[|;&><`$()\\'"]/, shown: '| ; & > < ` $ ( ) \\ \' "' },
};

/** Every platform's operators together: for a device whose platform is not known. */
export const ANY_COMMAND_OPERATOR = /[|;&><`$()\\'"]/;
