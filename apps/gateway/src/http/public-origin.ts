import type { Request, RequestHandler } from 'express';
import { AppError } from '@toolkit/errors';

/** A host name or an IPv4 address, or an IPv6 address in brackets; an optional port. */
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]{2,45}\])(?::(\d{1,5}))?$/;

/**
 * The origin clients use: PUBLIC_URL when configured, else the request's scheme and host
 * (X-Forwarded-Proto/Host are honoured from trusted proxies only: express `trust proxy`).
 * A Host header that is not a host name or address (with a port up to 65535) is the
 * client's error: 400 naming it, never an origin built from it.
 */
export function publicOrigin(req: Request, publicUrl: string | undefined): string {
  if (publicUrl) return new URL(publicUrl).origin;
  const host = req.host || 'localhost';
  const match = HOST.exec(host);
  if (!match || Number(match[1] ?? '0') > 65_535)
    throw AppError.validation({ Host: ['Invalid Host header.'] }, 'invalid-host');
  return `${req.protocol}://${host}`;
}

/** Refuses a request with an unusable Host header up front (400), before any work. */
export function requireUsableHost(publicUrl: string | undefined): RequestHandler {
  return (req, _res, next) => {
    try {
      publicOrigin(req, publicUrl);
      next();
    } catch (error) {
      next(error);
    }
  };
}
