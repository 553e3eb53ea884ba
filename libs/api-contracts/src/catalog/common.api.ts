import { z } from 'zod';
import { nameText } from '../text';
import type { FilterField } from '@toolkit/netbox-list';

/**
 * Building blocks shared by the catalog's public schemas: NetBox's nested (brief) objects,
 * tags, custom fields, and the filters every catalog list has.
 */

/** A choice field's value and label (DRF `choices` metadata and NetBox `{value, label}`). */
export interface Choice {
  value: string;
  label: string;
}

export function choiceValues<T extends readonly Choice[]>(choices: T): [string, ...string[]] {
  return choices.map((c) => c.value) as [string, ...string[]];
}

const slugPattern = /^[-a-zA-Z0-9_]+$/;
export const slugSchema = z.string().min(1).max(100).regex(slugPattern, {
  error: 'Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.',
});

/** Tags are written as a slug/name string or `{name, slug}`; read as `{name, slug, display}`. */
export const tagInputSchema = z.union([
  nameText(100),
  z
    .object({ name: nameText(100).optional(), slug: slugSchema.optional() })
    .refine((t) => t.name !== undefined || t.slug !== undefined, {
      error: 'name or slug is required',
    }),
]);
export const tagSchema = z.object({ name: z.string(), slug: z.string(), display: z.string() });

const customFieldValue = z.union([
  z.string().max(10_000),
  z.number(),
  z.boolean(),
  z.null(),
  z.array(z.union([z.string().max(10_000), z.number(), z.boolean()])).max(1_000),
]);
/** Keys must be identifiers: MongoDB-wire servers refuse keys with `.` or a leading `$`. */
export const customFieldsSchema = z.record(
  z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,49}$/, { error: 'Custom field names are identifiers.' }),
  customFieldValue,
);

export const idSchema = z.number().int().positive();

export const objectMeta = {
  id: z.number().int(),
  url: z.string(),
  display: z.string(),
};
export const timestamps = {
  created: z.string().nullable(),
  last_updated: z.string().nullable(),
};
export const taggable = {
  tags: z.array(tagSchema),
  custom_fields: z.record(z.string(), z.unknown()),
};
export const writableTaggable = {
  tags: z.array(tagInputSchema).max(100).optional(),
  custom_fields: customFieldsSchema.optional(),
};

export const nestedPlatformSchema = z.object({
  ...objectMeta,
  name: z.string(),
  slug: z.string(),
});
export const nestedSiteSchema = nestedPlatformSchema;
export const nestedDeviceSchema = z.object({ ...objectMeta, name: z.string() });
export const nestedInterfaceSchema = z.object({
  ...objectMeta,
  device: nestedDeviceSchema,
  name: z.string(),
});
export const nestedVlanSchema = z.object({
  ...objectMeta,
  vid: z.number().int(),
  name: z.string(),
});
export const nestedIpAddressSchema = z.object({
  ...objectMeta,
  family: z.number().int(),
  address: z.string(),
});
export const nestedUserSchema = z.object({ id: z.number().int(), username: z.string() });

/** `{value, label}` of a choice field on read, as NetBox renders status fields. */
export const choiceOutputSchema = z.object({ value: z.string(), label: z.string() });

/** Filters every catalog list has: id, timestamps, tag. */
export function commonFilters(options: { taggable: boolean }): FilterField[] {
  const filters: FilterField[] = [
    { name: 'id', path: '_id', type: 'integer' },
    { name: 'created', type: 'datetime' },
    { name: 'last_updated', type: 'datetime' },
  ];
  if (options.taggable)
    filters.push({ name: 'tag', path: 'tags.slug', type: 'string', lookups: ['n'] });
  return filters;
}

export const commonOrdering = {
  id: '_id',
  created: 'created',
  last_updated: 'last_updated',
} as const;

/** Filter aliases NetBox clients use for timestamps. */
export const timestampAliases = {
  created_after: 'created__gte',
  created_before: 'created__lte',
  last_updated_after: 'last_updated__gte',
  last_updated_before: 'last_updated__lte',
} as const;

/** The Kafka contracts' enums and sealed box, under the names the API schemas use: one definition. */
export {
  COMMAND_TYPES as CATALOG_COMMAND_TYPES,
  PLATFORM_DRIVERS as CATALOG_PLATFORM_DRIVERS,
  sealedBoxSchema as sealedBoxOutputSchema,
} from '@toolkit/contracts';
