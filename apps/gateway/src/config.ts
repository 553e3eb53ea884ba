import { isIP } from 'node:net';
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

const optionalList = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );

/** An entry of TRUSTED_PROXIES: a keyword of proxy-addr, an address or a CIDR. */
function isProxySpec(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

export const gatewayConfigSchema = z
  .object({
    ...serviceEnv,
    ...kafkaEnv,
    ...mongoEnv,
    HTTP_PORT: envPort(8000),
    /** The API port is public: /metrics and the detailed /readyz are on this one only. */
    METRICS_PORT: envPort(9464),
    /** Shared secret sent to the services (x-toolkit-internal-token). */
    INTERNAL_API_TOKEN: envSecret(16),
    CATALOG_URL: envUrl(),
    ANALYTICS_URL: envUrl(),
    UPSTREAM_CONNECT_TIMEOUT_MS: envInt({ min: 50, max: 60_000, default: 2_000 }),
    /** Until response headers arrive, and idle time between body chunks (exports stream on). */
    UPSTREAM_RESPONSE_TIMEOUT_MS: envInt({ min: 100, max: 600_000, default: 30_000 }),
    /** Origins allowed by CORS, comma-separated; `*` for any; empty: CORS off. */
    CORS_ORIGINS: optionalList,
    /**
     * Proxies whose forwarding headers are believed (comma list of addresses, CIDRs, or
     * `loopback`, `linklocal`, `uniquelocal`); default none. Behind an ingress, name it:
     * otherwise every client is the ingress (one failure limiter for all of them).
     */
    TRUSTED_PROXIES: optionalList.refine((list) => list.every(isProxySpec), {
      error: 'must be addresses, CIDRs, loopback, linklocal or uniquelocal',
    }),
    /** Origin clients use (https://netbox.example.com), when the Host header cannot be trusted. */
    PUBLIC_URL: envUrl().optional(),
    /** First superuser, created idempotently at boot. */
    SUPERUSER_USERNAME: z.string().min(1).max(150).optional(),
    SUPERUSER_PASSWORD: envSecret(8).optional(),
    /** Its API token, chosen here (`nbt_<16>.<43>` or 32-128 of [A-Za-z0-9_-]). */
    SUPERUSER_API_TOKEN: envSecret(32).optional(),
    AUTH_FAILURE_LIMIT: envInt({ min: 1, max: 100_000, default: 20 }),
    AUTH_FAILURE_WINDOW_MS: envInt({ min: 1_000, max: 3_600_000, default: 60_000 }),
    /**
     * A token's record, user and permissions are reused this long without reading them
     * again (0: read on every request): a revoked token, a disabled user or a changed
     * permission takes effect on other replicas within it (on this one at once).
     */
    AUTH_CACHE_TTL_MS: envInt({ min: 0, max: 60_000, default: 1_000 }),
    /** Consumer group of the executors, counted on /api/status/. */
    EXECUTOR_GROUP_ID: z.string().min(1).default('toolkit-executor'),
    // --- executions ---
    /** Per device, a sliding window of successful executions (the original's settings). */
    RATE_LIMIT_ENABLED: envBoolean(true),
    RATE_LIMIT_DEVICE_LIMIT: envInt({ min: 1, max: 10_000, default: 10 }),
    RATE_LIMIT_WINDOW_MINUTES: envInt({ min: 1, max: 1_440, default: 5 }),
    /** Usernames and group names exempt from the device limit (comma-separated). */
    RATE_LIMIT_BYPASS_USERS: optionalList,
    RATE_LIMIT_BYPASS_GROUPS: optionalList,
    /** Authentication failures of one device login before it is refused on that device. */
    DEVICE_AUTH_FAILURE_LIMIT: envInt({ min: 1, max: 1_000, default: 3 }),
    DEVICE_AUTH_FAILURE_WINDOW_MINUTES: envInt({ min: 1, max: 1_440, default: 15 }),
    /** A synchronous execute waits for the execution's timeout plus this. */
    EXECUTION_WAIT_GRACE_MS: envInt({ min: 0, max: 120_000, default: 5_000 }),
    /** A cancel waits this long for the executor to report the cancellation (else 202). */
    EXECUTION_CANCEL_WAIT_MS: envInt({ min: 0, max: 60_000, default: 5_000 }),
    /** Live streams (`/executions/{id}/stream/`) one user may have open per replica (429 beyond). */
    STREAMS_PER_USER: envInt({ min: 1, max: 10_000, default: 20 }),
    /** Live streams a replica keeps open at most (503 beyond). */
    STREAMS_MAX: envInt({ min: 1, max: 100_000, default: 2_000 }),
    /**
     * Names this replica's completions consumer group (`<prefix>.<instance>`): default the
     * host name and a random suffix. Every replica reads every (small) completion.
     */
    GATEWAY_INSTANCE_ID: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,100}$/, { error: 'must be 1-100 of A-Z a-z 0-9 . _ -' })
      .optional(),
    /**
     * Keys the HMACs that store Idempotency-Keys and body fingerprints (default: derived from
     * INTERNAL_API_TOKEN; set it to rotate that token without forgetting the keys).
     */
    IDEMPOTENCY_KEY_SECRET: envSecret(32).optional(),
    /** The replicas' shared group that settles rate-limit reservations from completions. */
    GATEWAY_COMPLETIONS_GROUP_PREFIX: z.string().min(1).default('toolkit-gateway'),
  })
  .superRefine(refineKafkaEnv)
  .superRefine((config, ctx) => {
    if ((config.SUPERUSER_PASSWORD || config.SUPERUSER_API_TOKEN) && !config.SUPERUSER_USERNAME) {
      ctx.addIssue({
        code: 'custom',
        path: ['SUPERUSER_USERNAME'],
        message: 'is required when SUPERUSER_PASSWORD or SUPERUSER_API_TOKEN is set',
      });
    }
  });

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
