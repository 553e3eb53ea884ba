import { z } from 'zod';
import { nameText } from '../text';
import type { ListSpec } from '@toolkit/netbox-list';

/**
 * Users, groups, object permissions and API tokens (`/api/users/...`), owned by the
 * gateway, in NetBox's shapes. Stored documents use the same field names (ids in `_id`),
 * so the list specs' paths are the stored paths.
 */
export const USERS_PATH = '/api/users/users/';
export const GROUPS_PATH = '/api/users/groups/';
export const PERMISSIONS_PATH = '/api/users/permissions/';
export const TOKENS_PATH = '/api/users/tokens/';
export const TOKEN_PROVISION_PATH = '/api/users/tokens/provision/';

/** Object types of the permission model, NetBox's `<app_label>.<model>` names. */
export const PERMISSION_OBJECT_TYPES = [
  'toolkit.command',
  'toolkit.credentialset',
  'toolkit.parsingtemplate',
  'toolkit.commandlog',
  'toolkit.execution',
  'toolkit.bulkjob',
  'dcim.device',
  'dcim.platform',
  'dcim.site',
  'dcim.interface',
  'ipam.vlan',
  'ipam.ipaddress',
  'core.objectchange',
  'users.user',
  'users.group',
  'users.objectpermission',
  'users.token',
] as const;

export const PERMISSION_ACTIONS = [
  'view',
  'add',
  'change',
  'delete',
  'execute_show',
  'execute_config',
] as const;

const id = z.number().int().positive();
const url = z.string().url();
const dateTime = z.string().datetime({ offset: true });

export const userBriefSchema = z
  .object({ id, url, display: z.string(), username: z.string() })
  .meta({ id: 'BriefUser' });

export const groupBriefSchema = z
  .object({ id, url, display: z.string(), name: z.string() })
  .meta({ id: 'BriefGroup' });

export const userSchema = z
  .object({
    id,
    url,
    display: z.string(),
    username: z.string(),
    first_name: z.string(),
    last_name: z.string(),
    email: z.string(),
    is_staff: z.boolean(),
    is_active: z.boolean(),
    is_superuser: z.boolean(),
    date_joined: dateTime,
    last_login: dateTime.nullable(),
    groups: z.array(groupBriefSchema),
  })
  .meta({ id: 'User' });

const username = z
  .string()
  .min(1)
  .max(150)
  .regex(/^[\w.@+-]+$/, { error: 'Enter a valid username: letters, digits and @/./+/-/_ only.' });

export const userWriteSchema = z
  .strictObject({
    username,
    password: z.string().min(8).max(256).optional(),
    first_name: nameText(150, 0).default(''),
    last_name: nameText(150, 0).default(''),
    email: z.union([z.literal(''), z.string().email().max(254)]).default(''),
    is_staff: z.boolean().default(false),
    is_active: z.boolean().default(true),
    is_superuser: z.boolean().default(false),
    groups: z.array(id).default([]),
  })
  .meta({ id: 'WritableUser' });

export const groupSchema = z
  .object({
    id,
    url,
    display: z.string(),
    name: z.string(),
    description: z.string(),
    user_count: z.number().int(),
  })
  .meta({ id: 'Group' });

export const groupWriteSchema = z
  .strictObject({ name: nameText(150), description: z.string().max(200).default('') })
  .meta({ id: 'WritableGroup' });

const constraintFilter = z.record(z.string(), z.unknown());
export const constraintsSchema = z
  .union([constraintFilter, z.array(constraintFilter), z.null()])
  .meta({
    description:
      'A filter (or a list of filters, OR-ed) in the list filter language, e.g. {"command_type": "show"}; null: every object.',
  });

export const objectPermissionSchema = z
  .object({
    id,
    url,
    display: z.string(),
    name: z.string(),
    description: z.string(),
    enabled: z.boolean(),
    object_types: z.array(z.string()),
    actions: z.array(z.string()),
    constraints: constraintsSchema,
    groups: z.array(groupBriefSchema),
    users: z.array(userBriefSchema),
  })
  .meta({ id: 'ObjectPermission' });

export const objectPermissionWriteSchema = z
  .strictObject({
    name: nameText(100),
    description: z.string().max(200).default(''),
    enabled: z.boolean().default(true),
    object_types: z.array(z.enum(PERMISSION_OBJECT_TYPES)).min(1),
    actions: z.array(z.enum(PERMISSION_ACTIONS)).min(1),
    constraints: constraintsSchema.default(null),
    groups: z.array(id).default([]),
    users: z.array(id).default([]),
  })
  .meta({ id: 'WritableObjectPermission' });

export const tokenSchema = z
  .object({
    id,
    url,
    display: z.string(),
    user: userBriefSchema,
    created: dateTime,
    expires: dateTime.nullable(),
    last_used: dateTime.nullable(),
    key: z.string().optional().meta({ description: 'Only in the answer that creates the token.' }),
    write_enabled: z.boolean(),
    description: z.string(),
    allowed_ips: z.array(z.string()),
  })
  .meta({ id: 'Token' });

const tokenOptions = {
  expires: dateTime.nullable().default(null),
  write_enabled: z.boolean().default(true),
  description: z.string().max(200).default(''),
  allowed_ips: z.array(z.string()).default([]),
};

export const tokenWriteSchema = z
  .strictObject({ user: id.optional(), ...tokenOptions })
  .meta({ id: 'WritableToken' });

export const tokenProvisionSchema = z
  .strictObject({
    username: nameText(150),
    password: z.string().min(1).max(256),
    ...tokenOptions,
  })
  .meta({ id: 'TokenProvision' });

export type UserRepresentation = z.output<typeof userSchema>;
export type GroupRepresentation = z.output<typeof groupSchema>;
export type ObjectPermissionRepresentation = z.output<typeof objectPermissionSchema>;
export type TokenRepresentation = z.output<typeof tokenSchema>;

export const userListSpec: ListSpec = {
  filters: [
    { name: 'id', path: '_id', type: 'integer' },
    { name: 'username', type: 'string' },
    { name: 'first_name', type: 'string' },
    { name: 'last_name', type: 'string' },
    { name: 'email', type: 'string' },
    { name: 'is_active', type: 'boolean' },
    { name: 'is_staff', type: 'boolean' },
    { name: 'is_superuser', type: 'boolean' },
    { name: 'group_id', path: 'groups', type: 'integer' },
    { name: 'date_joined', type: 'datetime' },
    { name: 'last_login', type: 'datetime' },
  ],
  ordering: { id: '_id', username: 'username', email: 'email', date_joined: 'date_joined' },
  defaultOrdering: ['username'],
  search: ['username', 'first_name', 'last_name', 'email'],
};

export const groupListSpec: ListSpec = {
  filters: [
    { name: 'id', path: '_id', type: 'integer' },
    { name: 'name', type: 'string' },
    { name: 'description', type: 'string' },
  ],
  ordering: { id: '_id', name: 'name' },
  defaultOrdering: ['name'],
  search: ['name', 'description'],
};

export const objectPermissionListSpec: ListSpec = {
  filters: [
    { name: 'id', path: '_id', type: 'integer' },
    { name: 'name', type: 'string' },
    { name: 'description', type: 'string' },
    { name: 'enabled', type: 'boolean' },
    { name: 'object_type', path: 'object_types', type: 'string' },
    { name: 'action', path: 'actions', type: 'string' },
    { name: 'user_id', path: 'users', type: 'integer' },
    { name: 'group_id', path: 'groups', type: 'integer' },
  ],
  ordering: { id: '_id', name: 'name' },
  defaultOrdering: ['name'],
  search: ['name', 'description'],
};

export const tokenListSpec: ListSpec = {
  filters: [
    { name: 'id', path: '_id', type: 'integer' },
    { name: 'user_id', path: 'user', type: 'integer' },
    { name: 'write_enabled', type: 'boolean' },
    { name: 'description', type: 'string' },
    { name: 'created', type: 'datetime' },
    { name: 'expires', type: 'datetime' },
    { name: 'last_used', type: 'datetime' },
  ],
  ordering: { id: '_id', created: 'created', expires: 'expires', last_used: 'last_used' },
  defaultOrdering: ['id'],
  search: ['description'],
};
