import { CATALOG_PLATFORMS } from '@toolkit/device-sim';
import type { Inventory } from '@toolkit/device-sim';
import type { IpAddressDoc } from '@toolkit/catalog-domain';
import { InventorySync } from './inventory-sync';
import type { SyncCounts } from './inventory-sync';
import type { Catalog } from '../wiring';
import type { RequestContext } from '@toolkit/catalog-domain';

const INTERFACE_TYPE: Record<string, string> = {
  loopback: 'virtual',
  svi: 'virtual',
  access: '1000base-t',
  routed: '1000base-t',
  management: '1000base-t',
};

function slugOf(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'site'
  );
}

/**
 * Loads the device simulator's inventory JSON (libs/device-sim `Inventory`) into the
 * catalog: platforms, sites, VLANs, devices (SSH host and port from the inventory),
 * interfaces with their VLAN and IPv4 address, and the management address as primary
 * IPv4. Idempotent: a re-run changes nothing unless the inventory changed. Device
 * logins are not loaded (credential sets belong to users).
 *
 * Type by type, a constant number of queries each: one read of the stored candidates,
 * then bulk creates and updates in chunks (see InventorySync.upsertMany), so the cost
 * grows linearly with the inventory on FerretDB (where every non-`_id` query scans).
 */
export async function loadInventory(
  catalog: Catalog,
  inventory: Inventory,
  ctx: RequestContext,
): Promise<Record<string, SyncCounts>> {
  const sync = new InventorySync(catalog, ctx);
  const { services } = catalog;
  const { devices } = inventory;

  const platformSpec = (platform: string) =>
    CATALOG_PLATFORMS[platform] ?? { name: platform, slug: slugOf(platform) };
  const platforms = await sync.upsertMany(
    services.platforms,
    distinct(devices.map((d) => d.platform)).map((p) => ({
      key: platformSpec(p).slug,
      body: platformSpec(p),
    })),
    {
      scope: { slug: { $in: [...new Set(devices.map((d) => platformSpec(d.platform).slug))] } },
      keyOf: (p) => p.slug,
    },
  );
  const platformId = (platform: string) => platforms.get(platformSpec(platform).slug)?._id;

  const sites = await sync.upsertMany(
    services.sites,
    distinct(devices.map((d) => d.site)).map((site) => ({
      key: slugOf(site),
      body: { name: site, slug: slugOf(site) },
    })),
    {
      scope: { slug: { $in: [...new Set(devices.map((d) => slugOf(d.site)))] } },
      keyOf: (s) => s.slug,
    },
  );
  const siteId = (site: string) => sites.get(slugOf(site))?._id as number;

  const vlanKey = (site: number, vid: number) => `${site}/${vid}`;
  const vlans = await sync.upsertMany(
    services.vlans,
    devices.flatMap((d) =>
      d.vlans.map((vlan) => ({
        key: vlanKey(siteId(d.site), vlan.id),
        body: { vid: vlan.id, name: vlan.name, site: siteId(d.site) },
      })),
    ),
    {
      scope: { 'site.id': { $in: [...sites.values()].map((s) => s._id) } },
      keyOf: (v) => vlanKey(v.site?.id ?? 0, v.vid),
    },
  );

  const deviceDocs = await sync.upsertMany(
    services.devices,
    devices.map((device) => ({
      key: device.name,
      body: {
        name: device.name,
        platform: platformId(device.platform),
        site: siteId(device.site),
        serial: device.serial.slice(0, 50),
        description: `${device.vendor} ${device.model} ${device.osVersion}`.slice(0, 200),
        host: device.host,
        port: device.port,
      },
    })),
    { scope: { name: { $in: devices.map((d) => d.name) } }, keyOf: (d) => d.name },
  );
  const deviceId = (name: string) => deviceDocs.get(name)?._id as number;

  const interfaceKey = (device: number, name: string) => `${device}/${name}`;
  const interfaces = await sync.upsertMany(
    services.interfaces,
    devices.flatMap((device) =>
      device.interfaces.map((iface) => {
        const untagged =
          iface.vlan !== undefined
            ? vlans.get(vlanKey(siteId(device.site), iface.vlan))?._id
            : undefined;
        return {
          key: interfaceKey(deviceId(device.name), iface.name),
          body: {
            device: deviceId(device.name),
            name: iface.name,
            type: INTERFACE_TYPE[iface.mode] ?? 'other',
            enabled: iface.enabled,
            description: iface.description.slice(0, 200),
            // Stored upper-case: compared as stored, or every re-run would rewrite it.
            mac_address: iface.mac.toUpperCase(),
            mode: untagged ? 'access' : null,
            untagged_vlan: untagged ?? null,
          },
        };
      }),
    ),
    {
      scope: { 'device.id': { $in: [...deviceDocs.values()].map((d) => d._id) } },
      keyOf: (i) => interfaceKey(i.device.id, i.name),
    },
  );

  const ipKey = (iface: number, address: string) => `${iface}/${address}`;
  const withAddress = devices.flatMap((device) =>
    device.interfaces.flatMap((iface) =>
      iface.ipv4
        ? [
            {
              device,
              iface: interfaces.get(interfaceKey(deviceId(device.name), iface.name))?._id as number,
              address: iface.ipv4,
            },
          ]
        : [],
    ),
  );
  const addresses = await sync.upsertMany(
    services.ipAddresses,
    withAddress.map(({ iface, address }) => ({
      key: ipKey(iface, address),
      body: { address, assigned_object_type: 'dcim.interface', assigned_object_id: iface },
    })),
    {
      scope: { assigned_object_id: { $in: [...interfaces.values()].map((i) => i._id) } },
      keyOf: (a: IpAddressDoc) => ipKey(a.assigned_object_id ?? 0, a.address),
    },
  );

  const primaries = devices.flatMap((device) => {
    const management = withAddress.find(
      (a) => a.device === device && a.address.split('/')[0] === device.managementIp,
    );
    const address = management && addresses.get(ipKey(management.iface, management.address));
    return address
      ? [{ key: String(deviceId(device.name)), body: { primary_ip4: address._id } }]
      : [];
  });
  await sync.upsertMany(services.devices, primaries, {
    scope: { _id: { $in: primaries.map((p) => Number(p.key)) } },
    keyOf: (d) => String(d._id),
  });
  return sync.counts;
}

function distinct<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
