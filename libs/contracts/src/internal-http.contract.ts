import { z } from 'zod';

/**
 * How the gateway calls the services behind it. Services serve the public paths
 * (`/api/dcim/devices/`, `/api/plugins/toolkit/commands/`, ...) so the gateway forwards
 * path and query unchanged; these headers carry who is asking and what they may see.
 * Services trust them only with a valid internal token.
 */
export const INTERNAL_HEADERS = {
  /** Shared secret between the gateway and the services (config INTERNAL_API_TOKEN). */
  token: 'x-toolkit-internal-token',
  /** JSON of `Principal`, base64url. */
  principal: 'x-toolkit-principal',
  /**
   * JSON of `Constraints`, base64url: for the object type and action of this request, the
   * permission constraints (filter objects in the list filter language, OR-ed). Absent or
   * `null` means unrestricted (superuser or an unconstrained permission).
   */
  constraints: 'x-toolkit-constraints',
  requestId: 'x-request-id',
  /** Set by the gateway so that `url`, `next` and `previous` are public URLs. */
  forwardedProto: 'x-forwarded-proto',
  forwardedHost: 'x-forwarded-host',
} as const;

export const principalSchema = z.object({
  id: z.number().int().positive(),
  username: z.string().min(1).max(150),
  isSuperuser: z.boolean(),
});
export type Principal = z.output<typeof principalSchema>;

export const constraintsSchema = z.array(z.record(z.string(), z.unknown())).nullable();
export type Constraints = z.output<typeof constraintsSchema>;

export function encodeHeaderJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function decodeHeaderJson<S extends z.ZodType>(
  schema: S,
  header: string | undefined,
): z.output<S> | undefined {
  if (!header) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(header, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
