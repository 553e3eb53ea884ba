import type {
  BulkJobRepository,
  CommandLogRepository,
  ExecutionRepository,
} from '@toolkit/analytics-data-access';
import {
  completionsOf,
  jobItemsOfEvents,
  jobItemsOfRequests,
  jobItemsOfResults,
} from '@toolkit/analytics-domain';
import {
  executionCompletionsTopic,
  executionEventsTopic,
  executionRequestsTopic,
  executionResultsTopic,
  requestsOf,
} from '@toolkit/contracts';
import type { Messaging, RunningConsumer } from '@toolkit/messaging';
import type { AnalyticsMetrics } from '../analytics-metrics';

/** Topic contracts the consumers read; tests pass their own (unique topic names). */
export interface AnalyticsTopics {
  results: typeof executionResultsTopic;
  events: typeof executionEventsTopic;
  requests: typeof executionRequestsTopic;
  /** Announced once results are recorded (the gateways wait on these). */
  completions: typeof executionCompletionsTopic;
}

export const DEFAULT_TOPICS: AnalyticsTopics = {
  results: executionResultsTopic,
  events: executionEventsTopic,
  requests: executionRequestsTopic,
  completions: executionCompletionsTopic,
};

/**
 * What the consumers use of the repositories (ports: the service passes the MongoDB
 * repositories, flow tests in-memory ones).
 */
export interface ConsumerDeps {
  messaging: Messaging;
  logs: Pick<CommandLogRepository, 'ingest'>;
  executions: Pick<ExecutionRepository, 'recordResults' | 'recordEvents' | 'recordRequests'>;
  bulkJobs: Pick<BulkJobRepository, 'record'>;
  metrics: AnalyticsMetrics;
  topics?: AnalyticsTopics;
  groupPrefix: string;
  batchSize: number;
  consumeRequests: boolean;
  /** Short fetch waits in tests. */
  maxWaitTimeMs?: number;
}

/** Interval of the heartbeats sent while a batch is being written. */
export const WRITE_HEARTBEAT_MS = 3_000;

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
 * Runs `work` while heartbeating every WRITE_HEARTBEAT_MS, so that one slow command (a
 * FerretDB scan grows with the collection) never outlasts the session timeout. A failed
 * heartbeat (the group is rebalancing) is left to kafkajs: the commit after the batch
 * tells, and the batch is redelivered and deduplicated.
 */
async function withHeartbeats<T>(
  heartbeat: () => Promise<void>,
  work: (beat: () => Promise<void>) => Promise<T>,
): Promise<T> {
  const beat = () => heartbeat().catch(() => undefined);
  const timer = setInterval(() => void beat(), WRITE_HEARTBEAT_MS);
  try {
    return await work(beat);
  } finally {
    clearInterval(timer);
  }
}

/**
 * Batched consumers: each fetched batch becomes a few bulk writes (logs, rollups,
 * executions), then the bulk items it carries are folded into their jobs (with the
 * statuses the executions now hold), then one completion per finished execution is announced; offsets are committed by the messaging library only after the handler
 * resolved, and invalid messages are dead-lettered there. The repositories heartbeat
 * between write commands, so a slow database never outlasts the session timeout (a
 * handler that did not heartbeat for 30 s was evicted, its commit refused, and the same
 * batch redelivered: the FerretDB stall).
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
      handleBatch: async (messages, heartbeat) => {
        const results = messages.map((m) => m.payload);
        await timed(deps.metrics, 'results', results.length, () =>
          withHeartbeats(heartbeat, async (beat) => {
            const outcome = await deps.logs.ingest(results, beat);
            const statuses = await deps.executions.recordResults(results, outcome.logIds, beat);
            await deps.bulkJobs.record(jobItemsOfResults(results, statuses), [], beat);
            // After the writes: whoever is woken can read the execution and its log. A
            // failed publish fails the batch, which is redelivered and written again
            // (idempotently) before the completions are announced again.
            await deps.messaging.publishMany(
              topics.completions,
              completionsOf(results, statuses, outcome.logIds),
            );
            deps.metrics.resultsIngested.inc({ outcome: 'inserted' }, outcome.inserted);
            if (outcome.duplicates > 0)
              deps.metrics.resultsIngested.inc({ outcome: 'duplicate' }, outcome.duplicates);
          }),
        );
      },
    }),
  );
  consumers.push(
    await deps.messaging.consumeBatches({
      ...common,
      contract: topics.events,
      groupId: `${deps.groupPrefix}-events`,
      handleBatch: async (messages, heartbeat) => {
        // Output pieces are for live streams (the gateway); the result carries the output.
        const events = messages.map((m) => m.payload).filter((e) => e.phase !== 'output');
        if (events.length === 0) return;
        await timed(deps.metrics, 'events', events.length, () =>
          withHeartbeats(heartbeat, async (beat) => {
            const statuses = await deps.executions.recordEvents(events, beat);
            await deps.bulkJobs.record(jobItemsOfEvents(events, statuses), [], beat);
          }),
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
        handleBatch: async (messages, heartbeat) => {
          // A bulk job's device batch carries several executions and describes its job.
          const payloads = messages.map((m) => m.payload);
          const requests = payloads.flatMap(requestsOf);
          await timed(deps.metrics, 'requests', messages.length, () =>
            withHeartbeats(heartbeat, async (beat) => {
              const statuses = await deps.executions.recordRequests(requests, beat);
              await deps.bulkJobs.record(jobItemsOfRequests(requests, statuses), payloads, beat);
            }),
          );
        },
      }),
    );
  return consumers;
}
