import { z } from 'zod';
import { nameText } from '../text';
import type { ListSpec } from '@toolkit/netbox-list';
import {
  CATALOG_PLATFORM_DRIVERS as PLATFORM_DRIVERS,
  commonFilters,
  commonOrdering,
  nestedPlatformSchema,
  objectMeta,
  slugSchema,
  taggable,
  timestampAliases,
  timestamps,
  writableTaggable,
} from './common.api';

/** `/api/dcim/platforms/`: NetBox platforms, each mapped to an executor driver. */
export const PLATFORM_PATH = '/api/dcim/platforms/';

export const platformCreateSchema = z.object({
  name: nameText(100),
  slug: slugSchema,
  description: z.string().max(200).optional(),
  /** The executor driver; derived from the slug (and name) through the alias table when absent. */
  driver: z.enum(PLATFORM_DRIVERS).nullable().optional(),
  netbox_id: z.number().int().positive().nullable().optional(),
  ...writableTaggable,
});
export type PlatformCreate = z.output<typeof platformCreateSchema>;
export const platformUpdateSchema = platformCreateSchema.partial();

export const platformSchema = z.object({
  ...objectMeta,
  name: z.string(),
  slug: z.string(),
  description: z.string(),
  driver: z.enum(PLATFORM_DRIVERS).nullable(),
  netbox_id: z.number().int().nullable(),
  ...taggable,
  ...timestamps,
});
export const platformBriefSchema = nestedPlatformSchema;
export const PLATFORM_BRIEF_FIELDS = [
  'id',
  'url',
  'display',
  'name',
  'slug',
  'description',
] as const;

export const platformListSpec: ListSpec = {
  filters: [
    ...commonFilters({ taggable: true }),
    { name: 'name', type: 'string' },
    { name: 'slug', type: 'string' },
    { name: 'description', type: 'string' },
    { name: 'driver', type: 'enum', choices: PLATFORM_DRIVERS },
    { name: 'netbox_id', type: 'integer' },
  ],
  aliases: { ...timestampAliases },
  ordering: { ...commonOrdering, name: 'name', slug: 'slug' },
  defaultOrdering: ['name'],
  search: ['name', 'slug', 'description'],
};
