import type { Express } from 'express';
import { readDefault } from '@toolkit/config';
import { createHttpApp } from '@toolkit/http';
import type { ServiceAppDeps } from '@toolkit/http';
import type {
  Clock,
  BulkExecutionService,
  BulkJobReader,
  BulkJobStreams,
  ExecutionReader,
  ExecutionService,
  ExecutionStreams,
  GroupRepository,
  PasswordHasher,
  PermissionRepository,
  TicketStore,
  TokenRepository,
  TokenSecrets,
  UserRepository,
} from '@toolkit/gateway-domain';
import { Authenticator, FailureLimiter, TokenIssuer, isWriteMethod } from '@toolkit/gateway-domain';
import { authenticate } from './auth/auth.middleware';
import { gatewayConfigSchema } from './config';
import { mountForwardedRoutes } from './forwarding/forward.routes';
import type { ServiceName, UpstreamClient } from './forwarding/upstream-client';
import { createGatewayMetrics, registerStreamMetrics, registerWaitsGauge } from './gateway-metrics';
import { mountStreamRoutes } from './routes/stream.routes';
import { appendSlash, cors, edgeHeaders } from './http/edge.middleware';
import { methodNotAllowed } from './http/method-not-allowed';
import { requireUsableHost } from './http/public-origin';
import { constraintSpecs } from './openapi/contract-discovery';
import { buildOpenApiDocument } from './openapi/openapi-document';
import { mountDocsRoutes } from './routes/docs.routes';
import { mountBulkExecutionRoutes } from './routes/bulk-executions.routes';
import type { BulkJobPages } from './routes/bulk-executions.routes';
import { mountExecutionRoutes } from './routes/executions.routes';
import { TOOLKIT_VERSION, mountRootRoutes } from './routes/root.routes';
import type { StatusProbes } from './routes/root.routes';
import { FORWARDED_RESOURCES, allRoutes, forwardedRoutes } from './routes/route-table';
import { mountUsersRoutes } from './routes/users.routes';
import { CatalogChangeRecorder, CatalogUserObjects } from './forwarding/catalog-user-objects';

export interface GatewayAppDeps extends ServiceAppDeps {
  users: UserRepository;
  groups: GroupRepository;
  permissions: PermissionRepository;
  tokens: TokenRepository;
  passwords: PasswordHasher;
  secrets: TokenSecrets;
  upstreams: Record<ServiceName, UpstreamClient>;
  /** Running commands: checks, rate limits, idempotency, Kafka, waits. */
  executions: ExecutionService;
  /** Bulk execution (absent: the bulk routes are not mounted). */
  bulk?: { service: BulkExecutionService; pages: BulkJobPages; jobs?: BulkJobReader };
  /** Live streams (absent: `/executions/{id}/stream/` is not mounted). */
  streams?: {
    hub: ExecutionStreams;
    reader: ExecutionReader;
    tickets: TicketStore;
    /** Bulk job streams, mounted with the bulk routes. */
    bulkHub?: BulkJobStreams;
    perUser: number;
    total: number;
  };
  /** RATE_LIMIT_BYPASS_GROUPS (group names are read only when set). */
  bypassGroups?: readonly string[];
  probes: StatusProbes;
  corsOrigins?: readonly string[];
  publicUrl?: string | undefined;
  /** AUTH_FAILURE_LIMIT, AUTH_FAILURE_WINDOW_MS, AUTH_CACHE_TTL_MS (defaults: the configuration's). */
  authFailureLimit?: number;
  authFailureWindowMs?: number;
  authCacheTtlMs?: number;
  /** TRUSTED_PROXIES (default none). */
  trustedProxies?: readonly string[];
  clock?: Clock;
}

const PUBLIC_ROUTES = allRoutes().filter((r) => r.auth === 'public');

function isPublic(method: string, path: string): boolean {
  if (path.startsWith('/api/docs/') || path.startsWith('/api/redoc/')) return true;
  return PUBLIC_ROUTES.some((r) => r.path === path && r.method.toUpperCase() === method);
}

/**
 * The gateway's HTTP app; never listens (supertest target). Middleware order:
 * request id + access log -> security headers, API-Version -> CORS -> trailing slash ->
 * authentication (with the auth-failure limiter; read-only tokens refused on writes) ->
 * JSON content type (415) and body (413) -> route: permission gate -> handler (executions:
 * checks, rate limit, publish, wait) or forwarding -> 405 (known path, other method) -> 404
 * -> the one error handler.
 */
export function createApp(deps: GatewayAppDeps): Express {
  const clock = deps.clock ?? { now: () => new Date() };
  const metrics = createGatewayMetrics(deps.registry);
  registerWaitsGauge(deps.registry, () => deps.executions.waits);
  const limiter = new FailureLimiter({
    limit: deps.authFailureLimit ?? readDefault(gatewayConfigSchema, 'AUTH_FAILURE_LIMIT'),
    windowMs: deps.authFailureWindowMs ?? readDefault(gatewayConfigSchema, 'AUTH_FAILURE_WINDOW_MS'),
    clock,
  });
  const authenticator = new Authenticator({
    users: deps.users,
    tokens: deps.tokens,
    permissions: deps.permissions,
    secrets: deps.secrets,
    clock,
    cacheTtlMs: deps.authCacheTtlMs ?? readDefault(gatewayConfigSchema, 'AUTH_CACHE_TTL_MS'),
  });
  const issuer = new TokenIssuer({
    users: deps.users,
    tokens: deps.tokens,
    secrets: deps.secrets,
    passwords: deps.passwords,
    clock,
  });
  const routes = allRoutes();
  let document: Record<string, unknown> | undefined;
  const openApi = () =>
    (document ??= buildOpenApiDocument(routes, {
      title: 'Network command toolkit API',
      version: TOOLKIT_VERSION,
      description:
        'NetBox-style REST API: token authentication (`Authorization: Token <key>`), object permissions, NetBox list conventions.',
    }));

  return createHttpApp({
    ...deps,
    requireJson: true,
    trustedProxies: deps.trustedProxies ?? [],
    beforeBody: (app) => {
      app.use(edgeHeaders());
      app.use(requireUsableHost(deps.publicUrl));
      app.use(cors(deps.corsOrigins ?? []));
      app.use(appendSlash());
      app.use(authenticate({ authenticator, limiter, metrics, isPublic }));
      // A change to users, groups, permissions or tokens made here is seen here at once.
      app.use('/api/users/', (req, res, next) => {
        if (isWriteMethod(req.method)) res.on('finish', () => authenticator.forget());
        next();
      });
    },
    mount: (app) => {
      mountRootRoutes(app, {
        publicUrl: deps.publicUrl,
        upstreams: deps.upstreams,
        probes: deps.probes,
      });
      mountDocsRoutes(app, openApi);
      mountUsersRoutes(app, {
        users: deps.users,
        groups: deps.groups,
        permissions: deps.permissions,
        tokens: deps.tokens,
        passwords: deps.passwords,
        issuer,
        limiter,
        metrics,
        publicUrl: deps.publicUrl,
        constraintSpecs: constraintSpecs(FORWARDED_RESOURCES),
        userObjects: new CatalogUserObjects(deps.upstreams.catalog),
        changes: new CatalogChangeRecorder(deps.upstreams.catalog),
        logger: deps.logger,
      });
      mountExecutionRoutes(app, {
        executions: deps.executions,
        groups: deps.groups,
        catalog: deps.upstreams.catalog,
        metrics,
        logger: deps.logger,
        publicUrl: deps.publicUrl,
        bypassGroups: deps.bypassGroups ?? [],
      });
      if (deps.streams) {
        const { hub, bulkHub } = deps.streams;
        const counters = registerStreamMetrics(deps.registry, {
          get open() {
            return hub.open + (bulkHub?.open ?? 0);
          },
          get heldChars() {
            return hub.heldChars;
          },
        });
        hub.countWith(counters);
        bulkHub?.countWith(counters);
        mountStreamRoutes(app, {
          ...deps.streams,
          ...(bulkHub && deps.bulk?.jobs
            ? { bulk: { hub: bulkHub, jobs: deps.bulk.jobs, pages: deps.bulk.pages } }
            : {}),
          dropped: counters.dropped,
          publicUrl: deps.publicUrl,
        });
      }
      if (deps.bulk)
        mountBulkExecutionRoutes(app, {
          bulk: deps.bulk.service,
          pages: deps.bulk.pages,
          groups: deps.groups,
          metrics,
          logger: deps.logger,
          publicUrl: deps.publicUrl,
          bypassGroups: deps.bypassGroups ?? [],
        });
      mountForwardedRoutes(app, forwardedRoutes(), {
        upstreams: deps.upstreams,
        metrics,
        logger: deps.logger,
        publicUrl: deps.publicUrl,
      });
      app.use(methodNotAllowed(routes));
    },
  });
}
