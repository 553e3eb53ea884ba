import { z } from 'zod';
import { nameText } from '../text';
import type { ListSpec } from '@toolkit/netbox-list';
import {
  choiceOutputSchema,
  choiceValues,
  commonFilters,
  commonOrdering,
  idSchema,
  nestedSiteSchema,
  nestedVlanSchema,
  objectMeta,
  taggable,
  timestampAliases,
  timestamps,
  writableTaggable,
} from './common.api';

/** `/api/ipam/vlans/` */
export const VLAN_PATH = '/api/ipam/vlans/';

export const VLAN_STATUSES = [
  { value: 'active', label: 'Active' },
  { value: 'reserved', label: 'Reserved' },
  { value: 'deprecated', label: 'Deprecated' },
] as const;

export const vlanCreateSchema = z.object({
  vid: z.number().int().min(1).max(4094),
  name: nameText(64),
  site: idSchema.nullable().optional(),
  status: z.enum(choiceValues(VLAN_STATUSES)).optional(),
  description: z.string().max(200).optional(),
  netbox_id: z.number().int().positive().nullable().optional(),
  ...writableTaggable,
});
export type VlanCreate = z.output<typeof vlanCreateSchema>;
export const vlanUpdateSchema = vlanCreateSchema.partial();

export const vlanSchema = z.object({
  ...objectMeta,
  vid: z.number().int(),
  name: z.string(),
  site: nestedSiteSchema.nullable(),
  status: choiceOutputSchema,
  description: z.string(),
  netbox_id: z.number().int().nullable(),
  ...taggable,
  ...timestamps,
});
export const vlanBriefSchema = nestedVlanSchema;
export const VLAN_BRIEF_FIELDS = ['id', 'url', 'display', 'vid', 'name', 'description'] as const;

export const vlanListSpec: ListSpec = {
  filters: [
    ...commonFilters({ taggable: true }),
    { name: 'vid', type: 'integer' },
    { name: 'name', type: 'string' },
    { name: 'site_id', path: 'site.id', type: 'integer' },
    { name: 'site', path: 'site.slug', type: 'string' },
    { name: 'status', type: 'enum', choices: choiceValues(VLAN_STATUSES) },
    { name: 'description', type: 'string' },
    { name: 'netbox_id', type: 'integer' },
  ],
  aliases: { ...timestampAliases },
  ordering: { ...commonOrdering, vid: 'vid', name: 'name', site: 'site.name', status: 'status' },
  defaultOrdering: ['site', 'vid'],
  search: ['name', 'description'],
};
