import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';
import type { Outbox, OutboxEntry } from '@toolkit/catalog-domain';
import type { TxnState } from './write-journal.repository';

const outboxSchema = new Schema<OutboxEntry>(
  { _id: Number },
  { strict: false, versionKey: false, collection: 'outbox', autoIndex: false },
);

export function outboxModel(connection: Connection): Model<OutboxEntry> {
  return (
    (connection.models['CatalogOutbox'] as Model<OutboxEntry> | undefined) ??
    connection.model<OutboxEntry>('CatalogOutbox', outboxSchema)
  );
}

/**
 * Catalog events waiting to be published; empty whenever Kafka keeps up. The events of a
 * write transaction still open (or rolled back) are not handed out.
 */
export class MongoOutbox implements Outbox {
  constructor(
    private readonly model: Model<OutboxEntry>,
    private readonly journal: {
      states(txns: readonly string[]): Promise<Map<string, TxnState>>;
    },
  ) {}

  async add(entries: readonly OutboxEntry[]): Promise<void> {
    if (entries.length > 0) await this.model.insertMany(entries, { ordered: true });
  }

  /**
   * The oldest entries, up to the first one of a write still open (or rolling back):
   * events go out in change order, so a later change waits for an earlier open one.
   * Entries of a rolled-back write are dropped, never handed out.
   */
  async pending(limit: number): Promise<OutboxEntry[]> {
    const entries = await this.model
      .find({})
      .sort({ _id: 1 })
      .limit(limit)
      .lean<OutboxEntry[]>()
      .exec();
    const states = await this.journal.states([
      ...new Set(entries.flatMap((e) => (e.txn ? [e.txn] : []))),
    ]);
    const ready: OutboxEntry[] = [];
    const dropped: number[] = [];
    for (const entry of entries) {
      const state = entry.txn ? states.get(entry.txn) : undefined;
      if (state === 'open' || state === 'rolling_back') break;
      if (state === 'rolled_back') dropped.push(entry._id);
      else ready.push(entry);
    }
    if (dropped.length > 0) await this.remove(dropped);
    return ready;
  }

  async remove(ids: readonly number[]): Promise<void> {
    await this.model.deleteMany({ _id: { $in: [...ids] } }).exec();
  }

  async discard(txn: string): Promise<void> {
    await this.model.deleteMany({ txn }).exec();
  }
}
