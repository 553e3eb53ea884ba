import { bulkJobSummary, emptyCounts } from '@toolkit/analytics-domain';
import type { CommandLogRecord } from '@toolkit/analytics-domain';
import type { BulkJobDoc, ExecutionDoc, StoredSyntaxError } from '@toolkit/analytics-data-access';
import { BULK_JOBS_PATH, COMMAND_LOGS_PATH, EXECUTIONS_PATH } from '@toolkit/api-contracts';
import type {
  BulkJobRepresentation,
  CommandLogRepresentation,
  ExecutionRepresentation,
  ExecutionResultView,
  ExecutionStatus,
  ParsedOutputView,
  SyntaxErrorView,
} from '@toolkit/api-contracts';

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

function parsedRecords(json: string | null): Record<string, unknown>[] | null {
  if (!json) return null;
  try {
    const records: unknown = JSON.parse(json);
    return Array.isArray(records) ? (records as Record<string, unknown>[]) : null;
  } catch {
    return null;
  }
}

export function commandLogRepresentation(
  doc: CommandLogRecord,
  base: string,
): CommandLogRepresentation {
  const commandId = doc.command?.id ?? null;
  return {
    id: doc.id,
    url: `${base}${COMMAND_LOGS_PATH}${doc.id}/`,
    display: `${doc.command.name} on ${doc.device.name}`,
    command: {
      id: commandId,
      url: commandId === null ? null : `${base}/api/plugins/toolkit/commands/${commandId}/`,
      name: doc.command.name,
      display: doc.command.name,
    },
    device: {
      id: doc.device.id,
      url: `${base}/api/dcim/devices/${doc.device.id}/`,
      name: doc.device.name,
      display: doc.device.name,
    },
    output: doc.output,
    username: doc.username,
    execution_time: iso(doc.execution_time) as string,
    success: doc.success,
    error_message: doc.error_message ?? '',
    execution_duration: doc.execution_duration ?? null,
    user: { id: doc.user?.id ?? null, username: doc.user?.username ?? '' },
    rendered_command: doc.rendered_command,
    command_type: doc.command_type,
    variables: Object.fromEntries((doc.variables ?? []).map((v) => [v.name, v.value])),
    platform: doc.platform as CommandLogRepresentation['platform'],
    error_class: (doc.error_class ?? null) as CommandLogRepresentation['error_class'],
    syntax_error: doc.syntax_error ?? { detected: false },
    parsed_output: doc.parsed_output === true,
    parsed_data: parsedRecords(doc.parsed_json),
    parse_error: doc.parse_error ?? null,
    parse_template: doc.parse_template ?? null,
    execution_id: doc.execution_id,
    bulk_job: doc.bulk_job ?? null,
    bulk_position: doc.bulk_position ?? null,
    notes: doc.notes ?? '',
    attempts: doc.attempts,
    executor: doc.executor,
    created: iso(doc.created) as string,
    last_updated: iso(doc.last_updated) as string,
  };
}

export function executionRepresentation(doc: ExecutionDoc, base: string): ExecutionRepresentation {
  const status: ExecutionStatus = doc.status ?? 'queued';
  return {
    id: doc._id,
    url: `${base}${EXECUTIONS_PATH}${doc._id}/`,
    display: doc.command
      ? `${doc.command.name} on ${doc.device.name}`
      : `${doc._id} on ${doc.device.name}`,
    status,
    command: doc.command ?? null,
    command_type: doc.command_type ?? null,
    device: doc.device,
    platform: doc.platform ?? null,
    user: doc.user ?? null,
    bulk_job: doc.bulk_job ?? null,
    bulk_position: doc.bulk_position ?? null,
    rendered_command: doc.rendered_command ?? null,
    notes: doc.notes ?? '',
    attempts: doc.attempts ?? 0,
    requested_at: iso(doc.requested_at),
    started_at: iso(doc.started_at),
    finished_at: iso(doc.finished_at),
    result: doc.result ? resultView(doc.result) : null,
    created: iso(doc.created) as string,
    last_updated: iso(doc.last_updated) as string,
  };
}

export function syntaxErrorView(stored: boolean | StoredSyntaxError): SyntaxErrorView {
  if (typeof stored === 'boolean') return { detected: stored };
  return stored.detected ? { ...stored, guidance_provided: true } : { detected: false };
}

/**
 * An execution's `parsed_output` from what is stored with its result:
 * - parsed: `{success: true, method: "textfsm", template, data: [...records], error: null}`.
 *   `success` is true even when `data` is empty (the template ran without error and
 *   matched no line), where the original reported an empty parse as a failure;
 * - the template failed (a TextFSM `Error` action, a template that does not compile, the
 *   records dropped with a cut output): `{success: false, method: "textfsm", template,
 *   data: [], error: "message"}`; the execution itself still succeeded;
 * - no template for the command: `{success: false, method: null, template: null, data: [],
 *   error: null}`.
 * Results stored before the template's name was kept have none: their stored records
 * (a list, even empty: it was only stored when a template ran) read as parsed, their
 * error as failed, each with `template: null`.
 */
export function parsedOutputView(
  json: string | null | undefined,
  error: string | null | undefined,
  template: string | null | undefined,
): ParsedOutputView {
  const name = template ?? null;
  if (error) return { success: false, method: 'textfsm', template: name, data: [], error };
  const data = parsedRecords(json ?? null);
  if (data !== null || name !== null)
    return { success: true, method: 'textfsm', template: name, data: data ?? [], error: null };
  return { success: false, method: null, template: null, data: [], error: null };
}

function resultView(stored: NonNullable<ExecutionDoc['result']>): ExecutionResultView {
  return {
    success: stored.success,
    output: stored.output,
    error_message: stored.error_message,
    error_class: stored.error_class as ExecutionResultView['error_class'],
    execution_duration: stored.execution_duration,
    syntax_error: syntaxErrorView(stored.syntax_error),
    parsed_output: parsedOutputView(stored.parsed_json, stored.parse_error, stored.parse_template),
    command_log_id: stored.command_log_id,
  };
}

export function bulkJobRepresentation(doc: BulkJobDoc, base: string): BulkJobRepresentation {
  const counts = { ...emptyCounts(), ...doc.counts };
  return {
    id: doc._id,
    url: `${base}${BULK_JOBS_PATH}${doc._id}/`,
    display: `Bulk job ${doc._id}`,
    status: doc.status,
    user: doc.user ?? null,
    notes: doc.notes ?? '',
    total: doc.total ?? null,
    accepted: doc.accepted ?? null,
    rejected: doc.rejected ?? null,
    done: doc.done,
    counts,
    summary: bulkJobSummary({
      counts,
      total: doc.total ?? null,
      accepted: doc.accepted ?? null,
      rejected: doc.rejected ?? null,
    }),
    created: iso(doc.created) as string,
    started_at: iso(doc.started_at),
    finished_at: iso(doc.finished_at),
    last_updated: iso(doc.last_updated) as string,
    executions_url: `${base}${EXECUTIONS_PATH}?bulk_job=${doc._id}&ordering=bulk_position`,
  };
}
