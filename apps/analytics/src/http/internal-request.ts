import type { Request, Response } from 'express';
import { internalRequest } from '@toolkit/http';
import type { InternalRequest } from '@toolkit/http';
import {
  allOf,
  constraintsFilter,
  parseListQuery,
  selectFields,
  toPage,
} from '@toolkit/netbox-list';
import type { Filter, ListQuery, ListSpec } from '@toolkit/netbox-list';

/** A store that answers one page of a list and the total count. */
export interface PagedSource<T> {
  list(
    filter: Filter,
    sort: ListQuery['sort'],
    offset: number,
    limit: number,
  ): Promise<{ count: number; results: T[] }>;
}

/** What an analytics resource reads from a request: the gateway's headers, and what the caller may see. */
export interface AnalyticsContext {
  request: InternalRequest;
  /** The caller's permission constraints as a filter (`{}`: everything). */
  visible: Filter;
}

export function analyticsContext(
  req: Request,
  res: Response,
  spec: ListSpec,
  plural: string,
): AnalyticsContext {
  const request = internalRequest(req, res);
  return { request, visible: constraintsFilter(spec, request.constraints, plural) ?? {} };
}

/**
 * A NetBox list over a paged source: the query parsed with the resource's spec, the
 * caller's constraints AND-ed in, one page, brief/fields/omit applied.
 */
export function pagedList<T>(
  spec: ListSpec,
  source: PagedSource<T>,
  present: (item: T, base: string) => Record<string, unknown>,
  briefFields: readonly string[],
): (context: AnalyticsContext, params: URLSearchParams) => Promise<object> {
  return async ({ request, visible }, params) => {
    const query = parseListQuery(spec, params);
    const filter = allOf(query.filter, visible);
    const { count, results } = await source.list(filter, query.sort, query.offset, query.limit);
    return toPage(
      request.requestUrl,
      count,
      query.limit,
      query.offset,
      results.map((item) => selectFields(present(item, request.baseUrl), query, briefFields)),
    );
  };
}
