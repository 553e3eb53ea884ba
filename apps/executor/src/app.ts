import type { Express } from 'express';
import { createHttpApp } from '@toolkit/http';
import type { ReadinessCheck } from '@toolkit/http';
import type { Logger } from '@toolkit/logger';
import type { Registry } from '@toolkit/metrics';
import type { ExecutorStatus } from './executor';

export interface ExecutorAppDeps {
  logger: Logger;
  registry: Registry;
  readiness: readonly ReadinessCheck[];
  /** /metrics and the detailed /readyz are served on METRICS_PORT instead. */
  separateOperations?: boolean;
  isShuttingDown: () => boolean;
  bodyLimitBytes: number;
  /** Breaker and session summary for GET /executor/status. */
  status?: () => ExecutorStatus;
}

/** The executor service's HTTP app; never listens (supertest target). */
export function createApp(deps: ExecutorAppDeps): Express {
  return createHttpApp({
    ...deps,
    mount: (app) => {
      app.get('/', (_req, res) => {
        res.json({ service: 'executor' });
      });
      app.get('/executor/status', (_req, res) => {
        res.json(deps.status ? deps.status() : { consuming: false });
      });
    },
  });
}
