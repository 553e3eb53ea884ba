import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';
import type { BulkJobCounts, BulkJobStatus } from '@toolkit/api-contracts';

/**
 * One bulk job, keyed by its id: what its request messages say about it (requester, size,
 * notes), each item's latest status (`items`, raised with `$max`), and its progress,
 * recomputed from `items` after every consumed batch that names it.
 */
export interface BulkJobDoc {
  _id: string;
  user: { id: number | null; username: string } | null;
  /** When it was requested (until a request message is read: its earliest item's request). */
  created: Date;
  notes: string;
  /** From the request messages; null until one is read. */
  total: number | null;
  accepted: number | null;
  rejected: number | null;
  counts: BulkJobCounts;
  done: number;
  status: BulkJobStatus;
  started_at: Date | null;
  finished_at: Date | null;
  last_updated: Date;
  /** Execution id -> its latest status as a code that only grows (itemCode in the domain). */
  items: Record<string, number>;
  /** The earliest start and latest finish of any item's attempt. */
  first_started: Date | null;
  last_finished: Date | null;
  /** Until a request message is read: the earliest item request and who made it. */
  first_requested: Date | null;
  requester: { id: number | null; username: string } | null;
  /** Set on documents that keep `items` (written before they did: seeded once from executions). */
  tracked: boolean;
  /** Moves on with every item write; progress is written only for the revision it was computed from. */
  rev: number;
}

const bulkJobSchema = new Schema<BulkJobDoc>(
  {
    _id: String,
    user: Schema.Types.Mixed,
    created: Date,
    notes: String,
    total: Number,
    accepted: Number,
    rejected: Number,
    counts: Schema.Types.Mixed,
    done: Number,
    status: String,
    started_at: Date,
    finished_at: Date,
    last_updated: Date,
    items: Schema.Types.Mixed,
    first_started: Date,
    last_finished: Date,
    first_requested: Date,
    requester: Schema.Types.Mixed,
    tracked: Boolean,
    rev: Number,
  },
  { collection: 'bulk_jobs', versionKey: false },
);

// The list's default ordering (`-created`, then `_id`), and `created` ranges.
bulkJobSchema.index({ created: -1, _id: 1 });
// Each filter, followed by the default ordering.
bulkJobSchema.index({ status: 1, created: -1, _id: 1 });
bulkJobSchema.index({ 'user.id': 1, created: -1, _id: 1 });
bulkJobSchema.index({ 'user.username': 1, created: -1, _id: 1 });
// The other orderings (`status` is the prefix above).
bulkJobSchema.index({ total: 1, _id: 1 });
bulkJobSchema.index({ finished_at: 1, _id: 1 });

export function bulkJobModel(connection: Connection): Model<BulkJobDoc> {
  return (
    (connection.models['BulkJob'] as Model<BulkJobDoc> | undefined) ??
    connection.model<BulkJobDoc>('BulkJob', bulkJobSchema)
  );
}
