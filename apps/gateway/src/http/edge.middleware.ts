import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** NetBox's API version; pynetbox reads the `API-Version` header. */
export const API_VERSION = '4.2';

const API_CSP = "default-src 'none'; frame-ancestors 'none'";
/** Swagger UI and ReDoc: own scripts only; ReDoc needs inline styles and blob: workers. */
export const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Security headers and `API-Version` on every response (errors included). */
export function edgeHeaders(): RequestHandler {
  return (req, res, next) => {
    res.setHeader('API-Version', API_VERSION);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader(
      'Content-Security-Policy',
      req.path.startsWith('/api/docs/') || req.path.startsWith('/api/redoc/') ? DOCS_CSP : API_CSP,
    );
    if (req.secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
    next();
  };
}

/**
 * CORS for browser clients of the configured origins (`*` allows any, without
 * credentials). Preflights are answered here, before authentication.
 */
export function cors(origins: readonly string[]): RequestHandler {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.header('origin');
    if (!origin || (!any && !allowed.has(origin))) {
      next();
      return;
    }
    res.setHeader('Access-Control-Allow-Origin', any ? '*' : origin);
    if (!any) res.append('Vary', 'Origin');
    res.setHeader(
      'Access-Control-Expose-Headers',
      'API-Version, X-Request-Id, Retry-After, Content-Disposition',
    );
    if (req.method === 'OPTIONS' && req.header('access-control-request-method')) {
      res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS');
      res.setHeader(
        'Access-Control-Allow-Headers',
        'Authorization, Content-Type, Accept, X-Request-Id',
      );
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}

/**
 * Every API path ends with a slash; a request without it works the same (no redirect, so
 * POST bodies and methods survive any client). Static assets keep their names.
 */
export function appendSlash(): RequestHandler {
  return (req, _res, next) => {
    const [path = '', query] = splitUrl(req.url);
    if (
      (path === '/api' || path.startsWith('/api/')) &&
      !path.endsWith('/') &&
      !path.includes('/static/')
    ) {
      req.url = `${path}/${query === undefined ? '' : `?${query}`}`;
    }
    next();
  };
}

function splitUrl(url: string): [string, string | undefined] {
  const index = url.indexOf('?');
  return index === -1 ? [url, undefined] : [url.slice(0, index), url.slice(index + 1)];
}
