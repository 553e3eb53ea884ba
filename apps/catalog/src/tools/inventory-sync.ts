import type {
  Presented,
  RequestContext,
  ResourceService,
  StoredBase,
} from '@toolkit/catalog-domain';
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

export class InventorySync {
  readonly counts: Record<string, SyncCounts> = {};

  constructor(
    readonly catalog: Catalog,
    readonly ctx: RequestContext,
  ) {}

  async upsert<D extends StoredBase, I>(
    service: ResourceService<D, I>,
    match: Filter,
    body: Record<string, unknown>,
  ): Promise<D> {
    const counts = (this.counts[service.def.entity] ??= { created: 0, updated: 0, unchanged: 0 });
    const [existing] = await service.repository.find(match, { limit: 1 });
    if (!existing) {
      const [created] = await service.create([body], this.ctx, false);
      counts.created++;
      return (await service.repository.findById((created as Presented)['id'] as number)) as D;
    }
    const current = service.def.toInput(existing);
    const changed = Object.fromEntries(
      Object.entries(body).filter(([key, value]) => !sameValue(current[key], value)),
    );
    if (Object.keys(changed).length === 0) {
      counts.unchanged++;
      return existing;
    }
    await service.update([{ id: existing._id, body: changed }], this.ctx, {
      partial: true,
      bulk: false,
    });
    counts.updated++;
    return (await service.repository.findById(existing._id)) as D;
  }
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
