import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';
import type { ExecutionResult } from '@toolkit/contracts';
import type { ClaimStore, ExecutionClaim } from '@toolkit/executor-domain';
import { isDuplicateKey, toStorageError } from '@toolkit/mongo';

interface ClaimDocument {
  executionId: string;
  status: 'started' | 'finished';
  executorId: string;
  startedAt: Date;
  finishedAt?: Date;
  /** The published result as JSON text: its keys (variables, parsed fields) are free-form. */
  result?: string;
}

const claimSchema = new Schema<ClaimDocument>(
  {
    executionId: { type: String, required: true },
    status: { type: String, required: true, enum: ['started', 'finished'] },
    executorId: { type: String, required: true },
    startedAt: { type: Date, required: true },
    finishedAt: { type: Date },
    result: { type: String },
  },
  { collection: 'execution_claims', versionKey: false },
);
claimSchema.index({ executionId: 1 }, { unique: true });
claimSchema.index({ startedAt: 1 });

/**
 * Durable claims of config executions: a unique executionId inserted before SSH is
 * opened, then the stored result. Retention is a periodic delete (no TTL on FerretDB).
 */
export class ClaimsRepository implements ClaimStore {
  private readonly model: Model<ClaimDocument>;

  constructor(connection: Connection) {
    this.model =
      (connection.models['ExecutionClaim'] as Model<ClaimDocument> | undefined) ??
      connection.model<ClaimDocument>('ExecutionClaim', claimSchema);
  }

  /** For MongoDatabase.ensureIndexes at boot. */
  get models(): readonly Model<never>[] {
    return [this.model as unknown as Model<never>];
  }

  async claim(
    executionId: string,
    executorId: string,
    startedAt: Date,
  ): Promise<{ inserted: true } | { inserted: false; existing: ExecutionClaim }> {
    try {
      await this.model.create({ executionId, status: 'started', executorId, startedAt });
      return { inserted: true };
    } catch (error) {
      if (!isDuplicateKey(error)) throw toStorageError(error, 'claim', ['executionId']);
    }
    const existing = await this.find(executionId);
    if (!existing) throw toStorageError(new Error('claim vanished'), 'claim');
    return { inserted: false, existing };
  }

  async finish(executionId: string, result: ExecutionResult): Promise<void> {
    try {
      await this.model.updateOne(
        { executionId },
        { $set: { status: 'finished', finishedAt: new Date(), result: JSON.stringify(result) } },
      );
    } catch (error) {
      throw toStorageError(error, 'claim');
    }
  }

  async find(executionId: string): Promise<ExecutionClaim | undefined> {
    let doc: ClaimDocument | null;
    try {
      doc = await this.model.findOne({ executionId }).lean<ClaimDocument>();
    } catch (error) {
      throw toStorageError(error, 'claim');
    }
    if (!doc) return undefined;
    const base = {
      executionId: doc.executionId,
      executorId: doc.executorId,
      startedAt: new Date(doc.startedAt),
    };
    if (doc.status === 'finished' && doc.result) {
      return { ...base, status: 'finished', result: JSON.parse(doc.result) as ExecutionResult };
    }
    return { ...base, status: 'started' };
  }

  /** Retention: removes claims started before `cutoff`; returns how many. */
  async purgeStartedBefore(cutoff: Date): Promise<number> {
    const outcome = await this.model.deleteMany({ startedAt: { $lt: cutoff } });
    return outcome.deletedCount;
  }
}
