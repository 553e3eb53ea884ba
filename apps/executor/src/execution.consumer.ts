import { isBatch } from '@toolkit/contracts';
import type {
  ExecutionBatch,
  ExecutionRequest,
  ExecutionRequestMessage,
  TopicContract,
  executionRequestMessageSchema,
} from '@toolkit/contracts';
import { BatchProgress, batchIdOf, runKeyed } from '@toolkit/executor-domain';
import type { BatchProgressStore, ExecuteRequest } from '@toolkit/executor-domain';
import { runWithLogContext } from '@toolkit/logger';
import type { Logger } from '@toolkit/logger';
import type { ConsumedMessage, Messaging, RunningConsumer } from '@toolkit/messaging';
import type { ExecutorMetrics } from './executor.metrics';
import { ResultLedger } from './result-ledger';

export interface ExecutionConsumerOptions {
  messaging: Messaging;
  contract: TopicContract<typeof executionRequestMessageSchema>;
  groupId: string;
  useCase: ExecuteRequest;
  /** How far each bulk batch got: a redelivered batch does not run its done items again. */
  progress: BatchProgressStore;
  metrics: ExecutorMetrics;
  logger: Logger;
  partitionsConsumedConcurrently: number;
  batchParallelism: number;
  maxBatchSize: number;
  /** kafkajs `maxBytesPerPartition` (default kafkajs' 1 MiB). */
  maxBytesPerPartition?: number;
  /** Longest a fetch waits for new requests (EXECUTOR_FETCH_MAX_WAIT_MS). */
  maxWaitTimeMs: number;
  sessionTimeoutMs: number;
  fromBeginning?: boolean;
}

/**
 * Kafka entry point. Each fetched batch is run with a keyed scheduler: requests for the
 * same device (message key) in order, different devices in parallel, with heartbeats
 * while SSH work goes on. A bulk job's message runs its device's items in order (on the
 * pool's session for the device), recording how far it got. The fetched batch's offsets
 * are committed only after every result in it was acknowledged by the broker.
 *
 * Head-of-line trade-off: a partition's next batch is fetched only when the slowest
 * device of the current batch is done, so one slow device delays (never blocks others
 * of) its batch; more partitions and `partitionsConsumedConcurrently` bound the effect.
 */
export async function startExecutionConsumer(
  options: ExecutionConsumerOptions,
): Promise<RunningConsumer> {
  const logger = options.logger.child({ module: 'execution-consumer' });
  const ledger = new ResultLedger();
  const heartbeatEveryMs = Math.max(500, Math.floor(options.sessionTimeoutMs / 6));

  /**
   * Runs one request. A result acknowledgement still in flight goes to `acks`: the
   * device's next command does not wait for it, the batch's offset commit does (resolves
   * with it). `entry` identifies the request in the ledger: the consumed
   * message, or a bulk item (a retried batch hands the same objects again).
   */
  const handleOne = async (
    entry: object,
    request: ExecutionRequest,
    attempt: number,
    acks: Promise<void>[],
    timeoutFrom?: Date,
  ): Promise<{ acknowledged: Promise<void> }> => {
    const seen = ledger.lookup(entry);
    // A retried batch skips what the broker already has and republishes what it did not
    // acknowledge. Another delivery of a request (a rebalance after a failed commit, a
    // duplicate publish) is new to the ledger and runs through the use case: `config`
    // republishes the result stored on its claim, `show` runs again.
    if (seen === 'published') return { acknowledged: Promise.resolve() };
    if (seen) {
      await options.useCase.republish(seen);
      ledger.published(entry);
      return { acknowledged: Promise.resolve() };
    }
    const started = performance.now();
    options.metrics.inFlight.inc();
    try {
      const report = await options.useCase.execute(
        request,
        attempt,
        timeoutFrom === undefined ? {} : { timeoutFrom },
      );
      // Remembered at once: a batch retried because an acknowledgement failed republishes
      // this result instead of running the command again.
      ledger.track(entry, report.result, report.acknowledged);
      if (report.acknowledged) acks.push(report.acknowledged);
      const { result } = report;
      options.metrics.executions.inc({
        platform: result.device.platform,
        outcome: result.outcome,
        error_class: result.errorClass ?? 'none',
      });
      options.metrics.executionDuration.observe(
        { platform: result.device.platform, outcome: result.outcome },
        (performance.now() - started) / 1_000,
      );
      // Per-command lines only at debug: at thousands of executions per second an info
      // line each costs real CPU; the metrics count outcomes.
      if (logger.isLevelEnabled('debug'))
        logger.debug(
          {
            executionId: request.executionId,
            device: request.device.name,
            outcome: result.outcome,
            errorClass: result.errorClass,
            path: report.path,
            durationMs: result.timings.durationMs,
          },
          'execution handled',
        );
      return { acknowledged: report.acknowledged ?? Promise.resolve() };
    } finally {
      options.metrics.inFlight.dec();
    }
  };

  /**
   * A bulk job's items for one device, in order, from the first one no earlier delivery
   * finished. Item i may start from when its turn comes, but no later than its place in the
   * job allows: the job's request time, plus the device's earlier messages' timeouts
   * (`queuedBehindMs`), plus the timeouts of the items before it; after that it is expired
   * (an executor that comes back hours later runs none of them, config or not).
   */
  const handleBatch = async (
    batch: ExecutionBatch,
    attempt: number,
    acks: Promise<void>[],
  ): Promise<void> => {
    const batchId = batchIdOf(batch);
    const done = batch.items.length > 1 ? await options.progress.doneCount(batchId) : 0;
    const progress = new BatchProgress(
      options.progress,
      batchId,
      batch.items.length,
      done,
      (error) => logger.warn({ err: error, batchId }, 'bulk progress not recorded (retrying)'),
    );
    if (done > 0)
      logger.info({ batchId, done }, 'redelivered bulk batch resumes after its done items');
    let budgetStart = Date.parse(batch.items[0]?.requestedAt ?? '') + batch.queuedBehindMs;
    for (let index = 0; index < batch.items.length; index++) {
      const item = batch.items[index] as ExecutionRequest;
      const turnFrom = budgetStart;
      budgetStart += item.timeoutMs;
      if (index < done) continue;
      // Its own timeout from its turn, within what its place in the job allows.
      const timeoutFrom = new Date(Math.min(Date.now(), turnFrom));
      const { acknowledged } = await handleOne(item, item, attempt, acks, timeoutFrom);
      acknowledged.then(
        () => progress.acknowledge(index),
        () => undefined,
      );
    }
    acks.push(progress.settled());
  };

  /**
   * In its own request's context (a fetched batch mixes requests): its log lines, and the
   * results and events it publishes, carry its correlation id.
   */
  const handleMessage = (
    message: ConsumedMessage<ExecutionRequestMessage>,
    acks: Promise<void>[],
  ): Promise<void> => {
    const { correlationId, envelope, offset } = message.meta;
    return runWithLogContext({ correlationId, eventId: envelope.eventId, offset }, async () => {
      if (isBatch(message.payload)) await handleBatch(message.payload, message.meta.attempt, acks);
      else await handleOne(message, message.payload, message.meta.attempt, acks);
    });
  };

  return options.messaging.consumeBatches({
    contract: options.contract,
    groupId: options.groupId,
    fromBeginning: options.fromBeginning ?? true,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
    maxBatchSize: options.maxBatchSize,
    ...(options.maxBytesPerPartition === undefined
      ? {}
      : { maxBytesPerPartition: options.maxBytesPerPartition }),
    sessionTimeoutMs: options.sessionTimeoutMs,
    heartbeatIntervalMs: Math.max(300, Math.floor(options.sessionTimeoutMs / 10)),
    maxWaitTimeMs: options.maxWaitTimeMs,
    handleBatch: async (messages, heartbeat) => {
      const timer = setInterval(() => {
        // A rebalance answer is expected while we work: the batch still finishes and
        // commits under the current generation before this member rejoins.
        heartbeat().catch(() => undefined);
      }, heartbeatEveryMs);
      const acks: Promise<void>[] = [];
      try {
        try {
          await runKeyed(
            messages,
            (m) => m.meta.key ?? String(m.payload.device.id),
            (m) => handleMessage(m, acks),
            { maxParallel: options.batchParallelism },
          );
        } finally {
          // Offsets are committed only after every result of the batch was acknowledged.
          await Promise.allSettled(acks);
        }
        await Promise.all(acks);
      } finally {
        clearInterval(timer);
      }
    },
  });
}
