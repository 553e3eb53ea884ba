import type { ExecutionRequest, TopicContract, executionRequestSchema } from '@toolkit/contracts';
import { runKeyed } from '@toolkit/executor-domain';
import type { ExecuteRequest, ExecutionReport } from '@toolkit/executor-domain';
import type { Logger } from '@toolkit/logger';
import type { ConsumedMessage, KafkaMessaging, RunningConsumer } from '@toolkit/messaging';
import type { ExecutorMetrics } from './executor.metrics';

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
  sessionTimeoutMs: number;
  fromBeginning?: boolean;
}

/** Results this process already published, so a retried batch does not run them again. */
class RecentResults {
  private readonly map = new Map<string, ExecutionReport>();
  constructor(private readonly capacity: number) {}
  get(id: string): ExecutionReport | undefined {
    return this.map.get(id);
  }
  set(id: string, report: ExecutionReport): void {
    this.map.set(id, report);
    if (this.map.size > this.capacity) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
  }
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
  const recent = new RecentResults(10_000);
  const heartbeatEveryMs = Math.max(500, Math.floor(options.sessionTimeoutMs / 6));

  const handleOne = async (message: ConsumedMessage<ExecutionRequest>): Promise<void> => {
    const request = message.payload;
    const seen = recent.get(request.executionId);
    if (seen) {
      await options.useCase.republish(seen.result);
      return;
    }
    const started = performance.now();
    options.metrics.inFlight.inc();
    try {
      const report = await options.useCase.execute(request, message.meta.attempt);
      recent.set(request.executionId, report);
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
      logger.info(
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
    sessionTimeoutMs: options.sessionTimeoutMs,
    heartbeatIntervalMs: Math.max(300, Math.floor(options.sessionTimeoutMs / 10)),
    maxWaitTimeMs: 500,
    handleBatch: async (messages, heartbeat) => {
      const timer = setInterval(() => {
        // A rebalance answer is expected while we work: the batch still finishes and
        // commits under the current generation before this member rejoins.
        heartbeat().catch(() => undefined);
      }, heartbeatEveryMs);
      try {
        await runKeyed(messages, (m) => m.meta.key ?? String(m.payload.device.id), handleOne, {
          maxParallel: options.batchParallelism,
        });
      } finally {
        clearInterval(timer);
      }
    },
  });
}
