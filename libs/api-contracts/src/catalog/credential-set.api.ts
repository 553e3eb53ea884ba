import { z } from 'zod';
import { nameText } from '../text';
import type { ListSpec } from '@toolkit/netbox-list';
import {
  commonFilters,
  commonOrdering,
  idSchema,
  nestedPlatformSchema,
  nestedUserSchema,
  objectMeta,
  taggable,
  timestampAliases,
  timestamps,
  writableTaggable,
} from './common.api';

/** `/api/plugins/toolkit/credential-sets/`: private to their owner; secrets write-only. */
export const CREDENTIAL_SET_PATH = '/api/plugins/toolkit/credential-sets/';
export const CREDENTIAL_TOKEN_PREFIX = 'ct';

export const credentialSetCreateSchema = z.object({
  name: nameText(100),
  description: z.string().max(2_000).optional(),
  /** Empty = every platform. */
  platforms: z.array(idSchema).max(1_000).optional(),
  username: nameText(256),
  /** Write-only. Required on create. */
  password: z.string().min(1).max(1_024).optional(),
  /** Write-only: privilege escalation (`enable`) secret. */
  enable_secret: z.string().max(1_024).nullable().optional(),
  is_active: z.boolean().optional(),
  ...writableTaggable,
});
export type CredentialSetCreate = z.output<typeof credentialSetCreateSchema>;
export const credentialSetUpdateSchema = credentialSetCreateSchema.partial();

export const credentialSetSchema = z.object({
  ...objectMeta,
  name: z.string(),
  description: z.string(),
  owner: nestedUserSchema,
  platforms: z.array(nestedPlatformSchema),
  username: z.string(),
  has_enable_secret: z.boolean(),
  is_active: z.boolean(),
  last_used: z.string().nullable(),
  /** Only in the answers to create and `regenerate-token/`: shown once. */
  token: z.string().optional(),
  ...taggable,
  ...timestamps,
});
export const CREDENTIAL_SET_BRIEF_FIELDS = ['id', 'url', 'display', 'name', 'description'] as const;

export const regenerateTokenResponseSchema = z.object({ id: z.number().int(), token: z.string() });

export const credentialSetListSpec: ListSpec = {
  filters: [
    ...commonFilters({ taggable: true }),
    { name: 'name', type: 'string' },
    { name: 'description', type: 'string' },
    { name: 'username', type: 'string' },
    { name: 'is_active', type: 'boolean' },
    { name: 'platforms', path: 'platforms.id', type: 'integer' },
    { name: 'platform_id', path: 'platforms.id', type: 'integer' },
    { name: 'platform', path: 'platforms.slug', type: 'string' },
    { name: 'last_used', type: 'datetime' },
  ],
  aliases: { ...timestampAliases, name_icontains: 'name__ic' },
  ordering: { ...commonOrdering, name: 'name', last_used: 'last_used', is_active: 'is_active' },
  defaultOrdering: ['name'],
  search: ['name', 'description', 'username'],
};
