import {
  apiTokenSecrets,
  createGatewayStore,
  scryptPasswordHasher,
} from '@toolkit/gateway-data-access';
import { bootstrapSuperuser } from '@toolkit/gateway-domain';
import type { Infrastructure, WiredService } from '@toolkit/service';
import { createApp } from './app';
import type { GatewayConfig } from './config';
import { wireExecutions } from './executions/execution-wiring';
import type { ExecutionTopics } from './executions/execution-wiring';
import { UpstreamClient } from './forwarding/upstream-client';

/**
 * The gateway from its configuration: store and indexes, the first superuser, the
 * upstream clients, executions (completions consumers started by `start`), the HTTP app,
 * and the shutdown steps. Tests run it on topics of their own.
 */
export async function wireGateway(
  infra: Infrastructure,
  config: GatewayConfig,
  options: { topics?: ExecutionTopics } = {},
): Promise<WiredService> {
  const store = createGatewayStore(infra.mongo.connection);
  await store.ensureIndexes(infra.mongo);
  const passwords = scryptPasswordHasher();
  const secrets = apiTokenSecrets();
  const clock = { now: () => new Date() };
  if (config.SUPERUSER_USERNAME) {
    const result = await bootstrapSuperuser(
      {
        username: config.SUPERUSER_USERNAME,
        password: config.SUPERUSER_PASSWORD,
        apiToken: config.SUPERUSER_API_TOKEN,
      },
      { ...store, secrets, passwords, clock },
    );
    infra.logger.info(
      {
        username: config.SUPERUSER_USERNAME,
        createdUser: result.createdUser,
        createdToken: result.createdToken,
      },
      'superuser ensured',
    );
  }
  const upstream = (name: 'catalog' | 'analytics', baseUrl: string) =>
    new UpstreamClient({
      name,
      baseUrl,
      internalToken: config.INTERNAL_API_TOKEN,
      connectTimeoutMs: config.UPSTREAM_CONNECT_TIMEOUT_MS,
      responseTimeoutMs: config.UPSTREAM_RESPONSE_TIMEOUT_MS,
      logger: infra.logger,
    });
  const upstreams = {
    catalog: upstream('catalog', config.CATALOG_URL),
    analytics: upstream('analytics', config.ANALYTICS_URL),
  };
  const executions = wireExecutions({
    config,
    store,
    messaging: infra.messaging,
    upstreams,
    logger: infra.logger,
    clock,
    ...(options.topics ? { topics: options.topics } : {}),
  });
  return {
    app: createApp({
      ...infra,
      ...store,
      bodyLimitBytes: config.HTTP_BODY_LIMIT_BYTES,
      passwords,
      secrets,
      clock,
      upstreams,
      executions: executions.service,
      bulk: { service: executions.bulk, pages: executions.bulkJobs, jobs: executions.bulkJobs },
      streams: {
        hub: executions.streams,
        bulkHub: executions.bulkStreams,
        reader: executions.reader,
        tickets: store.tickets,
        perUser: config.STREAMS_PER_USER,
        total: config.STREAMS_MAX,
      },
      bypassGroups: config.RATE_LIMIT_BYPASS_GROUPS,
      probes: {
        mongodb: () => infra.mongo.ping(),
        kafka: () => infra.messaging.ping(),
        executors: () => infra.messaging.countGroupMembers(config.EXECUTOR_GROUP_ID),
      },
      corsOrigins: config.CORS_ORIGINS,
      publicUrl: config.PUBLIC_URL,
      authFailureLimit: config.AUTH_FAILURE_LIMIT,
      authFailureWindowMs: config.AUTH_FAILURE_WINDOW_MS,
      authCacheTtlMs: config.AUTH_CACHE_TTL_MS,
      trustedProxies: config.TRUSTED_PROXIES,
    }),
    start: () => executions.start(),
    // Waiting executes answer at once (the executions go on), so HTTP can close.
    releasers: [{ name: 'execution-waits', close: () => executions.release() }],
    closers: [
      { name: 'completions-consumers', close: () => executions.stop() },
      {
        name: 'upstream-clients',
        close: async () => {
          upstreams.catalog.close();
          upstreams.analytics.close();
        },
      },
    ],
  };
}
