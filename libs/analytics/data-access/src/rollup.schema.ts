import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';
import type { RollupCell, RollupGrain, RollupIncrement } from '@toolkit/analytics-domain';

/**
 * Rollup cells: one document per grain x hour x dimension values, its id derived from
 * them, counters maintained with `$inc` (upsert). The histogram is `hist.b<index>`: keys
 * never contain names, dots or `$`.
 */
export interface RollupDoc extends RollupCell {
  _id: string;
  grain: RollupGrain;
  /** Writer lane -> the last of its batches applied here (see RollupIntentDoc). */
  seq?: Record<string, number>;
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
    seq: Schema.Types.Mixed,
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
 * id) naming the batch that counts it (`token`, a RollupIntentDoc), written before that
 * batch's increments. A redelivered log is counted again only when it has no entry or its
 * entry names no intent (the crash came before the increments began). Entries older than a
 * day are trimmed (logs created before that are taken as counted), so are entries without
 * a token (written before intents: counted). Insert-only and keyed by `_id`: no per-log
 * update (whose cost grows with the collection on FerretDB 1.24) and no index on an array
 * (an entry per batch holding its ids needed one: FerretDB on PostgreSQL indexes an array
 * as one value, and a batch's ids overflow PostgreSQL's 2,704-byte btree row limit).
 */
export interface RollupLedgerDoc {
  /**
   * A log's execution id; `moved:<execution id>`, a superseded log whose counts the batch
   * moves; or `finished:<token>`, that batch's increments are all applied.
   */
  _id: string;
  created: Date;
  /** The batch that counts the log. */
  token?: string;
  /** How many intent documents that batch wrote. */
  parts?: number;
}

const rollupLedgerSchema = new Schema<RollupLedgerDoc>(
  { _id: String, created: Date, token: String, parts: Number },
  { collection: 'command_log_rollup_counted', versionKey: false },
);

rollupLedgerSchema.index({ created: 1 });

export function rollupLedgerModel(connection: Connection): Model<RollupLedgerDoc> {
  return (
    (connection.models['CommandLogRollupCounted'] as Model<RollupLedgerDoc> | undefined) ??
    connection.model<RollupLedgerDoc>('CommandLogRollupCounted', rollupLedgerSchema)
  );
}

/**
 * One batch's rollup increments, written before they are applied (a ledger marker
 * `finished:<id>` says when all are; insert-only, as intents are large and an update by `_id`
 * scans the collection on FerretDB 1.24):
 * what lets a crashed batch be finished exactly once without transactions (FerretDB 1.24
 * has none). A writer (`lane`: one per process, replaced after a failed batch) numbers its
 * batches (`seq`) and applies them one after the other; each cell write is guarded by
 * `seq.<lane>` below this batch's and sets it, so a cell takes each batch once, whoever
 * finishes it (the writer retrying, another replica after a crash, or both at once).
 */
export interface RollupIntentDoc {
  /** `<token>#<part>` */
  _id: string;
  token: string;
  /** A batch's increments are cut into parts (a document holds at most 16 MB). */
  part: number;
  parts: number;
  lane: string;
  seq: number;
  created: Date;
  increments: RollupIncrement[];
}

const rollupIntentSchema = new Schema<RollupIntentDoc>(
  {
    _id: String,
    token: String,
    part: Number,
    parts: Number,
    lane: String,
    seq: Number,
    created: Date,
    increments: Schema.Types.Mixed,
  },
  { collection: 'command_log_rollup_intents', versionKey: false },
);

rollupIntentSchema.index({ created: 1 });

export function rollupIntentModel(connection: Connection): Model<RollupIntentDoc> {
  return (
    (connection.models['CommandLogRollupIntent'] as Model<RollupIntentDoc> | undefined) ??
    connection.model<RollupIntentDoc>('CommandLogRollupIntent', rollupIntentSchema)
  );
}
