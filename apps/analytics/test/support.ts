import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import { CommandLogRepository, ExecutionRepository } from '@toolkit/analytics-data-access';
import {
  executionCompletionsTopic,
  executionEventsTopic,
  executionRequestsTopic,
  executionResultsTopic,
  onTopic,
} from '@toolkit/contracts';
import { INTERNAL_HEADERS, encodeHeaderJson } from '@toolkit/contracts';
import { createMessagingMetrics } from '@toolkit/metrics';
import type { Infrastructure } from '@toolkit/service';
import { connectTestInfra, testInfra } from '@toolkit/testing';
import type { TestInfra } from '@toolkit/testing';
import { createApp } from '../src/app';
import { analyticsConfigSchema } from '../src/config';
import type { AnalyticsConfig } from '../src/config';
import type { AnalyticsTopics } from '../src/consumers/execution.consumers';
import { wireAnalytics } from '../src/wiring';

export const TOKEN = 'test-internal-token-0123456789';

export function uniqueTopics(): AnalyticsTopics {
  const suffix = randomUUID().slice(0, 8);
  return {
    results: onTopic(executionResultsTopic, `test.analytics.results.${suffix}`),
    events: onTopic(executionEventsTopic, `test.analytics.events.${suffix}`),
    requests: onTopic(executionRequestsTopic, `test.analytics.requests.${suffix}`),
    completions: onTopic(executionCompletionsTopic, `test.analytics.completions.${suffix}`),
  };
}

export function testConfig(overrides: Record<string, string> = {}): AnalyticsConfig {
  return analyticsConfigSchema.parse({
    KAFKA_BROKERS: testInfra().brokers.join(','),
    MONGODB_URI: testInfra().mongoUri,
    INTERNAL_API_TOKEN: TOKEN,
    ANALYTICS_CONSUMER_GROUP_PREFIX: `test-analytics-${randomUUID().slice(0, 8)}`,
    ANALYTICS_RETENTION_DAYS: '0',
    ...overrides,
  });
}

/** Repositories and an app over a fresh database, without consumers (fast). */
export async function appOnly(now?: () => Date): Promise<{
  infra: TestInfra;
  app: Express;
  logs: CommandLogRepository;
  executions: ExecutionRepository;
}> {
  const infra = await connectTestInfra('analytics');
  const logs = new CommandLogRepository(infra.mongo.connection, { idBlockSize: 100 });
  const executions = new ExecutionRepository(infra.mongo.connection);
  await infra.mongo.ensureIndexes([...logs.models(), ...executions.models()]);
  const app = createApp({
    ...infra,
    bodyLimitBytes: 1024 * 1024,
    internalToken: TOKEN,
    logs,
    executions,
    now,
  });
  return { infra, app, logs, executions };
}

/** The whole service wiring (consumers on unique topics) over a fresh database. */
export async function wiredService(overrides: Record<string, string> = {}) {
  const infra = await connectTestInfra('analytics');
  const topics = uniqueTopics();
  await infra.messaging.ensureTopics(Object.values(topics), {
    partitions: 2,
    replicationFactor: 1,
  });
  const full: Infrastructure = {
    service: 'analytics',
    logger: infra.logger,
    registry: infra.registry,
    messagingMetrics: createMessagingMetrics(infra.registry),
    messaging: infra.messaging,
    mongo: infra.mongo,
    readiness: infra.readiness,
    isShuttingDown: infra.isShuttingDown,
  };
  const wired = await wireAnalytics(full, testConfig(overrides), { topics, maxWaitTimeMs: 100 });
  await wired.start?.();
  return {
    infra,
    topics,
    wired,
    app: wired.app,
    close: async () => {
      for (const closer of wired.closers ?? []) await closer.close();
      await infra.close();
    },
  };
}

export function internalHeaders(extra: { constraints?: unknown } = {}): Record<string, string> {
  const headers: Record<string, string> = {
    [INTERNAL_HEADERS.token]: TOKEN,
    [INTERNAL_HEADERS.forwardedProto]: 'https',
    [INTERNAL_HEADERS.forwardedHost]: 'netbox.example.com',
  };
  if (extra.constraints !== undefined)
    headers[INTERNAL_HEADERS.constraints] = encodeHeaderJson(extra.constraints);
  return headers;
}

/** Deterministic PRNG (mulberry32) so property tests are reproducible from their seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
