import { z } from 'zod';
import { NOTES_MAX_LENGTH } from '@toolkit/contracts';
import {
  API_COMMAND_TYPES,
  API_ERROR_CLASSES,
  EXECUTION_STATUSES,
} from '../analytics/choices.contract';
import { parsedOutputViewSchema, syntaxErrorViewSchema } from '../analytics/executions.contract';

/** `POST /api/plugins/toolkit/commands/{id}/execute/` */
export const EXECUTE_PATH_SUFFIX = 'execute/';
/** `GET /api/plugins/toolkit/rate-limit/?device_id=N` */
export const RATE_LIMIT_PATH = '/api/plugins/toolkit/rate-limit/';
/** The header that makes a retried execute return the first answer instead of running again. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

export const EXECUTION_TIMEOUT_SECONDS = { min: 5, max: 300, default: 30 } as const;

/** Seconds, counted from the request: queueing, connecting and the command together. */
export const timeoutSecondsSchema = z
  .number()
  .int()
  .min(EXECUTION_TIMEOUT_SECONDS.min)
  .max(EXECUTION_TIMEOUT_SECONDS.max);

/** An integer id, also given as a string of digits (DRF's IntegerField accepts both). */
export const objectId = z.union([
  z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  z
    .string()
    .regex(/^\d{1,15}$/, { error: 'A valid integer is required.' })
    .transform(Number)
    .pipe(z.number().int().positive({ error: 'A valid integer is required.' })),
]);

/** Variable values are text; numbers are taken as their text (DRF's CharField does). */
const variableValue = z.union([z.string().max(500), z.number().transform(String)]);
export const variablesSchema = z.record(z.string().max(100), variableValue);

interface LoginFields {
  credential_token?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  enable_secret?: string | undefined;
}

/**
 * What is wrong with a login as given: a credential token or a username and password
 * (never both), an enable secret only with the latter. `required: false` for a bulk
 * request's shared login, which may be absent.
 */
export function executeLoginProblems(
  body: LoginFields,
  options: { required: boolean },
): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const login = body.username !== undefined || body.password !== undefined;
  if (body.credential_token !== undefined && login)
    problems.push({
      field: 'non_field_errors',
      message: 'Give either credential_token or username and password, not both.',
    });
  else if (body.credential_token === undefined && !login) {
    if (options.required)
      problems.push({
        field: 'credential_token',
        message: 'This field is required (or give username and password, used once).',
      });
  } else if (login && body.username === undefined)
    problems.push({ field: 'username', message: 'This field is required.' });
  else if (login && body.password === undefined)
    problems.push({ field: 'password', message: 'This field is required.' });
  if (body.enable_secret !== undefined && !login)
    problems.push({
      field: 'enable_secret',
      message: 'Only with username and password (a credential set keeps its own).',
    });
  return problems;
}

/**
 * A login given with an execution: a credential set's token, or a username and password
 * used once (never stored); see `executeLoginProblems` for the combinations allowed.
 */
export const loginFields = {
  credential_token: z.string().min(1).max(256).optional(),
  username: z.string().min(1).max(256).optional(),
  password: z.string().min(1).max(1_024).optional(),
  /** Privilege escalation secret (IOS `enable`), with `username` + `password`. */
  enable_secret: z.string().min(1).max(1_024).optional(),
};

/**
 * The execute body: the original's fields (`device_id`, `credential_token`, `variables`,
 * `timeout`) plus a login used once (`username` + `password`, never stored), `async` and
 * `notes`. Unknown fields are refused by name (a misspelt `timout` would otherwise be
 * ignored silently).
 */
export const executeRequestSchema = z
  .object({
    device_id: objectId,
    ...loginFields,
    variables: variablesSchema.optional(),
    timeout: timeoutSecondsSchema.default(EXECUTION_TIMEOUT_SECONDS.default),
    async: z.boolean().default(false),
    /**
     * Publish the output while the device sends it, for `/executions/{id}/stream/` (its
     * status and result stream either way).
     */
    stream: z.boolean().optional(),
    notes: z.string().max(NOTES_MAX_LENGTH).optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    for (const problem of executeLoginProblems(body, { required: true }))
      ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
  });
export type ExecuteRequestBody = z.output<typeof executeRequestSchema>;

/**
 * The synchronous answer: the original's shape (`success`, `output`, `error_message`,
 * `execution_time` in seconds, `command`, `device`, `syntax_error`, `parsed_output`) and
 * ours. 200 when the command succeeded, 400 when it did not.
 */
export const executeResponseSchema = z.object({
  success: z.boolean(),
  output: z.string(),
  error_message: z.string().nullable(),
  /** Seconds the device work took (connect included); null when it never started. */
  execution_time: z.number().nullable(),
  command: z.object({
    id: z.number().int().nullable(),
    name: z.string(),
    command_type: z.enum(API_COMMAND_TYPES).nullable(),
  }),
  device: z.object({ id: z.number().int(), name: z.string() }),
  syntax_error: syntaxErrorViewSchema,
  parsed_output: parsedOutputViewSchema,
  execution_id: z.uuid(),
  command_log_id: z.number().int().nullable(),
  rendered_command: z.string().nullable(),
  error_class: z.enum(API_ERROR_CLASSES).nullable(),
  notes: z.string(),
  status: z.enum(EXECUTION_STATUSES),
  url: z.string(),
});
export type ExecuteResponse = z.output<typeof executeResponseSchema>;

/** 202 (async), 504 (the wait ran out; the execution goes on), 503 (gateway shutting down). */
export const executionAcceptedSchema = z.object({
  execution_id: z.uuid(),
  url: z.string(),
  /** Its live stream (Server-Sent Events). */
  stream_url: z.string().optional(),
  status: z.enum(EXECUTION_STATUSES),
  detail: z.string().optional(),
});
export type ExecutionAccepted = z.output<typeof executionAcceptedSchema>;

/** The original's 429 body. */
export const rateLimitExceededSchema = z.object({
  error: z.literal('Rate limit exceeded'),
  details: z.object({
    reason: z.string(),
    current_count: z.number().int(),
    limit: z.number().int(),
    time_window_minutes: z.number(),
  }),
});

export const RATE_LIMIT_STATES = ['normal', 'warning', 'exceeded'] as const;

/** The status object the original shows only in its GUI. */
export const rateLimitStatusSchema = z.object({
  device_id: z.number().int(),
  enabled: z.boolean(),
  bypassed: z.boolean(),
  current_count: z.number().int(),
  limit: z.number().int(),
  remaining: z.number().int(),
  time_window_minutes: z.number(),
  status: z.enum(RATE_LIMIT_STATES),
  is_exceeded: z.boolean(),
  is_warning: z.boolean(),
  /** Seconds until a slot frees (null when none is taken). */
  time_until_reset: z.number().int().nullable(),
  message: z.string(),
  /** Device logins refused for now after repeated authentication failures on this device. */
  blocked_logins: z.number().int(),
});
export type RateLimitStatus = z.output<typeof rateLimitStatusSchema>;

export const rateLimitQuerySchema = z.object({ device_id: objectId }).strict();

/** `POST /executions/{id}/cancel/`: the execution as it stands once the cancel took effect. */
export const executionCancelResponseSchema = z.object({
  detail: z.string(),
  execution_id: z.uuid(),
  url: z.string(),
  status: z.enum(EXECUTION_STATUSES),
});
