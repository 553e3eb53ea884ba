import type { Express } from 'express';
import { createHttpApp } from '@toolkit/http';
import type { ReadinessCheck } from '@toolkit/http';
import type { Logger } from '@toolkit/logger';
import type { Registry } from '@toolkit/metrics';

export interface AnalyticsAppDeps {
  logger: Logger;
  registry: Registry;
  readiness: readonly ReadinessCheck[];
  isShuttingDown: () => boolean;
  bodyLimitBytes: number;
}

/** The analytics service's HTTP app; never listens (supertest target). */
export function createApp(deps: AnalyticsAppDeps): Express {
  return createHttpApp({
    ...deps,
    mount: (app) => {
      app.get('/', (_req, res) => {
        res.json({ service: 'analytics' });
      });
    },
  });
}
