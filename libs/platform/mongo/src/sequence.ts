import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';
import { isDuplicateKey } from './mongo-database';

/**
 * Integer ids, as NetBox clients expect, allocated safely across replicas on MongoDB 7 and
 * FerretDB alike. FerretDB 1.24 does not apply findOneAndUpdate({$inc}) atomically (two
 * concurrent callers can read the same value), so the counter is only a hint: an id (or a
 * block of ids) is owned by whoever inserts its claim document first, which a unique _id
 * makes atomic on every server.
 */
interface CounterDoc {
  _id: string;
  value: number;
}

interface ClaimDoc {
  _id: string;
}

const counterSchema = new Schema<CounterDoc>(
  { _id: String, value: Number },
  { versionKey: false, collection: 'counters' },
);
const claimSchema = new Schema<ClaimDoc>(
  { _id: String },
  { versionKey: false, collection: 'counter_claims' },
);

const MAX_ATTEMPTS = 10_000;

export class SequenceAllocator {
  private readonly counters: Model<CounterDoc>;
  private readonly claims: Model<ClaimDoc>;
  /** Unused ids of blocks this process reserved, per sequence. */
  private readonly reserved = new Map<string, { next: number; end: number }>();

  constructor(
    connection: Connection,
    /** Ids reserved per claim. 1 keeps ids dense and in creation order; high-volume writers use more. */
    private readonly blockSize = 1,
  ) {
    this.counters =
      (connection.models['SequenceCounter'] as Model<CounterDoc> | undefined) ??
      connection.model<CounterDoc>('SequenceCounter', counterSchema);
    this.claims =
      (connection.models['SequenceClaim'] as Model<ClaimDoc> | undefined) ??
      connection.model<ClaimDoc>('SequenceClaim', claimSchema);
  }

  /** Returns `count` ids, ascending. With blockSize 1 they are consecutive. */
  async take(sequence: string, count = 1): Promise<number[]> {
    const ids: number[] = [];
    while (ids.length < count) {
      const block = this.reserved.get(sequence);
      if (block && block.next <= block.end) {
        ids.push(block.next++);
        continue;
      }
      const want = this.blockSize === 1 ? count - ids.length : 1;
      const first = await this.claimBlocks(sequence, want);
      const size = this.blockSize === 1 ? want : this.blockSize;
      const start = this.blockSize === 1 ? first : (first - 1) * this.blockSize + 1;
      this.reserved.set(sequence, { next: start, end: start + size - 1 });
    }
    return ids;
  }

  async next(sequence: string): Promise<number> {
    const [id] = await this.take(sequence, 1);
    return id as number;
  }

  /** Claims `run` consecutive slots (each slot an id, or a block of ids) and returns the first. */
  private async claimBlocks(sequence: string, run: number): Promise<number> {
    let candidate = ((await this.counters.findById(sequence).lean().exec())?.value ?? 0) + 1;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const slots = Array.from({ length: run }, (_, i) => ({
        _id: `${sequence}:${candidate + i}`,
      }));
      try {
        await this.claims.insertMany(slots, { ordered: true });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // Someone owns part of the run: release what we got and move past it.
        const inserted =
          (error as { insertedDocs?: unknown[]; result?: { insertedCount?: number } }).result
            ?.insertedCount ?? 0;
        if (inserted > 0)
          await this.claims
            .deleteMany({ _id: { $in: slots.slice(0, inserted).map((s) => s._id) } })
            .exec();
        candidate += Math.max(1, inserted + 1);
        continue;
      }
      await this.raiseCounter(sequence, candidate + run - 1);
      return candidate;
    }
    throw new Error(`could not allocate an id in sequence ${sequence}`);
  }

  /**
   * Moves the hint forward. Two first upserts of the counter can race: the loser gets a
   * duplicate key error (MongoDB retries such an upsert itself, FerretDB on PostgreSQL
   * does not), and the counter then exists, so the update is sent once more. The slots
   * are already ours either way.
   */
  private async raiseCounter(sequence: string, value: number): Promise<void> {
    const update = () =>
      this.counters.updateOne({ _id: sequence }, { $max: { value } }, { upsert: true }).exec();
    try {
      await update();
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      await update();
    }
  }
}
