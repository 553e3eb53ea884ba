import { z } from 'zod';
import { syntaxErrorSchema } from '@toolkit/contracts';
import type { ListSpec } from '@toolkit/netbox-list';
import { API_COMMAND_TYPES, API_ERROR_CLASSES, EXECUTION_STATUSES } from './choices.contract';

/** `/api/plugins/toolkit/executions/`: read-only execution status, id = execution id. */
export const EXECUTIONS_PATH = '/api/plugins/toolkit/executions/';

/** Whether the device rejected the command, and how (vendor error patterns). */
export const syntaxErrorViewSchema = syntaxErrorSchema.extend({
  /** The original's flag: guidance is given whenever an error is detected. */
  guidance_provided: z.boolean().optional(),
});
export type SyntaxErrorView = z.output<typeof syntaxErrorViewSchema>;

/**
 * The original's `parsed_output`, with the template named: `{success: true, method:
 * "textfsm", template, data: [...]}` when a template parsed the output (`data` may be
 * empty: the template matched no line); `{success: false, method: "textfsm", template,
 * error}` when the template failed on it; `{success: false, method: null, template: null,
 * error: null}` when no template applies to the command.
 */
export const parsedOutputViewSchema = z.object({
  success: z.boolean(),
  method: z.literal('textfsm').nullable(),
  /** A library or custom template's name, `inline`, or null when none applied. */
  template: z.string().nullable(),
  data: z.array(z.record(z.string(), z.unknown())),
  error: z.string().nullable(),
});
export type ParsedOutputView = z.output<typeof parsedOutputViewSchema>;

export const executionResultViewSchema = z.object({
  success: z.boolean(),
  output: z.string(),
  error_message: z.string(),
  error_class: z.enum(API_ERROR_CLASSES).nullable(),
  /** Seconds the executor spent on the device (connect included). */
  execution_duration: z.number().nullable(),
  syntax_error: syntaxErrorViewSchema,
  parsed_output: parsedOutputViewSchema,
  command_log_id: z.number().int().nullable(),
});
export type ExecutionResultView = z.output<typeof executionResultViewSchema>;

export const executionSchema = z.object({
  id: z.uuid(),
  url: z.string(),
  display: z.string(),
  status: z.enum(EXECUTION_STATUSES),
  command: z.object({ id: z.number().int().nullable(), name: z.string() }).nullable(),
  command_type: z.enum(API_COMMAND_TYPES).nullable(),
  device: z.object({ id: z.number().int(), name: z.string() }),
  platform: z.string().nullable(),
  user: z.object({ id: z.number().int().nullable(), username: z.string() }).nullable(),
  bulk_job: z.uuid().nullable(),
  bulk_position: z.number().int().nullable(),
  /** The command as sent to the device, variables substituted. */
  rendered_command: z.string().nullable(),
  notes: z.string(),
  attempts: z.number().int(),
  requested_at: z.string().nullable(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  result: executionResultViewSchema.nullable(),
  created: z.string(),
  last_updated: z.string(),
});
export type ExecutionRepresentation = z.output<typeof executionSchema>;

export const EXECUTION_BRIEF_FIELDS = ['id', 'url', 'display', 'status'] as const;

export const executionListSpec: ListSpec = {
  filters: [
    { name: 'id', type: 'string', path: '_id' },
    { name: 'status', type: 'enum', choices: EXECUTION_STATUSES },
    { name: 'command_id', type: 'integer', path: 'command.id' },
    { name: 'command_name', type: 'string', path: 'command.name' },
    { name: 'device_id', type: 'integer', path: 'device.id' },
    { name: 'device_name', type: 'string', path: 'device.name' },
    { name: 'user_id', type: 'integer', path: 'user.id' },
    { name: 'user', type: 'string', path: 'user.username' },
    { name: 'bulk_job', type: 'string' },
    { name: 'requested_at', type: 'datetime' },
    { name: 'finished_at', type: 'datetime' },
    { name: 'notes', type: 'string' },
  ],
  aliases: {
    command: 'command_id',
    device: 'device_id',
    bulk_job_id: 'bulk_job',
    username: 'user',
  },
  ordering: {
    requested_at: 'requested_at',
    started_at: 'started_at',
    finished_at: 'finished_at',
    status: 'status',
    created: 'created',
    /** A bulk job's items in the order given (with `bulk_job=<id>`). */
    bulk_position: 'bulk_position',
  },
  defaultOrdering: ['-created'],
  search: ['command.name', 'device.name', 'user.username', 'notes'],
};
