import {
  DEVICE_BRIEF_FIELDS,
  DEVICE_STATUSES,
  deviceCreateSchema,
  deviceSchema,
  deviceListSpec,
  deviceUpdateSchema,
} from '@toolkit/api-contracts';
import type { DeviceCreate } from '@toolkit/api-contracts';
import { AppError } from '@toolkit/errors';
import type { DeviceDoc, IpAddressDoc, IpRef } from '../entities';
import { PATHS, choice, ipBrief, namedBrief, objectUrl } from '../presenters';
import { resolveRef } from '../references';
import type { Batch } from '../resource-service';
import type { ResourceDefinition } from '../resource-service';
import {
  unconstrained,
  taggable,
  taggableInput,
  timestamps,
  namedRef,
  storedFields,
} from './shared';
import type { ResourceEnv } from './shared';
import type { CatalogRepositories } from '../resources';

export function deviceResource({
  repos,
  services,
}: ResourceEnv): ResourceDefinition<DeviceDoc, DeviceCreate> {
  return {
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
        primaryIp(repos, input.primary_ip4, 4, id, 'primary_ip4', batch),
        primaryIp(repos, input.primary_ip6, 6, id, 'primary_ip6', batch),
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
          ...storedFields(input, now),
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
}

async function primaryIp(
  repos: CatalogRepositories,
  value: number | string | null | undefined,
  family: 4 | 6,
  deviceId: number,
  field: string,
  batch: Batch,
): Promise<IpRef | null> {
  if (value === null || value === undefined) return null;
  const [ip] =
    typeof value === 'number'
      ? [batch.get<IpAddressDoc>('ip-address', value) ?? (await repos.ipAddresses.findById(value))]
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
