import { z } from 'zod';
import { nameText } from '../text';
import type { ListSpec } from '@toolkit/netbox-list';
import {
  choiceOutputSchema,
  choiceValues,
  commonFilters,
  commonOrdering,
  idSchema,
  nestedDeviceSchema,
  nestedInterfaceSchema,
  nestedVlanSchema,
  objectMeta,
  taggable,
  timestampAliases,
  timestamps,
  writableTaggable,
} from './common.api';

/** `/api/dcim/interfaces/` */
export const INTERFACE_PATH = '/api/dcim/interfaces/';

export const INTERFACE_TYPES = [
  { value: 'virtual', label: 'Virtual' },
  { value: 'bridge', label: 'Bridge' },
  { value: 'lag', label: 'Link Aggregation Group (LAG)' },
  { value: '100base-tx', label: '100BASE-TX (10/100ME)' },
  { value: '1000base-t', label: '1000BASE-T (1GE)' },
  { value: '1000base-x-sfp', label: 'SFP (1GE)' },
  { value: '2.5gbase-t', label: '2.5GBASE-T (2.5GE)' },
  { value: '10gbase-t', label: '10GBASE-T (10GE)' },
  { value: '10gbase-x-sfpp', label: 'SFP+ (10GE)' },
  { value: '25gbase-x-sfp28', label: 'SFP28 (25GE)' },
  { value: '40gbase-x-qsfpp', label: 'QSFP+ (40GE)' },
  { value: '100gbase-x-qsfp28', label: 'QSFP28 (100GE)' },
  { value: 'other', label: 'Other' },
] as const;

export const INTERFACE_MODES = [
  { value: 'access', label: 'Access' },
  { value: 'tagged', label: 'Tagged' },
  { value: 'tagged-all', label: 'Tagged (All)' },
] as const;

/** Interface fields writable both standalone and nested in a device. */
export const interfaceFields = {
  name: nameText(64),
  type: z.enum(choiceValues(INTERFACE_TYPES)).optional(),
  enabled: z.boolean().optional(),
  description: z.string().max(200).optional(),
  mtu: z.number().int().min(1).max(65_536).nullable().optional(),
  mac_address: z
    .string()
    .regex(/^[0-9A-Fa-f]{2}([:.-]?[0-9A-Fa-f]{2}){5}$/, { error: 'Enter a valid MAC address.' })
    .nullable()
    .optional(),
  mode: z.enum(choiceValues(INTERFACE_MODES)).nullable().optional(),
  untagged_vlan: idSchema.nullable().optional(),
  tagged_vlans: z.array(idSchema).max(4094).optional(),
  netbox_id: z.number().int().positive().nullable().optional(),
  ...writableTaggable,
};

export const interfaceCreateSchema = z.object({ device: idSchema, ...interfaceFields });
export type InterfaceCreate = z.output<typeof interfaceCreateSchema>;
export const interfaceUpdateSchema = interfaceCreateSchema.partial();

export const interfaceSchema = z.object({
  ...objectMeta,
  device: nestedDeviceSchema,
  name: z.string(),
  type: choiceOutputSchema,
  enabled: z.boolean(),
  description: z.string(),
  mtu: z.number().int().nullable(),
  mac_address: z.string().nullable(),
  mode: choiceOutputSchema.nullable(),
  untagged_vlan: nestedVlanSchema.nullable(),
  tagged_vlans: z.array(nestedVlanSchema),
  netbox_id: z.number().int().nullable(),
  ...taggable,
  ...timestamps,
});
export const interfaceBriefSchema = nestedInterfaceSchema;
export const INTERFACE_BRIEF_FIELDS = [
  'id',
  'url',
  'display',
  'device',
  'name',
  'description',
] as const;

export const interfaceListSpec: ListSpec = {
  filters: [
    ...commonFilters({ taggable: true }),
    { name: 'name', type: 'string' },
    { name: 'device_id', path: 'device.id', type: 'integer' },
    { name: 'device', path: 'device.name', type: 'string' },
    { name: 'type', type: 'enum', choices: choiceValues(INTERFACE_TYPES) },
    { name: 'enabled', type: 'boolean' },
    { name: 'mode', type: 'enum', choices: choiceValues(INTERFACE_MODES) },
    { name: 'description', type: 'string' },
    { name: 'mac_address', type: 'string' },
    { name: 'mtu', type: 'integer' },
    { name: 'vlan_id', path: 'vlan_ids', type: 'integer' },
    { name: 'netbox_id', type: 'integer' },
  ],
  aliases: { ...timestampAliases },
  ordering: {
    ...commonOrdering,
    name: 'name',
    device: 'device.name',
    type: 'type',
    enabled: 'enabled',
  },
  defaultOrdering: ['device', 'name'],
  search: ['name', 'description', 'mac_address'],
};
