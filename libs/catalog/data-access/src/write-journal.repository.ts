import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';
import type { JournalPart, WriteJournal } from '@toolkit/catalog-domain';

/**
 * `write_journal`: one header per transaction (`_id` = the transaction, `state` open,
 * committed or rolled_back; its update to committed is the commit point) and its parts
 * (`txn`, `n`, the step). Parts go once the transaction is finished; headers stay a while
 * so that the outbox can tell a rolled-back transaction's events from a committed one's.
 */
export type TxnState = 'open' | 'rolling_back' | 'committed' | 'rolled_back';

interface JournalDoc {
  _id: string;
  kind: 'txn' | 'part';
  at: Date;
  state?: TxnState;
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
  constructor(
    private readonly model: Model<JournalDoc>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async append(
    txn: string,
    parts: readonly JournalPart[],
    position: { first: boolean; index: number },
  ): Promise<void> {
    const at = this.now();
    const docs: JournalDoc[] = parts.map((part, i) => ({
      _id: `${txn}:${position.index + i}`,
      kind: 'part',
      at,
      txn,
      n: position.index + i,
      part,
    }));
    if (position.first) {
      await this.model.insertMany([{ _id: txn, kind: 'txn', state: 'open', at }, ...docs], {
        ordered: true,
      });
      return;
    }
    // A step of a transaction recovery took for dead is not taken.
    if (!(await this.setState(txn, ['open'], { at })))
      throw new Error(`write transaction ${txn} is no longer open`);
    await this.model.insertMany(docs, { ordered: true });
  }

  async touch(txn: string): Promise<void> {
    await this.setState(txn, ['open'], { at: this.now() });
  }

  async commit(txn: string): Promise<boolean> {
    // The header's state is the commit point; the parts are only needed until then, so
    // their removal is not waited for (purgeFinished removes what a failure leaves).
    const committed = await this.setState(txn, ['open'], { state: 'committed', at: this.now() });
    if (committed) this.dropParts(txn);
    return committed;
  }

  beginRollback(txn: string): Promise<boolean> {
    return this.setState(txn, ['open', 'rolling_back'], { state: 'rolling_back', at: this.now() });
  }

  async abort(txn: string): Promise<void> {
    await this.setState(txn, ['rolling_back'], { state: 'rolled_back', at: this.now() });
    this.dropParts(txn);
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
      .find({ kind: 'txn', state: { $in: ['open', 'rolling_back'] }, at: { $lt: before } })
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

  /** The state of each of these transactions that the journal still knows. */
  async states(txns: readonly string[]): Promise<Map<string, TxnState>> {
    if (txns.length === 0) return new Map();
    const headers = await this.model
      .find({ _id: { $in: [...txns] } })
      .lean<JournalDoc[]>()
      .exec();
    return new Map(headers.flatMap((d) => (d.state ? [[d._id, d.state] as const] : [])));
  }

  /** Moves a transaction from one of `from` (one document: atomic); whether it did. */
  private async setState(
    txn: string,
    from: readonly TxnState[],
    set: Partial<Pick<JournalDoc, 'state' | 'at'>>,
  ): Promise<boolean> {
    const { matchedCount } = await this.model
      .updateOne({ _id: txn, state: { $in: [...from] } }, { $set: set })
      .exec();
    return matchedCount === 1;
  }

  private dropParts(txn: string): void {
    void this.model
      .deleteMany({ kind: 'part', txn })
      .exec()
      .catch(() => undefined);
  }
}
