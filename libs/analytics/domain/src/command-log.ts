import type { ExecutionResult } from '@toolkit/contracts';
import { storableStrings } from './storable-text';
import { storedUserOf } from './stored-user';
import { bucketIndex } from './duration-histogram';
import { floorHour } from './time-buckets';

/** A command log as stored: names are kept so logs survive catalog deletions. */
export interface CommandLogRecord {
  /**
   * The execution id: the idempotency key is the primary key, so dedupe and lookups are
   * `_id` equalities (the only filter FerretDB 1.24 pushes down to SQLite).
   */
  _id: string;
  /** The public integer id (SequenceAllocator), unique index. */
  id: number;
  execution_id: string;
  command: { id: number | null; name: string };
  /**
   * Top-level copies of command.id, device.id and user.id: the logs' id filters are
   * top-level equalities, which FerretDB on PostgreSQL pushes down (dotted paths it
   * decodes and filters in Go). The repository maps the API's paths to them.
   */
  command_id: number | null;
  device_id: number;
  user_id: number | null;
  command_type: 'show' | 'config';
  device: { id: number; name: string };
  platform: string;
  output: string;
  /** Device login name (the original's meaning). */
  username: string;
  execution_time: Date;
  /** execution_time floored to the hour (FerretDB has no date operators). */
  hour: Date;
  success: boolean;
  error_message: string;
  error_class: string | null;
  /** Seconds. */
  execution_duration: number | null;
  user: { id: number | null; username: string };
  rendered_command: string;
  /** Stored as a list: variable names never become object keys in storage. */
  variables: { name: string; value: string }[];
  syntax_error: {
    detected: boolean;
    type?: string;
    vendor?: string;
    message?: string;
    guidance?: string;
  };
  parsed_output: boolean;
  /** Parsed records as JSON text (their keys come from templates, so never stored as keys). */
  parsed_json: string | null;
  parse_error: string | null;
  /**
   * The template the output was parsed with (a library or custom template's name, or
   * `inline`); null when none applied. Absent in logs written before it was kept.
   */
  parse_template?: string | null;
  bulk_job: string | null;
  bulk_position: number | null;
  /** The requester's notes ('' when none). */
  notes: string;
  attempts: number;
  executor: string;
  created: Date;
  last_updated: Date;
}

/** The fields statistics read from a log. */
export type CommandLogFacts = Pick<
  CommandLogRecord,
  | 'hour'
  | 'platform'
  | 'success'
  | 'error_class'
  | 'command'
  | 'device'
  | 'error_message'
  | 'execution_duration'
>;

/** Builds the stored log from an execution result. The result never carries a password. */
export function commandLogFromResult(
  result: ExecutionResult,
  id: number,
  now: Date,
): CommandLogRecord {
  const executionTime = new Date(result.timings.startedAt);
  // Device output may hold NUL bytes, which the store cannot keep.
  return storableStrings({
    _id: result.executionId,
    id,
    execution_id: result.executionId,
    command: { id: result.command.id ?? null, name: result.command.name },
    command_id: result.command.id ?? null,
    device_id: result.device.id,
    user_id: storedUserOf(result.requestedBy).id,
    command_type: result.commandType,
    device: { id: result.device.id, name: result.device.name },
    platform: result.device.platform,
    output: result.output,
    username: result.username,
    execution_time: executionTime,
    hour: floorHour(executionTime),
    success: result.success,
    error_message: result.errorMessage ?? '',
    error_class: result.errorClass,
    execution_duration: result.timings.durationMs / 1000,
    user: storedUserOf(result.requestedBy),
    rendered_command: result.renderedCommand,
    variables: Object.entries(result.variables).map(([name, value]) => ({ name, value })),
    syntax_error: { ...result.syntaxError },
    parsed_output: result.parsedOutput !== null && result.parsedOutput.length > 0,
    parsed_json: result.parsedOutput ? JSON.stringify(result.parsedOutput) : null,
    parse_error: result.parseError,
    parse_template: result.parseTemplate,
    bulk_job: result.bulkJobId ?? null,
    bulk_position: result.position ?? null,
    notes: result.notes ?? '',
    attempts: result.attempt,
    executor: result.executorId,
    created: now,
    last_updated: now,
  });
}

export function durationBucketOf(
  facts: Pick<CommandLogFacts, 'execution_duration'>,
): number | null {
  return facts.execution_duration === null ? null : bucketIndex(facts.execution_duration * 1000);
}
