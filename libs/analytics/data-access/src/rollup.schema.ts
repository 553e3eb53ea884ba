import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';
import type { RollupCell, RollupGrain } from '@toolkit/analytics-domain';

/**
 * Rollup cells: one document per grain x hour x dimension values, its id derived from
 * them, counters maintained with `$inc` (upsert). The histogram is `hist.b<index>`: keys
 * never contain names, dots or `$`.
 */
export interface RollupDoc extends RollupCell {
  _id: string;
  grain: RollupGrain;
}

const rollupSchema = new Schema<RollupDoc>(
  {
    _id: String,
    grain: String,
    hour: Date,
    platform: String,
    success: Boolean,
    error_class: { type: String, default: null },
    command: Schema.Types.Mixed,
    device: Schema.Types.Mixed,
    error_message: String,
    count: Number,
    dur_count: Number,
    dur_sum_ms: Number,
    hist: Schema.Types.Mixed,
  },
  { collection: 'command_log_rollups', versionKey: false },
);

rollupSchema.index({ grain: 1, hour: 1 });
rollupSchema.index({ grain: 1, 'command.id': 1, hour: 1 });
rollupSchema.index({ grain: 1, 'device.id': 1, hour: 1 });
rollupSchema.index({ grain: 1, platform: 1, hour: 1 });
rollupSchema.index({ hour: 1 });
rollupSchema.index({ count: 1 });

export function rollupModel(connection: Connection): Model<RollupDoc> {
  return (
    (connection.models['CommandLogRollup'] as Model<RollupDoc> | undefined) ??
    connection.model<RollupDoc>('CommandLogRollup', rollupSchema)
  );
}

/**
 * Which logs are counted in the rollups: one entry per ingested batch, written after its
 * increments, holding the execution ids of the logs it inserted. A redelivered batch (its
 * logs refused as duplicates) counts exactly the refused logs no entry names, so a crash
 * between the log insert and the increments loses nothing; a crash between the increments
 * and the entry counts that batch twice. Entries older than a day are trimmed (logs
 * created before that are taken as counted). Insert-only: no per-log update, whose cost
 * grows with the collection on FerretDB 1.24.
 */
export interface RollupLedgerDoc {
  _id: string;
  exec_ids: string[];
  created: Date;
}

const rollupLedgerSchema = new Schema<RollupLedgerDoc>(
  { _id: String, exec_ids: [String], created: Date },
  { collection: 'command_log_rollup_ledger', versionKey: false },
);

rollupLedgerSchema.index({ exec_ids: 1 });
rollupLedgerSchema.index({ created: 1 });

export function rollupLedgerModel(connection: Connection): Model<RollupLedgerDoc> {
  return (
    (connection.models['CommandLogRollupLedger'] as Model<RollupLedgerDoc> | undefined) ??
    connection.model<RollupLedgerDoc>('CommandLogRollupLedger', rollupLedgerSchema)
  );
}
