import { ListCache, cacheKey, comparator } from './list-cache';

interface Doc {
  _id: number;
  name: string | null;
  n?: number;
  tags?: string[];
}

describe('ListCache', () => {
  let clock = 0;
  let namespace = 0;
  const docs: Doc[] = [
    { _id: 1, name: 'bravo', n: 2 },
    { _id: 2, name: 'alpha', n: 1 },
    { _id: 3, name: null },
    { _id: 4, name: 'Charlie', n: 2 },
  ];
  const cache = (ttlMs = 1000, more: { maxDocs?: number; maxQueries?: number } = {}) =>
    new ListCache(`db.coll${++namespace}`, { ttlMs, ...more }, () => clock);
  const loader = (answer: Doc[] | undefined = docs) => jest.fn(async () => answer);
  const all = { skip: 0, limit: 50 };
  const ids = (page: { docs: Doc[] } | undefined) => page?.docs.map((d) => d._id);

  beforeEach(() => {
    clock = 0;
  });

  it('when a list is asked, then it is filtered, sorted as MongoDB sorts and counted in memory', async () => {
    const c = cache();
    const load = loader();

    const byName = await c.page<Doc>(
      {},
      [
        ['name', 1],
        ['_id', 1],
      ],
      all,
      load,
    );
    const filtered = await c.page<Doc>(
      { n: { $gte: 2 } },
      [
        ['name', -1],
        ['_id', 1],
      ],
      { skip: 1, limit: 1 },
      load,
    );

    expect(ids(byName)).toEqual([3, 4, 2, 1]); // null first, then bytewise: 'C' < 'a'
    expect(filtered).toEqual({ docs: [docs[3]], count: 2 });
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('when a write happened (through any cache of the collection), then the next list reads the collection again', async () => {
    const name = `db.shared${++namespace}`;
    const reader = new ListCache(name, { ttlMs: 1000 }, () => clock);
    const writer = new ListCache(name, { ttlMs: 1000 }, () => clock);
    const load = loader();

    await reader.page({}, [], all, load);
    writer.invalidate();
    const after = await reader.page({}, [], all, loader([docs[0] as Doc]));

    expect(load).toHaveBeenCalledTimes(1);
    expect(after?.count).toBe(1);
  });

  it('when the TTL has passed, then the old read model serves while one refresh loads, then the refreshed one serves', async () => {
    const c = cache(1000);
    await c.page({}, [], all, loader());
    clock = 1001;
    let release: (answer: Doc[]) => void = () => undefined;
    const slow = jest.fn(() => new Promise<Doc[]>((resolve) => (release = resolve)));

    const during = await c.page({}, [], all, slow);
    const again = await c.page({}, [], all, slow);
    release([docs[1] as Doc]);
    await new Promise((resolve) => setImmediate(resolve));
    const refreshed = await c.page({}, [], all, slow);

    expect(during?.count).toBe(4);
    expect(again?.count).toBe(4);
    expect(slow).toHaveBeenCalledTimes(1);
    expect(refreshed?.count).toBe(1);
  });

  it('when the collection is over the bound, the filter has an unknown operator or embedded-document equality, then the store answers', async () => {
    const c = cache();
    const d = cache();

    expect(
      await c.page(
        {},
        [],
        all,
        jest.fn(async () => undefined),
      ),
    ).toBeUndefined();
    expect(await d.page({ name: { $exists: true } }, [], all, loader())).toBeUndefined();
    expect(await d.page({ site: { id: 1 } }, [], all, loader())).toBeUndefined();
  });

  it('when the load fails, then the next list tries again', async () => {
    const c = cache();
    const failing = jest.fn(async () => {
      throw new Error('down');
    });

    await expect(c.page({}, [], all, failing)).rejects.toThrow('down');

    expect(ids(await c.page<Doc>({ _id: { $in: [2] } }, [], all, loader()))).toEqual([2]);
  });

  it('when disabled (TTL 0), then it says so', () => {
    expect(cache(0).enabled).toBe(false);
  });

  it('when sorting on an array, then the smallest element counts ascending and the largest descending', () => {
    const a = { tags: ['b', 'y'] };
    const b = { tags: ['c', 'x'] };

    expect([b, a].sort(comparator([['tags', 1]]))).toEqual([a, b]);
    expect([a, b].sort(comparator([['tags', -1]]))).toEqual([a, b]);
  });

  it('when filters differ only by a date against a string or by sort, then their keys differ', () => {
    const date = new Date('2026-01-01T00:00:00Z');

    expect(cacheKey({ created: date }, [])).not.toBe(cacheKey({ created: date.toISOString() }, []));
    expect(cacheKey({}, [['name', 1]])).not.toBe(cacheKey({}, [['name', -1]]));
  });
});
