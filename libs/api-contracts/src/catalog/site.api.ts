import { z } from 'zod';
import { nameText } from '../text';
import type { ListSpec } from '@toolkit/netbox-list';
import {
  choiceOutputSchema,
  choiceValues,
  commonFilters,
  commonOrdering,
  nestedSiteSchema,
  objectMeta,
  slugSchema,
  taggable,
  timestampAliases,
  timestamps,
  writableTaggable,
} from './common.api';

/** `/api/dcim/sites/` */
export const SITE_PATH = '/api/dcim/sites/';

export const SITE_STATUSES = [
  { value: 'planned', label: 'Planned' },
  { value: 'staging', label: 'Staging' },
  { value: 'active', label: 'Active' },
  { value: 'decommissioning', label: 'Decommissioning' },
  { value: 'retired', label: 'Retired' },
] as const;

export const siteCreateSchema = z.object({
  name: nameText(100),
  slug: slugSchema,
  status: z.enum(choiceValues(SITE_STATUSES)).optional(),
  description: z.string().max(200).optional(),
  netbox_id: z.number().int().positive().nullable().optional(),
  ...writableTaggable,
});
export type SiteCreate = z.output<typeof siteCreateSchema>;
export const siteUpdateSchema = siteCreateSchema.partial();

export const siteSchema = z.object({
  ...objectMeta,
  name: z.string(),
  slug: z.string(),
  status: choiceOutputSchema,
  description: z.string(),
  netbox_id: z.number().int().nullable(),
  ...taggable,
  ...timestamps,
});
export const siteBriefSchema = nestedSiteSchema;
export const SITE_BRIEF_FIELDS = ['id', 'url', 'display', 'name', 'slug', 'description'] as const;

export const siteListSpec: ListSpec = {
  filters: [
    ...commonFilters({ taggable: true }),
    { name: 'name', type: 'string' },
    { name: 'slug', type: 'string' },
    { name: 'status', type: 'enum', choices: choiceValues(SITE_STATUSES) },
    { name: 'description', type: 'string' },
    { name: 'netbox_id', type: 'integer' },
  ],
  aliases: { ...timestampAliases },
  ordering: { ...commonOrdering, name: 'name', slug: 'slug', status: 'status' },
  defaultOrdering: ['name'],
  search: ['name', 'slug', 'description'],
};
