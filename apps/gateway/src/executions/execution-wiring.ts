import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import {
  executionCancellationsTopic,
  executionCompletionsTopic,
  executionRequestsTopic,
} from '@toolkit/contracts';
import { hmacFingerprints } from '@toolkit/gateway-data-access';
import type { GatewayStore } from '@toolkit/gateway-data-access';
import {
  BULK_MAX_WAIT_MS,
  BulkExecutionService,
  CompletionWaiters,
  ExecutionService,
  RateLimiter,
} from '@toolkit/gateway-domain';
import type { Clock, RateLimitPolicy } from '@toolkit/gateway-domain';
import type { Logger } from '@toolkit/logger';
import type { KafkaMessaging, RunningConsumer } from '@toolkit/messaging';
import type { GatewayConfig } from '../config';
import type { ServiceName, UpstreamClient } from '../forwarding/upstream-client';
import { startCompletionConsumers } from './completion.consumers';
import {
  AnalyticsBulkJobReader,
  AnalyticsExecutionReader,
  CatalogRenderer,
  KafkaExecutionBus,
  uuidV5,
} from './execution-adapters';

export interface ExecutionTopics {
  requests: typeof executionRequestsTopic;
  cancellations: typeof executionCancellationsTopic;
  completions: typeof executionCompletionsTopic;
}

export const DEFAULT_EXECUTION_TOPICS: ExecutionTopics = {
  requests: executionRequestsTopic,
  cancellations: executionCancellationsTopic,
  completions: executionCompletionsTopic,
};

/** The configuration the execution wiring reads (tests build it directly). */
export type ExecutionConfig = Pick<
  GatewayConfig,
  | 'INTERNAL_API_TOKEN'
  | 'IDEMPOTENCY_KEY_SECRET'
  | 'RATE_LIMIT_ENABLED'
  | 'RATE_LIMIT_DEVICE_LIMIT'
  | 'RATE_LIMIT_WINDOW_MINUTES'
  | 'RATE_LIMIT_BYPASS_USERS'
  | 'RATE_LIMIT_BYPASS_GROUPS'
  | 'DEVICE_AUTH_FAILURE_LIMIT'
  | 'DEVICE_AUTH_FAILURE_WINDOW_MINUTES'
  | 'EXECUTION_WAIT_GRACE_MS'
  | 'EXECUTION_CANCEL_WAIT_MS'
  | 'GATEWAY_INSTANCE_ID'
  | 'GATEWAY_COMPLETIONS_GROUP_PREFIX'
>;

/** Old device-login failures, idempotency keys and tickets go this often (no TTL on FerretDB). */
const PURGE_EVERY_MS = 600_000;
const TICKETS_KEPT_MS = 86_400_000;

export function rateLimitPolicy(config: ExecutionConfig): RateLimitPolicy {
  return {
    enabled: config.RATE_LIMIT_ENABLED,
    limit: config.RATE_LIMIT_DEVICE_LIMIT,
    windowMs: config.RATE_LIMIT_WINDOW_MINUTES * 60_000,
    bypassUsers: config.RATE_LIMIT_BYPASS_USERS,
    bypassGroups: config.RATE_LIMIT_BYPASS_GROUPS,
    authFailureLimit: config.DEVICE_AUTH_FAILURE_LIMIT,
    authFailureWindowMs: config.DEVICE_AUTH_FAILURE_WINDOW_MINUTES * 60_000,
  };
}

/** Largest JSON of one device message's items: well inside Kafka's default 1 MiB limit. */
const BULK_MESSAGE_BYTES = 512 * 1024;

export interface WiredExecutions {
  service: ExecutionService;
  bulk: BulkExecutionService;
  /** Bulk jobs and their executions as analytics recorded them (streamed answers). */
  bulkJobs: AnalyticsBulkJobReader;
  /** Starts the completions consumers and the purge timer. */
  start(): Promise<void>;
  /** Ends the waits (shutdown: before the HTTP server closes). */
  release(): void;
  /** Stops the consumers and the timer. */
  stop(): Promise<void>;
}

/** The execution use case over the gateway's store, the catalog, analytics and Kafka. */
export function wireExecutions(options: {
  config: ExecutionConfig;
  store: GatewayStore;
  messaging: KafkaMessaging;
  upstreams: Record<ServiceName, UpstreamClient>;
  logger: Logger;
  clock?: Clock;
  topics?: ExecutionTopics;
  /** Defaults: 2, 4, 8 then every 15 s. */
  pollIntervalsMs?: readonly number[];
  /** Short fetch waits in tests. */
  maxWaitTimeMs?: number;
}): WiredExecutions {
  const { config, store, logger } = options;
  const topics = options.topics ?? DEFAULT_EXECUTION_TOPICS;
  const clock = options.clock ?? { now: () => new Date() };
  const log = logger.child({ module: 'executions' });
  const waiters = new CompletionWaiters();
  const renderer = new CatalogRenderer(options.upstreams.catalog);
  const bus = new KafkaExecutionBus(options.messaging, topics);
  const rateLimiter = new RateLimiter({
    store: store.rateLimits,
    policy: rateLimitPolicy(config),
    clock,
  });
  const fingerprints = hmacFingerprints(
    config.IDEMPOTENCY_KEY_SECRET ?? config.INTERNAL_API_TOKEN,
  );
  const pollIntervalsMs = options.pollIntervalsMs ?? [2_000, 4_000, 8_000, 15_000];
  const warn = (error: unknown, message: string) => log.warn({ err: error }, message);
  const service = new ExecutionService({
    renderer,
    bus,
    reader: new AnalyticsExecutionReader(options.upstreams.analytics),
    tickets: store.tickets,
    rateLimiter,
    idempotency: store.idempotencyKeys,
    fingerprints,
    waiters,
    clock,
    newExecutionId: randomUUID,
    settings: {
      waitGraceMs: config.EXECUTION_WAIT_GRACE_MS,
      cancelWaitMs: config.EXECUTION_CANCEL_WAIT_MS,
      pollIntervalsMs,
    },
    warn,
  });
  const bulkJobs = new AnalyticsBulkJobReader(options.upstreams.analytics);
  const bulk = new BulkExecutionService({
    renderer,
    bus,
    jobs: bulkJobs,
    tickets: store.tickets,
    rateLimiter,
    idempotency: store.idempotencyKeys,
    fingerprints,
    waiters,
    clock,
    newId: randomUUID,
    deriveId: uuidV5,
    settings: {
      waitGraceMs: config.EXECUTION_WAIT_GRACE_MS,
      maxWaitMs: BULK_MAX_WAIT_MS,
      pollIntervalsMs,
      maxBatchBytes: BULK_MESSAGE_BYTES,
      limitConcurrency: 8,
    },
    warn,
  });
  const instance =
    config.GATEWAY_INSTANCE_ID ??
    `${hostname().replace(/[^A-Za-z0-9._-]/g, '-')}-${randomUUID().slice(0, 8)}`;
  let consumers: RunningConsumer[] = [];
  let purge: NodeJS.Timeout | undefined;
  const policy = rateLimitPolicy(config);
  const purgeOnce = async () => {
    const now = clock.now();
    await store.rateLimits.purge(new Date(now.getTime() - policy.authFailureWindowMs));
    await store.idempotencyKeys.purge(now);
    await store.tickets.purge(new Date(now.getTime() - TICKETS_KEPT_MS));
  };
  return {
    service,
    bulk,
    bulkJobs,
    async start() {
      consumers = await startCompletionConsumers({
        messaging: options.messaging,
        executions: service,
        bulk,
        topic: topics.completions,
        wakeGroupId: `${config.GATEWAY_COMPLETIONS_GROUP_PREFIX}.wake.${instance}`,
        settleGroupId: `${config.GATEWAY_COMPLETIONS_GROUP_PREFIX}.settle`,
        ...(options.maxWaitTimeMs === undefined ? {} : { maxWaitTimeMs: options.maxWaitTimeMs }),
      });
      purge = setInterval(() => {
        purgeOnce().catch((error: unknown) => log.warn({ err: error }, 'purge failed'));
      }, PURGE_EVERY_MS);
      purge.unref();
      log.info({ instance }, 'reading execution completions');
    },
    release: () => service.releaseWaits(),
    async stop() {
      clearInterval(purge);
      await Promise.all(consumers.map((c) => c.stop()));
      consumers = [];
    },
  };
}
