import { ListCache, cacheKey } from './list-cache';

describe('ListCache', () => {
  let clock = 0;
  let namespace = 0;
  const cache = (ttlMs = 1000, more: { maxEntries?: number; maxIds?: number } = {}) =>
    new ListCache(`db.coll${++namespace}`, { ttlMs, ...more }, () => clock);
  const loader = (ids: number[] | undefined) => {
    const load = jest.fn(async () => ids);
    return load;
  };

  beforeEach(() => {
    clock = 0;
  });

  it('when the same query is asked twice within the TTL, then it is loaded once', async () => {
    const c = cache();
    const load = loader([3, 1, 2]);

    const first = await c.ids({ a: 1 }, [['_id', 1]], load);
    const second = await c.ids({ a: 1 }, [['_id', 1]], load);

    expect(first).toEqual([3, 1, 2]);
    expect(second).toEqual([3, 1, 2]);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('when the TTL has passed or a write happened, then the query is loaded again', async () => {
    const c = cache(1000);
    const load = loader([1]);

    await c.ids({}, [], load);
    clock = 1001;
    await c.ids({}, [], load);
    c.invalidate();
    await c.ids({}, [], load);

    expect(load).toHaveBeenCalledTimes(3);
  });

  it('when another cache of the same collection sees a write, then this one drops its snapshots too', async () => {
    const name = `db.shared${++namespace}`;
    const reader = new ListCache(name, { ttlMs: 1000 }, () => clock);
    const writer = new ListCache(name, { ttlMs: 1000 }, () => clock);
    const load = loader([1]);

    await reader.ids({}, [], load);
    writer.invalidate();
    await reader.ids({}, [], load);

    expect(load).toHaveBeenCalledTimes(2);
  });

  it('when a write happens while a query loads, then its answer is not kept', async () => {
    const c = cache();
    let release: (ids: number[]) => void = () => undefined;
    const slow = jest.fn(() => new Promise<number[]>((resolve) => (release = resolve)));
    const pending = c.ids({}, [], slow);
    c.invalidate();
    release([1]);
    await pending;
    const load = loader([1, 2]);

    expect(await c.ids({}, [], load)).toEqual([1, 2]);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('when the result is over the bound or the load fails, then nothing is kept', async () => {
    const c = cache();
    const none = loader(undefined);
    const failing = jest.fn(async () => {
      throw new Error('down');
    });

    expect(await c.ids({}, [], none)).toBeUndefined();
    await expect(c.ids({ b: 1 }, [], failing)).rejects.toThrow('down');
    await c.ids({}, [], none);
    await c.ids({ b: 1 }, [], loader([1]));

    expect(none).toHaveBeenCalledTimes(2);
  });

  it('when more queries than maxEntries are cached, then the least recently used goes', async () => {
    const c = cache(1000, { maxEntries: 2 });
    const load = loader([1]);

    await c.ids({ q: 1 }, [], load);
    await c.ids({ q: 2 }, [], load);
    await c.ids({ q: 1 }, [], load);
    await c.ids({ q: 3 }, [], load);
    await c.ids({ q: 1 }, [], load);
    await c.ids({ q: 2 }, [], load);

    expect(load).toHaveBeenCalledTimes(4);
  });

  it('when disabled (TTL 0), then it says so', () => {
    expect(cache(0).enabled).toBe(false);
  });

  it('when filters differ only by a date against a string or by sort, then their keys differ', () => {
    const date = new Date('2026-01-01T00:00:00Z');

    expect(cacheKey({ created: date }, [])).not.toBe(cacheKey({ created: date.toISOString() }, []));
    expect(cacheKey({}, [['name', 1]])).not.toBe(cacheKey({}, [['name', -1]]));
  });
});
