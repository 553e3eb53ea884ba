/** A NetBox list response. */
export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

/**
 * DRF LimitOffsetPagination links: absolute URLs that keep every other query parameter;
 * `previous` drops `offset` when it would be 0, as DRF does.
 */
export function pageLinks(
  requestUrl: string,
  count: number,
  limit: number,
  offset: number,
): Pick<Page<never>, 'next' | 'previous'> {
  const next =
    offset + limit < count
      ? withParams(requestUrl, { limit: String(limit), offset: String(offset + limit) })
      : null;
  let previous: string | null = null;
  if (offset > 0) {
    const previousOffset = Math.max(0, offset - limit);
    previous = withParams(requestUrl, {
      limit: String(limit),
      offset: previousOffset > 0 ? String(previousOffset) : undefined,
    });
  }
  return { next, previous };
}

export function toPage<T>(
  requestUrl: string,
  count: number,
  limit: number,
  offset: number,
  results: T[],
): Page<T> {
  return { count, ...pageLinks(requestUrl, count, limit, offset), results };
}

function withParams(requestUrl: string, changes: Record<string, string | undefined>): string {
  const url = new URL(requestUrl);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) url.searchParams.delete(key);
    else url.searchParams.set(key, value);
  }
  return url.toString();
}

/**
 * `brief`, `fields` and `omit` (NetBox 4): brief returns the brief representation, fields
 * keeps only the named fields, omit removes the named ones. Unknown names are ignored.
 */
export function selectFields<T extends Record<string, unknown>>(
  record: T,
  options: {
    brief: boolean;
    fields: readonly string[] | undefined;
    omit: readonly string[] | undefined;
  },
  briefFields: readonly string[],
): Partial<T> {
  let keys = Object.keys(record);
  if (options.brief) keys = keys.filter((k) => briefFields.includes(k));
  if (options.fields) keys = keys.filter((k) => options.fields?.includes(k));
  if (options.omit) keys = keys.filter((k) => !options.omit?.includes(k));
  return Object.fromEntries(keys.map((k) => [k, record[k]])) as Partial<T>;
}
