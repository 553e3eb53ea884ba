import type { Express } from 'express';
import { BulkJobRepository } from '@toolkit/analytics-data-access';
import type { CommandLogRepository, ExecutionRepository } from '@toolkit/analytics-data-access';
import { acceptedTokens, createHttpApp, requireInternalToken } from '@toolkit/http';
import type { ServiceAppDeps } from '@toolkit/http';
import { mountBulkJobRoutes } from './routes/bulk-jobs.routes';
import { mountCommandLogRoutes } from './routes/command-logs.routes';
import { mountExecutionRoutes } from './routes/executions.routes';

export interface AnalyticsAppDeps extends ServiceAppDeps {
  internalToken: string;
  /** Also accepted during a rotation (INTERNAL_API_TOKEN_PREVIOUS). */
  previousInternalToken?: string | undefined;
  logs: CommandLogRepository;
  executions: ExecutionRepository;
  /** Defaults to one on the executions' connection. */
  bulkJobs?: BulkJobRepository;
  now?: () => Date;
}

/** The analytics service's HTTP app; never listens (supertest target). */
export function createApp(deps: AnalyticsAppDeps): Express {
  const now = deps.now ?? (() => new Date());
  const bulkJobs = deps.bulkJobs ?? new BulkJobRepository(deps.executions.executions.db);
  const app = createHttpApp({
    ...deps,
    requireJson: true,
    mount: (express) => {
      // Every API path needs the internal token; health, readiness and metrics do not.
      express.use('/api', requireInternalToken(acceptedTokens(deps)));
      mountCommandLogRoutes(express, { logs: deps.logs, logger: deps.logger, now });
      mountExecutionRoutes(express, { executions: deps.executions });
      mountBulkJobRoutes(express, { bulkJobs });
    },
  });
  return app;
}
