import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';
import type { CommandLogRecord } from '@toolkit/analytics-domain';

/**
 * Command logs, keyed by execution id (`_id`: idempotent ingest, and the only filter
 * FerretDB 1.24 pushes down); the API's integer `id` is a separate unique field (the
 * repository maps the list spec's `_id` path to it, `execution_id` to `_id`, and
 * `command.id`/`device.id`/`user.id` to their top-level copies). Every filter and ordering of the
 * API has an index (most compound with execution_time, the default ordering).
 * FerretDB has no TTL or partial indexes: retention is a periodic bounded delete.
 */
const commandLogSchema = new Schema<CommandLogRecord>(
  {
    _id: { type: String },
    id: { type: Number, required: true },
    execution_id: { type: String, required: true },
    command: Schema.Types.Mixed,
    command_id: { type: Number, default: null },
    device_id: Number,
    user_id: { type: Number, default: null },
    command_type: String,
    device: Schema.Types.Mixed,
    platform: String,
    output: String,
    username: String,
    execution_time: Date,
    hour: Date,
    success: Boolean,
    error_message: String,
    error_class: { type: String, default: null },
    execution_duration: { type: Number, default: null },
    user: Schema.Types.Mixed,
    rendered_command: String,
    variables: Schema.Types.Mixed,
    syntax_error: Schema.Types.Mixed,
    parsed_output: Boolean,
    parsed_json: { type: String, default: null },
    parse_error: { type: String, default: null },
    parse_template: { type: String, default: null },
    bulk_job: { type: String, default: null },
    bulk_position: { type: Number, default: null },
    notes: { type: String, default: '' },
    attempts: Number,
    executor: String,
    created: Date,
    last_updated: Date,
  },
  { collection: 'command_logs', versionKey: false, strict: true },
);

commandLogSchema.index({ id: 1 }, { unique: true });
commandLogSchema.index({ execution_time: -1, id: 1 });
commandLogSchema.index({ command_id: 1, execution_time: -1 });
commandLogSchema.index({ 'command.name': 1, execution_time: -1 });
commandLogSchema.index({ device_id: 1, execution_time: -1 });
commandLogSchema.index({ 'device.name': 1, execution_time: -1 });
commandLogSchema.index({ username: 1, execution_time: -1 });
commandLogSchema.index({ user_id: 1, execution_time: -1 });
commandLogSchema.index({ 'user.username': 1, execution_time: -1 });
commandLogSchema.index({ platform: 1, execution_time: -1 });
commandLogSchema.index({ error_class: 1, execution_time: -1 });
commandLogSchema.index({ success: 1, execution_time: -1 });
commandLogSchema.index({ execution_duration: 1 });
commandLogSchema.index({ bulk_job: 1, bulk_position: 1 });
commandLogSchema.index({ created: -1 });

export function commandLogModel(connection: Connection): Model<CommandLogRecord> {
  return (
    (connection.models['CommandLog'] as Model<CommandLogRecord> | undefined) ??
    connection.model<CommandLogRecord>('CommandLog', commandLogSchema)
  );
}
