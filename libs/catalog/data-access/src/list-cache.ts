import type { Filter, SortDirection } from '@toolkit/netbox-list';

/**
 * Ordered id snapshots of list queries, per collection: `(filter, sort) -> [ids]`.
 *
 * Why: FerretDB 1.24 (SQLite backend) pushes neither sorts nor counts down, so every list
 * page costs two full collection scans (the sorted find and the count), whatever the
 * limit. A snapshot answers the count (its length) and any page of the same query (a
 * slice of ids, then `_id` lookups, which FerretDB does push down), so paging through a
 * result (pynetbox's `.all()`/`.filter()`) costs one scan instead of two per page.
 *
 * Freshness: every write through a repository of this process bumps the collection's
 * version, which drops its snapshots (so one process always reads its own writes, and a
 * list never shows a deleted object or misses a created one). Writes by other replicas are
 * not seen until the snapshot expires (`ttlMs`): that is the staleness bound, for list
 * membership, order and `count` only; the objects themselves are always read fresh.
 * Bounded: at most `maxEntries` snapshots of at most `maxIds` ids (larger results are not
 * cached). Shared by every repository of a collection in the process (keyed by database
 * and collection name), so two wirings over one database invalidate each other.
 */
export interface ListCacheOptions {
  /** 0 disables the cache (every list runs the sorted find and the count). */
  ttlMs: number;
  maxEntries?: number;
  maxIds?: number;
}

interface Snapshot {
  version: number;
  expires: number;
  ids: Promise<number[] | undefined>;
}

interface CollectionState {
  version: number;
  snapshots: Map<string, Snapshot>;
}

const states = new Map<string, CollectionState>();

export class ListCache {
  private readonly state: CollectionState;
  readonly maxEntries: number;
  readonly maxIds: number;

  constructor(
    namespace: string,
    readonly options: ListCacheOptions,
    private readonly now: () => number = Date.now,
  ) {
    let state = states.get(namespace);
    if (!state) states.set(namespace, (state = { version: 0, snapshots: new Map() }));
    this.state = state;
    this.maxEntries = options.maxEntries ?? 128;
    this.maxIds = options.maxIds ?? 20_000;
  }

  get enabled(): boolean {
    return this.options.ttlMs > 0;
  }

  /** After every write of the collection (also a failed one: it may have written part). */
  invalidate(): void {
    this.state.version++;
    this.state.snapshots.clear();
  }

  /**
   * The ordered ids matching `filter`, from the snapshot or from `load` (one query; its
   * answer is cached unless a write happened meanwhile). Undefined when `load` finds more
   * than `maxIds` (the caller falls back to a plain page query).
   */
  async ids(
    filter: Filter,
    sort: readonly [string, SortDirection][],
    load: (maxIds: number) => Promise<number[] | undefined>,
  ): Promise<number[] | undefined> {
    const key = cacheKey(filter, sort);
    const { snapshots, version } = this.state;
    const hit = snapshots.get(key);
    if (hit && hit.version === version && hit.expires > this.now()) {
      snapshots.delete(key);
      snapshots.set(key, hit); // most recently used last
      return hit.ids;
    }
    const snapshot: Snapshot = {
      version,
      expires: this.now() + this.options.ttlMs,
      ids: load(this.maxIds),
    };
    snapshots.set(key, snapshot);
    while (snapshots.size > this.maxEntries)
      snapshots.delete(snapshots.keys().next().value as string);
    try {
      const ids = await snapshot.ids;
      if (ids === undefined || this.state.version !== version) this.drop(key, snapshot);
      return ids;
    } catch (error) {
      this.drop(key, snapshot);
      throw error;
    }
  }

  private drop(key: string, snapshot: Snapshot): void {
    if (this.state.snapshots.get(key) === snapshot) this.state.snapshots.delete(key);
  }
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
