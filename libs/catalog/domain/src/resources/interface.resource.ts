import {
  INTERFACE_BRIEF_FIELDS,
  INTERFACE_MODES,
  INTERFACE_TYPES,
  interfaceCreateSchema,
  interfaceSchema,
  interfaceListSpec,
  interfaceUpdateSchema,
} from '@toolkit/api-contracts';
import type { InterfaceCreate } from '@toolkit/api-contracts';
import { AppError } from '@toolkit/errors';
import type { InterfaceDoc } from '../entities';
import { PATHS, choice, deviceBrief, objectUrl, vlanBrief } from '../presenters';
import { resolveRef, resolveRefs } from '../references';
import type { ResourceDefinition } from '../resource-service';
import {
  unconstrained,
  taggable,
  taggableInput,
  timestamps,
  vlanRef,
  storedFields,
} from './shared';
import type { ResourceEnv } from './shared';

export function interfaceResource({
  repos,
  services,
}: ResourceEnv): ResourceDefinition<InterfaceDoc, InterfaceCreate> {
  return {
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
          ...storedFields(input, now),
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
}
