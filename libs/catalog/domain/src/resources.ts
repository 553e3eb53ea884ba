import { isIP } from 'node:net';
import {
  COMMAND_BRIEF_FIELDS,
  CREDENTIAL_SET_BRIEF_FIELDS,
  DEVICE_BRIEF_FIELDS,
  DEVICE_STATUSES,
  INTERFACE_BRIEF_FIELDS,
  INTERFACE_MODES,
  INTERFACE_TYPES,
  IP_ADDRESS_BRIEF_FIELDS,
  IP_ADDRESS_STATUSES,
  PLATFORM_BRIEF_FIELDS,
  SITE_BRIEF_FIELDS,
  SITE_STATUSES,
  VLAN_BRIEF_FIELDS,
  VLAN_STATUSES,
  commandCreateSchema,
  commandSchema,
  commandListSpec,
  commandUpdateSchema,
  credentialSetCreateSchema,
  credentialSetSchema,
  credentialSetListSpec,
  credentialSetUpdateSchema,
  deviceCreateSchema,
  deviceSchema,
  deviceListSpec,
  deviceUpdateSchema,
  interfaceCreateSchema,
  interfaceSchema,
  interfaceListSpec,
  interfaceUpdateSchema,
  ipAddressCreateSchema,
  ipAddressSchema,
  ipAddressListSpec,
  ipAddressUpdateSchema,
  platformCreateSchema,
  platformSchema,
  platformListSpec,
  platformUpdateSchema,
  siteCreateSchema,
  siteSchema,
  siteListSpec,
  siteUpdateSchema,
  vlanCreateSchema,
  vlanSchema,
  vlanListSpec,
  vlanUpdateSchema,
} from '@toolkit/api-contracts';
import type {
  CommandCreate,
  CredentialSetCreate,
  DeviceCreate,
  InterfaceCreate,
  IpAddressCreate,
  PlatformCreate,
  SiteCreate,
  VlanCreate,
} from '@toolkit/api-contracts';
import { AppError } from '@toolkit/errors';
import { checkCommandDefinition } from './command-rules';
import type {
  CommandDoc,
  CredentialSetDoc,
  DeviceDoc,
  InterfaceDoc,
  IpAddressDoc,
  IpRef,
  NamedRef,
  PlatformDoc,
  SiteDoc,
  StoredBase,
  Taggable,
  VlanDoc,
} from './entities';
import { driverForPlatform } from './platform-aliases';
import type { WriteTransactions } from './write-transactions';
import type {
  ChangeLog,
  Clock,
  Logger,
  Repository,
  RequestContext,
  SecretBox,
  TokenIssuer,
} from './ports';
import {
  PATHS,
  choice,
  deviceBrief,
  ipBrief,
  iso,
  namedBrief,
  normaliseTags,
  objectUrl,
  presentTags,
  vlanBrief,
} from './presenters';
import { resolveRef, resolveRefs } from './references';
import { ResourceService } from './resource-service';
import type { Batch } from './resource-service';
import type { Presented, ResourceDefinition } from './resource-service';
import type { CommandVariable, VlanRef } from './variable-rendering';

export interface CatalogRepositories {
  platforms: Repository<PlatformDoc>;
  sites: Repository<SiteDoc>;
  devices: Repository<DeviceDoc>;
  interfaces: Repository<InterfaceDoc>;
  vlans: Repository<VlanDoc>;
  ipAddresses: Repository<IpAddressDoc>;
  commands: Repository<CommandDoc>;
  credentialSets: Repository<CredentialSetDoc>;
  /** Ids for command variables (their own sequence). */
  allocateVariableIds(count: number): Promise<number[]>;
}

export interface CatalogDeps {
  repositories: CatalogRepositories;
  changes: ChangeLog;
  /** Every write runs in one; the services register how to undo their steps. */
  transactions: WriteTransactions;
  clock: Clock;
  logger: Logger;
  /** Seals credential-set secrets at rest (CREDENTIAL_KEYS). */
  credentialBox: SecretBox;
  tokens: TokenIssuer;
}

export interface CatalogServices {
  platforms: ResourceService<PlatformDoc, PlatformCreate>;
  sites: ResourceService<SiteDoc, SiteCreate>;
  devices: ResourceService<DeviceDoc, DeviceCreate>;
  interfaces: ResourceService<InterfaceDoc, InterfaceCreate>;
  vlans: ResourceService<VlanDoc, VlanCreate>;
  ipAddresses: ResourceService<IpAddressDoc, IpAddressCreate>;
  commands: ResourceService<CommandDoc, CommandCreate>;
  credentialSets: ResourceService<CredentialSetDoc, CredentialSetCreate>;
}

const NOTHING = { _id: { $in: [] } };

/** For cascades: dependents are removed whatever the caller's constraints on the parent type. */
function unconstrained(ctx: RequestContext): RequestContext {
  return { ...ctx, constraints: null };
}

function taggable(doc: Taggable) {
  return { tags: presentTags(doc.tags), custom_fields: doc.custom_fields };
}

function taggableInput(doc: Taggable) {
  return {
    tags: doc.tags.map((t) => ({ name: t.name, slug: t.slug })),
    custom_fields: doc.custom_fields,
  };
}

function timestamps(doc: { created: Date; last_updated: Date }) {
  return { created: iso(doc.created), last_updated: iso(doc.last_updated) };
}

function namedRef(doc: { _id: number; name: string; slug: string }): NamedRef {
  return { id: doc._id, name: doc.name, slug: doc.slug };
}

function vlanRef(doc: VlanDoc): VlanRef {
  return { id: doc._id, vid: doc.vid, name: doc.name };
}

function blocked(label: string, name: string, users: [number, string][]): AppError {
  const parts = users
    .filter(([n]) => n > 0)
    .map(([n, what]) => `${n} ${what}${n === 1 ? '' : 's'}`);
  return AppError.conflict(
    `Cannot delete ${label} '${name}': still used by ${parts.join(' and ')}.`,
  );
}

/** Rewrites an array of denormalised references in every document that holds one. */
async function rewriteRefs<D extends { _id: number }>(
  repository: Repository<D>,
  filter: Record<string, unknown>,
  rewrite: (doc: D) => D,
): Promise<void> {
  for (const doc of await repository.find(filter)) await repository.replace(rewrite(doc));
}

export function createCatalogServices(deps: CatalogDeps): CatalogServices {
  const repos = deps.repositories;
  const resourceDeps = {
    changes: deps.changes,
    transactions: deps.transactions,
    clock: deps.clock,
    logger: deps.logger,
  };
  // Filled below; definitions reach their siblings lazily for cascades.
  const services = {} as CatalogServices;

  const platform: ResourceDefinition<PlatformDoc, PlatformCreate> = {
    entity: 'platform',
    objectType: 'dcim.platform',
    label: 'platform',
    path: PATHS.platform,
    listSpec: platformListSpec,
    briefFields: PLATFORM_BRIEF_FIELDS,
    createSchema: platformCreateSchema,
    representation: platformSchema,
    patchSchema: platformUpdateSchema,
    repository: repos.platforms,
    toInput: (d) => ({
      name: d.name,
      slug: d.slug,
      description: d.description,
      // A driver derived from the slug follows the slug; only an explicit one is kept.
      ...(d.driver !== driverForPlatform(d.slug, d.name) ? { driver: d.driver } : {}),
      netbox_id: d.netbox_id,
      ...taggableInput(d),
    }),
    build: async (input, { id, now }) => ({
      doc: {
        _id: id,
        name: input.name,
        slug: input.slug,
        description: input.description ?? '',
        driver:
          input.driver === undefined ? driverForPlatform(input.slug, input.name) : input.driver,
        netbox_id: input.netbox_id ?? null,
        tags: normaliseTags(input.tags),
        custom_fields: input.custom_fields ?? {},
        created: now,
        last_updated: now,
      },
    }),
    present: (d, base) => ({
      id: d._id,
      url: objectUrl(base, PATHS.platform, d._id),
      display: d.name,
      name: d.name,
      slug: d.slug,
      description: d.description,
      driver: d.driver,
      netbox_id: d.netbox_id,
      ...taggable(d),
      ...timestamps(d),
    }),
    display: (d) => d.name,
    uniqueKeys: [
      { field: 'name', key: (d) => ({ name: d.name }), indexed: true },
      { field: 'slug', key: (d) => ({ slug: d.slug }), indexed: true },
    ],
    assertDeletable: async (docs) => {
      for (const d of docs) {
        const [devices, commands, sets] = await Promise.all([
          repos.devices.count({ 'platform.id': d._id }),
          repos.commands.count({ 'platforms.id': d._id }),
          repos.credentialSets.count({ 'platforms.id': d._id }),
        ]);
        if (devices + commands + sets > 0)
          throw blocked('platform', d.name, [
            [devices, 'device'],
            [commands, 'command'],
            [sets, 'credential set'],
          ]);
      }
    },
    cascadeUpdate: async (before, after) => {
      if (before.name === after.name && before.slug === after.slug) return;
      const ref = namedRef(after);
      await repos.devices.setWhere({ 'platform.id': after._id }, { platform: ref });
      const swap = <T extends { platforms: NamedRef[] }>(doc: T): T => ({
        ...doc,
        platforms: doc.platforms.map((p) => (p.id === ref.id ? ref : p)),
      });
      await rewriteRefs(repos.commands, { 'platforms.id': after._id }, swap);
      await rewriteRefs(repos.credentialSets, { 'platforms.id': after._id }, swap);
    },
  };

  const site: ResourceDefinition<SiteDoc, SiteCreate> = {
    entity: 'site',
    objectType: 'dcim.site',
    label: 'site',
    path: PATHS.site,
    listSpec: siteListSpec,
    briefFields: SITE_BRIEF_FIELDS,
    createSchema: siteCreateSchema,
    representation: siteSchema,
    patchSchema: siteUpdateSchema,
    repository: repos.sites,
    toInput: (d) => ({
      name: d.name,
      slug: d.slug,
      status: d.status,
      description: d.description,
      netbox_id: d.netbox_id,
      ...taggableInput(d),
    }),
    build: async (input, { id, now }) => ({
      doc: {
        _id: id,
        name: input.name,
        slug: input.slug,
        status: input.status ?? 'active',
        description: input.description ?? '',
        netbox_id: input.netbox_id ?? null,
        tags: normaliseTags(input.tags),
        custom_fields: input.custom_fields ?? {},
        created: now,
        last_updated: now,
      },
    }),
    present: (d, base) => ({
      id: d._id,
      url: objectUrl(base, PATHS.site, d._id),
      display: d.name,
      name: d.name,
      slug: d.slug,
      status: choice(SITE_STATUSES, d.status),
      description: d.description,
      netbox_id: d.netbox_id,
      ...taggable(d),
      ...timestamps(d),
    }),
    display: (d) => d.name,
    uniqueKeys: [
      { field: 'name', key: (d) => ({ name: d.name }), indexed: true },
      { field: 'slug', key: (d) => ({ slug: d.slug }), indexed: true },
    ],
    assertDeletable: async (docs) => {
      for (const d of docs) {
        const [devices, vlans] = await Promise.all([
          repos.devices.count({ 'site.id': d._id }),
          repos.vlans.count({ 'site.id': d._id }),
        ]);
        if (devices + vlans > 0)
          throw blocked('site', d.name, [
            [devices, 'device'],
            [vlans, 'VLAN'],
          ]);
      }
    },
    cascadeUpdate: async (before, after) => {
      if (before.name === after.name && before.slug === after.slug) return;
      await repos.devices.setWhere({ 'site.id': after._id }, { site: namedRef(after) });
      await repos.vlans.setWhere({ 'site.id': after._id }, { site: namedRef(after) });
    },
  };

  async function primaryIp(
    value: number | string | null | undefined,
    family: 4 | 6,
    deviceId: number,
    field: string,
    batch: Batch,
  ): Promise<IpRef | null> {
    if (value === null || value === undefined) return null;
    const [ip] =
      typeof value === 'number'
        ? [
            batch.get<IpAddressDoc>('ip-address', value) ??
              (await repos.ipAddresses.findById(value)),
          ]
        : await repos.ipAddresses.find(
            {
              'assigned_object.device.id': deviceId,
              address: value.includes('/')
                ? value
                : { $regex: `^${value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/` },
            },
            { limit: 1 },
          );
    if (!ip)
      throw AppError.validation({
        [field]: [`IP address ${String(value)} is not assigned to this device.`],
      });
    if (ip.assigned_object?.device.id !== deviceId)
      throw AppError.validation({
        [field]: [`IP address ${ip.address} is not assigned to this device.`],
      });
    if (ip.family !== family)
      throw AppError.validation({
        [field]: [`IP address ${ip.address} is not an IPv${family} address.`],
      });
    return { id: ip._id, address: ip.address };
  }

  const device: ResourceDefinition<DeviceDoc, DeviceCreate> = {
    entity: 'device',
    objectType: 'dcim.device',
    label: 'device',
    path: PATHS.device,
    listSpec: deviceListSpec,
    briefFields: DEVICE_BRIEF_FIELDS,
    createSchema: deviceCreateSchema,
    representation: deviceSchema,
    patchSchema: deviceUpdateSchema,
    repository: repos.devices,
    toInput: (d) => ({
      name: d.name,
      platform: d.platform?.id ?? null,
      site: d.site?.id ?? null,
      status: d.status,
      serial: d.serial,
      description: d.description,
      host: d.host,
      port: d.port,
      primary_ip4: d.primary_ip4?.id ?? null,
      primary_ip6: d.primary_ip6?.id ?? null,
      netbox_id: d.netbox_id,
      ...taggableInput(d),
    }),
    build: async (input, { id, now, batch }) => {
      const [platformDoc, siteDoc] = await Promise.all([
        input.platform
          ? resolveRef('platform', repos.platforms, batch, input.platform, 'platform')
          : undefined,
        input.site ? resolveRef('site', repos.sites, batch, input.site, 'site') : undefined,
      ]);
      const [ip4, ip6] = await Promise.all([
        primaryIp(input.primary_ip4, 4, id, 'primary_ip4', batch),
        primaryIp(input.primary_ip6, 6, id, 'primary_ip6', batch),
      ]);
      return {
        doc: {
          _id: id,
          name: input.name,
          platform: platformDoc ? namedRef(platformDoc) : null,
          site: siteDoc ? namedRef(siteDoc) : null,
          status: input.status ?? 'active',
          serial: input.serial ?? '',
          description: input.description ?? '',
          host: input.host ?? null,
          port: input.port ?? 22,
          primary_ip4: ip4,
          primary_ip6: ip6,
          netbox_id: input.netbox_id ?? null,
          tags: normaliseTags(input.tags),
          custom_fields: input.custom_fields ?? {},
          created: now,
          last_updated: now,
        },
      };
    },
    present: (d, base) => {
      const primary = d.primary_ip4 ?? d.primary_ip6;
      return {
        id: d._id,
        url: objectUrl(base, PATHS.device, d._id),
        display: d.name,
        name: d.name,
        platform: d.platform ? namedBrief(base, PATHS.platform, d.platform) : null,
        site: d.site ? namedBrief(base, PATHS.site, d.site) : null,
        status: choice(DEVICE_STATUSES, d.status),
        serial: d.serial,
        description: d.description,
        host: d.host,
        port: d.port,
        primary_ip: primary ? ipBrief(base, primary) : null,
        primary_ip4: d.primary_ip4 ? ipBrief(base, d.primary_ip4) : null,
        primary_ip6: d.primary_ip6 ? ipBrief(base, d.primary_ip6) : null,
        netbox_id: d.netbox_id,
        ...taggable(d),
        ...timestamps(d),
      };
    },
    display: (d) => d.name,
    uniqueKeys: [{ field: 'name', key: (d) => ({ name: d.name }), indexed: true }],
    cascadeUpdate: async (before, after) => {
      if (before.name === after.name) return;
      await repos.interfaces.setWhere({ 'device.id': after._id }, { 'device.name': after.name });
      await repos.ipAddresses.setWhere(
        { 'assigned_object.device.id': after._id },
        { 'assigned_object.device.name': after.name },
      );
    },
    // As NetBox: a device's interfaces (and their IP addresses) go with it.
    cascadeDelete: async (docs, ctx) => {
      const interfaces = await repos.interfaces.find({
        'device.id': { $in: docs.map((d) => d._id) },
      });
      if (interfaces.length > 0)
        await services.interfaces.delete(
          interfaces.map((i) => i._id),
          unconstrained(ctx),
        );
    },
  };

  const iface: ResourceDefinition<InterfaceDoc, InterfaceCreate> = {
    entity: 'interface',
    objectType: 'dcim.interface',
    label: 'interface',
    path: PATHS.interface,
    listSpec: interfaceListSpec,
    briefFields: INTERFACE_BRIEF_FIELDS,
    createSchema: interfaceCreateSchema,
    representation: interfaceSchema,
    patchSchema: interfaceUpdateSchema,
    repository: repos.interfaces,
    toInput: (d) => ({
      device: d.device.id,
      name: d.name,
      type: d.type,
      enabled: d.enabled,
      description: d.description,
      mtu: d.mtu,
      mac_address: d.mac_address,
      mode: d.mode,
      untagged_vlan: d.untagged_vlan?.id ?? null,
      tagged_vlans: d.tagged_vlans.map((v) => v.id),
      netbox_id: d.netbox_id,
      ...taggableInput(d),
    }),
    build: async (input, { id, now, batch }) => {
      const deviceDoc = await resolveRef('device', repos.devices, batch, input.device, 'device');
      const untagged = input.untagged_vlan
        ? await resolveRef('vlan', repos.vlans, batch, input.untagged_vlan, 'untagged_vlan')
        : undefined;
      const tagged = await resolveRefs(
        'vlan',
        repos.vlans,
        batch,
        input.tagged_vlans ?? [],
        'tagged_vlans',
      );
      const mode = input.mode ?? null;
      if (untagged && mode === null)
        throw AppError.validation({
          mode: ['An untagged VLAN requires a mode (access or tagged).'],
        });
      if (tagged.length > 0 && mode !== 'tagged')
        throw AppError.validation({
          tagged_vlans: ["Tagged VLANs require the interface mode 'tagged'."],
        });
      const vlanRefs = [...(untagged ? [vlanRef(untagged)] : []), ...tagged.map(vlanRef)];
      return {
        doc: {
          _id: id,
          device: { id: deviceDoc._id, name: deviceDoc.name },
          name: input.name,
          type: input.type ?? 'other',
          enabled: input.enabled ?? true,
          description: input.description ?? '',
          mtu: input.mtu ?? null,
          mac_address: input.mac_address ? input.mac_address.toUpperCase() : null,
          mode,
          untagged_vlan: untagged ? vlanRef(untagged) : null,
          tagged_vlans: tagged.map(vlanRef),
          vlan_ids: [...new Set(vlanRefs.map((v) => v.id))],
          netbox_id: input.netbox_id ?? null,
          tags: normaliseTags(input.tags),
          custom_fields: input.custom_fields ?? {},
          created: now,
          last_updated: now,
        },
      };
    },
    present: (d, base) => ({
      id: d._id,
      url: objectUrl(base, PATHS.interface, d._id),
      display: d.name,
      device: deviceBrief(base, d.device),
      name: d.name,
      type: choice(INTERFACE_TYPES, d.type),
      enabled: d.enabled,
      description: d.description,
      mtu: d.mtu,
      mac_address: d.mac_address,
      mode: d.mode ? choice(INTERFACE_MODES, d.mode) : null,
      untagged_vlan: d.untagged_vlan ? vlanBrief(base, d.untagged_vlan) : null,
      tagged_vlans: d.tagged_vlans.map((v) => vlanBrief(base, v)),
      netbox_id: d.netbox_id,
      ...taggable(d),
      ...timestamps(d),
    }),
    display: (d) => d.name,
    uniqueKeys: [
      { field: 'name', key: (d) => ({ 'device.id': d.device.id, name: d.name }), indexed: true },
    ],
    cascadeUpdate: async (before, after) => {
      if (before.name === after.name && before.device.id === after.device.id) return;
      await repos.ipAddresses.setWhere(
        { assigned_object_id: after._id },
        { assigned_object: { id: after._id, name: after.name, device: after.device } },
      );
    },
    cascadeDelete: async (docs, ctx) => {
      const ips = await repos.ipAddresses.find({
        assigned_object_id: { $in: docs.map((d) => d._id) },
      });
      if (ips.length > 0)
        await services.ipAddresses.delete(
          ips.map((i) => i._id),
          unconstrained(ctx),
        );
    },
  };

  const vlan: ResourceDefinition<VlanDoc, VlanCreate> = {
    entity: 'vlan',
    objectType: 'ipam.vlan',
    label: 'VLAN',
    path: PATHS.vlan,
    listSpec: vlanListSpec,
    briefFields: VLAN_BRIEF_FIELDS,
    createSchema: vlanCreateSchema,
    representation: vlanSchema,
    patchSchema: vlanUpdateSchema,
    repository: repos.vlans,
    toInput: (d) => ({
      vid: d.vid,
      name: d.name,
      site: d.site?.id ?? null,
      status: d.status,
      description: d.description,
      netbox_id: d.netbox_id,
      ...taggableInput(d),
    }),
    build: async (input, { id, now, batch }) => {
      const siteDoc = input.site
        ? await resolveRef('site', repos.sites, batch, input.site, 'site')
        : undefined;
      return {
        doc: {
          _id: id,
          vid: input.vid,
          name: input.name,
          site: siteDoc ? namedRef(siteDoc) : null,
          status: input.status ?? 'active',
          description: input.description ?? '',
          netbox_id: input.netbox_id ?? null,
          tags: normaliseTags(input.tags),
          custom_fields: input.custom_fields ?? {},
          created: now,
          last_updated: now,
        },
      };
    },
    present: (d, base) => ({
      id: d._id,
      url: objectUrl(base, PATHS.vlan, d._id),
      display: `${d.name} (${d.vid})`,
      vid: d.vid,
      name: d.name,
      site: d.site ? namedBrief(base, PATHS.site, d.site) : null,
      status: choice(VLAN_STATUSES, d.status),
      description: d.description,
      netbox_id: d.netbox_id,
      ...taggable(d),
      ...timestamps(d),
    }),
    display: (d) => `${d.name} (${d.vid})`,
    // No unique index: (site, vid) is unique only for VLANs with a site (no partial indexes on FerretDB).
    uniqueKeys: [
      { field: 'vid', key: (d) => (d.site ? { 'site.id': d.site.id, vid: d.vid } : undefined) },
    ],
    assertDeletable: async (docs) => {
      for (const d of docs) {
        const interfaces = await repos.interfaces.count({ vlan_ids: d._id });
        if (interfaces > 0)
          throw blocked('VLAN', `${d.name} (${d.vid})`, [[interfaces, 'interface']]);
      }
    },
    cascadeUpdate: async (before, after) => {
      if (before.vid === after.vid && before.name === after.name) return;
      const ref = vlanRef(after);
      await rewriteRefs(repos.interfaces, { vlan_ids: after._id }, (doc) => ({
        ...doc,
        untagged_vlan: doc.untagged_vlan?.id === ref.id ? ref : doc.untagged_vlan,
        tagged_vlans: doc.tagged_vlans.map((v) => (v.id === ref.id ? ref : v)),
      }));
    },
  };

  const ipAddress: ResourceDefinition<IpAddressDoc, IpAddressCreate> = {
    entity: 'ip-address',
    objectType: 'ipam.ipaddress',
    label: 'IP address',
    path: PATHS.ipAddress,
    listSpec: ipAddressListSpec,
    briefFields: IP_ADDRESS_BRIEF_FIELDS,
    createSchema: ipAddressCreateSchema,
    representation: ipAddressSchema,
    patchSchema: ipAddressUpdateSchema,
    repository: repos.ipAddresses,
    toInput: (d) => ({
      address: d.address,
      status: d.status,
      dns_name: d.dns_name,
      description: d.description,
      assigned_object_type: d.assigned_object_id ? 'dcim.interface' : null,
      assigned_object_id: d.assigned_object_id,
      netbox_id: d.netbox_id,
      ...taggableInput(d),
    }),
    build: async (input, { id, now, batch }) => {
      const address = normaliseCidr(input.address);
      if (!address)
        throw AppError.validation({
          address: [`Enter a valid IPv4 or IPv6 address with a mask: ${input.address}`],
        });
      const assigned = input.assigned_object_id
        ? await resolveRef(
            'interface',
            repos.interfaces,
            batch,
            input.assigned_object_id,
            'assigned_object_id',
          )
        : undefined;
      return {
        doc: {
          _id: id,
          address: address.cidr,
          family: address.family,
          status: input.status ?? 'active',
          dns_name: input.dns_name ?? '',
          description: input.description ?? '',
          assigned_object_id: assigned?._id ?? null,
          assigned_object: assigned
            ? { id: assigned._id, name: assigned.name, device: assigned.device }
            : null,
          netbox_id: input.netbox_id ?? null,
          tags: normaliseTags(input.tags),
          custom_fields: input.custom_fields ?? {},
          created: now,
          last_updated: now,
        },
      };
    },
    present: (d, base) => ({
      id: d._id,
      url: objectUrl(base, PATHS.ipAddress, d._id),
      display: d.address,
      family: { value: d.family, label: `IPv${d.family}` },
      address: d.address,
      status: choice(IP_ADDRESS_STATUSES, d.status),
      dns_name: d.dns_name,
      description: d.description,
      assigned_object_type: d.assigned_object ? 'dcim.interface' : null,
      assigned_object_id: d.assigned_object_id,
      assigned_object: d.assigned_object
        ? {
            id: d.assigned_object.id,
            url: objectUrl(base, PATHS.interface, d.assigned_object.id),
            display: d.assigned_object.name,
            device: deviceBrief(base, d.assigned_object.device),
            name: d.assigned_object.name,
          }
        : null,
      netbox_id: d.netbox_id,
      ...taggable(d),
      ...timestamps(d),
    }),
    display: (d) => d.address,
    cascadeUpdate: async (before, after) => {
      for (const field of ['primary_ip4', 'primary_ip6'] as const) {
        if (after.assigned_object?.device.id !== before.assigned_object?.device.id)
          await repos.devices.setWhere({ [`${field}.id`]: after._id }, { [field]: null });
        else if (before.address !== after.address)
          await repos.devices.setWhere(
            { [`${field}.id`]: after._id },
            { [field]: { id: after._id, address: after.address } },
          );
      }
    },
    // As NetBox: a deleted address stops being a device's primary IP.
    cascadeDelete: async (docs) => {
      const ids = docs.map((d) => d._id);
      await repos.devices.setWhere({ 'primary_ip4.id': { $in: ids } }, { primary_ip4: null });
      await repos.devices.setWhere({ 'primary_ip6.id': { $in: ids } }, { primary_ip6: null });
    },
  };

  const command: ResourceDefinition<CommandDoc, CommandCreate> = {
    entity: 'command',
    objectType: 'toolkit.command',
    label: 'command',
    path: PATHS.command,
    listSpec: commandListSpec,
    briefFields: COMMAND_BRIEF_FIELDS,
    createSchema: commandCreateSchema,
    representation: commandSchema,
    patchSchema: commandUpdateSchema,
    repository: repos.commands,
    toInput: (d) => ({
      name: d.name,
      command: d.command,
      description: d.description,
      platforms: d.platforms.map((p) => p.id),
      command_type: d.command_type,
      parsing_template: d.parsing_template,
      variables: d.variables.map((v) => ({
        name: v.name,
        display_name: v.display_name,
        variable_type: v.variable_type,
        required: v.required,
        help_text: v.help_text,
        default_value: v.default_value,
        allow_operators: v.allow_operators ?? false,
      })),
      ...taggableInput(d),
    }),
    build: async (input, { id, now, existing, batch }) => {
      const variablesInput = input.variables ?? [];
      const errors = checkCommandDefinition(
        input.command,
        variablesInput,
        input.command_type ?? existing?.command_type ?? 'show',
      );
      if (Object.keys(errors).length > 0) throw AppError.validation(errors);
      const platforms = await resolveRefs(
        'platform',
        repos.platforms,
        batch,
        input.platforms,
        'platforms',
      );
      const keptIds = new Map((existing?.variables ?? []).map((v) => [v.name, v.id]));
      const fresh = await repos.allocateVariableIds(
        variablesInput.filter((v) => !keptIds.has(v.name)).length,
      );
      const variables: CommandVariable[] = variablesInput.map((v) => ({
        id: keptIds.get(v.name) ?? (fresh.shift() as number),
        name: v.name,
        display_name: v.display_name ?? v.name,
        variable_type: v.variable_type ?? 'text',
        required: v.required ?? true,
        help_text: v.help_text ?? '',
        default_value: v.default_value ?? '',
        allow_operators: v.allow_operators ?? false,
      }));
      return {
        doc: {
          _id: id,
          name: input.name,
          command: input.command,
          description: input.description ?? '',
          platforms: platforms.map(namedRef).sort((a, b) => a.name.localeCompare(b.name)),
          command_type: input.command_type ?? 'show',
          parsing_template: input.parsing_template ?? null,
          variables,
          tags: normaliseTags(input.tags),
          custom_fields: input.custom_fields ?? {},
          created: now,
          last_updated: now,
        },
      };
    },
    present: (d, base) => ({
      id: d._id,
      url: objectUrl(base, PATHS.command, d._id),
      display: commandDisplay(d),
      name: d.name,
      command: d.command,
      description: d.description,
      platforms: d.platforms.map((p) => namedBrief(base, PATHS.platform, p)),
      command_type: d.command_type,
      parsing_template: d.parsing_template,
      variables: d.variables.map((v) => ({ ...v, allow_operators: v.allow_operators ?? false })),
      ...taggable(d),
      ...timestamps(d),
    }),
    display: commandDisplay,
  };

  const credentialSet: ResourceDefinition<CredentialSetDoc, CredentialSetCreate> = {
    entity: 'credential-set',
    objectType: 'toolkit.credentialset',
    label: 'credential set',
    path: PATHS.credentialSet,
    listSpec: credentialSetListSpec,
    briefFields: CREDENTIAL_SET_BRIEF_FIELDS,
    createSchema: credentialSetCreateSchema,
    representation: credentialSetSchema,
    patchSchema: credentialSetUpdateSchema,
    repository: repos.credentialSets,
    scope: (ctx) => (ctx.principal ? { 'owner.id': ctx.principal.id } : NOTHING),
    ownerOf: (d) => d.owner.id,
    toInput: (d) => ({
      name: d.name,
      description: d.description,
      platforms: d.platforms.map((p) => p.id),
      username: d.username,
      is_active: d.is_active,
      ...taggableInput(d),
    }),
    build: async (input, { id, now, existing, ctx, batch }) => {
      const owner =
        existing?.owner ??
        (ctx.principal ? { id: ctx.principal.id, username: ctx.principal.username } : undefined);
      if (!owner)
        throw new AppError({
          code: 'no-principal',
          category: 'forbidden',
          message: 'Credential sets belong to a user; none was given.',
        });
      const platforms = await resolveRefs(
        'platform',
        repos.platforms,
        batch,
        input.platforms ?? [],
        'platforms',
      );
      let secrets: { password: string; enable_secret: string | null };
      if (existing) {
        const stored = deps.credentialBox.open(existing.secret, String(existing._id)) as {
          password: string;
          enable_secret: string | null;
        };
        secrets = {
          password: input.password ?? stored.password,
          enable_secret:
            input.enable_secret === undefined ? stored.enable_secret : input.enable_secret,
        };
      } else {
        if (!input.password) throw AppError.validation({ password: ['This field is required.'] });
        secrets = { password: input.password, enable_secret: input.enable_secret ?? null };
      }
      const token = existing ? undefined : deps.tokens.issue();
      return {
        doc: {
          _id: id,
          owner,
          name: input.name,
          description: input.description ?? '',
          platforms: platforms.map(namedRef),
          username: input.username,
          // Re-sealed on every update: under the current key, which is how keys rotate.
          secret: deps.credentialBox.seal(secrets, String(id)),
          has_enable_secret: Boolean(secrets.enable_secret),
          token_lookup_id: token?.lookupId ?? (existing as CredentialSetDoc).token_lookup_id,
          token_hash: token?.secretHash ?? (existing as CredentialSetDoc).token_hash,
          is_active: input.is_active ?? true,
          last_used: existing?.last_used ?? null,
          tags: normaliseTags(input.tags),
          custom_fields: input.custom_fields ?? {},
          created: now,
          last_updated: now,
        },
        ...(token ? { once: { token: token.token } } : {}),
      };
    },
    present: presentCredentialSet,
    display: (d) => d.name,
    uniqueKeys: [
      { field: 'name', key: (d) => ({ 'owner.id': d.owner.id, name: d.name }), indexed: true },
    ],
  };

  services.platforms = new ResourceService(platform, resourceDeps);
  services.sites = new ResourceService(site, resourceDeps);
  services.devices = new ResourceService(device, resourceDeps);
  services.interfaces = new ResourceService(iface, resourceDeps);
  services.vlans = new ResourceService(vlan, resourceDeps);
  services.ipAddresses = new ResourceService(ipAddress, resourceDeps);
  services.commands = new ResourceService(command, resourceDeps);
  services.credentialSets = new ResourceService(credentialSet, resourceDeps);
  const byEntity = new Map<string, ResourceService<StoredBase, never>>(
    Object.values(services).map((service) => [service.def.entity, service]),
  );
  deps.transactions.setUndo(async (part) => {
    const service = byEntity.get(part.entity);
    if (!service) throw new Error(`no catalog resource undoes ${part.entity}`);
    await service.undo(part);
  });
  return services;
}

export function presentCredentialSet(d: CredentialSetDoc, base: string): Presented {
  return {
    id: d._id,
    url: objectUrl(base, PATHS.credentialSet, d._id),
    display: d.name,
    name: d.name,
    description: d.description,
    owner: { id: d.owner.id, username: d.owner.username },
    platforms: d.platforms.map((p) => namedBrief(base, PATHS.platform, p)),
    username: d.username,
    has_enable_secret: d.has_enable_secret,
    is_active: d.is_active,
    last_used: iso(d.last_used),
    ...taggable(d),
    ...timestamps(d),
  };
}

/** `"<name> (<p1>, <p2>, <p3>, +N more)"`, or just the name without platforms (the original's display). */
export function commandDisplay(d: Pick<CommandDoc, 'name' | 'platforms'>): string {
  if (d.platforms.length === 0) return d.name;
  const names = d.platforms.slice(0, 3).map((p) => p.name);
  const more = d.platforms.length - 3;
  return `${d.name} (${names.join(', ')}${more > 0 ? `, +${more} more` : ''})`;
}

/** `10.0.0.1/24` with a valid mask, or undefined. */
export function normaliseCidr(text: string): { cidr: string; family: 4 | 6 } | undefined {
  const [address, mask, ...rest] = text.trim().split('/');
  if (rest.length > 0 || !address || mask === undefined || !/^\d{1,3}$/.test(mask))
    return undefined;
  const family = isIP(address);
  if (family === 0) return undefined;
  const bits = Number(mask);
  if (bits > (family === 4 ? 32 : 128)) return undefined;
  return {
    cidr: `${family === 6 ? address.toLowerCase() : address}/${bits}`,
    family: family as 4 | 6,
  };
}
