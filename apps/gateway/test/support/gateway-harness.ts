import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { connectTestInfra, uniqueSuffix } from '@toolkit/testing';
import type { TestInfra } from '@toolkit/testing';
import {
  apiTokenSecrets,
  createGatewayStore,
  scryptPasswordHasher,
} from '@toolkit/gateway-data-access';
import type { GatewayStore } from '@toolkit/gateway-data-access';
import type { ConstraintFilter } from '@toolkit/gateway-domain';
import { TokenIssuer } from '@toolkit/gateway-domain';
import type { GatewayAppDeps } from '../../src/app';
import { createApp } from '../../src/app';
import { UpstreamClient } from '../../src/forwarding/upstream-client';
import { wireExecutions } from '../../src/executions/execution-wiring';
import type {
  ExecutionConfig,
  ExecutionTopics,
  WiredExecutions,
} from '../../src/executions/execution-wiring';

export const INTERNAL_TOKEN = 'internal-token-for-tests-0123456789';

/** The execution settings of a test gateway (the production defaults, a unique group prefix). */
export function testExecutionConfig(overrides: Partial<ExecutionConfig> = {}): ExecutionConfig {
  return {
    INTERNAL_API_TOKEN: INTERNAL_TOKEN,
    IDEMPOTENCY_KEY_SECRET: undefined,
    RATE_LIMIT_ENABLED: true,
    RATE_LIMIT_DEVICE_LIMIT: 10,
    RATE_LIMIT_WINDOW_MINUTES: 5,
    RATE_LIMIT_BYPASS_USERS: [],
    RATE_LIMIT_BYPASS_GROUPS: [],
    DEVICE_AUTH_FAILURE_LIMIT: 3,
    DEVICE_AUTH_FAILURE_WINDOW_MINUTES: 15,
    EXECUTION_WAIT_GRACE_MS: 5_000,
    EXECUTION_CANCEL_WAIT_MS: 5_000,
    GATEWAY_INSTANCE_ID: undefined,
    GATEWAY_COMPLETIONS_GROUP_PREFIX: `test-gateway-${uniqueSuffix()}`,
    ...overrides,
  };
}

/** A cheap scrypt cost for tests; production uses N = 2^15. */
export const testPasswords = scryptPasswordHasher({ N: 2 ** 12, r: 8, p: 1 });

export interface GatewayHarness {
  infra: TestInfra & { mongoUri: string };
  store: GatewayStore;
  executions: WiredExecutions;
  deps: GatewayAppDeps;
  app: Express;
  issuer: TokenIssuer;
  /** A user with a token; returns the key to send. */
  user(options?: {
    username?: string;
    superuser?: boolean;
    active?: boolean;
    groups?: number[];
    writeEnabled?: boolean;
    expires?: Date | null;
    allowedIps?: string[];
    password?: string;
  }): Promise<{ id: number; username: string; key: string; tokenId: number }>;
  grant(options: {
    userIds?: number[];
    groupIds?: number[];
    objectTypes: string[];
    actions: string[];
    constraints?: ConstraintFilter | ConstraintFilter[] | null;
    enabled?: boolean;
  }): Promise<number>;
  rebuild(overrides?: Partial<GatewayAppDeps>): Express;
  close(): Promise<void>;
}

export async function startGatewayHarness(options: {
  catalogUrl: string;
  analyticsUrl: string;
  connectTimeoutMs?: number;
  responseTimeoutMs?: number;
  overrides?: Partial<GatewayAppDeps>;
  /** Execution settings; `topics` are the test's own (requests, cancellations, completions). */
  executionConfig?: Partial<ExecutionConfig>;
  executionTopics?: ExecutionTopics;
  /** Starts the completions consumers (tests of executions). */
  startExecutions?: boolean;
  /** Another replica's database (shared; the first replica drops it). */
  mongoUri?: string;
  /** The executions' clock (rate-limit windows, waits, idempotency). */
  clock?: { now: () => Date };
}): Promise<GatewayHarness> {
  const infra = await connectTestInfra(
    'gateway',
    options.mongoUri === undefined ? {} : { mongoUri: options.mongoUri },
  );
  const store = createGatewayStore(infra.mongo.connection);
  await store.ensureIndexes(infra.mongo);
  const secrets = apiTokenSecrets();
  const clock = { now: () => new Date() };
  const upstream = (name: 'catalog' | 'analytics', baseUrl: string) =>
    new UpstreamClient({
      name,
      baseUrl,
      internalToken: INTERNAL_TOKEN,
      connectTimeoutMs: options.connectTimeoutMs ?? 1_000,
      responseTimeoutMs: options.responseTimeoutMs ?? 5_000,
      logger: infra.logger,
    });
  const upstreams = {
    catalog: upstream('catalog', options.catalogUrl),
    analytics: upstream('analytics', options.analyticsUrl),
  };
  const executionConfig = testExecutionConfig(options.executionConfig);
  const executions = wireExecutions({
    config: executionConfig,
    store,
    messaging: infra.messaging,
    upstreams,
    logger: infra.logger,
    ...(options.executionTopics ? { topics: options.executionTopics } : {}),
    pollIntervalsMs: [500, 1_000, 2_000],
    maxWaitTimeMs: 100,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  if (options.startExecutions) await executions.start();
  const deps: GatewayAppDeps = {
    ...infra,
    ...store,
    executions: executions.service,
    bulk: { service: executions.bulk, pages: executions.bulkJobs, jobs: executions.bulkJobs },
    streams: {
      hub: executions.streams,
      bulkHub: executions.bulkStreams,
      reader: executions.reader,
      tickets: store.tickets,
      perUser: 20,
      total: 2_000,
    },
    bypassGroups: executionConfig.RATE_LIMIT_BYPASS_GROUPS,
    bodyLimitBytes: 64 * 1024,
    passwords: testPasswords,
    secrets,
    clock,
    upstreams,
    probes: {
      mongodb: () => infra.mongo.ping(),
      kafka: () => infra.messaging.ping(),
      executors: () => infra.messaging.countGroupMembers('toolkit-executor'),
    },
    corsOrigins: ['https://ui.example.com'],
    authFailureLimit: 1_000,
    // Every request reads its token, user and permissions (the service caches for 1 s).
    authCacheTtlMs: 0,
    ...options.overrides,
  };
  const issuer = new TokenIssuer({ ...store, secrets, passwords: testPasswords, clock });
  return {
    infra,
    store,
    executions,
    deps,
    issuer,
    app: createApp(deps),
    rebuild: (overrides = {}) => createApp({ ...deps, ...overrides }),
    async user(o = {}) {
      const username = o.username ?? `user-${uniqueSuffix()}`;
      const user = await store.users.create({
        username,
        passwordHash: o.password ? await testPasswords.hash(o.password) : null,
        firstName: '',
        lastName: '',
        email: '',
        isActive: o.active ?? true,
        isStaff: false,
        isSuperuser: o.superuser ?? false,
        groupIds: o.groups ?? [],
      });
      const issued = await issuer.issue(user.id, {
        expires: null,
        writeEnabled: o.writeEnabled ?? true,
        description: 'test',
        allowedIps: o.allowedIps ?? [],
      });
      if (o.expires) await store.tokens.update(issued.token.id, { expires: o.expires });
      return { id: user.id, username, key: issued.key, tokenId: issued.token.id };
    },
    async grant(g) {
      const permission = await store.permissions.create({
        name: `perm-${uniqueSuffix()}`,
        description: '',
        enabled: g.enabled ?? true,
        objectTypes: g.objectTypes,
        actions: g.actions,
        constraints: g.constraints ?? null,
        userIds: g.userIds ?? [],
        groupIds: g.groupIds ?? [],
      });
      return permission.id;
    },
    async close() {
      executions.release();
      await executions.stop();
      upstreams.catalog.close();
      upstreams.analytics.close();
      await infra.close();
    },
  };
}

export async function listen(
  app: Express | ((req: never, res: never) => void),
): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const { createServer } = await import('node:http');
  const server = createServer(app as never);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (for 503 tests). */
export async function closedPortUrl(): Promise<string> {
  const { url, close } = await listen((_req: never, _res: never) => undefined);
  await close();
  return url;
}
