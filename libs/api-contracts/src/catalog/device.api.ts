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
  nestedIpAddressSchema,
  nestedPlatformSchema,
  nestedSiteSchema,
  objectMeta,
  taggable,
  timestampAliases,
  timestamps,
  writableTaggable,
} from './common.api';
import { interfaceFields } from './interface.api';
import { ipAddressFields } from './ip-address.api';

/** `/api/dcim/devices/` */
export const DEVICE_PATH = '/api/dcim/devices/';

export const DEVICE_STATUSES = [
  { value: 'offline', label: 'Offline' },
  { value: 'active', label: 'Active' },
  { value: 'planned', label: 'Planned' },
  { value: 'staged', label: 'Staged' },
  { value: 'failed', label: 'Failed' },
  { value: 'inventory', label: 'Inventory' },
  { value: 'decommissioning', label: 'Decommissioning' },
] as const;

/** A primary IP is written as the id of one of the device's IP addresses, or its CIDR address. */
const primaryIpInput = z
  .union([idSchema, z.string().min(3).max(64)])
  .nullable()
  .optional();

/** Interfaces (and their IP addresses) created with the device, for inventory loads. */
export const nestedInterfaceInputSchema = z.object({
  ...interfaceFields,
  ip_addresses: z.array(z.object(ipAddressFields)).max(256).optional(),
});

export const deviceCreateSchema = z.object({
  name: nameText(64),
  platform: idSchema.nullable().optional(),
  site: idSchema.nullable().optional(),
  status: z.enum(choiceValues(DEVICE_STATUSES)).optional(),
  serial: z.string().max(50).optional(),
  description: z.string().max(200).optional(),
  /** SSH target when the device has no primary IP (a DNS name or an address). */
  host: z
    .string()
    .max(255)
    .regex(/^[A-Za-z0-9._:-]+$/, { error: 'Enter a host name or an IP address.' })
    .nullable()
    .optional(),
  port: z.number().int().min(1).max(65_535).optional(),
  primary_ip4: primaryIpInput,
  primary_ip6: primaryIpInput,
  netbox_id: z.number().int().positive().nullable().optional(),
  /** Create only: interfaces with their IP addresses, created with the device (all or nothing). */
  interfaces: z.array(nestedInterfaceInputSchema).max(4_096).optional(),
  ...writableTaggable,
});
export type DeviceCreate = z.output<typeof deviceCreateSchema>;
export const deviceUpdateSchema = deviceCreateSchema.omit({ interfaces: true }).partial();

export const deviceSchema = z.object({
  ...objectMeta,
  name: z.string(),
  platform: nestedPlatformSchema.nullable(),
  site: nestedSiteSchema.nullable(),
  status: choiceOutputSchema,
  serial: z.string(),
  description: z.string(),
  host: z.string().nullable(),
  port: z.number().int(),
  primary_ip: nestedIpAddressSchema.nullable(),
  primary_ip4: nestedIpAddressSchema.nullable(),
  primary_ip6: nestedIpAddressSchema.nullable(),
  netbox_id: z.number().int().nullable(),
  ...taggable,
  ...timestamps,
});
export const deviceBriefSchema = nestedDeviceSchema;
export const DEVICE_BRIEF_FIELDS = ['id', 'url', 'display', 'name', 'description'] as const;

export const deviceListSpec: ListSpec = {
  filters: [
    ...commonFilters({ taggable: true }),
    { name: 'name', type: 'string' },
    { name: 'status', type: 'enum', choices: choiceValues(DEVICE_STATUSES) },
    { name: 'platform_id', path: 'platform.id', type: 'integer' },
    { name: 'platform', path: 'platform.slug', type: 'string' },
    { name: 'site_id', path: 'site.id', type: 'integer' },
    { name: 'site', path: 'site.slug', type: 'string' },
    { name: 'serial', type: 'string' },
    { name: 'description', type: 'string' },
    { name: 'host', type: 'string' },
    { name: 'port', type: 'integer' },
    { name: 'primary_ip4_id', path: 'primary_ip4.id', type: 'integer' },
    { name: 'primary_ip6_id', path: 'primary_ip6.id', type: 'integer' },
    { name: 'netbox_id', type: 'integer' },
  ],
  aliases: { ...timestampAliases },
  ordering: {
    ...commonOrdering,
    name: 'name',
    status: 'status',
    platform: 'platform.name',
    site: 'site.name',
    serial: 'serial',
    port: 'port',
  },
  defaultOrdering: ['name'],
  search: ['name', 'serial', 'description', 'host'],
};
