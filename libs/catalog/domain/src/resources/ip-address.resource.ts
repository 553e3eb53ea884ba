import { isIP } from 'node:net';
import {
  IP_ADDRESS_BRIEF_FIELDS,
  IP_ADDRESS_STATUSES,
  ipAddressCreateSchema,
  ipAddressSchema,
  ipAddressListSpec,
  ipAddressUpdateSchema,
} from '@toolkit/api-contracts';
import type { IpAddressCreate } from '@toolkit/api-contracts';
import { AppError } from '@toolkit/errors';
import type { IpAddressDoc } from '../entities';
import { PATHS, choice, deviceBrief, objectUrl } from '../presenters';
import { resolveRef } from '../references';
import type { ResourceDefinition } from '../resource-service';
import { taggable, taggableInput, timestamps, storedFields } from './shared';
import type { ResourceEnv } from './shared';

export function ipAddressResource({
  repos,
}: ResourceEnv): ResourceDefinition<IpAddressDoc, IpAddressCreate> {
  return {
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
          ...storedFields(input, now),
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
