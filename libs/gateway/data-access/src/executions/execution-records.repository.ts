import { createHmac, hkdfSync } from 'node:crypto';
import type { Connection, Model } from 'mongoose';
import type {
  AuthFailure,
  ExecutionTicket,
  Fingerprints,
  IdempotencyRecord,
  IdempotencyStore,
  RateLimitStore,
  RateSlot,
  TicketStore,
} from '@toolkit/gateway-domain';
import { slotId } from '@toolkit/gateway-domain';
import { isDuplicateKey, toStorageError } from '@toolkit/mongo';
import {
  authFailureModel,
  executionTicketModel,
  idempotencyKeyModel,
  rateSlotModel,
} from './execution-records.schema';
import type {
  AuthFailureDoc,
  ExecutionTicketDoc,
  IdempotencyKeyDoc,
  RateSlotDoc,
} from './execution-records.schema';

async function storage<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toStorageError(error, what);
  }
}

const toSlot = (d: RateSlotDoc): RateSlot => ({
  id: d._id,
  deviceId: d.device_id,
  slot: d.slot,
  generation: d.generation,
  state: d.state,
  executionId: d.execution_id,
  at: d.at,
  expiresAt: d.expires_at,
});

/** Rate-limit slots and device-login failures (the RateLimitStore port). */
export class MongoRateLimitStore implements RateLimitStore {
  readonly slots: Model<RateSlotDoc>;
  readonly failures: Model<AuthFailureDoc>;

  constructor(connection: Connection) {
    this.slots = rateSlotModel(connection);
    this.failures = authFailureModel(connection);
  }

  slotsOf(deviceId: number): Promise<RateSlot[]> {
    return storage('rate-limit slot', async () =>
      (await this.slots.collection.find({ device_id: deviceId }).toArray()).map((d) =>
        toSlot(d as unknown as RateSlotDoc),
      ),
    );
  }

  async claim(slot: RateSlot): Promise<boolean> {
    try {
      await this.slots.collection.insertOne({
        _id: slot.id,
        device_id: slot.deviceId,
        slot: slot.slot,
        generation: slot.generation,
        state: slot.state,
        execution_id: slot.executionId,
        at: slot.at,
        expires_at: slot.expiresAt,
      } as never);
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw toStorageError(error, 'rate-limit slot');
    }
  }

  settle(id: string, changes: Pick<RateSlot, 'state' | 'at' | 'expiresAt'>): Promise<void> {
    return storage('rate-limit slot', async () => {
      await this.slots.collection.updateOne({ _id: id } as never, {
        $set: { state: changes.state, at: changes.at, expires_at: changes.expiresAt },
      });
    });
  }

  settleExecution(
    deviceId: number,
    executionId: string,
    changes: Pick<RateSlot, 'state' | 'at' | 'expiresAt'>,
  ): Promise<void> {
    return storage('rate-limit slot', async () => {
      // Top-level equalities only: FerretDB pushes them down; MongoDB uses the device index.
      await this.slots.collection.updateOne(
        { device_id: deviceId, execution_id: executionId, state: 'reserved' } as never,
        { $set: { state: changes.state, at: changes.at, expires_at: changes.expiresAt } },
      );
    });
  }

  trim(deviceId: number, slot: number, belowGeneration: number): Promise<void> {
    return storage('rate-limit slot', async () => {
      // Older generations were deleted as they were passed (a lost one is purged when it
      // expires): one `_id` equality, which FerretDB pushes down (a `$in` it would not).
      await this.slots.collection.deleteOne({
        _id: slotId(deviceId, slot, belowGeneration - 1),
      } as never);
    });
  }

  recordAuthFailure(failure: AuthFailure): Promise<void> {
    return storage('device authentication failure', async () => {
      try {
        await this.failures.collection.insertOne({
          _id: failure.executionId,
          device_id: failure.deviceId,
          username: failure.username,
          at: failure.at,
        } as never);
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    });
  }

  authFailuresOf(deviceId: number, since: Date): Promise<AuthFailure[]> {
    return storage('device authentication failure', async () => {
      const docs = await this.failures.collection.find({ device_id: deviceId }).toArray();
      return (docs as unknown as AuthFailureDoc[])
        .filter((d) => d.at >= since)
        .map((d) => ({
          executionId: d._id,
          deviceId: d.device_id,
          username: d.username,
          at: d.at,
        }));
    });
  }

  /**
   * Old authentication failures (no TTL indexes on FerretDB). Slots are never purged: a
   * slot's highest generation must stay, or a request that read it before a purge and one
   * that read after could both take the slot (one at generation 0, one above); trimming
   * keeps at most two generations a slot, so a device holds at most twice its limit.
   */
  async purge(failureHorizon: Date): Promise<number> {
    return storage('device authentication failure', async () => {
      const result = await this.failures.collection.deleteMany({ at: { $lt: failureHorizon } });
      return result.deletedCount;
    });
  }
}

const toRecord = (d: IdempotencyKeyDoc): IdempotencyRecord => ({
  id: d._id,
  userId: d.user_id,
  fingerprint: d.fingerprint,
  executionId: d.execution_id,
  state: d.state,
  created: d.created,
  expiresAt: d.expires_at,
});

/** Idempotency keys (the IdempotencyStore port): a claim is an insert of a unique `_id`. */
export class MongoIdempotencyStore implements IdempotencyStore {
  readonly keys: Model<IdempotencyKeyDoc>;

  constructor(connection: Connection) {
    this.keys = idempotencyKeyModel(connection);
  }

  async claim(
    record: IdempotencyRecord,
  ): Promise<{ claimed: true } | { claimed: false; existing: IdempotencyRecord | undefined }> {
    try {
      await this.keys.collection.insertOne({
        _id: record.id,
        user_id: record.userId,
        fingerprint: record.fingerprint,
        execution_id: record.executionId,
        state: record.state,
        created: record.created,
        expires_at: record.expiresAt,
      } as never);
      return { claimed: true };
    } catch (error) {
      if (!isDuplicateKey(error)) throw toStorageError(error, 'idempotency key');
    }
    const existing = await storage('idempotency key', () =>
      this.keys.collection.findOne({ _id: record.id } as never),
    );
    return {
      claimed: false,
      existing: existing ? toRecord(existing as unknown as IdempotencyKeyDoc) : undefined,
    };
  }

  accept(id: string): Promise<void> {
    return storage('idempotency key', async () => {
      await this.keys.collection.updateOne({ _id: id } as never, { $set: { state: 'accepted' } });
    });
  }

  release(id: string, executionId: string): Promise<void> {
    return this.deleteIfFor(id, executionId);
  }

  markFailed(id: string, executionId: string): Promise<void> {
    return storage('idempotency key', async () => {
      await this.keys.collection.updateOne({ _id: id, execution_id: executionId } as never, {
        $set: { state: 'failed' },
      });
    });
  }

  retake(record: IdempotencyRecord): Promise<void> {
    return storage('idempotency key', async () => {
      await this.keys.collection.updateOne({ _id: record.id } as never, {
        $set: { state: 'pending', created: record.created, expires_at: record.expiresAt },
      });
    });
  }

  expire(id: string, executionId: string): Promise<void> {
    return this.deleteIfFor(id, executionId);
  }

  /** Deletes the record only while it still names this execution (read, then delete by id). */
  private deleteIfFor(id: string, executionId: string): Promise<void> {
    return storage('idempotency key', async () => {
      const doc = (await this.keys.collection.findOne({
        _id: id,
      } as never)) as unknown as IdempotencyKeyDoc | null;
      if (doc?.execution_id === executionId)
        await this.keys.collection.deleteOne({ _id: id, execution_id: executionId } as never);
    });
  }

  purge(now: Date): Promise<number> {
    return storage('idempotency key', async () => {
      const result = await this.keys.collection.deleteMany({ expires_at: { $lt: now } });
      return result.deletedCount;
    });
  }
}

/** What the gateway keeps of the executions it accepted, for a day. */
export class MongoTicketStore implements TicketStore {
  readonly tickets: Model<ExecutionTicketDoc>;

  constructor(connection: Connection) {
    this.tickets = executionTicketModel(connection);
  }

  record(ticket: ExecutionTicket): Promise<void> {
    return storage('execution ticket', async () => {
      await this.tickets.collection.insertOne({
        _id: ticket.executionId,
        user_id: ticket.userId,
        username: ticket.username,
        device_id: ticket.deviceId,
        device_name: ticket.deviceName,
        command_type: ticket.commandType,
        created: ticket.created,
      } as never);
    });
  }

  find(executionId: string): Promise<ExecutionTicket | undefined> {
    return storage('execution ticket', async () => {
      const d = (await this.tickets.collection.findOne({
        _id: executionId,
      } as never)) as unknown as ExecutionTicketDoc | null;
      return d
        ? {
            executionId: d._id,
            userId: d.user_id,
            username: d.username,
            deviceId: d.device_id,
            deviceName: d.device_name,
            commandType: d.command_type,
            created: d.created,
          }
        : undefined;
    });
  }

  purge(before: Date): Promise<number> {
    return storage('execution ticket', async () => {
      const result = await this.tickets.collection.deleteMany({ created: { $lt: before } });
      return result.deletedCount;
    });
  }
}

/**
 * HMAC-SHA256 under a key derived from a configured secret: stored key ids and body
 * fingerprints cannot be reversed or checked against guesses without it (a body may hold
 * a device password). JSON with sorted keys, so that field order does not matter.
 */
export function hmacFingerprints(secret: string): Fingerprints {
  const key = Buffer.from(
    hkdfSync('sha256', secret, 'toolkit-gateway', 'idempotency fingerprints', 32),
  );
  const mac = (text: string) => createHmac('sha256', key).update(text).digest('base64url');
  return {
    keyId: (userId, idempotencyKey) => mac(`key\u0000${userId}\u0000${idempotencyKey}`),
    of: (value) => mac(`body\u0000${canonicalJson(value)}`),
  };
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}
