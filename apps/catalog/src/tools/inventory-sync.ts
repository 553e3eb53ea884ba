import { Batch, WRITE_CHUNK } from '@toolkit/catalog-domain';
import type { RequestContext, ResourceService, StoredBase } from '@toolkit/catalog-domain';
import type { Filter } from '@toolkit/netbox-list';
import type { Catalog } from '../wiring';

/**
 * Idempotent writes for the inventory loader and the NetBox importer: find the object by
 * its natural key (name, slug, device + name...), create it when missing, patch it when a
 * field differs, leave it alone otherwise. Writes go through the same use cases as the
 * API (validation, cascades, events, change log).
 */
export interface SyncCounts {
  created: number;
  updated: number;
  unchanged: number;
}

/** One object the loader wants: its natural key (as text) and its writable fields. */
export interface Wanted {
  key: string;
  body: Record<string, unknown>;
}

export interface UpsertManyOptions<D> {
  /** One query that returns (at least) every stored object the wanted keys may match. */
  scope: Filter;
  /** The natural key of a stored object, comparable with `Wanted.key`. */
  keyOf: (doc: D) => string;
}

export class InventorySync {
  readonly counts: Record<string, SyncCounts> = {};
  /** Every object read or written so far: references to them resolve without a query. */
  readonly known = new Batch();

  constructor(
    readonly catalog: Catalog,
    readonly ctx: RequestContext,
  ) {}

  async upsert<D extends StoredBase, I>(
    service: ResourceService<D, I>,
    match: Filter,
    body: Record<string, unknown>,
  ): Promise<D> {
    const [existing] = await service.repository.find(match, { limit: 1 });
    const [doc] = (
      await this.apply(
        service,
        [{ key: 'one', body }],
        existing ? new Map([['one', existing]]) : new Map(),
      )
    ).values();
    return doc as D;
  }

  /**
   * Upserts many objects of one type with a handful of queries: one read of the stored
   * candidates (`scope`), then creates and updates in chunks of WRITE_CHUNK (each chunk
   * all or nothing, one event publish and one change-log insert per chunk). A key wanted
   * twice is written once, the later fields winning (as successive upserts would).
   * Answers the stored object per key.
   */
  async upsertMany<D extends StoredBase, I>(
    service: ResourceService<D, I>,
    wanted: readonly Wanted[],
    options: UpsertManyOptions<D>,
  ): Promise<Map<string, D>> {
    if (wanted.length === 0) return new Map();
    const stored = await service.repository.find(options.scope);
    return this.apply(service, wanted, new Map(stored.map((d) => [options.keyOf(d), d])));
  }

  private async apply<D extends StoredBase, I>(
    service: ResourceService<D, I>,
    wanted: readonly Wanted[],
    stored: Map<string, D>,
  ): Promise<Map<string, D>> {
    const counts = (this.counts[service.def.entity] ??= { created: 0, updated: 0, unchanged: 0 });
    const result = new Map<string, D>();
    const creates = new Map<string, Record<string, unknown>>();
    const updates = new Map<string, { doc: D; changed: Record<string, unknown> }>();
    for (const { key, body } of wanted) {
      const pending = creates.get(key);
      if (pending) {
        const changed = differences(pending, body);
        if (Object.keys(changed).length === 0) counts.unchanged++;
        else {
          counts.updated++;
          Object.assign(pending, changed);
        }
        continue;
      }
      const existing = stored.get(key);
      if (!existing) {
        creates.set(key, { ...body });
        counts.created++;
        continue;
      }
      const update = updates.get(key);
      const current = { ...service.def.toInput(existing), ...update?.changed };
      const changed = differences(current, body);
      if (Object.keys(changed).length === 0) {
        counts.unchanged++;
        if (!update) result.set(key, existing);
        continue;
      }
      counts.updated++;
      updates.set(key, { doc: existing, changed: { ...update?.changed, ...changed } });
    }
    for (const doc of result.values()) this.known.add(service.def.entity, doc._id, doc);
    const createKeys = [...creates.keys()];
    for (let start = 0; start < createKeys.length; start += WRITE_CHUNK) {
      const keys = createKeys.slice(start, start + WRITE_CHUNK);
      const built = await service.createMany(
        keys.map((k) => creates.get(k)),
        this.ctx,
        { bulk: keys.length > 1, known: this.known },
      );
      built.forEach(({ doc }, i) => this.remember(service, result, keys[i] as string, doc));
    }
    const updateKeys = [...updates.keys()];
    for (let start = 0; start < updateKeys.length; start += WRITE_CHUNK) {
      const keys = updateKeys.slice(start, start + WRITE_CHUNK);
      const afters = await service.updateMany(
        keys.map((k) => {
          const { doc, changed } = updates.get(k) as { doc: D; changed: Record<string, unknown> };
          return { id: doc._id, body: changed };
        }),
        this.ctx,
        { partial: true, bulk: keys.length > 1, known: this.known },
      );
      afters.forEach((doc, i) => this.remember(service, result, keys[i] as string, doc));
    }
    return result;
  }

  private remember<D extends StoredBase, I>(
    service: ResourceService<D, I>,
    result: Map<string, D>,
    key: string,
    doc: D,
  ): void {
    result.set(key, doc);
    this.known.add(service.def.entity, doc._id, doc);
  }
}

function differences(
  current: Record<string, unknown>,
  body: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(body).filter(([key, value]) => !sameValue(current[key], value)),
  );
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((a === null || a === undefined || a === '') && (b === null || b === undefined || b === ''))
    return true;
  return JSON.stringify(a) === JSON.stringify(b);
}

export function toolContext(baseUrl = 'http://catalog.local'): RequestContext {
  return {
    principal: { id: 1, username: 'inventory-loader', isSuperuser: true },
    constraints: null,
    requestId: undefined,
    baseUrl,
    requestUrl: baseUrl,
  };
}
