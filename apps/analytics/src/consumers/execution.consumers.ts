import type { CommandLogRepository, ExecutionRepository } from '@toolkit/analytics-data-access';
import {
  executionEventsTopic,
  executionRequestsTopic,
  executionResultsTopic,
} from '@toolkit/contracts';
import type { KafkaMessaging, RunningConsumer } from '@toolkit/messaging';
import type { AnalyticsMetrics } from '../analytics-metrics';

/** Topic contracts the consumers read; tests pass their own (unique topic names). */
export interface AnalyticsTopics {
  results: typeof executionResultsTopic;
  events: typeof executionEventsTopic;
  requests: typeof executionRequestsTopic;
}

export const DEFAULT_TOPICS: AnalyticsTopics = {
  results: executionResultsTopic,
  events: executionEventsTopic,
  requests: executionRequestsTopic,
};

export interface ConsumerDeps {
  messaging: KafkaMessaging;
  logs: CommandLogRepository;
  executions: ExecutionRepository;
  metrics: AnalyticsMetrics;
  topics?: AnalyticsTopics;
  groupPrefix: string;
  batchSize: number;
  consumeRequests: boolean;
  /** Short fetch waits in tests. */
  maxWaitTimeMs?: number;
}

async function timed<T>(
  metrics: AnalyticsMetrics,
  consumer: string,
  size: number,
  work: () => Promise<T>,
): Promise<T> {
  const stop = metrics.writeBatchDuration.startTimer({ consumer });
  const result = await work();
  stop();
  metrics.writeBatchSize.observe({ consumer }, size);
  return result;
}

/**
 * Batched consumers: each fetched batch becomes a few bulk writes (logs, rollups,
 * executions); offsets are committed by the messaging library only after the handler
 * resolved, and invalid messages are dead-lettered there.
 */
export async function startConsumers(deps: ConsumerDeps): Promise<RunningConsumer[]> {
  const topics = deps.topics ?? DEFAULT_TOPICS;
  const common = {
    fromBeginning: true,
    maxBatchSize: deps.batchSize,
    maxWaitTimeMs: deps.maxWaitTimeMs,
  };
  const consumers: RunningConsumer[] = [];
  consumers.push(
    await deps.messaging.consumeBatches({
      ...common,
      contract: topics.results,
      groupId: `${deps.groupPrefix}-results`,
      handleBatch: async (messages) => {
        const results = messages.map((m) => m.payload);
        await timed(deps.metrics, 'results', results.length, async () => {
          const outcome = await deps.logs.ingest(results);
          await deps.executions.recordResults(results, outcome.logIds);
          deps.metrics.resultsIngested.inc({ outcome: 'inserted' }, outcome.inserted);
          if (outcome.duplicates > 0)
            deps.metrics.resultsIngested.inc({ outcome: 'duplicate' }, outcome.duplicates);
        });
      },
    }),
  );
  consumers.push(
    await deps.messaging.consumeBatches({
      ...common,
      contract: topics.events,
      groupId: `${deps.groupPrefix}-events`,
      handleBatch: async (messages) => {
        await timed(deps.metrics, 'events', messages.length, () =>
          deps.executions.recordEvents(messages.map((m) => m.payload)),
        );
      },
    }),
  );
  if (deps.consumeRequests)
    consumers.push(
      await deps.messaging.consumeBatches({
        ...common,
        contract: topics.requests,
        groupId: `${deps.groupPrefix}-requests`,
        handleBatch: async (messages) => {
          await timed(deps.metrics, 'requests', messages.length, () =>
            deps.executions.recordRequests(messages.map((m) => m.payload)),
          );
        },
      }),
    );
  return consumers;
}
