import type { Request, RequestHandler, Response } from 'express';
import { asyncHandler, internalRequest, searchParamsOf } from '@toolkit/http';
import {
  allOf,
  constraintsFilter,
  parseListQuery,
  selectFields,
  toPage,
} from '@toolkit/netbox-list';
import type { Filter, ListQuery, ListSpec } from '@toolkit/netbox-list';

/**
 * The caller's permission constraints on `spec`'s list as a filter, `{}` when unrestricted
 * (see constraintsFilter: an empty list grants nothing, inapplicable constraints are 403).
 */
export function constraintFilter(
  req: Request,
  res: Response,
  spec: ListSpec,
  plural: string,
): Filter {
  return constraintsFilter(spec, internalRequest(req, res).constraints, plural) ?? {};
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
  plural: string,
  source: PagedSource<T>,
  present: (item: T, base: string) => Record<string, unknown>,
  briefFields: readonly string[],
): RequestHandler {
  return asyncHandler(async (req, res) => {
    const query = parseListQuery(spec, searchParamsOf(req));
    const filter = allOf(query.filter, constraintFilter(req, res, spec, plural));
    const { count, results } = await source.list(filter, query.sort, query.offset, query.limit);
    const request = internalRequest(req, res);
    const base = request.baseUrl;
    res.json(
      toPage(
        request.requestUrl,
        count,
        query.limit,
        query.offset,
        results.map((item) => selectFields(present(item, base), query, briefFields)),
      ),
    );
  });
}
