import {
  MAX_BULK_ITEMS,
  MAX_TIMEOUT_MS,
  deviceCredentialsSchema,
  executionCancellationsTopic,
  executionEventsTopic,
  executionRequestsTopic,
  executionResultsTopic,
} from '@toolkit/contracts';
import { readDefault } from '@toolkit/config';
import { openJson, parseKeyring } from '@toolkit/crypto';
import { BatchProgressRepository, ClaimsRepository } from '@toolkit/executor-data-access';
import { CancellationBook, ExecuteRequest } from '@toolkit/executor-domain';
import type { DeviceRunner } from '@toolkit/executor-domain';
import {
  BreakerRegistry,
  HostKeyPolicy,
  SessionPool,
  SshDeviceRunner,
} from '@toolkit/executor-ssh';
import type { BreakerSummary } from '@toolkit/executor-ssh';
import type { Logger } from '@toolkit/logger';
import type { Messaging, RunningConsumer } from '@toolkit/messaging';
import type { Registry } from '@toolkit/metrics';
import type { MongoDatabase } from '@toolkit/mongo';
import { executorConfigSchema } from './config';
import type { ExecutorConfig } from './config';
import { startExecutionConsumer } from './execution.consumer';
import { KafkaExecutionPublisher } from './execution.publisher';
import { createExecutorMetrics } from './executor.metrics';

/** Settings a caller may leave out: they take the validated configuration's defaults. */
type OptionalSetting =
  | 'EXECUTOR_KNOWN_HOSTS_FILE'
  | 'EXECUTOR_FETCH_MAX_BYTES_PER_PARTITION'
  | 'EXECUTOR_FETCH_MAX_WAIT_MS'
  | 'EXECUTOR_STARTED_EVENTS'
  | 'EXECUTOR_STARTED_EVENT_DELAY_MS';

type RequiredSetting =
  | 'EXECUTOR_ID'
  | 'EXECUTION_KEYS'
  | 'EXECUTOR_GROUP_ID'
  | 'EXECUTOR_PER_DEVICE_CONCURRENCY'
  | 'EXECUTOR_MAX_SESSIONS'
  | 'EXECUTOR_IDLE_TIMEOUT_MS'
  | 'EXECUTOR_CONNECT_TIMEOUT_MS'
  | 'EXECUTOR_MAX_COMMAND_TIMEOUT_MS'
  | 'EXECUTOR_CONNECT_RETRIES'
  | 'EXECUTOR_CONNECT_RETRY_BASE_MS'
  | 'EXECUTOR_BREAKER_ERROR_PERCENT'
  | 'EXECUTOR_BREAKER_VOLUME'
  | 'EXECUTOR_BREAKER_WINDOW_MS'
  | 'EXECUTOR_BREAKER_RESET_MS'
  | 'EXECUTOR_BREAKER_IDLE_DROP_MS'
  | 'EXECUTOR_KNOWN_HOSTS_MODE'
  | 'EXECUTOR_PARTITIONS_CONCURRENTLY'
  | 'EXECUTOR_BATCH_PARALLELISM'
  | 'EXECUTOR_MAX_BATCH_SIZE'
  | 'EXECUTOR_SESSION_TIMEOUT_MS'
  | 'EXECUTOR_CLAIM_RETENTION_DAYS';

/**
 * The executor's settings: the validated configuration's fields (ExecutorConfig), so that
 * tests and the bench can build them directly; those they leave out take the
 * configuration's own defaults (`settingOrDefault`), never a second copy of them.
 */
export type ExecutorSettings = Pick<ExecutorConfig, RequiredSetting> &
  Partial<Pick<ExecutorConfig, OptionalSetting>>;

/** A setting as given, else the configuration schema's default for it. */
export function settingOrDefault<K extends OptionalSetting>(
  s: Partial<ExecutorSettings>,
  key: K,
): ExecutorConfig[K] {
  return (s[key] ?? readDefault(executorConfigSchema, key)) as ExecutorConfig[K];
}

export interface ExecutorTopics {
  requests: typeof executionRequestsTopic;
  results: typeof executionResultsTopic;
  events: typeof executionEventsTopic;
  cancellations: typeof executionCancellationsTopic;
}

export const DEFAULT_EXECUTOR_TOPICS: ExecutorTopics = {
  requests: executionRequestsTopic,
  results: executionResultsTopic,
  events: executionEventsTopic,
  cancellations: executionCancellationsTopic,
};

/**
 * Cancellations are remembered this long: a request runs only within its timeout, counted
 * from its request time, plus this much clock skew between gateway and executor hosts.
 */
const CANCELLATION_HORIZON_MS = MAX_TIMEOUT_MS + 300_000;
/** A bulk job's last item on a device may start after all the others' timeouts. */
const JOB_CANCELLATION_HORIZON_MS = MAX_BULK_ITEMS * MAX_TIMEOUT_MS + 300_000;
const CANCELLATIONS_KEPT = 100_000;
/** Longest a start waits to have read the cancellations already published. */
const CANCELLATION_CATCH_UP_MS = 15_000;

/** Resolves once `read` has reached every partition's `last` offset (rejects after `ms`). */
async function caughtUp(
  last: ReadonlyMap<number, bigint>,
  read: ReadonlyMap<number, bigint>,
  ms: number,
): Promise<void> {
  const deadline = Date.now() + ms;
  const done = () =>
    [...last].every(([partition, offset]) => (read.get(partition) ?? -1n) >= offset);
  while (!done()) {
    if (Date.now() > deadline) throw new Error('not caught up');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface ExecutorDeps {
  settings: ExecutorSettings;
  logger: Logger;
  registry: Registry;
  messaging: Messaging;
  mongo: MongoDatabase;
  /** Tests use their own topics. */
  topics?: ExecutorTopics;
  /** Default: SSH through the session pool and the device breakers (the bench stubs it). */
  runner?: DeviceRunner;
}

export interface ExecutorStatus {
  executorId: string;
  groupId: string;
  consuming: boolean;
  sessions: { open: number; idle: number };
  breakers: BreakerSummary;
  /** Cancellations this executor remembers (read from the cancellations topic). */
  cancellations: number;
}

export interface Executor {
  readonly id: string;
  start(): Promise<void>;
  /** Stops fetching, drains in-flight work (results published, offsets committed), closes sessions. */
  stop(): Promise<void>;
  /** Stops fetching new requests while staying in the group; running ones finish. */
  pause(): void;
  /** Fetches requests again after `pause`. */
  resume(): void;
  status(): ExecutorStatus;
}

export async function createExecutor(deps: ExecutorDeps): Promise<Executor> {
  const s = deps.settings;
  const topics = deps.topics ?? DEFAULT_EXECUTOR_TOPICS;
  const logger = deps.logger.child({ module: 'executor', executorId: s.EXECUTOR_ID });
  const keyring = parseKeyring(s.EXECUTION_KEYS);
  const hostKeys = new HostKeyPolicy({
    mode: s.EXECUTOR_KNOWN_HOSTS_MODE,
    knownHostsPath: s.EXECUTOR_KNOWN_HOSTS_FILE,
    logger,
  });
  const pool = new SessionPool({
    maxSessions: s.EXECUTOR_MAX_SESSIONS,
    perDeviceLimit: s.EXECUTOR_PER_DEVICE_CONCURRENCY,
    idleTimeoutMs: s.EXECUTOR_IDLE_TIMEOUT_MS,
    connectTimeoutMs: s.EXECUTOR_CONNECT_TIMEOUT_MS,
    connectRetries: s.EXECUTOR_CONNECT_RETRIES,
    retryBaseMs: s.EXECUTOR_CONNECT_RETRY_BASE_MS,
    hostKeys,
    logger,
  });
  const breakers = new BreakerRegistry(
    {
      errorThresholdPercentage: s.EXECUTOR_BREAKER_ERROR_PERCENT,
      volumeThreshold: s.EXECUTOR_BREAKER_VOLUME,
      rollingCountTimeoutMs: s.EXECUTOR_BREAKER_WINDOW_MS,
      resetTimeoutMs: s.EXECUTOR_BREAKER_RESET_MS,
      idleDropMs: s.EXECUTOR_BREAKER_IDLE_DROP_MS,
    },
    logger,
  );
  const metrics = createExecutorMetrics(deps.registry, {
    openSessions: () => pool.openSessions,
    breakers: () => breakers.summary(),
  });
  const runner =
    deps.runner ??
    new SshDeviceRunner(pool, breakers, {
      connected: (platform, ms) => metrics.connectDuration.observe({ platform }, ms / 1_000),
    });
  const claims = new ClaimsRepository(deps.mongo.connection);
  const progress = new BatchProgressRepository(deps.mongo.connection);
  await deps.mongo.ensureIndexes([...claims.models, ...progress.models]);
  const publisher = new KafkaExecutionPublisher(deps.messaging, topics, logger);
  const cancellations = new CancellationBook({
    horizonMs: CANCELLATION_HORIZON_MS,
    jobHorizonMs: JOB_CANCELLATION_HORIZON_MS,
    maxEntries: CANCELLATIONS_KEPT,
  });
  const useCase = new ExecuteRequest({
    cancellations,
    executorId: s.EXECUTOR_ID,
    maxCommandTimeoutMs: s.EXECUTOR_MAX_COMMAND_TIMEOUT_MS,
    runner,
    claims,
    publisher,
    startedEventDelayMs: settingOrDefault(s, 'EXECUTOR_STARTED_EVENTS')
      ? settingOrDefault(s, 'EXECUTOR_STARTED_EVENT_DELAY_MS')
      : null,
    // The consumer awaits every result's acknowledgement before committing the batch.
    deferResultAck: true,
    credentials: {
      // In memory only: never logged, never stored, never published.
      open: (request) =>
        deviceCredentialsSchema.parse(openJson(keyring, request.credentials, request.executionId)),
    },
  });

  let consumer: RunningConsumer | undefined;
  let cancellationConsumer: RunningConsumer | undefined;
  let retention: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;
  return {
    id: s.EXECUTOR_ID,
    async start() {
      // Every executor reads every cancellation (a group of its own, nothing committed: each
      // start reads the topic's short retention again), and has read those published before
      // it started before it takes requests: a cancelled request must not run.
      const backlog = await deps.messaging.lastOffsets(topics.cancellations);
      const read = new Map<number, bigint>();
      cancellationConsumer = await deps.messaging.consume({
        contract: topics.cancellations,
        groupId: `${s.EXECUTOR_GROUP_ID}.cancellations.${s.EXECUTOR_ID}`,
        fromBeginning: true,
        commitOffsets: false,
        maxWaitTimeMs: settingOrDefault(s, 'EXECUTOR_FETCH_MAX_WAIT_MS'),
        handle: async ({ payload, meta }) => {
          read.set(meta.partition, BigInt(meta.offset));
          const by = payload.requestedBy.username;
          if (payload.executionId === undefined) {
            if (payload.bulkJobId !== undefined) cancellations.cancelJob(payload.bulkJobId, by);
            metrics.cancellations.inc({ effect: 'job' });
            return;
          }
          const effect = cancellations.cancel(payload.executionId, by);
          metrics.cancellations.inc({ effect });
          if (effect !== 'recorded')
            logger.info(
              { executionId: payload.executionId, effect, by: payload.requestedBy.username },
              'cancellation of a running execution',
            );
        },
      });
      await caughtUp(backlog, read, CANCELLATION_CATCH_UP_MS).catch(() =>
        logger.warn(
          { timeoutMs: CANCELLATION_CATCH_UP_MS },
          'cancellations published before this start not all read in time: taking requests anyway',
        ),
      );
      consumer = await startExecutionConsumer({
        messaging: deps.messaging,
        contract: topics.requests,
        groupId: s.EXECUTOR_GROUP_ID,
        useCase,
        progress,
        metrics,
        logger,
        partitionsConsumedConcurrently: s.EXECUTOR_PARTITIONS_CONCURRENTLY,
        batchParallelism: s.EXECUTOR_BATCH_PARALLELISM,
        maxBatchSize: s.EXECUTOR_MAX_BATCH_SIZE,
        maxBytesPerPartition: settingOrDefault(s, 'EXECUTOR_FETCH_MAX_BYTES_PER_PARTITION'),
        maxWaitTimeMs: settingOrDefault(s, 'EXECUTOR_FETCH_MAX_WAIT_MS'),
        sessionTimeoutMs: s.EXECUTOR_SESSION_TIMEOUT_MS,
      });
      retention = setInterval(() => {
        const cutoff = new Date(Date.now() - s.EXECUTOR_CLAIM_RETENTION_DAYS * 86_400_000);
        claims.purgeStartedBefore(cutoff).catch((error: unknown) => {
          logger.warn({ err: error }, 'claim retention failed');
        });
        progress.purgeUpdatedBefore(cutoff).catch((error: unknown) => {
          logger.warn({ err: error }, 'bulk progress retention failed');
        });
      }, 6 * 3_600_000);
      retention.unref();
      logger.info(
        { groupId: s.EXECUTOR_GROUP_ID, topic: topics.requests.topic },
        'executor consuming',
      );
    },
    stop() {
      stopping ??= (async () => {
        clearInterval(retention);
        await consumer?.stop();
        consumer = undefined;
        await cancellationConsumer?.stop();
        cancellationConsumer = undefined;
        await publisher.flush();
        pool.close();
        breakers.shutdown();
      })();
      return stopping;
    },
    pause: () => consumer?.pause(),
    resume: () => consumer?.resume(),
    status: () => ({
      executorId: s.EXECUTOR_ID,
      groupId: s.EXECUTOR_GROUP_ID,
      consuming: consumer?.healthy() ?? false,
      sessions: { open: pool.openSessions, idle: pool.idleSessions },
      breakers: breakers.summary(),
      cancellations: cancellations.size,
    }),
  };
}
