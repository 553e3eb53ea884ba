import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';
import type { BatchProgressStore } from '@toolkit/executor-domain';
import { toStorageError } from '@toolkit/mongo';

interface ProgressDocument {
  _id: string;
  done: number;
  updatedAt: Date;
}

const progressSchema = new Schema<ProgressDocument>(
  {
    _id: { type: String, required: true },
    done: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'bulk_batch_progress', versionKey: false },
);
progressSchema.index({ updatedAt: 1 });

/**
 * How far each bulk batch got (the executor's own database): one document per batch,
 * raised with `$max` so that a late write never lowers it. Retention is a periodic delete,
 * as for claims.
 */
export class BatchProgressRepository implements BatchProgressStore {
  private readonly model: Model<ProgressDocument>;

  constructor(connection: Connection) {
    this.model =
      (connection.models['BulkBatchProgress'] as Model<ProgressDocument> | undefined) ??
      connection.model<ProgressDocument>('BulkBatchProgress', progressSchema);
  }

  get models(): readonly Model<never>[] {
    return [this.model as unknown as Model<never>];
  }

  async doneCount(batchId: string): Promise<number> {
    try {
      const doc = await this.model.findById(batchId).lean<ProgressDocument>();
      return doc?.done ?? 0;
    } catch (error) {
      throw toStorageError(error, 'bulk progress');
    }
  }

  async record(batchId: string, done: number): Promise<void> {
    try {
      await this.model.updateOne(
        { _id: batchId },
        { $max: { done }, $set: { updatedAt: new Date() } },
        { upsert: true },
      );
    } catch (error) {
      throw toStorageError(error, 'bulk progress');
    }
  }

  /** Retention: removes batches last updated before `cutoff`; returns how many. */
  async purgeUpdatedBefore(cutoff: Date): Promise<number> {
    const outcome = await this.model.deleteMany({ updatedAt: { $lt: cutoff } });
    return outcome.deletedCount;
  }
}
