import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';
import type { Outbox, OutboxEntry } from '@toolkit/catalog-domain';

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
    private readonly journal: { unpublishable(txns: readonly string[]): Promise<Set<string>> },
  ) {}

  async add(entries: readonly OutboxEntry[]): Promise<void> {
    if (entries.length > 0) await this.model.insertMany(entries, { ordered: true });
  }

  async pending(limit: number): Promise<OutboxEntry[]> {
    const entries = await this.model
      .find({})
      .sort({ _id: 1 })
      .limit(limit)
      .lean<OutboxEntry[]>()
      .exec();
    const waiting = await this.journal.unpublishable([
      ...new Set(entries.flatMap((e) => (e.txn ? [e.txn] : []))),
    ]);
    return entries.filter((e) => !e.txn || !waiting.has(e.txn));
  }

  async discard(txn: string): Promise<void> {
    await this.model.deleteMany({ txn }).exec();
  }

  async remove(ids: readonly number[]): Promise<void> {
    await this.model.deleteMany({ _id: { $in: [...ids] } }).exec();
  }
}
