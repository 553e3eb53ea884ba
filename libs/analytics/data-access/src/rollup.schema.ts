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
