import { z } from 'zod';
import type { ListSpec } from '@toolkit/netbox-list';
import { API_COMMAND_TYPES, API_ERROR_CLASSES, EXECUTION_STATUSES } from './choices.contract';

/** `/api/plugins/toolkit/executions/`: read-only execution status, id = execution id. */
export const EXECUTIONS_PATH = '/api/plugins/toolkit/executions/';

export const executionResultViewSchema = z.object({
  success: z.boolean(),
  output: z.string(),
  error_message: z.string(),
  error_class: z.enum(API_ERROR_CLASSES).nullable(),
  execution_duration: z.number().nullable(),
  syntax_error: z.boolean(),
  parsed_output: z.boolean(),
  command_log_id: z.number().int().nullable(),
});

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
  },
  defaultOrdering: ['-created'],
  search: ['command.name', 'device.name', 'user.username'],
};
