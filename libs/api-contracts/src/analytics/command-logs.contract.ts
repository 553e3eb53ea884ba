import { z } from 'zod';
import { syntaxErrorSchema } from '@toolkit/contracts';
import type { ListSpec } from '@toolkit/netbox-list';
import { API_COMMAND_TYPES, API_ERROR_CLASSES, API_PLATFORMS } from './choices.contract';

/** `/api/plugins/toolkit/command-logs/`: one row per execution, read-only but deletable. */
export const COMMAND_LOGS_PATH = '/api/plugins/toolkit/command-logs/';

const nestedRef = z.object({
  id: z.number().int().nullable(),
  url: z.string().nullable(),
  name: z.string(),
  display: z.string(),
});

export const commandLogSchema = z.object({
  id: z.number().int(),
  url: z.string(),
  display: z.string(),
  // The original's fields.
  command: nestedRef,
  device: nestedRef,
  output: z.string(),
  /** The device login name used (the original's meaning), never the API user. */
  username: z.string(),
  /** When the execution ran (a timestamp, as in the original). */
  execution_time: z.string(),
  success: z.boolean(),
  error_message: z.string(),
  /** Seconds spent running the command; null when unknown. */
  execution_duration: z.number().nullable(),
  // Ours.
  user: z.object({ id: z.number().int().nullable(), username: z.string() }),
  rendered_command: z.string(),
  command_type: z.enum(API_COMMAND_TYPES),
  variables: z.record(z.string(), z.string()),
  platform: z.enum(API_PLATFORMS),
  error_class: z.enum(API_ERROR_CLASSES).nullable(),
  syntax_error: syntaxErrorSchema,
  /** Whether the output was parsed into records (TextFSM). */
  parsed_output: z.boolean(),
  /** The parsed records, when `parsed_output` is true. */
  parsed_data: z.array(z.record(z.string(), z.unknown())).nullable(),
  parse_error: z.string().nullable(),
  /** The template the output was parsed with (a name, or `inline`); null when none applied. */
  parse_template: z.string().nullable(),
  execution_id: z.uuid(),
  bulk_job: z.uuid().nullable(),
  bulk_position: z.number().int().nullable(),
  /** The requester's notes (the original's 0.1.6), up to 1,000 characters. */
  notes: z.string(),
  attempts: z.number().int(),
  executor: z.string(),
  created: z.string(),
  last_updated: z.string(),
});
export type CommandLogRepresentation = z.output<typeof commandLogSchema>;

export const COMMAND_LOG_BRIEF_FIELDS = [
  'id',
  'url',
  'display',
  'command',
  'device',
  'username',
  'execution_time',
  'success',
] as const;

/** Bulk delete body: a list of `{id}`. */
/** Most command logs one bulk DELETE removes. */
export const COMMAND_LOG_BULK_DELETE_MAX = 10_000;

export const commandLogBulkDeleteSchema = z
  .array(z.object({ id: z.number().int().positive() }))
  .min(1)
  .max(COMMAND_LOG_BULK_DELETE_MAX);

/**
 * Filters: the original's real names (kept as aliases), the names its documentation
 * promised, NetBox lookups on each, and `platform`, `error_class`.
 */
export const commandLogListSpec: ListSpec = {
  filters: [
    { name: 'id', type: 'integer', path: '_id' },
    { name: 'command_id', type: 'integer', path: 'command.id' },
    { name: 'command_name', type: 'string', path: 'command.name' },
    { name: 'device_id', type: 'integer', path: 'device.id' },
    { name: 'device_name', type: 'string', path: 'device.name' },
    { name: 'username', type: 'string', description: 'Device login name.' },
    { name: 'user_id', type: 'integer', path: 'user.id', description: 'API user id.' },
    { name: 'user', type: 'string', path: 'user.username', description: 'API user name.' },
    { name: 'success', type: 'boolean' },
    { name: 'execution_time', type: 'datetime' },
    { name: 'execution_duration', type: 'number' },
    { name: 'platform', type: 'enum', choices: API_PLATFORMS },
    { name: 'error_class', type: 'enum', choices: API_ERROR_CLASSES },
    { name: 'command_type', type: 'enum', choices: API_COMMAND_TYPES },
    { name: 'error_message', type: 'string' },
    { name: 'execution_id', type: 'string' },
    { name: 'bulk_job', type: 'string' },
    { name: 'notes', type: 'string' },
    { name: 'attempts', type: 'integer' },
    { name: 'created', type: 'datetime' },
    { name: 'last_updated', type: 'datetime' },
  ],
  aliases: {
    command: 'command_id',
    device: 'device_id',
    execution_time_after: 'execution_time__gte',
    execution_time_before: 'execution_time__lte',
    username_icontains: 'username__ic',
    device_name_icontains: 'device_name__ic',
    command_name_icontains: 'command_name__ic',
    device__name__icontains: 'device_name__ic',
    command__name__icontains: 'command_name__ic',
    device__name: 'device_name',
    command__name: 'command_name',
    created_after: 'created__gte',
    created_before: 'created__lte',
  },
  ordering: {
    id: '_id',
    execution_time: 'execution_time',
    command: 'command.name',
    device: 'device.name',
    username: 'username',
    success: 'success',
    execution_duration: 'execution_duration',
    platform: 'platform',
    error_class: 'error_class',
    created: 'created',
  },
  defaultOrdering: ['-execution_time'],
  search: ['command.name', 'device.name', 'username', 'notes'],
};

export const STATISTICS_BUCKETS = ['hour', 'day'] as const;

/** Statistics accept every list filter plus `bucket` (time series) and `top` (list sizes). */
export const commandLogStatisticsListSpec: ListSpec = {
  ...commandLogListSpec,
  passthrough: ['bucket', 'top'],
};

export const EXPORT_FORMATS = ['csv', 'json', 'ndjson'] as const;

/** Exports accept every list filter plus format/export_format and start/end dates. */
export const commandLogExportListSpec: ListSpec = {
  ...commandLogListSpec,
  passthrough: ['format', 'export_format', 'start_date', 'end_date'],
};

const breakdownRow = z.object({
  total: z.number().int(),
  successful: z.number().int(),
  failed: z.number().int(),
  success_rate: z.number(),
  avg_duration: z.number().nullable(),
});

export const commandLogStatisticsSchema = z.object({
  total_logs: z.number().int(),
  /** Percent of logs with success, 2 decimals; 0 when there are none. */
  success_rate: z.number(),
  last_24h: z.object({
    total: z.number().int(),
    successful: z.number().int(),
    failed: z.number().int(),
  }),
  top_commands: z.array(
    z.object({
      command_name: z.string(),
      command_id: z.number().int().nullable(),
      count: z.number().int(),
    }),
  ),
  common_errors: z.array(z.object({ error: z.string(), count: z.number().int() })),
  by_platform: z.array(breakdownRow.extend({ platform: z.string() })),
  by_device: z.array(
    breakdownRow.extend({ device_id: z.number().int().nullable(), device_name: z.string() }),
  ),
  by_command: z.array(
    breakdownRow.extend({ command_id: z.number().int().nullable(), command_name: z.string() }),
  ),
  by_error_class: z.array(z.object({ error_class: z.string(), count: z.number().int() })),
  /** Seconds; percentiles from fixed histogram buckets (relative error under 5%). */
  execution_duration: z.object({
    count: z.number().int(),
    mean: z.number().nullable(),
    p50: z.number().nullable(),
    p95: z.number().nullable(),
    p99: z.number().nullable(),
  }),
  time_series: z.object({
    bucket: z.enum(STATISTICS_BUCKETS),
    points: z.array(
      z.object({
        start: z.string(),
        total: z.number().int(),
        successful: z.number().int(),
        failed: z.number().int(),
      }),
    ),
  }),
  /** `rollups` when answered from pre-aggregated counters (plus raw edge hours), else `logs`. */
  source: z.enum(['rollups', 'logs']),
});
export type CommandLogStatistics = z.output<typeof commandLogStatisticsSchema>;

/** The original's CSV columns first, then ours. */
export const COMMAND_LOG_CSV_COLUMNS = [
  'ID',
  'Command',
  'Device',
  'User',
  'Success',
  'Created',
  'Execution Time',
  'Error Message',
  'Device Username',
  'Execution Duration',
  'Platform',
  'Error Class',
  'Rendered Command',
  'Command Type',
  'Syntax Error',
  'Parsed Output',
  'Execution ID',
  'Bulk Job',
  'Attempts',
  'Notes',
  'Output',
] as const;
