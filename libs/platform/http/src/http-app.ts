import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from '@toolkit/logger';
import { runWithLogContext } from '@toolkit/logger';
import type { HttpMetrics, Registry } from '@toolkit/metrics';
import { createDependencyGauge, createHttpMetrics } from '@toolkit/metrics';
import { toProblem, unsupportedMediaType } from './problem';
import { storableBody } from './storable-body';

export const REQUEST_ID_HEADER = 'x-request-id';

export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

export interface HttpAppOptions {
  logger: Logger;
  registry: Registry;
  readiness: readonly ReadinessCheck[];
  bodyLimitBytes: number;
  /** While true, /readyz answers 503 so the load balancer stops sending traffic. */
  isShuttingDown?: () => boolean;
  /** Mounts the service's routes between the common middleware and the error handler. */
  mount: (app: Express) => void;
  /** Refuse request bodies that are not JSON with 415 (public APIs). */
  requireJson?: boolean;
  /**
   * Mounts middleware that must run before the body is read (security headers, CORS,
   * authentication, rate limits): right after the request id and access log.
   */
  beforeBody?: (app: Express) => void;
  /**
   * Proxies whose X-Forwarded-For/-Proto/-Host are believed (addresses, CIDRs, or
   * `loopback`, `linklocal`, `uniquelocal`); default none: the client is the socket's peer,
   * so that no client can claim another address (limiters, token address ranges).
   */
  trustedProxies?: readonly string[];
}

/**
 * An express app with what every service needs: request ids, access logs with the
 * correlation id, RED metrics by route template, a JSON body limit, /healthz (alive),
 * /readyz (dependencies answer), /metrics, and the single error handler.
 */
export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  const metrics = createHttpMetrics(options.registry);
  const dependencyUp = createDependencyGauge(options.registry);
  const logger = options.logger.child({ module: 'http' });
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', options.trustedProxies?.length ? [...options.trustedProxies] : false);
  app.use(requestContext(logger, metrics));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    if (options.isShuttingDown?.()) {
      res.status(503).json({ status: 'shutting_down', checks: {} });
      return;
    }
    const results = await Promise.all(
      options.readiness.map(async ({ name, check }) => {
        try {
          await check();
          dependencyUp.set({ dependency: name }, 1);
          return [name, 'ok'] as const;
        } catch (error) {
          dependencyUp.set({ dependency: name }, 0);
          logger.warn({ dependency: name, err: error }, 'readiness check failed');
          return [name, 'unavailable'] as const;
        }
      }),
    );
    const ready = results.every(([, status]) => status === 'ok');
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ok' : 'unavailable', checks: Object.fromEntries(results) });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(options.registry.contentType).send(await options.registry.metrics());
  });

  options.beforeBody?.(app);
  if (options.requireJson) app.use(requireJsonBody);
  app.use(
    express.json({
      limit: options.bodyLimitBytes,
      type: ['application/json', 'application/*+json'],
    }),
  );
  app.use(storableBody);
  options.mount(app);
  app.use((_req, res) => {
    res.status(404).json({ detail: 'Not found.' });
  });
  app.use(errorHandler(logger));
  return app;
}

function requestContext(logger: Logger, metrics: HttpMetrics): RequestHandler {
  return (req, res, next) => {
    const incoming = req.header(REQUEST_ID_HEADER);
    const requestId =
      incoming && /^[A-Za-z0-9._:-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    res.locals['requestId'] = requestId;
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // Route templates, never raw URLs, as labels: bounded cardinality.
      const route = req.route?.path
        ? `${req.baseUrl}${String(req.route.path)}`
        : res.statusCode === 404
          ? 'unmatched'
          : req.baseUrl || 'unmatched';
      metrics.requestDuration.observe(
        { method: req.method, route, status_code: String(res.statusCode) },
        seconds,
      );
      if (req.path === '/healthz' || req.path === '/readyz' || req.path === '/metrics') return;
      logger.info(
        {
          correlationId: requestId,
          method: req.method,
          route,
          status: res.statusCode,
          ms: Math.round(seconds * 1000),
        },
        'request',
      );
    });
    runWithLogContext({ correlationId: requestId }, next);
  };
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function requireJsonBody(req: Request, _res: Response, next: NextFunction): void {
  const length = Number(req.header('content-length') ?? '0');
  const hasBody = length > 0 || req.header('transfer-encoding') !== undefined;
  if (
    BODY_METHODS.has(req.method) &&
    hasBody &&
    !req.is(['application/json', 'application/*+json'])
  ) {
    next(unsupportedMediaType(req.header('content-type')));
    return;
  }
  next();
}

function errorHandler(logger: Logger) {
  return (error: unknown, _req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const problem = toProblem(error);
    if (problem.status >= 500) {
      logger.error({ err: error, correlationId: res.locals['requestId'] }, 'request failed');
    }
    res.status(problem.status).set(problem.headers).json(problem.body);
  };
}

export interface RunningServer {
  server: Server;
  port: number;
  /** Stops accepting connections, closes idle keep-alive sockets, waits for in-flight requests. */
  close: () => Promise<void>;
}

export async function startHttpServer(
  app: Express,
  options: { host: string; port: number },
): Promise<RunningServer> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(options.port, options.host, () => resolve(s));
    s.once('error', reject);
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  let closing: Promise<void> | undefined;
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

/** Wraps an async route handler so that a rejection reaches the error handler. */
export function asyncHandler(
  handler: (req: Request, res: Response, next: NextFunction) => Promise<void>,
): RequestHandler {
  return (req, res, next) => {
    handler(req, res, next).catch(next);
  };
}
