import { z } from 'zod';
import { MAX_BULK_ITEMS, constraintsSchema, parsingSpecSchema } from '@toolkit/contracts';
import {
  CATALOG_COMMAND_TYPES as COMMAND_TYPES,
  CATALOG_PLATFORM_DRIVERS as PLATFORM_DRIVERS,
  idSchema,
  sealedBoxOutputSchema as sealedBoxSchema,
} from './common.api';

/**
 * `POST /internal/render` (gateway -> catalog): renders a command for a device, resolves
 * the credentials and seals them for the executor. Internal: not in the public document.
 */
export const RENDER_PATH = '/internal/render';

export const renderCredentialsSchema = z.union([
  z.object({ credential_token: z.string().min(1).max(256) }).strict(),
  z
    .object({
      username: z.string().min(1).max(256),
      password: z.string().min(1).max(1_024),
      enable_secret: z.string().max(1_024).optional(),
    })
    .strict(),
]);

/**
 * A permission as the gateway evaluated it: `false` not granted, `null` granted on every
 * object, or granted on the objects matching one of the filters.
 */
export const grantSchema = z.union([z.literal(false), constraintsSchema]);
export type Grant = z.output<typeof grantSchema>;

export const renderRequestSchema = z.object({
  execution_id: z.uuid(),
  command_id: idSchema,
  device_id: idSchema,
  variables: z.record(z.string(), z.string()).optional(),
  credentials: renderCredentialsSchema,
  requester: z.object({ id: idSchema, username: z.string().min(1).max(150) }),
  /** What the requester may do: the command type picks the execute permission checked. */
  permissions: z.object({
    execute_show: grantSchema,
    execute_config: grantSchema,
    /** Without the execute action of its type: 403 for a command they may view, else 404. */
    view_command: grantSchema,
    view_device: grantSchema,
  }),
});
export type RenderRequest = z.output<typeof renderRequestSchema>;

export const renderResponseSchema = z.object({
  rendered_command: z.string(),
  variables: z.record(z.string(), z.string()),
  command: z.object({
    id: z.number().int(),
    name: z.string(),
    command_type: z.enum(COMMAND_TYPES),
  }),
  /**
   * The template(s) the output is to be parsed with, resolved from the command's
   * `parsing_template` for this device's platform and the rendered command (custom
   * templates first, then the library); null: not parsed.
   */
  parsing: parsingSpecSchema.nullable(),
  device: z.object({
    id: z.number().int(),
    name: z.string(),
    host: z.string(),
    port: z.number().int(),
    platform: z.enum(PLATFORM_DRIVERS),
  }),
  /** DeviceCredentials sealed with EXECUTION_KEYS; AAD = execution_id. */
  credentials: sealedBoxSchema,
  /** Device login name, for the command log. */
  username: z.string(),
  credential_set: z.object({ id: z.number().int(), name: z.string() }).nullable(),
});
export type RenderResponse = z.output<typeof renderResponseSchema>;

/**
 * `POST /internal/render/bulk` (gateway -> catalog, bulk execution): many renders for one
 * requester in one call, each item checked as `/internal/render` checks one (same order,
 * same errors), reads shared between items (a command or device named by many items is
 * read once). The answer is aligned with the items: each rendered, or refused with the
 * status and NetBox-style body `/internal/render` would have answered.
 */
export const BULK_RENDER_PATH = '/internal/render/bulk';
export const BULK_RENDER_MAX_ITEMS = MAX_BULK_ITEMS;

export const bulkRenderRequestSchema = z.object({
  requester: renderRequestSchema.shape.requester,
  permissions: renderRequestSchema.shape.permissions,
  items: z
    .array(
      renderRequestSchema.pick({
        execution_id: true,
        command_id: true,
        device_id: true,
        variables: true,
        credentials: true,
      }),
    )
    .min(1)
    .max(BULK_RENDER_MAX_ITEMS),
});
export type BulkRenderRequest = z.output<typeof bulkRenderRequestSchema>;

/** An object a refused item named that its requester may see (to report it by name). */
const namedRefSchema = z.object({ id: z.number().int(), name: z.string() });

export const bulkRenderItemSchema = z.union([
  z.object({ rendered: renderResponseSchema }),
  z.object({
    error: z.object({ status: z.number().int().min(400).max(599), body: z.looseObject({}) }),
    command: namedRefSchema.optional(),
    device: namedRefSchema.optional(),
  }),
]);
export type BulkRenderItem = z.output<typeof bulkRenderItemSchema>;

export const bulkRenderResponseSchema = z.object({ results: z.array(bulkRenderItemSchema) });
export type BulkRenderResponse = z.output<typeof bulkRenderResponseSchema>;

/**
 * `POST /internal/users/{id}/deleted` (gateway -> catalog, before and after a user is
 * deleted): what only that user could reach (their credential sets) is deleted with them,
 * recorded in the change log under the caller. Answers how many objects went.
 */
export const userDeletedPath = (userId: number) => `/internal/users/${userId}/deleted`;
export const USER_DELETED_ROUTE = '/internal/users/:id/deleted';

export const userDeletedResponseSchema = z.object({ credential_sets: z.number().int() }).strict();
export type UserDeletedResponse = z.infer<typeof userDeletedResponseSchema>;
