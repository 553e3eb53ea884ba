import type { Express } from 'express';
import { createHttpApp } from '@toolkit/http';
import type { ReadinessCheck } from '@toolkit/http';
import type { Logger } from '@toolkit/logger';
import type { Registry } from '@toolkit/metrics';

export interface GatewayAppDeps {
  logger: Logger;
  registry: Registry;
  readiness: readonly ReadinessCheck[];
  isShuttingDown: () => boolean;
  bodyLimitBytes: number;
}

/** The gateway service's HTTP app; never listens (supertest target). */
export function createApp(deps: GatewayAppDeps): Express {
  return createHttpApp({
    ...deps,
    mount: (app) => {
      app.get('/', (_req, res) => {
        res.json({ service: 'gateway' });
      });
    },
  });
}
