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
 * Which logs are counted in the rollups: one entry per counted log (`_id` = its execution
 * id), inserted after the batch's increments. A redelivered batch (its logs refused as
 * duplicates) counts exactly the refused logs that have no entry, so a crash between the
 * log insert and the increments loses nothing; a crash between the increments and the
 * entries counts that batch twice. Entries older than a day are trimmed (logs created
 * before that are taken as counted). Insert-only and keyed by `_id`: no per-log update
 * (whose cost grows with the collection on FerretDB 1.24) and no index on an array (an
 * entry per batch holding its ids needed one: FerretDB on PostgreSQL indexes an array as
 * one value, and a batch's ids overflow PostgreSQL's 2,704-byte btree row limit).
 */
export interface RollupLedgerDoc {
  _id: string;
  created: Date;
}

const rollupLedgerSchema = new Schema<RollupLedgerDoc>(
  { _id: String, created: Date },
  { collection: 'command_log_rollup_counted', versionKey: false },
);

rollupLedgerSchema.index({ created: 1 });

export function rollupLedgerModel(connection: Connection): Model<RollupLedgerDoc> {
  return (
    (connection.models['CommandLogRollupCounted'] as Model<RollupLedgerDoc> | undefined) ??
    connection.model<RollupLedgerDoc>('CommandLogRollupCounted', rollupLedgerSchema)
  );
}
