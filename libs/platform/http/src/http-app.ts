import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from '@toolkit/logger';
import { runWithLogContext } from '@toolkit/logger';
import type { HttpMetrics, Registry } from '@toolkit/metrics';
import { createDependencyGauge, createHttpMetrics } from '@toolkit/metrics';
import { DETAIL } from '@toolkit/errors';
import { toProblem, unsupportedMediaType } from './problem';
import { storableBody } from './storable-body';

export const REQUEST_ID_HEADER = 'x-request-id';

export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
  /**
   * Whether the service cannot serve without it (default true). A dependency only some
   * operations need (Kafka for a service that also reads and writes its database) is
   * reported, and fails those operations with 503, but keeps the service in rotation.
   */
  required?: boolean;
}

/** What /metrics and the detailed /readyz need, on whichever port serves them. */
export interface OperationsOptions {
  logger: Logger;
  registry: Registry;
  readiness: readonly ReadinessCheck[];
  isShuttingDown?: () => boolean;
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
  /**
   * /metrics and the detailed /readyz are served by {@link createOperationsApp} on a port
   * of their own: this app answers /healthz and a terse /readyz only (public APIs).
   */
  separateOperations?: boolean;
}

/**
 * What every service's `createApp` takes for the common HTTP layer (`createHttpApp`); the
 * service's own dependencies come on top.
 */
export interface ServiceAppDeps extends Pick<
  HttpAppOptions,
  'logger' | 'registry' | 'readiness' | 'bodyLimitBytes' | 'separateOperations'
> {
  isShuttingDown: () => boolean;
}

/**
 * An express app with what every service needs: request ids, access logs with the
 * correlation id, RED metrics by route template, a JSON body limit, /healthz (alive),
 * /readyz (dependencies answer), /metrics, and the single error handler.
 */
export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  const metrics = createHttpMetrics(options.registry);
  const logger = options.logger.child({ module: 'http' });
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', options.trustedProxies?.length ? [...options.trustedProxies] : false);
  app.use(requestContext(logger, metrics));

  const readiness = readinessProbe(options);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  if (options.separateOperations) {
    // Public: whether to send traffic here, and nothing about what is behind.
    app.get('/readyz', async (_req, res) => {
      const { status, body } = await readiness();
      res.status(status).json({ status: body.status });
    });
  } else {
    mountOperations(app, options, readiness);
  }

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
    res.status(404).json({ detail: DETAIL.notFound });
  });
  app.use(errorHandler(logger));
  return app;
}

/**
 * /healthz, the detailed /readyz and /metrics on a port of their own (METRICS_PORT), for
 * the kubelet and Prometheus only; the API port then serves /healthz and a terse /readyz.
 */
export function createOperationsApp(options: OperationsOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  mountOperations(app, options, readinessProbe(options));
  app.use((_req, res) => {
    res.status(404).json({ detail: DETAIL.notFound });
  });
  return app;
}

type ReadinessProbe = () => Promise<{
  status: number;
  body: { status: string; checks: Record<string, string> };
}>;

function mountOperations(app: Express, options: OperationsOptions, readiness: ReadinessProbe) {
  app.get('/readyz', async (_req, res) => {
    const { status, body } = await readiness();
    res.status(status).json(body);
  });
  app.get('/metrics', async (_req, res) => {
    res.type(options.registry.contentType).send(await options.registry.metrics());
  });
}

/**
 * 503 while shutting down or while a required dependency does not answer; an optional one
 * that does not answer is reported (`degraded`, and the dependency gauge) with 200.
 */
function readinessProbe(options: OperationsOptions): ReadinessProbe {
  const dependencyUp = createDependencyGauge(options.registry);
  const logger = options.logger.child({ module: 'http' });
  return async () => {
    if (options.isShuttingDown?.())
      return { status: 503, body: { status: 'shutting_down', checks: {} } };
    const results = await Promise.all(
      options.readiness.map(async ({ name, check, required = true }) => {
        try {
          await check();
          dependencyUp.set({ dependency: name }, 1);
          return { name, ok: true, required };
        } catch (error) {
          dependencyUp.set({ dependency: name }, 0);
          logger.warn({ dependency: name, err: error }, 'readiness check failed');
          return { name, ok: false, required };
        }
      }),
    );
    const checks = Object.fromEntries(results.map((r) => [r.name, r.ok ? 'ok' : 'unavailable']));
    if (results.some((r) => !r.ok && r.required))
      return { status: 503, body: { status: 'unavailable', checks } };
    return {
      status: 200,
      body: { status: results.every((r) => r.ok) ? 'ok' : 'degraded', checks },
    };
  };
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
