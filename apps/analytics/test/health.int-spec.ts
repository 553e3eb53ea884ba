import { CommandLogRepository, ExecutionRepository } from '@toolkit/analytics-data-access';
import { itServesHealthEndpoints } from '@toolkit/testing';
import { createApp } from '../src/app';
import { TOKEN } from './support';

describe('analytics service health, readiness and metrics', () => {
  itServesHealthEndpoints('analytics', (deps) =>
    createApp({
      ...deps,
      bodyLimitBytes: 1024 * 1024,
      internalToken: TOKEN,
      logs: new CommandLogRepository(deps.mongo.connection),
      executions: new ExecutionRepository(deps.mongo.connection),
    }),
  );
});
