import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import type { DeviceCredentials, ExecutionRequest, ExecutionResult } from '@toolkit/contracts';
import {
  deadLetterTopic,
  executionCancellationsTopic,
  executionEventsTopic,
  executionRequestsTopic,
  executionResultsTopic,
  onTopic,
} from '@toolkit/contracts';
import { parseKeyring, sealJson } from '@toolkit/crypto';
import type { Logger } from '@toolkit/logger';
import { KafkaMessaging } from '@toolkit/messaging';
import type { Messaging } from '@toolkit/messaging';
import { createRegistry } from '@toolkit/metrics';
import { MongoDatabase } from '@toolkit/mongo';
import { anExecutionRequest, collectMessages, memoryLogger, testInfra } from '@toolkit/testing';
import { createExecutor } from '../src/executor';
import type { Executor, ExecutorSettings, ExecutorTopics } from '../src/executor';

/** Test support: unique topics, sealed requests, in-process executors. */

export const TEST_KEYS = `k1:${randomBytes(32).toString('base64')}`;
const keyring = parseKeyring(TEST_KEYS);

export function uniqueTopics(
  partitions = 1,
  id = randomUUID().slice(0, 8),
): ExecutorTopics & { partitions: number; id: string } {
  return {
    id,
    partitions,
    requests: onTopic(executionRequestsTopic, `test.executor.${id}.requests.v1`),
    results: onTopic(executionResultsTopic, `test.executor.${id}.results.v1`),
    events: onTopic(executionEventsTopic, `test.executor.${id}.events.v1`),
    cancellations: onTopic(executionCancellationsTopic, `test.executor.${id}.cancellations.v1`),
  };
}

export function testSettings(overrides: Partial<ExecutorSettings> = {}): ExecutorSettings {
  return {
    EXECUTOR_ID: `exec-${randomUUID().slice(0, 6)}`,
    EXECUTION_KEYS: TEST_KEYS,
    EXECUTOR_GROUP_ID: `test-executor-${randomUUID()}`,
    EXECUTOR_PER_DEVICE_CONCURRENCY: 1,
    EXECUTOR_MAX_SESSIONS: 100,
    EXECUTOR_IDLE_TIMEOUT_MS: 10_000,
    EXECUTOR_CONNECT_TIMEOUT_MS: 1_000,
    EXECUTOR_MAX_COMMAND_TIMEOUT_MS: 1_500,
    EXECUTOR_CONNECT_RETRIES: 1,
    EXECUTOR_CONNECT_RETRY_BASE_MS: 20,
    EXECUTOR_BREAKER_ERROR_PERCENT: 50,
    EXECUTOR_BREAKER_VOLUME: 2,
    EXECUTOR_BREAKER_WINDOW_MS: 30_000,
    EXECUTOR_BREAKER_RESET_MS: 1_500,
    EXECUTOR_BREAKER_IDLE_DROP_MS: 600_000,
    EXECUTOR_KNOWN_HOSTS_MODE: 'accept-new',
    EXECUTOR_PARTITIONS_CONCURRENTLY: 4,
    EXECUTOR_BATCH_PARALLELISM: 64,
    EXECUTOR_MAX_BATCH_SIZE: 500,
    EXECUTOR_SESSION_TIMEOUT_MS: 6_000,
    EXECUTOR_CLAIM_RETENTION_DAYS: 30,
    // Tests watch progress events: `started` at once (the service's default waits 1 s).
    EXECUTOR_STARTED_EVENT_DELAY_MS: 0,
    ...overrides,
  };
}

export interface DeviceRef {
  id: number;
  name: string;
  host: string;
  port: number;
  platform: ExecutionRequest['device']['platform'];
}

export function sealedRequest(
  device: DeviceRef,
  credentials: DeviceCredentials,
  overrides: Partial<ExecutionRequest> = {},
): ExecutionRequest {
  const executionId = overrides.executionId ?? randomUUID();
  return anExecutionRequest({
    device,
    timeoutMs: 5_000,
    ...overrides,
    executionId,
    credentials: sealJson(keyring, credentials, executionId),
  });
}

export interface TestNode {
  executor: Executor;
  messaging: Messaging;
  mongo: MongoDatabase;
  logger: Logger;
  logText: () => string;
  close(): Promise<void>;
}

/** A full executor over real Kafka and the MongoDB-wire server, as main.ts wires it. */
export async function startNode(
  topics: ExecutorTopics & { partitions: number },
  mongoUri: string,
  settings: ExecutorSettings,
): Promise<TestNode> {
  const { logger, text } = memoryLogger('executor');
  const messaging = new KafkaMessaging({
    service: 'executor',
    clientId: settings.EXECUTOR_ID,
    brokers: testInfra().brokers,
    logger,
  });
  const mongo = new MongoDatabase({ uri: mongoUri, logger });
  await mongo.connect();
  await messaging.connect();
  await messaging.ensureTopics(
    [topics.requests, topics.results, topics.events, topics.cancellations, deadLetterTopic],
    {
      partitions: topics.partitions,
      replicationFactor: 1,
    },
  );
  let executor: Executor;
  try {
    executor = await createExecutor({
      settings,
      logger,
      registry: createRegistry('executor', { defaultMetrics: false }),
      messaging,
      mongo,
      topics,
    });
    await executor.start();
  } catch (error) {
    // A failed start leaves no connection open behind it (Jest would not exit).
    await messaging.disconnect().catch(() => undefined);
    await mongo.disconnect().catch(() => undefined);
    throw error;
  }
  return {
    executor,
    messaging,
    mongo,
    logger,
    logText: text,
    close: async () => {
      await executor.stop();
      await messaging.disconnect();
      await mongo.disconnect();
    },
  };
}

export async function results(
  topics: ExecutorTopics,
  count: number,
  predicate: (r: ExecutionResult) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<ExecutionResult[]> {
  const messages = await collectMessages(topics.results.topic, {
    count,
    timeoutMs,
    predicate: (m) => predicate(payloadOf(m.value)),
  });
  return messages.map((m) => payloadOf(m.value));
}

export function payloadOf(value: string | null): ExecutionResult {
  return (JSON.parse(value ?? '{}') as { payload: ExecutionResult }).payload;
}

/**
 * An executor in a process of its own (executor-process.ts), for crash tests: resolves
 * once it consumes. `env` names its topics (TEST_TOPIC_ID, TEST_PARTITIONS), database
 * (TEST_MONGO_URI) and settings (TEST_SETTINGS, JSON).
 */
export function startExecutorChild(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'executor-process.ts')],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`executor process exited ${code}: ${err}`)));
  });
}
