import {
  INTERFACE_MODES,
  INTERFACE_TYPES,
  IP_ADDRESS_STATUSES,
  SITE_STATUSES,
  DEVICE_STATUSES,
  VLAN_STATUSES,
} from '@toolkit/api-contracts';
import type { RequestContext } from '@toolkit/catalog-domain';
import { normaliseCidr } from '@toolkit/catalog-domain';
import { AppError } from '@toolkit/errors';
import type { Catalog } from '../wiring';
import { InventorySync } from './inventory-sync';
import type { SyncCounts } from './inventory-sync';

type Json = Record<string, unknown>;

export interface NetboxSource {
  url: string;
  token: string;
  fetch?: typeof fetch;
  pageSize?: number;
}

/**
 * Pulls platforms, sites, VLANs, devices, interfaces and IP addresses from a NetBox
 * instance over its REST API (following `next` links), and upserts them: matched on
 * slug / name / (device, interface name) / (site, vid) / (interface, address), NetBox's
 * ids kept in `netbox_id`. Idempotent on re-run. Values our API does not model (an
 * interface type we do not list, a status we do not know) fall back to `other` / the
 * default status.
 */
export async function importFromNetbox(
  catalog: Catalog,
  source: NetboxSource,
  ctx: RequestContext,
): Promise<Record<string, SyncCounts>> {
  const sync = new InventorySync(catalog, ctx);
  const { services } = catalog;
  const platforms = new Map<number, number>();
  const sites = new Map<number, number>();
  const vlans = new Map<number, number>();
  const devices = new Map<number, number>();
  const interfaces = new Map<number, number>();
  const ips = new Map<number, number>();

  for (const p of await fetchAll(source, '/api/dcim/platforms/')) {
    const doc = await sync.upsert(
      services.platforms,
      { slug: p['slug'] },
      {
        name: p['name'],
        slug: p['slug'],
        description: str(p['description']),
        netbox_id: p['id'],
        tags: tags(p),
      },
    );
    platforms.set(p['id'] as number, doc._id);
  }
  for (const s of await fetchAll(source, '/api/dcim/sites/')) {
    const doc = await sync.upsert(
      services.sites,
      { slug: s['slug'] },
      {
        name: s['name'],
        slug: s['slug'],
        status: known(SITE_STATUSES, choiceValue(s['status']), 'active'),
        description: str(s['description']),
        netbox_id: s['id'],
        tags: tags(s),
      },
    );
    sites.set(s['id'] as number, doc._id);
  }
  for (const v of await fetchAll(source, '/api/ipam/vlans/')) {
    const site = refId(v['site'], sites);
    const byNetboxId = await services.vlans.repository.find({ netbox_id: v['id'] }, { limit: 1 });
    const doc = await sync.upsert(
      services.vlans,
      byNetboxId.length > 0 ? { netbox_id: v['id'] } : { 'site.id': site ?? null, vid: v['vid'] },
      {
        vid: v['vid'],
        name: v['name'],
        site: site ?? null,
        status: known(VLAN_STATUSES, choiceValue(v['status']), 'active'),
        description: str(v['description']),
        netbox_id: v['id'],
        tags: tags(v),
      },
    );
    vlans.set(v['id'] as number, doc._id);
  }
  const primaries: { device: number; ip4: number | null; ip6: number | null }[] = [];
  for (const d of await fetchAll(source, '/api/dcim/devices/')) {
    if (typeof d['name'] !== 'string' || d['name'] === '') continue;
    const doc = await sync.upsert(
      services.devices,
      { name: d['name'] },
      {
        name: d['name'],
        platform: refId(d['platform'], platforms) ?? null,
        site: refId(d['site'], sites) ?? null,
        status: known(DEVICE_STATUSES, choiceValue(d['status']), 'active'),
        serial: str(d['serial']).slice(0, 50),
        description: str(d['description']),
        netbox_id: d['id'],
        tags: tags(d),
      },
    );
    devices.set(d['id'] as number, doc._id);
    primaries.push({
      device: doc._id,
      ip4: nestedId(d['primary_ip4']),
      ip6: nestedId(d['primary_ip6']),
    });
  }
  for (const i of await fetchAll(source, '/api/dcim/interfaces/')) {
    const device = refId(i['device'], devices);
    if (device === undefined) continue;
    const tagged = (Array.isArray(i['tagged_vlans']) ? i['tagged_vlans'] : [])
      .map((v) => refId(v, vlans))
      .filter((v): v is number => v !== undefined);
    const untagged = refId(i['untagged_vlan'], vlans) ?? null;
    const mode = known(INTERFACE_MODES, choiceValue(i['mode']), null);
    const doc = await sync.upsert(
      services.interfaces,
      { 'device.id': device, name: i['name'] },
      {
        device,
        name: i['name'],
        type: known(INTERFACE_TYPES, choiceValue(i['type']), 'other'),
        enabled: i['enabled'] !== false,
        description: str(i['description']),
        mtu: typeof i['mtu'] === 'number' ? i['mtu'] : null,
        mac_address:
          typeof i['mac_address'] === 'string' && i['mac_address'] ? i['mac_address'] : null,
        mode: mode ?? (untagged !== null ? 'access' : null),
        untagged_vlan: untagged,
        tagged_vlans: mode === 'tagged' ? tagged : [],
        netbox_id: i['id'],
        tags: tags(i),
      },
    );
    interfaces.set(i['id'] as number, doc._id);
  }
  for (const a of await fetchAll(source, '/api/ipam/ip-addresses/')) {
    if (a['assigned_object_type'] !== 'dcim.interface') continue;
    const iface = interfaces.get(a['assigned_object_id'] as number);
    const cidr = normaliseCidr(str(a['address']));
    if (iface === undefined || !cidr) continue;
    const doc = await sync.upsert(
      services.ipAddresses,
      { assigned_object_id: iface, address: cidr.cidr },
      {
        address: cidr.cidr,
        status: known(IP_ADDRESS_STATUSES, choiceValue(a['status']), 'active'),
        dns_name: str(a['dns_name']),
        description: str(a['description']),
        assigned_object_type: 'dcim.interface',
        assigned_object_id: iface,
        netbox_id: a['id'],
        tags: tags(a),
      },
    );
    ips.set(a['id'] as number, doc._id);
  }
  for (const p of primaries) {
    await sync.upsert(
      services.devices,
      { _id: p.device },
      {
        primary_ip4: p.ip4 !== null ? (ips.get(p.ip4) ?? null) : null,
        primary_ip6: p.ip6 !== null ? (ips.get(p.ip6) ?? null) : null,
      },
    );
  }
  return sync.counts;
}

/** Every page of a NetBox list, following `next` (which NetBox makes absolute). */
export async function fetchAll(source: NetboxSource, path: string): Promise<Json[]> {
  const doFetch = source.fetch ?? fetch;
  const results: Json[] = [];
  let next: string | null = new URL(
    `${path}?limit=${source.pageSize ?? 1000}`,
    source.url,
  ).toString();
  for (let page = 0; next && page < 100_000; page++) {
    const response = await doFetch(next, {
      headers: { Authorization: `Token ${source.token}`, Accept: 'application/json' },
    });
    if (!response.ok)
      throw new AppError({
        code: 'netbox-request-failed',
        category: response.status >= 500 ? 'unavailable' : 'validation',
        message: `NetBox answered ${response.status} for ${path}.`,
      });
    const body = (await response.json()) as { next?: string | null; results?: Json[] };
    results.push(...(body.results ?? []));
    next = body.next ?? null;
  }
  return results;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function choiceValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as Json)['value'] === 'string')
    return (value as Json)['value'] as string;
  return undefined;
}

function known<T extends string | null>(
  choices: readonly { value: string }[],
  value: string | undefined,
  fallback: T,
): string | T {
  return value !== undefined && choices.some((c) => c.value === value) ? value : fallback;
}

function nestedId(value: unknown): number | null {
  if (value && typeof value === 'object' && typeof (value as Json)['id'] === 'number')
    return (value as Json)['id'] as number;
  return typeof value === 'number' ? value : null;
}

function refId(value: unknown, map: ReadonlyMap<number, number>): number | undefined {
  const id = nestedId(value);
  return id === null ? undefined : map.get(id);
}

function tags(object: Json): { name: string; slug: string }[] {
  const list = Array.isArray(object['tags']) ? (object['tags'] as Json[]) : [];
  return list
    .filter((t) => typeof t['name'] === 'string' && typeof t['slug'] === 'string')
    .map((t) => ({ name: t['name'] as string, slug: t['slug'] as string }));
}
