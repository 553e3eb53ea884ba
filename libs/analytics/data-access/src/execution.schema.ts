import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';
import type { ExecutionStatus } from '@toolkit/api-contracts';

export interface StoredSyntaxError {
  detected: boolean;
  type?: string;
  vendor?: string;
  message?: string;
  guidance?: string;
}

/** Execution status records, keyed by execution id; never holds the credential envelope. */
export interface ExecutionDoc {
  _id: string;
  status?: ExecutionStatus;
  status_rank?: number;
  attempts?: number;
  command?: { id: number | null; name: string };
  command_type?: 'show' | 'config';
  device: { id: number; name: string };
  platform?: string;
  user?: { id: number | null; username: string };
  bulk_job: string | null;
  bulk_position: number | null;
  requested_at?: Date;
  started_at?: Date;
  finished_at?: Date;
  executor?: string;
  rendered_command?: string;
  notes?: string;
  result?: {
    success: boolean;
    output: string;
    error_message: string;
    error_class: string | null;
    execution_duration: number | null;
    /** A flag in records written before the details were kept. */
    syntax_error: boolean | StoredSyntaxError;
    parsed_output: boolean;
    /** Parsed records as JSON text (template field names never become storage keys). */
    parsed_json?: string | null;
    parse_error?: string | null;
    /**
     * The template the output was parsed with (a library or custom template's name, or
     * `inline`); null when none applied. Absent in records written before it was kept.
     */
    parse_template?: string | null;
    command_log_id: number | null;
  };
  created: Date;
  last_updated: Date;
}

const executionSchema = new Schema<ExecutionDoc>(
  {
    _id: String,
    status: String,
    status_rank: Number,
    attempts: Number,
    command: Schema.Types.Mixed,
    command_type: String,
    device: Schema.Types.Mixed,
    platform: String,
    user: Schema.Types.Mixed,
    bulk_job: { type: String, default: null },
    bulk_position: { type: Number, default: null },
    requested_at: Date,
    started_at: Date,
    finished_at: Date,
    executor: String,
    rendered_command: String,
    notes: String,
    result: Schema.Types.Mixed,
    created: Date,
    last_updated: Date,
  },
  { collection: 'executions', versionKey: false },
);

executionSchema.index({ created: -1 });
executionSchema.index({ status: 1, created: -1 });
executionSchema.index({ 'command.id': 1, created: -1 });
executionSchema.index({ 'device.id': 1, created: -1 });
executionSchema.index({ 'user.id': 1, created: -1 });
executionSchema.index({ 'user.username': 1, created: -1 });
// A bulk job's items: its refresh reads, `bulk_job` filters, `ordering=bulk_position`.
executionSchema.index({ bulk_job: 1, bulk_position: 1 });
executionSchema.index({ requested_at: -1 });
executionSchema.index({ finished_at: -1 });

export function executionModel(connection: Connection): Model<ExecutionDoc> {
  return (
    (connection.models['Execution'] as Model<ExecutionDoc> | undefined) ??
    connection.model<ExecutionDoc>('Execution', executionSchema)
  );
}
