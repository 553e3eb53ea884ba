import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  INTERNAL_HEADERS,
  constraintsSchema,
  decodeHeaderJson,
  principalSchema,
} from '@toolkit/contracts';
import type { Constraints, Principal } from '@toolkit/contracts';
import { AppError } from '@toolkit/errors';
import { DETAIL } from './problem';

/**
 * Refuses requests without the gateway's shared secret (INTERNAL_API_TOKEN), except on
 * `open` paths (health, metrics). Several tokens are accepted during a rotation (the
 * current one and INTERNAL_API_TOKEN_PREVIOUS). Compared as SHA-256 digests in constant
 * time, against every accepted token: neither the content nor the length of the token,
 * nor which one matched, shows in the timing. Answers through the one error path (401
 * with DRF's detail).
 */
export function requireInternalToken(
  accepted: string | readonly string[],
  options: { open?: readonly string[] } = {},
): RequestHandler {
  const digests = (typeof accepted === 'string' ? [accepted] : accepted).map((token) =>
    createHash('sha256').update(token).digest(),
  );
  const open = new Set(options.open ?? []);
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (open.has(req.path)) {
      next();
      return;
    }
    const given = req.header(INTERNAL_HEADERS.token);
    if (!given) {
      next(unauthorized(DETAIL.notAuthenticated));
      return;
    }
    const digest = createHash('sha256').update(given).digest();
    let matched = false;
    for (const expected of digests) matched = timingSafeEqual(digest, expected) || matched;
    next(matched ? undefined : unauthorized(DETAIL.invalidToken));
  };
}

/** The tokens a service accepts: its own, and the previous one during a rotation. */
export function acceptedTokens(deps: {
  internalToken: string;
  previousInternalToken?: string | undefined;
}): string[] {
  return deps.previousInternalToken === undefined
    ? [deps.internalToken]
    : [deps.internalToken, deps.previousInternalToken];
}

function unauthorized(message: string): AppError {
  return new AppError({ code: 'invalid-internal-token', category: 'unauthorized', message });
}

/** What a service learns from the gateway's internal headers about one request. */
export interface InternalRequest {
  principal: Principal | undefined;
  /** Permission constraints of the request's action (OR-ed filter objects); null/undefined = none. */
  constraints: Constraints | undefined;
  requestId: string | undefined;
  /** `https://netbox.example.com`: prefix of every `url`. */
  baseUrl: string;
  /** Absolute URL of this request, for `next`/`previous`. */
  requestUrl: string;
}

/**
 * Who asks (principal header), what they may see (constraints header: absent = no
 * constraints; malformed = refused, failing closed) and the public base URL the gateway
 * forwarded (X-Forwarded-Proto/Host, sanitised), else this request's own.
 */
export function internalRequest(req: Request, res: Response): InternalRequest {
  const principalHeader = req.header(INTERNAL_HEADERS.principal);
  const principal = decodeHeaderJson(principalSchema, principalHeader);
  if (principalHeader && !principal)
    throw new AppError({
      code: 'invalid-principal',
      category: 'unauthorized',
      message: 'Invalid principal header.',
    });
  const constraintsHeader = req.header(INTERNAL_HEADERS.constraints);
  const constraints = decodeHeaderJson(constraintsSchema, constraintsHeader);
  if (constraintsHeader && constraints === undefined)
    throw new AppError({
      code: 'invalid-constraints',
      category: 'forbidden',
      message: DETAIL.forbidden,
    });
  const proto = firstValue(req.header(INTERNAL_HEADERS.forwardedProto)) ?? req.protocol;
  const host =
    firstValue(req.header(INTERNAL_HEADERS.forwardedHost)) ?? req.get('host') ?? 'localhost';
  const safeProto = proto === 'https' ? 'https' : 'http';
  const safeHost = /^[A-Za-z0-9.\-:[\]]+$/.test(host) ? host : 'localhost';
  const baseUrl = `${safeProto}://${safeHost}`;
  return {
    principal,
    constraints,
    requestId: res.locals['requestId'] as string | undefined,
    baseUrl,
    requestUrl: `${baseUrl}${req.originalUrl}`,
  };
}

function firstValue(header: string | undefined): string | undefined {
  const value = header?.split(',')[0]?.trim();
  return value ? value : undefined;
}
