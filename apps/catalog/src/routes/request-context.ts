import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { RequestContext } from '@toolkit/catalog-domain';
import {
  INTERNAL_HEADERS,
  constraintsSchema,
  decodeHeaderJson,
  principalSchema,
} from '@toolkit/contracts';
import { AppError } from '@toolkit/errors';
import { DETAIL } from '@toolkit/http';

/** Refuses requests without the gateway's shared secret (compared in constant time). */
export function requireInternalToken(expected: string) {
  const expectedDigest = createHash('sha256').update(expected).digest();
  return (req: Request, _res: Response, next: NextFunction): void => {
    const given = req.header(INTERNAL_HEADERS.token);
    if (!given) {
      next(unauthorized(DETAIL.notAuthenticated));
      return;
    }
    const digest = createHash('sha256').update(given).digest();
    if (!timingSafeEqual(digest, expectedDigest)) {
      next(unauthorized('Invalid token.'));
      return;
    }
    next();
  };
}

function unauthorized(message: string): AppError {
  return new AppError({ code: 'invalid-internal-token', category: 'unauthorized', message });
}

/**
 * Who asks (principal header), what they may see (constraints header: absent = no
 * constraints; malformed = refused, failing closed) and the public base URL the gateway
 * forwarded (X-Forwarded-Proto/Host), else this request's own.
 */
export function requestContext(req: Request, res: Response): RequestContext {
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
