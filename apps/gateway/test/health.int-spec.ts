import { itServesHealthEndpoints } from '@toolkit/testing';
import { apiTokenSecrets, createGatewayStore } from '@toolkit/gateway-data-access';
import { createApp } from '../src/app';
import { UpstreamClient } from '../src/forwarding/upstream-client';
import { wireExecutions } from '../src/executions/execution-wiring';
import { testExecutionConfig, testPasswords } from './support/gateway-harness';

describe('gateway service health, readiness and metrics', () => {
  itServesHealthEndpoints('gateway', (deps) => {
    const upstream = (name: 'catalog' | 'analytics') =>
      new UpstreamClient({
        name,
        baseUrl: 'http://127.0.0.1:9',
        internalToken: 'x'.repeat(32),
        connectTimeoutMs: 100,
        responseTimeoutMs: 100,
        logger: deps.logger,
      });
    const store = createGatewayStore(deps.mongo.connection);
    const upstreams = { catalog: upstream('catalog'), analytics: upstream('analytics') };
    return createApp({
      ...deps,
      ...store,
      executions: wireExecutions({
        config: testExecutionConfig(),
        store,
        messaging: deps.messaging,
        upstreams,
        logger: deps.logger,
      }).service,
      bodyLimitBytes: 1024 * 1024,
      passwords: testPasswords,
      secrets: apiTokenSecrets(),
      upstreams,
      probes: {
        mongodb: () => deps.mongo.ping(),
        kafka: () => deps.messaging.ping(),
        executors: async () => undefined,
      },
    });
  });
});
