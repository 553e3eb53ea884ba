import { z } from 'zod';
import {
  envBoolean,
  envInt,
  envPort,
  envSecret,
  envUrl,
  kafkaEnv,
  mongoEnv,
  refineKafkaEnv,
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

export const catalogConfigSchema = z
  .object({
    ...serviceEnv,
    ...kafkaEnv,
    ...mongoEnv,
    HTTP_PORT: envPort(8101),
    /** Shared secret the gateway sends in x-toolkit-internal-token. */
    INTERNAL_API_TOKEN: envSecret(16),
    /** Also accepted while the gateways move to a new INTERNAL_API_TOKEN (rotation). */
    INTERNAL_API_TOKEN_PREVIOUS: envSecret(16).optional(),
    /** Keys sealing credential-set secrets at rest. */
    CREDENTIAL_KEYS: envKeyring(),
    /**
     * Re-seal at boot every credential set still under an older CREDENTIAL_KEYS key. Only
     * once every replica holds the current key (step 2 of the rotation, docs/deployment.md):
     * a replica without it could no longer open the sets.
     */
    CREDENTIAL_RESEAL_AT_BOOT: envBoolean(false),
    /** Keys sealing credentials for the executors (shared with gateway and executors). */
    EXECUTION_KEYS: envKeyring(),
    /**
     * How long a list query's ordered ids serve pages and counts (docs/benchmarks.md, catalog list latency):
     * this bounds how late other replicas' writes show in lists; 0 disables the cache.
     */
    LIST_CACHE_TTL_MS: envInt({ min: 0, max: 60_000, default: 2000 }),
    /** Change-log records older than this many days are deleted (hourly); 0 keeps them all. */
    CHANGELOG_RETENTION_DAYS: envInt({ min: 0, max: 36_500, default: 90 }),
    CHANGELOG_RETENTION_INTERVAL_MS: envInt({ min: 1_000, max: 86_400_000, default: 3_600_000 }),
    CHANGELOG_RETENTION_MAX_PER_RUN: envInt({ min: 1, max: 100_000_000, default: 100_000 }),
    /** Change-log lists scanning at once, and waiting; beyond that a list answers 503. */
    CHANGELOG_MAX_CONCURRENT_SCANS: envInt({ min: 1, max: 1_000, default: 4 }),
    CHANGELOG_QUEUED_SCANS: envInt({ min: 0, max: 10_000, default: 16 }),
    /**
     * A write transaction with no step for this long belongs to a dead process and is rolled
     * back (its writes, change records and events); looked for every RECOVERY_INTERVAL.
     */
    CATALOG_WRITE_ABANDON_MS: envInt({ min: 1_000, max: 86_400_000, default: 120_000 }),
    CATALOG_RECOVERY_INTERVAL_MS: envInt({ min: 100, max: 3_600_000, default: 30_000 }),
    /**
     * The community TextFSM library's directory (the one holding `index`), as
     * tools/scripts/ntc-templates.sh installs it. Unset: no library (only custom and inline
     * templates parse); set to a directory without an index: the service does not start.
     */
    TEXTFSM_TEMPLATES_DIR: z.string().min(1).optional(),
    /** NetBox importer (tools/import-netbox.ts). */
    NETBOX_URL: envUrl().optional(),
    NETBOX_TOKEN: z.string().min(1).optional(),
  })
  .superRefine(refineKafkaEnv);

export type CatalogConfig = z.output<typeof catalogConfigSchema>;
