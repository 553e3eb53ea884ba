import { z } from 'zod';
import {
  envInt,
  envPort,
  envSecret,
  envUrl,
  kafkaEnv,
  mongoEnv,
  serviceEnv,
} from '@toolkit/config';
import { parseKeyring } from '@toolkit/crypto';
import type { Keyring } from '@toolkit/crypto';

/** `kid:base64key,kid2:hexkey`: the first key seals, every key opens (rotation). */
function envKeyring() {
  return z.string().transform((value, ctx): Keyring => {
    try {
      return parseKeyring(value);
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `must be kid:key pairs of 32-byte keys (${(error as Error).message})`,
      });
      return z.NEVER;
    }
  });
}

export const catalogConfigSchema = z.object({
  ...serviceEnv,
  ...kafkaEnv,
  ...mongoEnv,
  HTTP_PORT: envPort(8101),
  /** Shared secret the gateway sends in x-toolkit-internal-token. */
  INTERNAL_API_TOKEN: envSecret(16),
  /** Keys sealing credential-set secrets at rest. */
  CREDENTIAL_KEYS: envKeyring(),
  /** Keys sealing credentials for the executors (shared with gateway and executors). */
  EXECUTION_KEYS: envKeyring(),
  /**
   * How long a list query's ordered ids serve pages and counts (docs/benchmarks.md, catalog list latency):
   * this bounds how late other replicas' writes show in lists; 0 disables the cache.
   */
  LIST_CACHE_TTL_MS: envInt({ min: 0, max: 60_000, default: 2000 }),
  /** NetBox importer (tools/import-netbox.ts). */
  NETBOX_URL: envUrl().optional(),
  NETBOX_TOKEN: z.string().min(1).optional(),
});

export type CatalogConfig = z.output<typeof catalogConfigSchema>;
