import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { Kafka, logLevel } from 'kafkajs';
import request from 'supertest';
import type { Express } from 'express';
import { catalogEventsTopic, onTopic } from '@toolkit/contracts';
import { ensureCatalogIndexes } from '@toolkit/catalog-data-access';
import { createKeyring, parseKeyring } from '@toolkit/crypto';
import type { DeviceSpec, Fleet } from '@toolkit/device-sim';
import { CATALOG_PLATFORMS, startFleet } from '@toolkit/device-sim';
import { createMessagingMetrics } from '@toolkit/metrics';
import {
  connectTestInfra,
  installedTemplateLibrary,
  testInfra,
  uniqueMongoUri,
} from '@toolkit/testing';
import type { TestInfra } from '@toolkit/testing';
import { createApp as createCatalogApp } from '../../../apps/catalog/src/app';
import { analyticsConfigSchema } from '../../../apps/analytics/src/config';
import { wireAnalytics } from '../../../apps/analytics/src/wiring';
import type { ExecutorSettings } from '../../../apps/executor/src/executor';
import type { TestNode } from '../../../apps/executor/test/executor-harness';
import { TEST_KEYS, startNode, testSettings } from '../../../apps/executor/test/executor-harness';
import type { ExecutionConfig } from '../../../apps/gateway/src/executions/execution-wiring';
import type { GatewayHarness } from '../../../apps/gateway/test/support/gateway-harness';
import {
  INTERNAL_TOKEN,
  listen,
  startGatewayHarness,
} from '../../../apps/gateway/test/support/gateway-harness';
import { stackPrefix, stackTopics } from './stack-topics';
import type { StackTopics } from './stack-topics';

/** The device login of the simulated fleet. */
export const DEVICE_LOGIN = {
  username: 'netops',
  password: 'pw-S3cret!',
  enableSecret: 'en-S3cret!',
};

export interface StackOptions {
  devices: DeviceSpec[];
  executionConfig?: Partial<ExecutionConfig>;
  executor?: Partial<ExecutorSettings>;
  /** Start without an executor (requests stay queued until `startExecutor`). */
  withoutExecutor?: boolean;
  /** The gateways' execution clock (tests move it past rate-limit windows). */
  clock?: { now: () => Date };
}

export interface ExecutionStack {
  fleet: Fleet;
  topics: StackTopics;
  /** Names the topics (gateway processes of the test find them by it). */
  topicId: string;
  gateway: GatewayHarness;
  /** A second gateway replica over the same database and topics. */
  addGateway(config?: Partial<ExecutionConfig>): Promise<GatewayHarness>;
  /** Listening URLs of the catalog and analytics (for gateway processes). */
  catalogUrl: string;
  analyticsUrl: string;
  gatewayMongoUri: string;
  executor: TestNode | undefined;
  startExecutor(settings?: Partial<ExecutorSettings>): Promise<TestNode>;
  admin: { id: number; username: string; key: string };
  /** Platform ids by slug, device ids by fleet name. */
  platforms: Record<string, number>;
  devices: Record<string, number>;
  /** The gateway's API as a token holder sees it. */
  api(key: string, app?: Express): Api;
  close(): Promise<void>;
}

export interface Api {
  get(path: string): request.Test;
  post(path: string, body?: unknown, headers?: Record<string, string>): request.Test;
}

export function apiOf(app: Express, key: string): Api {
  const auth = { Authorization: `Token ${key}`, Accept: 'application/json' };
  return {
    get: (path) => request(app).get(path).set(auth),
    post: (path, body, headers = {}) =>
      request(app)
        .post(path)
        .set({ ...auth, ...headers })
        .send(body as object),
  };
}

/**
 * The four services in this process over the real Kafka and MongoDB-wire servers, each
 * with its own database, on topics of their own; simulated devices over SSH; a catalog
 * seeded through the gateway's API with the fleet's platforms and devices.
 */
export async function startExecutionStack(options: StackOptions): Promise<ExecutionStack> {
  const topicId = randomUUID().slice(0, 8);
  const topics = stackTopics(topicId);
  const fleet = await startFleet({
    devices: options.devices,
    username: DEVICE_LOGIN.username,
    password: DEVICE_LOGIN.password,
    enableSecret: DEVICE_LOGIN.enableSecret,
  });
  const closers: (() => Promise<void>)[] = [() => fleet.close()];
  const servers: { close: () => Promise<void> }[] = [];

  // Catalog: the execution key it seals with is the executors' (TEST_KEYS).
  const catalogInfra: TestInfra = await connectTestInfra('catalog');
  closers.push(() => catalogInfra.close());
  await ensureCatalogIndexes(catalogInfra.mongo);
  const eventsTopic = onTopic(
    catalogEventsTopic,
    `test.stack.${randomUUID().slice(0, 8)}.catalog.v1`,
  );
  await catalogInfra.messaging.ensureTopics([eventsTopic], { partitions: 1, replicationFactor: 1 });
  const catalog = await listen(
    createCatalogApp({
      ...catalogInfra,
      bodyLimitBytes: 1024 * 1024,
      internalToken: INTERNAL_TOKEN,
      credentialKeys: createKeyring('c1', { c1: Buffer.alloc(32, 7) }),
      executionKeys: parseKeyring(TEST_KEYS),
      eventsTopic,
      listCacheTtlMs: 0,
      templateLibrary: installedTemplateLibrary(),
    }),
  );
  servers.push(catalog);

  // Analytics: consumers on the stack's topics; it announces completions.
  const analyticsInfra = await connectTestInfra('analytics');
  closers.push(() => analyticsInfra.close());
  await analyticsInfra.messaging.ensureTopics(Object.values(topics), {
    partitions: 2,
    replicationFactor: 1,
  });
  const analytics = await wireAnalytics(
    {
      service: 'analytics',
      logger: analyticsInfra.logger,
      registry: analyticsInfra.registry,
      messagingMetrics: createMessagingMetrics(analyticsInfra.registry),
      messaging: analyticsInfra.messaging,
      mongo: analyticsInfra.mongo,
      readiness: analyticsInfra.readiness,
      isShuttingDown: () => false,
    },
    analyticsConfigSchema.parse({
      KAFKA_BROKERS: testInfra().brokers.join(','),
      MONGODB_URI: testInfra().mongoUri,
      INTERNAL_API_TOKEN: INTERNAL_TOKEN,
      ANALYTICS_CONSUMER_GROUP_PREFIX: `test-stack-analytics-${randomUUID().slice(0, 8)}`,
      ANALYTICS_RETENTION_DAYS: '0',
    }),
    { topics, maxWaitTimeMs: 50 },
  );
  await analytics.start?.();
  closers.push(async () => {
    for (const closer of analytics.closers ?? []) await closer.close();
  });
  const analyticsServer = await listen(analytics.app);
  servers.push(analyticsServer);

  const gatewayHarness = (config: Partial<ExecutionConfig> = {}, shared?: GatewayHarness) =>
    startGatewayHarness({
      catalogUrl: catalog.url,
      analyticsUrl: analyticsServer.url,
      responseTimeoutMs: 10_000,
      executionConfig: { ...options.executionConfig, ...config },
      executionTopics: topics,
      startExecutions: true,
      ...(shared ? { mongoUri: shared.infra.mongoUri } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
  const gateway = await gatewayHarness();
  const extraGateways: GatewayHarness[] = [];

  let executor: TestNode | undefined;
  const startExecutor = async (settings: Partial<ExecutorSettings> = {}) => {
    executor = await startNode(
      { ...topics, partitions: 2 },
      uniqueMongoUri('executor'),
      testSettings({
        EXECUTOR_MAX_COMMAND_TIMEOUT_MS: 60_000,
        EXECUTOR_FETCH_MAX_WAIT_MS: 50,
        ...options.executor,
        ...settings,
      }),
    );
    stack.executor = executor;
    return executor;
  };

  const admin = await gateway.user({ superuser: true });
  const api = apiOf(gateway.app, admin.key);
  const platforms: Record<string, number> = {};
  const devices: Record<string, number> = {};
  for (const platform of new Set(options.devices.map((d) => d.platform))) {
    const spec = CATALOG_PLATFORMS[platform] ?? { name: platform, slug: platform };
    const created = await api.post('/api/dcim/platforms/', spec);
    if (created.status !== 201) throw new Error(`platform: ${JSON.stringify(created.body)}`);
    platforms[platform] = created.body.id;
  }
  for (const device of fleet.inventory.devices) {
    const created = await api.post('/api/dcim/devices/', {
      name: device.name,
      platform: platforms[device.platform],
      host: fleet.host,
      port: device.port,
      interfaces: device.interfaces.slice(0, 8).map((i) => ({
        name: i.name,
        type: 'virtual',
        enabled: i.enabled,
        ...(i.ipv4 ? { ip_addresses: [{ address: i.ipv4 }] } : {}),
      })),
    });
    if (created.status !== 201) throw new Error(`device: ${JSON.stringify(created.body)}`);
    devices[device.name] = created.body.id;
  }

  const stack: ExecutionStack = {
    fleet,
    topics,
    topicId,
    gateway,
    async addGateway(config = {}) {
      const replica = await gatewayHarness(config, gateway);
      extraGateways.push(replica);
      return replica;
    },
    catalogUrl: catalog.url,
    analyticsUrl: analyticsServer.url,
    gatewayMongoUri: gateway.infra.mongoUri,
    executor,
    startExecutor,
    admin,
    platforms,
    devices,
    api: (key, app = gateway.app) => apiOf(app, key),
    async close() {
      await Promise.allSettled(extraGateways.map((g) => g.close()));
      await stack.executor?.close();
      await gateway.close();
      for (const server of servers) await server.close();
      for (const close of closers.reverse()) await close();
      await deleteTopics(stackPrefix(topicId));
    },
  };
  if (!options.withoutExecutor) await startExecutor();
  return stack;
}

/**
 * The stack's topics (the in-process services' and those gateway processes created under its
 * prefix): a local broker keeps every topic of every run otherwise, and its open-files
 * limit is reached after some thousands of partitions.
 */
async function deleteTopics(prefix: string): Promise<void> {
  const admin = new Kafka({ brokers: testInfra().brokers, logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
  } catch {
    // Best effort: a leftover topic costs disk, not correctness.
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export type { Server };
