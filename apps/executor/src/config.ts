import { hostname } from 'node:os';
import { z } from 'zod';
import {
  envBoolean,
  envInt,
  envPort,
  envSecret,
  kafkaEnv,
  mongoEnv,
  refineKafkaEnv,
  serviceEnv,
} from '@toolkit/config';

export const KNOWN_HOSTS_MODES = ['strict', 'accept-new', 'accept-any'] as const;

export const executorConfigSchema = z
  .object({
    ...serviceEnv,
    ...kafkaEnv,
    ...mongoEnv,
    HTTP_PORT: envPort(8102),
    /** Names this replica in results and claims. */
    EXECUTOR_ID: z.string().min(1).max(100).default(`${hostname()}-${process.pid}`),
    /** Keyring that opens credential envelopes: `kid:base64key,...` (first = current). */
    EXECUTION_KEYS: envSecret(),
    EXECUTOR_GROUP_ID: z.string().min(1).max(200).default('toolkit-executor'),
    EXECUTOR_PER_DEVICE_CONCURRENCY: envInt({ min: 1, max: 32, default: 1 }),
    EXECUTOR_MAX_SESSIONS: envInt({ min: 1, max: 100_000, default: 2_000 }),
    EXECUTOR_IDLE_TIMEOUT_MS: envInt({ min: 0, max: 3_600_000, default: 60_000 }),
    EXECUTOR_CONNECT_TIMEOUT_MS: envInt({ min: 100, max: 120_000, default: 10_000 }),
    EXECUTOR_MAX_COMMAND_TIMEOUT_MS: envInt({ min: 100, max: 300_000, default: 300_000 }),
    EXECUTOR_CONNECT_RETRIES: envInt({ min: 0, max: 5, default: 2 }),
    EXECUTOR_CONNECT_RETRY_BASE_MS: envInt({ min: 10, max: 10_000, default: 250 }),
    EXECUTOR_BREAKER_ERROR_PERCENT: envInt({ min: 1, max: 100, default: 50 }),
    EXECUTOR_BREAKER_VOLUME: envInt({ min: 1, max: 1_000, default: 5 }),
    EXECUTOR_BREAKER_WINDOW_MS: envInt({ min: 100, max: 3_600_000, default: 60_000 }),
    EXECUTOR_BREAKER_RESET_MS: envInt({ min: 100, max: 3_600_000, default: 30_000 }),
    EXECUTOR_BREAKER_IDLE_DROP_MS: envInt({ min: 1_000, max: 86_400_000, default: 3_600_000 }),
    /** strict (known_hosts file), accept-new (TOFU in memory) or accept-any (explicit opt-out). */
    EXECUTOR_KNOWN_HOSTS_MODE: z.enum(KNOWN_HOSTS_MODES).default('strict'),
    EXECUTOR_KNOWN_HOSTS_FILE: z.string().min(1).optional(),
    /**
     * Partitions whose batches run at once. Above the partitions an executor is assigned,
     * so that a partition held by a slow device never holds back the others (with 4, a
     * quarter of hung devices expired the healthy devices' requests queued behind them).
     */
    EXECUTOR_PARTITIONS_CONCURRENTLY: envInt({ min: 1, max: 256, default: 64 }),
    /** Devices run in parallel inside one fetched batch. */
    EXECUTOR_BATCH_PARALLELISM: envInt({ min: 1, max: 10_000, default: 128 }),
    EXECUTOR_MAX_BATCH_SIZE: envInt({ min: 1, max: 10_000, default: 100 }),
    /**
     * Bytes of requests fetched per partition at a time (kafkajs holds a whole fetch):
     * with a backlog, this, not the batch size, bounds the raw requests in memory.
     */
    EXECUTOR_FETCH_MAX_BYTES_PER_PARTITION: envInt({
      min: 16 * 1024,
      max: 64 * 1024 * 1024,
      default: 256 * 1024,
    }),
    /**
     * Longest a fetch waits at the broker for new requests. Also how long a paused
     * consumer (kafkajs) sleeps between fetch attempts, so up to this long after a resume.
     */
    EXECUTOR_FETCH_MAX_WAIT_MS: envInt({ min: 10, max: 30_000, default: 500 }),
    EXECUTOR_SESSION_TIMEOUT_MS: envInt({ min: 6_000, max: 300_000, default: 30_000 }),
    EXECUTOR_CLAIM_RETENTION_DAYS: envInt({ min: 1, max: 3_650, default: 30 }),
    /** Publish progress events at all (`started`, then `finished`); results always go. */
    EXECUTOR_STARTED_EVENTS: envBoolean(true),
    /** Publish a request's `started` event only if it is still running this long after. */
    EXECUTOR_STARTED_EVENT_DELAY_MS: envInt({ min: 0, max: 600_000, default: 1_000 }),
  })
  .superRefine(refineKafkaEnv)
  // An idle consumer heartbeats between fetches: a fetch waiting a session timeout's length
  // would get an idle executor dropped from its group, again and again.
  .refine((c) => c.EXECUTOR_FETCH_MAX_WAIT_MS * 3 <= c.EXECUTOR_SESSION_TIMEOUT_MS, {
    error: 'must be at most a third of EXECUTOR_SESSION_TIMEOUT_MS',
    path: ['EXECUTOR_FETCH_MAX_WAIT_MS'],
  })
  .refine((c) => c.EXECUTOR_KNOWN_HOSTS_MODE !== 'strict' || c.EXECUTOR_KNOWN_HOSTS_FILE, {
    error: 'EXECUTOR_KNOWN_HOSTS_FILE is required when EXECUTOR_KNOWN_HOSTS_MODE is strict',
    path: ['EXECUTOR_KNOWN_HOSTS_FILE'],
  });

export type ExecutorConfig = z.output<typeof executorConfigSchema>;
