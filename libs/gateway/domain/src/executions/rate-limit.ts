import type { ExecutionCompletion } from '@toolkit/contracts';
import type { Clock } from '../ports';

export interface RateLimitPolicy {
  /** The per-device limit on successful executions (the original's `rate_limiting_enabled`). */
  enabled: boolean;
  /** Successful executions per device per window (`device_command_limit`). */
  limit: number;
  /** The sliding window (`time_window_minutes`). */
  windowMs: number;
  bypassUsers: readonly string[];
  bypassGroups: readonly string[];
  /**
   * Authentication failures of one device login within `authFailureWindowMs` after which
   * that login is refused on that device until the oldest ages out: a wrong stored
   * password must not hammer a device into locking the account. Applies to everyone.
   */
  authFailureLimit: number;
  authFailureWindowMs: number;
}

export type SlotState = 'reserved' | 'counted' | 'released';

/**
 * One use of one of a device's `limit` slots. A slot is taken by inserting its next
 * generation (`<device>:<slot>:<generation>` is unique), so that two gateway replicas
 * can never take the same slot: the loser's insert fails and it looks again. That is
 * atomic on MongoDB and on FerretDB alike, with no transactions or conditional updates.
 */
export interface RateSlot {
  id: string;
  deviceId: number;
  slot: number;
  generation: number;
  state: SlotState;
  executionId: string;
  /** When it was reserved; for a counted slot, when the execution finished. */
  at: Date;
  /** A reserved or counted slot frees itself then (reserved: if never settled). */
  expiresAt: Date;
}

export interface AuthFailure {
  executionId: string;
  deviceId: number;
  username: string;
  at: Date;
}

/** Port: the gateway's rate-limit records (shared by every replica). */
export interface RateLimitStore {
  /** A device's slot records (the latest generations of each slot). */
  slotsOf(deviceId: number): Promise<RateSlot[]>;
  /** Inserts a slot record; false when its id exists (another request took it first). */
  claim(slot: RateSlot): Promise<boolean>;
  /** Changes one record (a reservation released when its request was never published). */
  settle(id: string, changes: Pick<RateSlot, 'state' | 'at' | 'expiresAt'>): Promise<void>;
  /**
   * Changes the reservation of an execution if it is still `reserved` (one conditional
   * write, idempotent: a completion read twice settles once).
   */
  settleExecution(
    deviceId: number,
    executionId: string,
    changes: Pick<RateSlot, 'state' | 'at' | 'expiresAt'>,
  ): Promise<void>;
  /** Deletes a slot's generations below `generation` (they can no longer matter). */
  trim(deviceId: number, slot: number, belowGeneration: number): Promise<void>;
  /** Idempotent per execution. */
  recordAuthFailure(failure: AuthFailure): Promise<void>;
  /** The device's authentication failures since `since` (every login). */
  authFailuresOf(deviceId: number, since: Date): Promise<AuthFailure[]>;
}

export const slotId = (deviceId: number, slot: number, generation: number): string =>
  `${deviceId}:${slot}:${generation}`;

export interface SlotUsage {
  /** Slots in use now (reserved or counted, not expired). */
  busy: RateSlot[];
  /** The first free slot and the generation that takes it, if any. */
  free: { slot: number; generation: number } | undefined;
  /** Milliseconds until the first busy slot frees; null when none is busy. */
  resetMs: number | null;
}

/** Which of a device's `limit` slots are in use at `now`. */
export function slotUsage(records: readonly RateSlot[], limit: number, now: Date): SlotUsage {
  const latest = new Map<number, RateSlot>();
  for (const r of records) {
    if (r.slot >= limit) continue;
    const current = latest.get(r.slot);
    if (!current || r.generation > current.generation) latest.set(r.slot, r);
  }
  const busy: RateSlot[] = [];
  let free: SlotUsage['free'];
  for (let slot = 0; slot < limit; slot++) {
    const record = latest.get(slot);
    if (record && record.state !== 'released' && record.expiresAt > now) busy.push(record);
    else free ??= { slot, generation: (record?.generation ?? -1) + 1 };
  }
  const resetMs =
    busy.length === 0
      ? null
      : Math.max(0, Math.min(...busy.map((b) => b.expiresAt.getTime())) - now.getTime());
  return { busy, free, resetMs };
}

export type Reservation =
  | {
      allowed: true;
      slotId: string | null;
      count: number;
      remaining: number;
      resetMs: number | null;
    }
  | {
      allowed: false;
      reason: 'limit' | 'contention';
      count: number;
      remaining: 0;
      resetMs: number | null;
    };

export type LoginCheck =
  { blocked: false } | { blocked: true; failures: number; retryAfterMs: number };

/**
 * The per-device sliding window of successful executions, enforced with reservations:
 * a request takes a slot before it is published; its completion turns the slot into a
 * counted success (freed a window after the execution finished) or frees it (failures do
 * not count, as in the original). A reservation whose completion never arrives frees
 * itself after the execution's timeout plus the window.
 */
export class RateLimiter {
  private readonly maxAttempts: number;

  constructor(
    private readonly deps: {
      store: RateLimitStore;
      policy: RateLimitPolicy;
      clock: Clock;
      /** Inserts tried when other requests keep taking the free slot first (default 8). */
      maxAttempts?: number;
    },
  ) {
    this.maxAttempts = deps.maxAttempts ?? 8;
  }

  get policy(): RateLimitPolicy {
    return this.deps.policy;
  }

  isBypassed(username: string, groupNames: readonly string[]): boolean {
    const { bypassUsers, bypassGroups } = this.deps.policy;
    return bypassUsers.includes(username) || groupNames.some((g) => bypassGroups.includes(g));
  }

  /** Takes one of the device's slots for an execution, or says why not and until when. */
  async reserve(input: {
    deviceId: number;
    executionId: string;
    /** The execution's timeout: an unsettled reservation holds its slot this long plus the window. */
    timeoutMs: number;
  }): Promise<Reservation> {
    const { store, policy, clock } = this.deps;
    let usage: SlotUsage | undefined;
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const now = clock.now();
      usage = slotUsage(await store.slotsOf(input.deviceId), policy.limit, now);
      if (!usage.free)
        return {
          allowed: false,
          reason: 'limit',
          count: usage.busy.length,
          remaining: 0,
          resetMs: usage.resetMs,
        };
      const { slot, generation } = usage.free;
      const record: RateSlot = {
        id: slotId(input.deviceId, slot, generation),
        deviceId: input.deviceId,
        slot,
        generation,
        state: 'reserved',
        executionId: input.executionId,
        at: now,
        expiresAt: new Date(now.getTime() + input.timeoutMs + policy.windowMs + 60_000),
      };
      if (await store.claim(record)) {
        // Older generations are history; losing this trim costs only a larger read later.
        if (generation >= 2) void store.trim(input.deviceId, slot, generation - 1).catch(() => {});
        const count = usage.busy.length + 1;
        return {
          allowed: true,
          slotId: record.id,
          count,
          remaining: Math.max(0, policy.limit - count),
          resetMs: usage.resetMs ?? record.expiresAt.getTime() - now.getTime(),
        };
      }
    }
    return {
      allowed: false,
      reason: 'contention',
      count: usage?.busy.length ?? policy.limit,
      remaining: 0,
      resetMs: usage?.resetMs ?? null,
    };
  }

  /** The execution was never published: its slot is free again. */
  async release(slot: string): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.store.settle(slot, { state: 'released', at: now, expiresAt: now });
  }

  /**
   * An execution finished: a success counts for a window from when it finished, anything
   * else frees its slot; an authentication failure is recorded against its login.
   */
  async settle(completion: ExecutionCompletion): Promise<void> {
    const { store, policy } = this.deps;
    const finishedAt = new Date(completion.finishedAt);
    if (completion.errorClass === 'auth_failed' && completion.username)
      await store.recordAuthFailure({
        executionId: completion.executionId,
        deviceId: completion.device.id,
        username: completion.username,
        at: finishedAt,
      });
    await store.settleExecution(
      completion.device.id,
      completion.executionId,
      completion.success
        ? {
            state: 'counted',
            at: finishedAt,
            expiresAt: new Date(finishedAt.getTime() + policy.windowMs),
          }
        : { state: 'released', at: finishedAt, expiresAt: finishedAt },
    );
  }

  /** Whether a device login is refused for now after repeated authentication failures. */
  async checkLogin(deviceId: number, username: string): Promise<LoginCheck> {
    const { policy, clock, store } = this.deps;
    const now = clock.now();
    const failures = (
      await store.authFailuresOf(deviceId, new Date(now.getTime() - policy.authFailureWindowMs))
    )
      .filter((f) => f.username === username)
      .sort((a, b) => a.at.getTime() - b.at.getTime());
    if (failures.length < policy.authFailureLimit) return { blocked: false };
    // Allowed again once enough of them have aged out of the window.
    const releasing = failures[failures.length - policy.authFailureLimit] as AuthFailure;
    return {
      blocked: true,
      failures: failures.length,
      retryAfterMs: Math.max(
        1_000,
        releasing.at.getTime() + policy.authFailureWindowMs - now.getTime(),
      ),
    };
  }

  /** The device's slots and blocked logins now, for the status endpoint and headers. */
  async usage(deviceId: number): Promise<{ usage: SlotUsage; blockedLogins: number }> {
    const { policy, clock, store } = this.deps;
    const now = clock.now();
    const [slots, failures] = await Promise.all([
      store.slotsOf(deviceId),
      store.authFailuresOf(deviceId, new Date(now.getTime() - policy.authFailureWindowMs)),
    ]);
    const perLogin = new Map<string, number>();
    for (const f of failures) perLogin.set(f.username, (perLogin.get(f.username) ?? 0) + 1);
    return {
      usage: slotUsage(slots, policy.limit, now),
      blockedLogins: [...perLogin.values()].filter((n) => n >= policy.authFailureLimit).length,
    };
  }
}
