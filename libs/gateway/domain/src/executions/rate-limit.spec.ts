import type { ExecutionCompletion } from '@toolkit/contracts';
import { RateLimiter, slotUsage } from './rate-limit';
import type { RateLimitPolicy, RateSlot } from './rate-limit';
import { MemoryStore } from './test-doubles';

const POLICY: RateLimitPolicy = {
  enabled: true,
  limit: 3,
  windowMs: 300_000,
  bypassUsers: ['ops-bot'],
  bypassGroups: ['noc'],
  authFailureLimit: 2,
  authFailureWindowMs: 900_000,
};

function setup(policy: Partial<RateLimitPolicy> = {}) {
  let now = new Date('2026-12-01T10:00:00Z');
  const store = new MemoryStore();
  const limiter = new RateLimiter({
    store,
    policy: { ...POLICY, ...policy },
    clock: { now: () => now },
  });
  return {
    store,
    limiter,
    advance: (ms: number) => (now = new Date(now.getTime() + ms)),
    now: () => now,
  };
}

function completion(
  executionId: string,
  overrides: Partial<ExecutionCompletion> = {},
): ExecutionCompletion {
  return {
    executionId,
    outcome: 'succeeded',
    success: true,
    errorClass: null,
    commandLogId: 1,
    commandType: 'show',
    device: { id: 7, name: 'r7' },
    username: 'netops',
    requestedBy: { userId: 1, username: 'alice' },
    finishedAt: '2026-12-01T10:00:01Z',
    ...overrides,
  };
}

describe('rate limiter', () => {
  it('when the limit is reached, then the next request is refused with the time until the first slot frees', async () => {
    const { limiter } = setup();
    const reserve = (id: string) =>
      limiter.reserve({ deviceId: 7, executionId: id, timeoutMs: 30_000 });

    const taken = [await reserve('a'), await reserve('b'), await reserve('c')];
    const refused = await reserve('d');

    expect(taken.map((t) => [t.allowed, t.count, t.remaining])).toEqual([
      [true, 1, 2],
      [true, 2, 1],
      [true, 3, 0],
    ]);
    expect(refused).toMatchObject({ allowed: false, reason: 'limit', count: 3 });
    // An unsettled reservation holds its slot for the timeout, the window and a minute.
    expect(refused.resetMs).toBe(30_000 + 300_000 + 60_000);
  });

  it('when another replica takes the free slot between the read and the insert, then the next generation or slot is taken', async () => {
    const { limiter, store } = setup();
    let raced = false;
    store.beforeClaim = (slot) => {
      if (raced) return;
      raced = true;
      store.slots.set(slot.id, { ...slot, executionId: 'other-replica' });
    };

    const mine = await limiter.reserve({ deviceId: 7, executionId: 'mine', timeoutMs: 30_000 });

    expect(mine.allowed).toBe(true);
    expect([...store.slots.values()].map((s) => [s.slot, s.executionId])).toEqual([
      [0, 'other-replica'],
      [1, 'mine'],
    ]);
  });

  it('when every insert loses the race, then the request is refused as contention, never admitted', async () => {
    const { limiter, store } = setup();
    // Others keep taking and freeing (failures) the very generation this one tries.
    store.beforeClaim = (slot) =>
      store.slots.set(slot.id, { ...slot, executionId: 'other', state: 'released' });

    const answer = await limiter.reserve({ deviceId: 7, executionId: 'mine', timeoutMs: 30_000 });

    expect(answer).toMatchObject({ allowed: false, reason: 'contention' });
  });

  it('when executions settle, then successes count for a window from when they finished and failures free their slots', async () => {
    const { limiter, store, advance } = setup();
    for (const id of ['ok', 'bad', 'auth'])
      await limiter.reserve({ deviceId: 7, executionId: id, timeoutMs: 30_000 });

    await limiter.settle(completion('ok'));
    await limiter.settle(
      completion('bad', { success: false, outcome: 'failed', errorClass: 'unreachable' }),
    );
    await limiter.settle(
      completion('auth', { success: false, outcome: 'failed', errorClass: 'auth_failed' }),
    );
    const { usage } = await limiter.usage(7);
    advance(301_000);
    const later = await limiter.usage(7);

    expect(usage.busy.map((s) => s.executionId)).toEqual(['ok']);
    expect(usage.busy[0]?.expiresAt.toISOString()).toBe('2026-12-01T10:05:01.000Z');
    expect(later.usage.busy).toEqual([]);
    expect([...store.failures.keys()]).toEqual(['auth']);
  });

  it('when a login failed authentication the limit number of times, then it is blocked until the oldest failures age out', async () => {
    const { limiter, advance } = setup();
    await limiter.settle(
      completion('f1', {
        success: false,
        outcome: 'failed',
        errorClass: 'auth_failed',
        finishedAt: '2026-12-01T09:50:00Z',
      }),
    );
    await limiter.settle(
      completion('f2', {
        success: false,
        outcome: 'failed',
        errorClass: 'auth_failed',
        finishedAt: '2026-12-01T09:55:00Z',
      }),
    );

    const blocked = await limiter.checkLogin(7, 'netops');
    const otherLogin = await limiter.checkLogin(7, 'backup');
    advance(5 * 60_000 + 1);
    const released = await limiter.checkLogin(7, 'netops');

    expect(blocked).toEqual({ blocked: true, failures: 2, retryAfterMs: 5 * 60_000 });
    expect(otherLogin).toEqual({ blocked: false });
    expect(released).toEqual({ blocked: false });
  });

  it('when users or groups are listed as bypassing, then they are recognised by name', () => {
    const { limiter } = setup();

    expect(limiter.isBypassed('ops-bot', [])).toBe(true);
    expect(limiter.isBypassed('alice', ['noc'])).toBe(true);
    expect(limiter.isBypassed('alice', ['dev'])).toBe(false);
  });

  it('when slots of a lowered limit or released slots exist, then usage ignores them and reuses the next generation', () => {
    const at = new Date('2026-12-01T10:00:00Z');
    const later = new Date('2026-12-01T11:00:00Z');
    const slot = (s: number, g: number, state: RateSlot['state']): RateSlot => ({
      id: `7:${s}:${g}`,
      deviceId: 7,
      slot: s,
      generation: g,
      state,
      executionId: `${s}-${g}`,
      at,
      expiresAt: later,
    });

    const usage = slotUsage(
      [
        slot(0, 0, 'counted'),
        slot(0, 1, 'released'),
        slot(1, 4, 'reserved'),
        slot(5, 0, 'counted'),
      ],
      3,
      at,
    );

    expect(usage.busy.map((s) => s.id)).toEqual(['7:1:4']);
    expect(usage.free).toEqual({ slot: 0, generation: 2 });
  });
});
