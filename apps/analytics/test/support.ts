import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import {
  BulkJobRepository,
  CommandLogRepository,
  ExecutionRepository,
} from '@toolkit/analytics-data-access';
import type { ExecutionBatch, ExecutionRequest, ExecutionResult } from '@toolkit/contracts';
import {
  executionCompletionsTopic,
  executionEventsTopic,
  executionRequestsTopic,
  executionResultsTopic,
  onTopic,
} from '@toolkit/contracts';
import { INTERNAL_HEADERS, deadLetterTopic, encodeHeaderJson } from '@toolkit/contracts';
import { createMessagingMetrics } from '@toolkit/metrics';
import type { Infrastructure } from '@toolkit/service';
import {
  anExecutionRequest,
  anExecutionResult,
  connectTestInfra,
  testInfra,
} from '@toolkit/testing';
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
  infra: TestInfra & { mongoUri: string };
  app: Express;
  logs: CommandLogRepository;
  executions: ExecutionRepository;
  bulkJobs: BulkJobRepository;
}> {
  const infra = await connectTestInfra('analytics');
  const logs = new CommandLogRepository(infra.mongo.connection, { idBlockSize: 100 });
  const executions = new ExecutionRepository(infra.mongo.connection);
  const bulkJobs = new BulkJobRepository(infra.mongo.connection);
  await infra.mongo.ensureIndexes([...logs.models(), ...executions.models(), ...bulkJobs.models()]);
  const app = createApp({
    ...infra,
    bodyLimitBytes: 1024 * 1024,
    internalToken: TOKEN,
    logs,
    executions,
    bulkJobs,
    now,
  });
  return { infra, app, logs, executions, bulkJobs };
}

/** The whole service wiring (consumers on unique topics) over a fresh database. */
export async function wiredService(overrides: Record<string, string> = {}) {
  const infra = await connectTestInfra('analytics');
  const topics = uniqueTopics();
  await infra.messaging.ensureTopics(Object.values(topics), {
    partitions: 2,
    replicationFactor: 1,
  });
  // Where invalid messages go (shared; the broker does not create topics on first use).
  await infra.messaging.ensureTopics([deadLetterTopic], { partitions: 1, replicationFactor: 1 });
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

export interface BulkJobFixture {
  bulkJobId: string;
  /** One request message per device, as the gateway publishes them. */
  batches: ExecutionBatch[];
  /** Every item, by position. */
  items: ExecutionRequest[];
  /** A result for an item, overrides on top (same job, position, device, requester). */
  resultOf(position: number, overrides?: Partial<ExecutionResult>): ExecutionResult;
}

/**
 * A bulk job as the gateway publishes it: items dealt round-robin over `devices` (so a
 * device's positions are increasing but not consecutive), one batch message per device.
 */
export function aBulkJob(options: {
  devices: { id: number; name: string }[];
  items: number;
  rejected?: number;
  user?: { userId: number; username: string };
  requestedAt?: string;
  notes?: string;
}): BulkJobFixture {
  const bulkJobId = randomUUID();
  const requestedBy = options.user ?? { userId: 1, username: 'admin' };
  const requestedAt = options.requestedAt ?? new Date().toISOString();
  const rejected = options.rejected ?? 0;
  const items = Array.from({ length: options.items }, (_, position) => {
    const device = options.devices[position % options.devices.length] as {
      id: number;
      name: string;
    };
    return anExecutionRequest({
      bulkJobId,
      position,
      requestedBy,
      requestedAt,
      notes: options.notes,
      device: { ...device, host: '127.0.0.1', port: 22, platform: 'cisco_ios' },
    });
  });
  const batches: ExecutionBatch[] = options.devices.map((device) => ({
    kind: 'bulk-batch',
    bulkJobId,
    device,
    job: {
      total: options.items + rejected,
      accepted: options.items,
      rejected,
      requestedBy,
      requestedAt,
      ...(options.notes === undefined ? {} : { notes: options.notes }),
    },
    queuedBehindMs: 0,
    items: items.filter((i) => i.device.id === device.id),
  }));
  return {
    bulkJobId,
    batches,
    items,
    resultOf: (position, overrides = {}) => {
      const item = items[position] as ExecutionRequest;
      return anExecutionResult({
        executionId: item.executionId,
        bulkJobId,
        position,
        requestedBy,
        device: { id: item.device.id, name: item.device.name, platform: 'cisco_ios' },
        ...overrides,
      });
    },
  };
}

/**
 * A config run reported `unknown` (its executor stalled; the executor that got the request
 * next says so): what a later definitive result of the same execution supersedes.
 */
export function anUnknownConfigResult(overrides: Partial<ExecutionResult> = {}): ExecutionResult {
  return anExecutionResult({
    commandType: 'config',
    success: false,
    outcome: 'unknown',
    output: '',
    errorClass: 'outcome_unknown',
    errorMessage: 'A previous attempt did not report an outcome.',
    executorId: 'survivor',
    ...overrides,
  });
}
