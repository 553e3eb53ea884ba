import {
  BulkJobRepository,
  CommandLogRepository,
  ExecutionRepository,
} from '@toolkit/analytics-data-access';
import type { Infrastructure, WiredService } from '@toolkit/service';
import type { RunningConsumer } from '@toolkit/messaging';
import { createAnalyticsMetrics } from './analytics-metrics';
import { createApp } from './app';
import type { AnalyticsConfig } from './config';
import { startConsumers } from './consumers/execution.consumers';
import type { AnalyticsTopics } from './consumers/execution.consumers';
import { RetentionJob } from './retention';

/** Repositories, indexes, HTTP app, consumers and the retention job, from config. */
export async function wireAnalytics(
  infra: Infrastructure,
  config: AnalyticsConfig,
  options: { topics?: AnalyticsTopics; maxWaitTimeMs?: number } = {},
): Promise<WiredService & { retention: RetentionJob; logs: CommandLogRepository }> {
  const connection = infra.mongo.connection;
  const logs = new CommandLogRepository(connection, {
    idBlockSize: config.ANALYTICS_ID_BLOCK_SIZE,
  });
  const executions = new ExecutionRepository(connection);
  const bulkJobs = new BulkJobRepository(connection);
  await infra.mongo.ensureIndexes([...logs.models(), ...executions.models(), ...bulkJobs.models()]);
  if (config.ANALYTICS_TTL_INDEX && config.ANALYTICS_RETENTION_DAYS > 0)
    await logs.ensureTtlIndex(config.ANALYTICS_RETENTION_DAYS * 86_400);
  const metrics = createAnalyticsMetrics(infra.registry);
  const retention = new RetentionJob(
    { logs, executions, bulkJobs, logger: infra.logger, metrics },
    {
      days: config.ANALYTICS_RETENTION_DAYS,
      intervalMs: config.ANALYTICS_RETENTION_INTERVAL_MS,
      maxPerRun: config.ANALYTICS_RETENTION_MAX_PER_RUN,
    },
  );
  let consumers: RunningConsumer[] = [];
  return {
    logs,
    retention,
    app: createApp({
      ...infra,
      bodyLimitBytes: config.HTTP_BODY_LIMIT_BYTES,
      internalToken: config.INTERNAL_API_TOKEN,
      previousInternalToken: config.INTERNAL_API_TOKEN_PREVIOUS,
      logs,
      executions,
      bulkJobs,
    }),
    start: async () => {
      consumers = await startConsumers({
        messaging: infra.messaging,
        logs,
        executions,
        bulkJobs,
        metrics,
        topics: options.topics,
        groupPrefix: config.ANALYTICS_CONSUMER_GROUP_PREFIX,
        batchSize: config.ANALYTICS_BATCH_SIZE,
        consumeRequests: config.ANALYTICS_CONSUME_REQUESTS,
        maxWaitTimeMs: options.maxWaitTimeMs,
      });
      retention.start();
    },
    closers: [
      { name: 'retention', close: () => retention.stop() },
      {
        name: 'consumers',
        close: async () => void (await Promise.all(consumers.map((c) => c.stop()))),
      },
    ],
  };
}
