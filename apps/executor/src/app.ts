import type { Express } from 'express';
import { createHttpApp } from '@toolkit/http';
import type { ServiceAppDeps } from '@toolkit/http';
import type { ExecutorStatus } from './executor';

export interface ExecutorAppDeps extends ServiceAppDeps {
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
