import type { Inventory } from '@toolkit/device-sim';
import type { IpAddressDoc } from '@toolkit/catalog-domain';
import { InventorySync } from './inventory-sync';
import type { SyncCounts } from './inventory-sync';
import type { Catalog } from '../wiring';
import type { RequestContext } from '@toolkit/catalog-domain';

/** The simulator's platform ids as catalog platforms (slugs the alias table maps to drivers). */
const PLATFORMS: Record<string, { name: string; slug: string }> = {
  ios: { name: 'Cisco IOS', slug: 'ios' },
  nxos: { name: 'Cisco NX-OS', slug: 'nxos' },
  eos: { name: 'Arista EOS', slug: 'eos' },
  junos: { name: 'Juniper Junos', slug: 'junos' },
  linux: { name: 'Linux', slug: 'linux' },
};

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
 */
export async function loadInventory(
  catalog: Catalog,
  inventory: Inventory,
  ctx: RequestContext,
): Promise<Record<string, SyncCounts>> {
  const sync = new InventorySync(catalog, ctx);
  const { services } = catalog;
  const platformIds = new Map<string, number>();
  const siteIds = new Map<string, number>();
  for (const device of inventory.devices) {
    if (!platformIds.has(device.platform)) {
      const spec = PLATFORMS[device.platform] ?? {
        name: device.platform,
        slug: slugOf(device.platform),
      };
      const platform = await sync.upsert(services.platforms, { slug: spec.slug }, spec);
      platformIds.set(device.platform, platform._id);
    }
    if (!siteIds.has(device.site)) {
      const slug = slugOf(device.site);
      const site = await sync.upsert(services.sites, { slug }, { name: device.site, slug });
      siteIds.set(device.site, site._id);
    }
    const siteId = siteIds.get(device.site) as number;
    const vlanIds = new Map<number, number>();
    for (const vlan of device.vlans) {
      const doc = await sync.upsert(
        services.vlans,
        { 'site.id': siteId, vid: vlan.id },
        { vid: vlan.id, name: vlan.name, site: siteId },
      );
      vlanIds.set(vlan.id, doc._id);
    }
    const deviceDoc = await sync.upsert(
      services.devices,
      { name: device.name },
      {
        name: device.name,
        platform: platformIds.get(device.platform),
        site: siteId,
        serial: device.serial.slice(0, 50),
        description: `${device.vendor} ${device.model} ${device.osVersion}`.slice(0, 200),
        host: device.host,
        port: device.port,
      },
    );
    const addresses: IpAddressDoc[] = [];
    for (const iface of device.interfaces) {
      const untagged = iface.vlan !== undefined ? vlanIds.get(iface.vlan) : undefined;
      const ifaceDoc = await sync.upsert(
        services.interfaces,
        { 'device.id': deviceDoc._id, name: iface.name },
        {
          device: deviceDoc._id,
          name: iface.name,
          type: INTERFACE_TYPE[iface.mode] ?? 'other',
          enabled: iface.enabled,
          description: iface.description.slice(0, 200),
          mac_address: iface.mac,
          mode: untagged ? 'access' : null,
          untagged_vlan: untagged ?? null,
        },
      );
      if (iface.ipv4) {
        addresses.push(
          await sync.upsert(
            services.ipAddresses,
            { assigned_object_id: ifaceDoc._id, address: iface.ipv4 },
            {
              address: iface.ipv4,
              assigned_object_type: 'dcim.interface',
              assigned_object_id: ifaceDoc._id,
            },
          ),
        );
      }
    }
    const management = addresses.find((a) => a.address.split('/')[0] === device.managementIp);
    if (management)
      await sync.upsert(services.devices, { _id: deviceDoc._id }, { primary_ip4: management._id });
  }
  return sync.counts;
}
