import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import {
  executionCancellationsTopic,
  executionCompletionsTopic,
  executionEventsTopic,
  executionRequestsTopic,
} from '@toolkit/contracts';
import { hmacFingerprints } from '@toolkit/gateway-data-access';
import type { GatewayStore } from '@toolkit/gateway-data-access';
import {
  BULK_MAX_WAIT_MS,
  BulkExecutionService,
  BulkJobStreams,
  CompletionWaiters,
  ExecutionService,
  ExecutionStreams,
  RateLimiter,
} from '@toolkit/gateway-domain';
import type { Clock, RateLimitPolicy } from '@toolkit/gateway-domain';
import type { Logger } from '@toolkit/logger';
import type { Messaging, RunningConsumer } from '@toolkit/messaging';
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
  /** Status changes and output pieces, for live streams. */
  events: typeof executionEventsTopic;
}

export const DEFAULT_EXECUTION_TOPICS: ExecutionTopics = {
  requests: executionRequestsTopic,
  cancellations: executionCancellationsTopic,
  completions: executionCompletionsTopic,
  events: executionEventsTopic,
};

/** How often live streams are swept (idle ones end, missed results are looked for). */
const STREAM_SWEEP_MS = 5_000;
/** A followed execution quiet for this long is read again (its completion may be missed). */
const STREAM_RECHECK_MS = 15_000;

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
  /** Executions as analytics recorded them, as a caller sees them (live streams). */
  reader: AnalyticsExecutionReader;
  /** The live streams of this replica (`/executions/{id}/stream/`). */
  streams: ExecutionStreams;
  /** The live bulk job streams of this replica (`/bulk-jobs/{id}/stream/`). */
  bulkStreams: BulkJobStreams;
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
  messaging: Messaging;
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
  const fingerprints = hmacFingerprints(config.IDEMPOTENCY_KEY_SECRET ?? config.INTERNAL_API_TOKEN);
  const pollIntervalsMs = options.pollIntervalsMs ?? [2_000, 4_000, 8_000, 15_000];
  const warn = (error: unknown, message: string) => log.warn({ err: error }, message);
  const reader = new AnalyticsExecutionReader(options.upstreams.analytics);
  const streams = new ExecutionStreams(() => clock.now().getTime());
  const bulkStreams = new BulkJobStreams(() => clock.now().getTime());
  // What single and bulk executions share: checks, publishing, limits, idempotency, waits.
  const shared = {
    renderer,
    bus,
    tickets: store.tickets,
    rateLimiter,
    idempotency: store.idempotencyKeys,
    fingerprints,
    waiters,
    clock,
    warn,
  };
  const service = new ExecutionService({
    ...shared,
    reader,
    newExecutionId: randomUUID,
    settings: {
      waitGraceMs: config.EXECUTION_WAIT_GRACE_MS,
      cancelWaitMs: config.EXECUTION_CANCEL_WAIT_MS,
      pollIntervalsMs,
    },
  });
  const bulkJobs = new AnalyticsBulkJobReader(options.upstreams.analytics);
  const bulk = new BulkExecutionService({
    ...shared,
    jobs: bulkJobs,
    newId: randomUUID,
    deriveId: uuidV5,
    settings: {
      waitGraceMs: config.EXECUTION_WAIT_GRACE_MS,
      maxWaitMs: BULK_MAX_WAIT_MS,
      pollIntervalsMs,
      maxBatchBytes: BULK_MESSAGE_BYTES,
      limitConcurrency: 8,
    },
  });
  const instance =
    config.GATEWAY_INSTANCE_ID ??
    `${hostname().replace(/[^A-Za-z0-9._-]/g, '-')}-${randomUUID().slice(0, 8)}`;
  let consumers: RunningConsumer[] = [];
  let purge: NodeJS.Timeout | undefined;
  let sweep: NodeJS.Timeout | undefined;
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
    reader,
    streams,
    bulkStreams,
    async start() {
      consumers = await startCompletionConsumers({
        messaging: options.messaging,
        executions: service,
        bulk,
        streams: {
          onCompletion: async (completion) => {
            await Promise.all([
              streams.onCompletion(completion.executionId),
              bulkStreams.onCompletion(completion),
            ]);
          },
        },
        topic: topics.completions,
        wakeGroupId: `${config.GATEWAY_COMPLETIONS_GROUP_PREFIX}.wake.${instance}`,
        settleGroupId: `${config.GATEWAY_COMPLETIONS_GROUP_PREFIX}.settle`,
        ...(options.maxWaitTimeMs === undefined ? {} : { maxWaitTimeMs: options.maxWaitTimeMs }),
      });
      purge = setInterval(() => {
        purgeOnce().catch((error: unknown) => log.warn({ err: error }, 'purge failed'));
      }, PURGE_EVERY_MS);
      purge.unref();
      // Every replica reads every event from its start on (its own group, nothing
      // committed): the output pieces of executions asked to stream, and status changes.
      consumers.push(
        await options.messaging.consumeBatches({
          contract: topics.events,
          fromBeginning: false,
          groupId: `${config.GATEWAY_COMPLETIONS_GROUP_PREFIX}.stream.${instance}`,
          commitOffsets: false,
          ...(options.maxWaitTimeMs === undefined ? {} : { maxWaitTimeMs: options.maxWaitTimeMs }),
          handleBatch: async (messages) => {
            for (const m of messages) {
              streams.onEvent(m.payload);
              bulkStreams.onEvent(m.payload);
            }
          },
        }),
      );
      sweep = setInterval(() => {
        Promise.all([streams.sweep(STREAM_RECHECK_MS), bulkStreams.sweep(STREAM_RECHECK_MS)]).catch(
          (error: unknown) => log.warn({ err: error }, 'stream sweep failed'),
        );
      }, STREAM_SWEEP_MS);
      sweep.unref();
      log.info({ instance }, 'reading execution completions');
    },
    release: () => {
      service.releaseWaits();
      streams.closeAll();
      bulkStreams.closeAll();
    },
    async stop() {
      clearInterval(purge);
      clearInterval(sweep);
      await Promise.all(consumers.map((c) => c.stop()));
      consumers = [];
    },
  };
}
