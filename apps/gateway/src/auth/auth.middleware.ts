import type { Request, RequestHandler, Response } from 'express';
import { AppError } from '@toolkit/errors';
import type { Constraints } from '@toolkit/contracts';
import type {
  Action,
  AuthContext,
  Authenticator,
  FailureLimiter,
  ObjectType,
} from '@toolkit/gateway-domain';
import {
  evaluatePermission,
  isWriteMethod,
  permissionDenied,
  unauthorized,
} from '@toolkit/gateway-domain';
import type { GatewayMetrics } from '../gateway-metrics';

export function throttled(retryAfterSeconds: number): AppError {
  return new AppError({
    code: 'auth-throttled',
    category: 'rate_limited',
    message: `Request was throttled. Expected available in ${retryAfterSeconds} seconds.`,
    details: { retryAfterSeconds },
  });
}

/** 403 with DRF's detail (one definition: gateway-domain's). */
export const forbidden = permissionDenied;

export function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/**
 * Token authentication for every `/api/` path except the public ones; failures counted by
 * reason; a source address with too many failures waits (429) before its next attempt is
 * even checked. Read-only tokens are refused on any write (403).
 */
export function authenticate(deps: {
  authenticator: Authenticator;
  limiter: FailureLimiter;
  metrics: GatewayMetrics;
  isPublic: (method: string, path: string) => boolean;
}): RequestHandler {
  return (req, res, next) => {
    if (
      !(req.path === '/api/' || req.path.startsWith('/api/')) ||
      deps.isPublic(req.method, req.path)
    ) {
      next();
      return;
    }
    const ip = clientIp(req);
    const retryAfter = deps.limiter.retryAfter(ip);
    if (retryAfter !== undefined) {
      deps.metrics.authFailures.inc({ reason: 'throttled' });
      next(throttled(retryAfter));
      return;
    }
    deps.authenticator
      .authenticate(req.header('authorization'), ip)
      .then((outcome) => {
        if (!outcome.ok) {
          deps.metrics.authFailures.inc({ reason: outcome.reason });
          if (outcome.reason !== 'missing') deps.limiter.recordFailure(ip);
          const error = unauthorized(outcome.reason);
          next(
            new AppError({
              code: error.code,
              category: error.category,
              message: error.message,
              details: { headers: { 'WWW-Authenticate': 'Token' } },
            }),
          );
          return;
        }
        res.locals['auth'] = outcome.context;
        if (!outcome.context.token.writeEnabled && isWriteMethod(req.method)) {
          deps.metrics.permissionDenials.inc({ object_type: 'any', action: 'write' });
          next(forbidden());
          return;
        }
        next();
      })
      .catch(next);
  };
}

export function authOf(res: Response): AuthContext {
  const auth = res.locals['auth'] as AuthContext | undefined;
  if (!auth) throw unauthorized('missing');
  return auth;
}

/**
 * What the caller may do with a type of object: `false` when no permission grants it,
 * `null` on every object, else the constraints (filters OR-ed) that limit it.
 */
export function grantOf(
  res: Response,
  objectType: ObjectType,
  action: Action,
): Constraints | false {
  const auth = authOf(res);
  const decision = evaluatePermission(
    {
      userId: auth.user.id,
      groupIds: auth.user.groupIds,
      isSuperuser: auth.user.isSuperuser,
      isActive: auth.user.isActive,
    },
    auth.permissions,
    objectType,
    action,
  );
  return decision.allowed ? decision.constraints : false;
}

/**
 * The permission gate of one request: the constraints to apply (null: none), or a refusal:
 * 404 where the caller asked for one object it may not see, 403 otherwise.
 */
export function permit(
  res: Response,
  metrics: GatewayMetrics,
  objectType: ObjectType,
  action: Action,
  whenDenied: 'forbidden' | 'not_found' = 'forbidden',
): Constraints {
  const grant = grantOf(res, objectType, action);
  if (grant === false) {
    metrics.permissionDenials.inc({ object_type: objectType, action });
    throw whenDenied === 'not_found' ? AppError.notFound(objectType) : forbidden();
  }
  return grant;
}
