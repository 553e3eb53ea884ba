// In-memory stores with the properties the real ones guarantee, for the use cases' unit
// tests (not exported from the library).
import type { IdempotencyRecord, IdempotencyStore } from './idempotency';
import type { AuthFailure, RateLimitStore, RateSlot } from './rate-limit';

/** An in-memory store with the one property the real one guarantees: unique slot ids. */
export class MemoryStore implements RateLimitStore {
  readonly slots = new Map<string, RateSlot>();
  readonly failures = new Map<string, AuthFailure>();
  /** Runs before each claim: lets a test take the slot first (a racing replica). */
  beforeClaim: ((slot: RateSlot) => void) | undefined;

  async slotsOf(deviceId: number) {
    return [...this.slots.values()].filter((s) => s.deviceId === deviceId).map((s) => ({ ...s }));
  }
  async claim(slot: RateSlot) {
    this.beforeClaim?.(slot);
    if (this.slots.has(slot.id)) return false;
    this.slots.set(slot.id, { ...slot });
    return true;
  }
  async settle(id: string, changes: Pick<RateSlot, 'state' | 'at' | 'expiresAt'>) {
    const slot = this.slots.get(id);
    if (slot) Object.assign(slot, changes);
  }
  async settleExecution(
    deviceId: number,
    executionId: string,
    changes: Pick<RateSlot, 'state' | 'at' | 'expiresAt'>,
  ) {
    for (const slot of this.slots.values())
      if (
        slot.deviceId === deviceId &&
        slot.executionId === executionId &&
        slot.state === 'reserved'
      )
        Object.assign(slot, changes);
  }
  /** As the real store: exactly the generation just below the one kept. */
  async trim(deviceId: number, slot: number, below: number) {
    this.slots.delete(`${deviceId}:${slot}:${below - 1}`);
  }
  async recordAuthFailure(f: AuthFailure) {
    this.failures.set(f.executionId, f);
  }
  async authFailuresOf(deviceId: number, since: Date) {
    return [...this.failures.values()].filter((f) => f.deviceId === deviceId && f.at >= since);
  }
}

/** Idempotency keys: a unique id makes a claim atomic. */
export class MemoryKeys implements IdempotencyStore {
  readonly records = new Map<string, IdempotencyRecord>();
  async claim(record: IdempotencyRecord) {
    const existing = this.records.get(record.id);
    if (existing) return { claimed: false as const, existing: { ...existing } };
    this.records.set(record.id, { ...record });
    return { claimed: true as const };
  }
  async accept(id: string) {
    const r = this.records.get(id);
    if (r) r.state = 'accepted';
  }
  async release(id: string, executionId: string) {
    if (this.records.get(id)?.executionId === executionId) this.records.delete(id);
  }
  async expire(id: string, executionId: string) {
    await this.release(id, executionId);
  }
  async markFailed(id: string, executionId: string) {
    const r = this.records.get(id);
    if (r?.executionId === executionId) r.state = 'failed';
  }
  async retake(record: IdempotencyRecord) {
    const r = this.records.get(record.id);
    if (r)
      Object.assign(r, { state: 'pending', created: record.created, expiresAt: record.expiresAt });
  }
}
