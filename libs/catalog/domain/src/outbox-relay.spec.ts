import type { CatalogEvent } from '@toolkit/contracts';
import { OutboxRelay } from './outbox-relay';
import type { OutboxEntry } from './ports';

const event = (id: number): CatalogEvent => ({ entity: 'site', action: 'updated', id });

function harness(options: { held?: () => boolean } = {}) {
  const entries: OutboxEntry[] = [];
  const published: { ids: number[]; correlationId: string | undefined }[] = [];
  const errors: unknown[] = [];
  let failNext = 0;
  const relay = new OutboxRelay(
    {
      outbox: {
        pending: async (limit) => entries.slice(0, limit),
        remove: async (ids) => {
          for (const id of ids)
            entries.splice(
              entries.findIndex((e) => e._id === id),
              1,
            );
        },
      },
      events: {
        publish: async (events, correlationId) => {
          if (failNext > 0) {
            failNext -= 1;
            throw new Error('broker down');
          }
          published.push({ ids: events.map((e) => e.id), correlationId });
        },
      },
      lease: { held: async () => options.held?.() ?? true },
      logger: { warn: () => undefined, error: (object) => errors.push(object) },
    },
    { batch: 2, failureLogIntervalMs: 60_000 },
  );
  const add = (id: number, correlation: string | null) =>
    entries.push({ _id: id, event: event(id), correlation_id: correlation });
  return { relay, entries, published, errors, add, failNext: (n: number) => (failNext = n) };
}

describe('OutboxRelay', () => {
  it('when entries wait, then they are published oldest first, one publish per request, and removed', async () => {
    const h = harness();
    h.add(1, 'r1');
    h.add(2, 'r1');
    h.add(3, 'r2');
    h.add(4, null);

    const count = await h.relay.drain();

    expect(count).toBe(4);
    expect(h.published).toEqual([
      { ids: [1, 2], correlationId: 'r1' },
      { ids: [3], correlationId: 'r2' },
      { ids: [4], correlationId: undefined },
    ]);
    expect(h.entries).toEqual([]);
  });

  it('when a publish fails, then the entries stay for the next drain and go out in order then', async () => {
    const h = harness();
    h.add(1, 'r1');
    h.add(2, 'r2');
    h.failNext(1);

    const failed = await h.relay.drain().catch((error: unknown) => error);
    h.relay.report(failed);
    const stayed = h.entries.map((e) => e._id);
    const count = await h.relay.drain();

    expect(failed).toEqual(new Error('broker down'));
    expect(stayed).toEqual([1, 2]);
    expect(count).toBe(2);
    expect(h.published.map((p) => p.ids)).toEqual([[1], [2]]);
    expect(h.errors).toHaveLength(1);
  });

  it('when this replica does not hold the lease, then it publishes nothing', async () => {
    const h = harness({ held: () => false });
    h.add(1, 'r1');

    expect(await h.relay.drain()).toBe(0);
    expect(h.entries).toHaveLength(1);
  });

  it('when a nudge comes during a drain, then the drain goes round again for what was added', async () => {
    const h = harness();
    h.add(1, 'r1');
    const drained = h.relay.drain();
    h.add(2, 'r2');
    h.relay.nudge();

    expect(await drained).toBe(2);
    expect(h.published.map((p) => p.ids)).toEqual([[1], [2]]);
  });
});
