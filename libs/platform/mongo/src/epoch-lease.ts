import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';
import { isDuplicateKey } from './mongo-database';

interface LeaseClaimDoc {
  _id: string;
  name: string;
  epoch: number;
  owner: string;
}

const leaseClaimSchema = new Schema<LeaseClaimDoc>(
  { _id: String, name: String, epoch: Number, owner: String },
  { versionKey: false, collection: 'lease_claims' },
);

export interface EpochLeaseOptions {
  /** This replica (host name and process id, for example). */
  owner: string;
  /** Length of one epoch: a dead holder is replaced after at most this long. */
  epochMs: number;
  /** A holder stops claiming work this long before its epoch ends (clock skew, work in flight). */
  marginMs: number;
  now?: () => number;
}

/**
 * One holder among replicas for a task (the outbox relay), on MongoDB 7 and FerretDB
 * alike: time is cut into epochs and the holder of an epoch is whoever inserts its claim
 * document first, which a unique `_id` makes atomic on every server (FerretDB does not
 * apply a conditional findOneAndUpdate atomically). Replicas' clocks are assumed to agree
 * within the margin; beyond that two holders may overlap briefly, which at-least-once
 * work tolerates.
 */
export class EpochLease {
  private readonly claims: Model<LeaseClaimDoc>;
  private known: { epoch: number; held: boolean } | undefined;

  constructor(
    connection: Connection,
    private readonly name: string,
    private readonly options: EpochLeaseOptions,
  ) {
    this.claims =
      (connection.models['LeaseClaim'] as Model<LeaseClaimDoc> | undefined) ??
      connection.model<LeaseClaimDoc>('LeaseClaim', leaseClaimSchema);
  }

  /** Whether this replica holds the lease now with at least the margin left; claims it if free. */
  async held(): Promise<boolean> {
    const now = (this.options.now ?? Date.now)();
    const epoch = Math.floor(now / this.options.epochMs);
    if ((epoch + 1) * this.options.epochMs - now < this.options.marginMs) return false;
    if (this.known?.epoch !== epoch) this.known = { epoch, held: await this.claim(epoch) };
    return this.known.held;
  }

  private async claim(epoch: number): Promise<boolean> {
    const _id = `${this.name}:${epoch}`;
    try {
      await this.claims.create({ _id, name: this.name, epoch, owner: this.options.owner });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const holder = await this.claims.findById(_id).lean().exec();
      return holder?.owner === this.options.owner;
    }
    // Old claims are history: the holder of a new epoch clears them.
    await this.claims.deleteMany({ name: this.name, epoch: { $lt: epoch - 10 } }).exec();
    return true;
  }
}
