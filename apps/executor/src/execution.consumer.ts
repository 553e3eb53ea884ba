import type { ExecutionRequest, TopicContract, executionRequestSchema } from '@toolkit/contracts';
import { runKeyed } from '@toolkit/executor-domain';
import type { ExecuteRequest } from '@toolkit/executor-domain';
import type { Logger } from '@toolkit/logger';
import type { ConsumedMessage, KafkaMessaging, RunningConsumer } from '@toolkit/messaging';
import type { ExecutorMetrics } from './executor.metrics';
import { ResultLedger } from './result-ledger';

export interface ExecutionConsumerOptions {
  messaging: KafkaMessaging;
  contract: TopicContract<typeof executionRequestSchema>;
  groupId: string;
  useCase: ExecuteRequest;
  metrics: ExecutorMetrics;
  logger: Logger;
  partitionsConsumedConcurrently: number;
  batchParallelism: number;
  maxBatchSize: number;
  /** kafkajs `maxBytesPerPartition` (default kafkajs' 1 MiB). */
  maxBytesPerPartition?: number;
  /** Longest a fetch waits for new requests (default 500 ms). */
  maxWaitTimeMs?: number;
  sessionTimeoutMs: number;
  fromBeginning?: boolean;
}

/**
 * Kafka entry point. Each fetched batch is run with a keyed scheduler: requests for the
 * same device (message key) in order, different devices in parallel, with heartbeats
 * while SSH work goes on. The batch's offsets are committed only after every result of
 * the batch was acknowledged by the broker.
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
   * device's next command does not wait for it, the batch's offset commit does.
   */
  const handleOne = async (
    message: ConsumedMessage<ExecutionRequest>,
    acks: Promise<void>[],
  ): Promise<void> => {
    const request = message.payload;
    const seen = ledger.lookup(message);
    // A retried batch skips what the broker already has and republishes what it did not
    // acknowledge. Another delivery of a request (a rebalance after a failed commit, a
    // duplicate publish) is new to the ledger and runs through the use case: `config`
    // republishes the result stored on its claim, `show` runs again.
    if (seen === 'published') return;
    if (seen) {
      await options.useCase.republish(seen);
      ledger.published(message);
      return;
    }
    const started = performance.now();
    options.metrics.inFlight.inc();
    try {
      const report = await options.useCase.execute(request, message.meta.attempt);
      // Remembered at once: a batch retried because an acknowledgement failed republishes
      // this result instead of running the command again.
      ledger.track(message, report.result, report.acknowledged);
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
    } finally {
      options.metrics.inFlight.dec();
    }
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
    maxWaitTimeMs: options.maxWaitTimeMs ?? 500,
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
            (m) => handleOne(m, acks),
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
