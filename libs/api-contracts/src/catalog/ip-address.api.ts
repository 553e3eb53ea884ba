import { z } from 'zod';
import type { ListSpec } from '@toolkit/netbox-list';
import {
  choiceOutputSchema,
  choiceValues,
  commonFilters,
  commonOrdering,
  idSchema,
  nestedInterfaceSchema,
  nestedIpAddressSchema,
  objectMeta,
  taggable,
  timestampAliases,
  timestamps,
  writableTaggable,
} from './common.api';

/** `/api/ipam/ip-addresses/` */
export const IP_ADDRESS_PATH = '/api/ipam/ip-addresses/';

export const IP_ADDRESS_STATUSES = [
  { value: 'active', label: 'Active' },
  { value: 'reserved', label: 'Reserved' },
  { value: 'deprecated', label: 'Deprecated' },
  { value: 'dhcp', label: 'DHCP' },
  { value: 'slaac', label: 'SLAAC' },
] as const;

/** Address fields writable standalone and nested in a device's interface. */
export const ipAddressFields = {
  /** CIDR notation: `10.0.0.1/24`, `2001:db8::1/64`. */
  address: z.string().min(3).max(64),
  status: z.enum(choiceValues(IP_ADDRESS_STATUSES)).optional(),
  dns_name: z
    .string()
    .max(255)
    .regex(/^[A-Za-z0-9._*-]*$/, {
      error:
        'Only alphanumeric characters, hyphens, periods, underscores and asterisks are allowed in DNS names.',
    })
    .optional(),
  description: z.string().max(200).optional(),
  netbox_id: z.number().int().positive().nullable().optional(),
  ...writableTaggable,
};

export const ipAddressCreateSchema = z.object({
  ...ipAddressFields,
  /** Only `dcim.interface` is supported. */
  assigned_object_type: z.literal('dcim.interface').nullable().optional(),
  assigned_object_id: idSchema.nullable().optional(),
});
export type IpAddressCreate = z.output<typeof ipAddressCreateSchema>;
export const ipAddressUpdateSchema = ipAddressCreateSchema.partial();

export const ipAddressSchema = z.object({
  ...objectMeta,
  family: z.object({ value: z.number().int(), label: z.string() }),
  address: z.string(),
  status: choiceOutputSchema,
  dns_name: z.string(),
  description: z.string(),
  assigned_object_type: z.string().nullable(),
  assigned_object_id: z.number().int().nullable(),
  assigned_object: nestedInterfaceSchema.nullable(),
  netbox_id: z.number().int().nullable(),
  ...taggable,
  ...timestamps,
});
export const ipAddressBriefSchema = nestedIpAddressSchema;
export const IP_ADDRESS_BRIEF_FIELDS = [
  'id',
  'url',
  'display',
  'family',
  'address',
  'description',
] as const;

export const ipAddressListSpec: ListSpec = {
  filters: [
    ...commonFilters({ taggable: true }),
    { name: 'address', type: 'string' },
    { name: 'family', type: 'integer' },
    { name: 'status', type: 'enum', choices: choiceValues(IP_ADDRESS_STATUSES) },
    { name: 'dns_name', type: 'string' },
    { name: 'description', type: 'string' },
    { name: 'assigned_object_id', type: 'integer' },
    { name: 'interface_id', path: 'assigned_object_id', type: 'integer' },
    { name: 'interface', path: 'assigned_object.name', type: 'string' },
    { name: 'device_id', path: 'assigned_object.device.id', type: 'integer' },
    { name: 'device', path: 'assigned_object.device.name', type: 'string' },
    { name: 'netbox_id', type: 'integer' },
  ],
  aliases: { ...timestampAliases },
  ordering: { ...commonOrdering, address: 'address', status: 'status', dns_name: 'dns_name' },
  defaultOrdering: ['address'],
  search: ['address', 'dns_name', 'description'],
};
