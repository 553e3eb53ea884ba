import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { INTERNAL_HEADERS, constraintsSchema, decodeHeaderJson } from '@toolkit/contracts';
import type { Constraints } from '@toolkit/contracts';
import { AppError } from '@toolkit/errors';
import { DETAIL, asyncHandler, searchParamsOf } from '@toolkit/http';
import { parseFilterObject, parseListQuery, selectFields, toPage } from '@toolkit/netbox-list';
import type { Filter, ListQuery, ListSpec } from '@toolkit/netbox-list';

const OPEN_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** Every call except health and metrics must carry the gateway's internal token. */
export function requireInternalToken(token: string): RequestHandler {
  const expected = Buffer.from(token, 'utf8');
  return (req: Request, res: Response, next: NextFunction) => {
    if (OPEN_PATHS.has(req.path)) {
      next();
      return;
    }
    const given = req.header(INTERNAL_HEADERS.token);
    if (!given) {
      res.status(401).json({ detail: DETAIL.notAuthenticated });
      return;
    }
    const actual = Buffer.from(given, 'utf8');
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
      res.status(401).json({ detail: 'Invalid token.' });
      return;
    }
    next();
  };
}

/** Public base URL: the gateway's X-Forwarded-Proto/Host, else the request's own host. */
export function baseUrl(req: Request): string {
  const proto = req.header(INTERNAL_HEADERS.forwardedProto)?.split(',')[0]?.trim() || req.protocol;
  const host =
    req.header(INTERNAL_HEADERS.forwardedHost)?.split(',')[0]?.trim() ||
    req.header('host') ||
    'localhost';
  return `${proto}://${host}`;
}

export function requestUrl(req: Request): string {
  return `${baseUrl(req)}${req.originalUrl}`;
}

/**
 * The permission constraints the gateway resolved for this request, as a filter ({} when
 * unrestricted). A header that does not decode, or names fields we cannot filter on,
 * refuses the request rather than widening it.
 */
export function constraintFilter(req: Request, spec: ListSpec): Filter {
  const raw = req.header(INTERNAL_HEADERS.constraints);
  if (!raw) return {};
  const constraints: Constraints | undefined = decodeHeaderJson(constraintsSchema, raw);
  if (constraints === undefined)
    throw new AppError({
      code: 'invalid-constraints',
      category: 'forbidden',
      message: DETAIL.forbidden,
    });
  if (constraints === null || constraints.length === 0) return {};
  try {
    return parseFilterObject(spec, constraints);
  } catch (error) {
    throw new AppError({
      code: 'invalid-constraints',
      category: 'forbidden',
      message: DETAIL.forbidden,
      cause: error,
    });
  }
}

export function and(...filters: Filter[]): Filter {
  const parts = filters.filter((f) => Object.keys(f).length > 0);
  if (parts.length === 0) return {};
  return parts.length === 1 ? (parts[0] as Filter) : { $and: parts };
}

/** A store that answers one page of a list and the total count. */
export interface PagedSource<T> {
  list(
    filter: Filter,
    sort: ListQuery['sort'],
    offset: number,
    limit: number,
  ): Promise<{ count: number; results: T[] }>;
}

/**
 * The NetBox list endpoint: parse the query with the resource's spec, AND in the caller's
 * permission constraints, fetch one page, answer `{count, next, previous, results}` with
 * brief/fields/omit applied.
 */
export function listHandler<T>(
  spec: ListSpec,
  source: PagedSource<T>,
  present: (item: T, base: string) => Record<string, unknown>,
  briefFields: readonly string[],
): RequestHandler {
  return asyncHandler(async (req, res) => {
    const query = parseListQuery(spec, searchParamsOf(req));
    const filter = and(query.filter, constraintFilter(req, spec));
    const { count, results } = await source.list(filter, query.sort, query.offset, query.limit);
    const base = baseUrl(req);
    res.json(
      toPage(
        requestUrl(req),
        count,
        query.limit,
        query.offset,
        results.map((item) => selectFields(present(item, base), query, briefFields)),
      ),
    );
  });
}
