import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';
import type { JournalPart, WriteJournal } from '@toolkit/catalog-domain';

/**
 * `write_journal`: one header per transaction (`_id` = the transaction, `state` open,
 * committed or rolled_back; its update to committed is the commit point) and its parts
 * (`txn`, `n`, the step). Parts go once the transaction is finished; headers stay a while
 * so that the outbox can tell a rolled-back transaction's events from a committed one's.
 */
interface JournalDoc {
  _id: string;
  kind: 'txn' | 'part';
  at: Date;
  state?: 'open' | 'committed' | 'rolled_back';
  txn?: string;
  n?: number;
  part?: JournalPart;
}

const journalSchema = new Schema<JournalDoc>(
  { _id: String },
  { strict: false, versionKey: false, collection: 'write_journal', autoIndex: false },
);
journalSchema.index({ kind: 1, state: 1, at: 1 });
journalSchema.index({ txn: 1, n: 1 });

export function writeJournalModel(connection: Connection): Model<JournalDoc> {
  return (
    (connection.models['CatalogWriteJournal'] as Model<JournalDoc> | undefined) ??
    connection.model<JournalDoc>('CatalogWriteJournal', journalSchema)
  );
}

export class MongoWriteJournal implements WriteJournal {
  /** Parts appended per transaction by this process (their order). */
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly model: Model<JournalDoc>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async append(txn: string, parts: readonly JournalPart[], first: boolean): Promise<void> {
    const at = this.now();
    const start = this.counts.get(txn) ?? 0;
    this.counts.set(txn, start + parts.length);
    const docs: JournalDoc[] = parts.map((part, i) => ({
      _id: `${txn}:${start + i}`,
      kind: 'part',
      at,
      txn,
      n: start + i,
      part,
    }));
    if (first) {
      await this.model.insertMany([{ _id: txn, kind: 'txn', state: 'open', at }, ...docs], {
        ordered: true,
      });
      return;
    }
    // A long transaction stays alive for recovery as long as it takes steps.
    await Promise.all([
      this.model.insertMany(docs, { ordered: true }),
      this.model.updateOne({ _id: txn }, { $set: { at } }).exec(),
    ]);
  }

  async commit(txn: string): Promise<void> {
    await this.finish(txn, 'committed');
  }

  async abort(txn: string): Promise<void> {
    await this.finish(txn, 'rolled_back');
  }

  async parts(txn: string): Promise<JournalPart[]> {
    const docs = await this.model
      .find({ kind: 'part', txn })
      .sort({ n: 1 })
      .lean<JournalDoc[]>()
      .exec();
    return docs.flatMap((d) => (d.part ? [d.part] : []));
  }

  async abandoned(before: Date, limit: number): Promise<string[]> {
    const docs = await this.model
      .find({ kind: 'txn', state: 'open', at: { $lt: before } })
      .sort({ at: 1 })
      .limit(limit)
      .lean<JournalDoc[]>()
      .exec();
    return docs.map((d) => d._id);
  }

  async purgeFinished(before: Date): Promise<number> {
    const finished = await this.model
      .find({ kind: 'txn', state: { $in: ['committed', 'rolled_back'] }, at: { $lt: before } })
      .limit(1_000)
      .lean<JournalDoc[]>()
      .exec();
    if (finished.length === 0) return 0;
    const ids = finished.map((d) => d._id);
    await this.model.deleteMany({ kind: 'part', txn: { $in: ids } }).exec();
    await this.model.deleteMany({ _id: { $in: ids } }).exec();
    return ids.length;
  }

  /** Of these transactions, those whose events must wait: open or rolled back. */
  async unpublishable(txns: readonly string[]): Promise<Set<string>> {
    if (txns.length === 0) return new Set();
    const headers = await this.model
      .find({ _id: { $in: [...txns] }, state: { $in: ['open', 'rolled_back'] } })
      .lean<JournalDoc[]>()
      .exec();
    return new Set(headers.map((d) => d._id));
  }

  private async finish(txn: string, state: 'committed' | 'rolled_back'): Promise<void> {
    this.counts.delete(txn);
    // The header's state is the commit point; the parts are only needed until then, so
    // their removal is not waited for (purgeFinished removes what a failure leaves).
    await this.model.updateOne({ _id: txn }, { $set: { state, at: this.now() } }).exec();
    void this.model
      .deleteMany({ kind: 'part', txn })
      .exec()
      .catch(() => undefined);
  }
}
