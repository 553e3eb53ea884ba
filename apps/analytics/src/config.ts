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

export const analyticsConfigSchema = z
  .object({
    ...serviceEnv,
    ...kafkaEnv,
    ...mongoEnv,
    HTTP_PORT: envPort(8103),
    /** Shared secret the gateway sends in x-toolkit-internal-token; every API call needs it. */
    INTERNAL_API_TOKEN: envSecret(16),
    /** Also accepted while the gateways move to a new INTERNAL_API_TOKEN (rotation). */
    INTERNAL_API_TOKEN_PREVIOUS: envSecret(16).optional(),
    /** Consumer groups are `<prefix>-results`, `<prefix>-events`, `<prefix>-requests`. */
    ANALYTICS_CONSUMER_GROUP_PREFIX: z.string().min(1).default('analytics'),
    /**
     * Most results handled per batch (its write commands stay at 50-200 statements). Rollup
     * cells repeat within a batch, so larger batches send fewer upserts per result and ingest
     * faster (docs/benchmarks.md, analytics ingest).
     */
    ANALYTICS_BATCH_SIZE: envInt({ min: 1, max: 10_000, default: 1_000 }),
    /** Command log ids reserved per SequenceAllocator claim. */
    ANALYTICS_ID_BLOCK_SIZE: envInt({ min: 1, max: 100_000, default: 1_000 }),
    /** Record queued executions from toolkit.execution.requests.v1 (own consumer group). */
    ANALYTICS_CONSUME_REQUESTS: envBoolean(true),
    /** Logs and executions older than this are deleted; 0 keeps them forever. */
    ANALYTICS_RETENTION_DAYS: envInt({ min: 0, max: 36_500, default: 90 }),
    ANALYTICS_RETENTION_INTERVAL_MS: envInt({ min: 1_000, max: 86_400_000, default: 3_600_000 }),
    /** Most logs one retention run deletes (it deletes in chunks of 5,000). */
    ANALYTICS_RETENTION_MAX_PER_RUN: envInt({ min: 1, max: 100_000_000, default: 500_000 }),
    /** Also create a TTL index on execution_time (MongoDB only; FerretDB 1.24 lacks TTL). */
    ANALYTICS_TTL_INDEX: envBoolean(false),
  })
  .superRefine(refineKafkaEnv);

export type AnalyticsConfig = z.output<typeof analyticsConfigSchema>;
