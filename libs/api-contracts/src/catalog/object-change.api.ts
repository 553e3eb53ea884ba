import { z } from 'zod';
import type { ListSpec } from '@toolkit/netbox-list';
import { nestedUserSchema } from './common.api';

/** `/api/core/object-changes/`: the change log of catalog objects (read-only). */
export const OBJECT_CHANGE_PATH = '/api/core/object-changes/';

export const OBJECT_CHANGE_ACTIONS = [
  { value: 'create', label: 'Created' },
  { value: 'update', label: 'Updated' },
  { value: 'delete', label: 'Deleted' },
] as const;

export const objectChangeSchema = z.object({
  id: z.number().int(),
  url: z.string(),
  display: z.string(),
  time: z.string(),
  user: nestedUserSchema.nullable(),
  user_name: z.string(),
  request_id: z.string().nullable(),
  action: z.object({ value: z.string(), label: z.string() }),
  changed_object_type: z.string(),
  changed_object_id: z.number().int(),
  object_repr: z.string(),
  prechange_data: z.record(z.string(), z.unknown()).nullable(),
  postchange_data: z.record(z.string(), z.unknown()).nullable(),
});
export const OBJECT_CHANGE_BRIEF_FIELDS = [
  'id',
  'url',
  'display',
  'action',
  'changed_object_type',
  'changed_object_id',
  'time',
] as const;

export const objectChangeListSpec: ListSpec = {
  filters: [
    { name: 'id', path: '_id', type: 'integer' },
    { name: 'time', type: 'datetime' },
    { name: 'user_id', path: 'user.id', type: 'integer' },
    { name: 'user_name', type: 'string' },
    { name: 'request_id', type: 'string' },
    { name: 'action', type: 'enum', choices: ['create', 'update', 'delete'] },
    { name: 'changed_object_type', type: 'string' },
    { name: 'changed_object_id', type: 'integer' },
    { name: 'object_repr', type: 'string' },
  ],
  aliases: { time_after: 'time__gte', time_before: 'time__lte' },
  ordering: {
    id: '_id',
    time: 'time',
    user_name: 'user_name',
    changed_object_type: 'changed_object_type',
  },
  defaultOrdering: ['-time'],
  search: ['object_repr', 'user_name', 'request_id'],
};

/**
 * `POST /internal/object-changes/` (gateway only): change records of the objects the
 * gateway stores itself (users, groups, object permissions, tokens), kept in the one
 * change log under the caller the internal headers name. Snapshots are representations
 * (no password, no token key).
 */
export const OBJECT_CHANGES_INTERNAL_PATH = '/internal/object-changes/';
export const GATEWAY_OBJECT_TYPES = [
  'users.user',
  'users.group',
  'users.objectpermission',
  'users.token',
] as const;
export type GatewayObjectType = (typeof GATEWAY_OBJECT_TYPES)[number];

export const externalChangeSchema = z.strictObject({
  action: z.enum(['create', 'update', 'delete']),
  changed_object_type: z.enum(GATEWAY_OBJECT_TYPES),
  changed_object_id: z.number().int().positive(),
  object_repr: z.string().max(200),
  prechange_data: z.record(z.string(), z.unknown()).nullable(),
  postchange_data: z.record(z.string(), z.unknown()).nullable(),
});
export type ExternalChange = z.input<typeof externalChangeSchema>;
/** A change record of another service's object, as the change log stores it. */
export type ExternalChangeRecord = z.output<typeof externalChangeSchema>;

/** Most change records one call carries. */
export const MAX_EXTERNAL_CHANGES = 1_000;

export const externalChangesRequestSchema = z.strictObject({
  changes: z.array(externalChangeSchema).min(1).max(MAX_EXTERNAL_CHANGES),
});
export const externalChangesResponseSchema = z.object({ recorded: z.number().int() }).strict();
