import type { Express, Request, Response } from 'express';
import { AppError, isAppError } from '@toolkit/errors';
import type { Constraints, Principal } from '@toolkit/contracts';
import { asyncHandler, parseObjectId, searchParamsOf } from '@toolkit/http';
import type { Logger } from '@toolkit/logger';
import type { AuthContext } from '@toolkit/gateway-domain';
import { authOf, permit } from '../auth/auth.middleware';
import type { GatewayMetrics } from '../gateway-metrics';
import type { RouteSpec } from '../routes/route-table';
import { toExpressPath } from '../routes/route-table';
import { forward, internalHeaders } from './forward';
import type { ServiceName, UpstreamClient } from './upstream-client';

export interface ForwardingDeps {
  upstreams: Record<ServiceName, UpstreamClient>;
  metrics: GatewayMetrics;
  logger: Logger;
  publicUrl: string | undefined;
}

export function principalOf(auth: AuthContext): Principal {
  return { id: auth.user.id, username: auth.user.username, isSuperuser: auth.user.isSuperuser };
}

/**
 * Permission gate, then forwarding, for every route the services own. Rate limiting of
 * executions (a later issue) slots in between the gate and `forward`.
 */
export function mountForwardedRoutes(
  app: Express,
  routes: readonly RouteSpec[],
  deps: ForwardingDeps,
): void {
  for (const route of routes) {
    const target = route.forward;
    if (!target) continue;
    app[route.method](
      toExpressPath(route.path),
      asyncHandler(async (req, res) => {
        const constraints = constraintsFor(res, route, deps);
        if (
          route.operationId.endsWith('validate_variables') ||
          route.operationId.endsWith('variable_choices')
        ) {
          await requireVisibleDevice(req, res, deps);
        }
        const upstream = deps.upstreams[target.service];
        const started = process.hrtime.bigint();
        let outcome = 'ok';
        try {
          await forward(req, res, upstream, {
            principal: principalOf(authOf(res)),
            constraints,
            publicUrl: deps.publicUrl,
            logger: deps.logger,
          });
        } catch (error) {
          outcome = isAppError(error) && error.category === 'unavailable' ? 'unavailable' : 'error';
          throw error;
        } finally {
          deps.metrics.upstreamDuration.observe(
            { upstream: target.service, method: req.method, outcome },
            Number(process.hrtime.bigint() - started) / 1e9,
          );
        }
      }),
    );
  }
}

function constraintsFor(res: Response, route: RouteSpec, deps: ForwardingDeps): Constraints {
  const target = route.forward;
  if (!target) return null;
  if (target.objectType === 'toolkit.execution') {
    // Everyone may follow their own executions; a view permission widens that.
    try {
      return permit(res, deps.metrics, target.objectType, target.action);
    } catch {
      return [{ user_id: authOf(res).user.id }];
    }
  }
  const notFound = target.single && target.action === 'view';
  return permit(
    res,
    deps.metrics,
    target.objectType,
    target.action,
    notFound ? 'not_found' : 'forbidden',
  );
}

/**
 * Variable validation and choices read the device's interfaces, VLANs and addresses: the
 * caller must be allowed to view the device, checked before the catalog sees the request
 * (a device the caller may not see is reported as not existing).
 */
async function requireVisibleDevice(
  req: Request,
  res: Response,
  deps: ForwardingDeps,
): Promise<void> {
  // The query as the catalog reads it: express' qs turns `?device_id=7&device_id=7` into an
  // array, which skipped this check while the catalog answered for the first value.
  const given = searchParamsOf(req).getAll('device_id');
  if (req.method === 'GET' && given.length > 1)
    throw AppError.validation({ device_id: ['Give a single device.'] });
  const raw: unknown =
    req.method === 'GET'
      ? given[0]
      : (req.body as Record<string, unknown> | undefined)?.['device_id'];
  // Read as the catalog reads it, so that every id the catalog would look up is checked here.
  const deviceId = parseObjectId(raw);
  if (deviceId === undefined) return; // the catalog reports the missing or malformed field
  const missing = AppError.validation({
    device_id: [`Invalid pk "${deviceId}" - object does not exist.`],
  });
  let constraints: Constraints;
  try {
    constraints = permit(res, deps.metrics, 'dcim.device', 'view');
  } catch {
    throw missing;
  }
  if (constraints === null) return;
  const auth = authOf(res);
  const answer = await deps.upstreams.catalog.getJson(`/api/dcim/devices/${deviceId}/?brief=true`, {
    ...internalHeaders(req, res, {
      principal: principalOf(auth),
      constraints,
      publicUrl: deps.publicUrl,
    }),
    accept: 'application/json',
  });
  if (answer.status === 404) throw missing;
}
