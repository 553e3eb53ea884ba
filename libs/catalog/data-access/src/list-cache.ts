import { matchesFilter } from '@toolkit/catalog-domain';
import type { Filter, SortDirection } from '@toolkit/netbox-list';

/**
 * An in-memory read model of a collection, for list pages on FerretDB.
 *
 * Why: FerretDB 1.24 (SQLite backend) evaluates every filter, sort and count in Go over the
 * whole collection (integer `_id`s included: only string/ObjectId `_id` equality is pushed
 * down), so a list page costs two scans of the collection (sorted find + count), and their
 * cost grows with it (docs/benchmarks.md, catalog list latency). Here the collection is read
 * once (one scan) and lists are answered in memory: filter (`matchesFilter`, the query subset
 * @toolkit/netbox-list produces), MongoDB's sort order, count; the ordered result of a query
 * is kept for its next pages.
 *
 * Freshness: every write through a repository of this process drops the collection's read
 * model (so one process always reads its own writes); writes by other replicas are not
 * seen until it expires (`ttlMs`) and its background refresh has read the collection: the
 * staleness bound of lists (details and writes always read the store). Bounded: collections over `maxDocs` documents, and filters with an
 * operator the matcher does not know, are answered by the store. Shared by every
 * repository of a collection in the process (keyed by database and collection name).
 */
export interface ListCacheOptions {
  /** 0 disables the read model (every list runs the sorted find and the count). */
  ttlMs: number;
  maxDocs?: number;
  /** Ordered results of distinct queries kept per collection. */
  maxQueries?: number;
}

interface Snapshot {
  version: number;
  expires: number;
  docs: Promise<readonly unknown[] | undefined>;
  queries: Map<string, readonly unknown[]>;
  /** Set once `docs` has resolved. */
  loaded?: boolean;
  /** An expired, loaded snapshot keeps serving while its successor loads. */
  refreshing?: boolean;
}

interface CollectionState {
  version: number;
  snapshot?: Snapshot;
}

const states = new Map<string, CollectionState>();

const OPERATORS = new Set([
  '$and',
  '$or',
  '$nor',
  '$in',
  '$nin',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$regex',
  '$options',
]);

export class ListCache {
  private readonly state: CollectionState;
  readonly maxDocs: number;
  readonly maxQueries: number;

  constructor(
    namespace: string,
    readonly options: ListCacheOptions,
    private readonly now: () => number = Date.now,
  ) {
    let state = states.get(namespace);
    if (!state) states.set(namespace, (state = { version: 0 }));
    this.state = state;
    this.maxDocs = options.maxDocs ?? 20_000;
    this.maxQueries = options.maxQueries ?? 128;
  }

  get enabled(): boolean {
    return this.options.ttlMs > 0;
  }

  /** After every write of the collection (also a failed one: it may have written part). */
  invalidate(): void {
    this.state.version++;
    this.state.snapshot = undefined;
  }

  /**
   * A page and the total from the read model (loaded with `load`, which answers every
   * document, or undefined over `maxDocs`), or undefined when the store must answer.
   */
  async page<D>(
    filter: Filter,
    sort: readonly [string, SortDirection][],
    range: { skip: number; limit: number },
    load: (maxDocs: number) => Promise<readonly D[] | undefined>,
  ): Promise<{ docs: D[]; count: number } | undefined> {
    if (!supported(filter)) return undefined;
    const snapshot = this.current(load);
    let docs: readonly unknown[] | undefined;
    try {
      docs = await snapshot.docs;
    } catch (error) {
      if (this.state.snapshot === snapshot) this.state.snapshot = undefined;
      throw error;
    }
    if (!docs) return undefined;
    const key = cacheKey(filter, sort);
    let ordered = snapshot.queries.get(key);
    if (ordered) snapshot.queries.delete(key);
    else ordered = docs.filter((doc) => matchesFilter(doc, filter)).sort(comparator(sort));
    snapshot.queries.set(key, ordered); // most recently used last
    while (snapshot.queries.size > this.maxQueries)
      snapshot.queries.delete(snapshot.queries.keys().next().value as string);
    return {
      docs: ordered.slice(range.skip, range.skip + range.limit) as D[],
      count: ordered.length,
    };
  }

  /**
   * The collection's snapshot. A local write drops it (the next list waits for a fresh
   * read); an expired one keeps serving while one refresh loads in the background, so the
   * staleness bound for other replicas' writes is the TTL plus one collection read.
   */
  private current(load: (maxDocs: number) => Promise<readonly unknown[] | undefined>): Snapshot {
    const { snapshot, version } = this.state;
    if (snapshot && snapshot.version === version) {
      if (snapshot.expires > this.now() || !snapshot.loaded) return snapshot;
      if (!snapshot.refreshing) {
        snapshot.refreshing = true;
        const next = this.start(version, load);
        next.docs.then(
          () => {
            if (this.state.snapshot === snapshot) this.state.snapshot = next;
          },
          () => {
            snapshot.refreshing = false;
          },
        );
      }
      return snapshot;
    }
    const fresh = this.start(version, load);
    this.state.snapshot = fresh;
    return fresh;
  }

  private start(
    version: number,
    load: (maxDocs: number) => Promise<readonly unknown[] | undefined>,
  ): Snapshot {
    const snapshot: Snapshot = {
      version,
      expires: this.now() + this.options.ttlMs,
      docs: load(this.maxDocs),
      queries: new Map(),
    };
    snapshot.docs.then(
      () => {
        snapshot.loaded = true;
        snapshot.expires = this.now() + this.options.ttlMs;
      },
      () => undefined,
    );
    return snapshot;
  }
}

/** Only plain values and the operators the in-memory matcher implements. */
function supported(filter: unknown): boolean {
  if (Array.isArray(filter)) return filter.every(supported);
  if (filter === null || typeof filter !== 'object' || filter instanceof Date) return true;
  return Object.entries(filter).every(
    ([key, value]) =>
      (key.startsWith('$') ? OPERATORS.has(key) : isCondition(value)) && supported(value),
  );
}

/** A field's condition: a value, or an object of operators only (no embedded-document equality). */
function isCondition(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || value instanceof Date) return true;
  if (Array.isArray(value)) return false;
  return Object.keys(value).every((k) => k.startsWith('$'));
}

/** MongoDB's sort order: null/missing < numbers < strings < objects < booleans < dates. */
export function comparator(
  sort: readonly [string, SortDirection][],
): (a: unknown, b: unknown) => number {
  return (a, b) => {
    for (const [path, direction] of sort) {
      const x = sortValue(valueAt(a, path), direction);
      const y = sortValue(valueAt(b, path), direction);
      const c = compareValues(x, y);
      if (c !== 0) return c * direction;
    }
    return 0;
  };
}

function valueAt(doc: unknown, path: string): unknown {
  let value: unknown = doc;
  for (const part of path.split('.')) {
    if (Array.isArray(value))
      value = value.map((v) => (v as Record<string, unknown> | null)?.[part]);
    else if (value === null || typeof value !== 'object') return undefined;
    else value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Arrays sort by their smallest element ascending, their largest descending. */
function sortValue(value: unknown, direction: SortDirection): unknown {
  if (!Array.isArray(value)) return value;
  if (value.length === 0) return undefined;
  return value.reduce((best: unknown, v: unknown) =>
    compareValues(v, best) * direction < 0 ? v : best,
  );
}

function typeRank(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return 1;
  if (typeof value === 'string') return 2;
  if (typeof value === 'boolean') return 4;
  if (value instanceof Date) return 5;
  return 3;
}

function compareValues(x: unknown, y: unknown): number {
  const rx = typeRank(x);
  const ry = typeRank(y);
  if (rx !== ry) return rx < ry ? -1 : 1;
  if (rx === 0 || rx === 3) return 0;
  if (rx === 5) return (x as Date).getTime() - (y as Date).getTime();
  if (rx === 2) return Buffer.compare(Buffer.from(x as string), Buffer.from(y as string));
  return x === y ? 0 : (x as number | boolean) < (y as number | boolean) ? -1 : 1;
}

/** A stable text for a query: dates and regular expressions kept distinct from strings. */
export function cacheKey(filter: Filter, sort: readonly [string, SortDirection][]): string {
  return JSON.stringify([filter, sort], function replacer(this: unknown, key, value: unknown) {
    const raw = (this as Record<string, unknown>)[key];
    if (raw instanceof Date) return { $date: raw.toISOString() };
    if (raw instanceof RegExp) return { $re: String(raw) };
    return value;
  });
}
