import { AppError, FieldErrorList } from '@toolkit/errors';
import { RESERVED_PARAMETERS, defaultLookups } from './list-spec';
import type { FieldType, FilterField, ListSpec, Lookup } from './list-spec';

/**
 * NetBox list semantics as a pure function: query parameters in, a storage-neutral query
 * out (the filter is MongoDB's query language as plain data: MongoDB 7 and FerretDB both
 * run it). Unknown parameters and malformed values are refused with 400s naming them,
 * where the original plugin silently ignored them and returned everything.
 */
export type Filter = Record<string, unknown>;
export type SortDirection = 1 | -1;

export interface ListQuery {
  filter: Filter;
  sort: [string, SortDirection][];
  limit: number;
  offset: number;
  brief: boolean;
  fields: string[] | undefined;
  omit: string[] | undefined;
  /** Values of the spec's passthrough parameters. */
  passthrough: Record<string, string[]>;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;

export type QueryInput = URLSearchParams | Record<string, string | readonly string[] | undefined>;

export function parseListQuery(spec: ListSpec, input: QueryInput): ListQuery {
  const errors = new FieldErrorList();
  const addError = errors.add;
  const params = storableEntries(toEntries(input), addError);
  const single = (key: string) => params.get(key)?.at(-1);

  const limit = parseLimit(single('limit'), spec, addError);
  const offset = parseOffset(single('offset'), addError);
  const sort = parseOrdering(single('ordering'), spec, addError);
  const brief = parseBooleanParam(single('brief') ?? 'false', 'brief', addError) ?? false;
  const fields = splitList(single('fields'));
  const omit = splitList(single('omit'));

  const passthroughNames = new Set(spec.passthrough ?? []);
  const passthrough: Record<string, string[]> = {};
  const conditions: Filter[] = [];
  for (const [key, values] of params) {
    if (passthroughNames.has(key)) {
      passthrough[key] = values;
      continue;
    }
    if ((RESERVED_PARAMETERS as readonly string[]).includes(key) && key !== 'q') continue;
    // `search` is what the original's documentation called `q`.
    if (key === 'q' || (key === 'search' && !spec.filters.some((f) => f.name === 'search'))) {
      const text = values.at(-1)?.trim();
      if (text && spec.search && spec.search.length > 0) {
        conditions.push({
          $or: spec.search.map((path) => ({
            [path]: { $regex: escapeRegex(text), $options: 'i' },
          })),
        });
      }
      continue;
    }
    const condition = filterCondition(spec, key, values, addError);
    if (condition) conditions.push(condition);
  }

  errors.throwIfAny('invalid-list-query');
  return {
    filter:
      conditions.length === 0
        ? {}
        : conditions.length === 1
          ? (conditions[0] as Filter)
          : { $and: conditions },
    sort,
    limit,
    offset,
    brief,
    fields,
    omit,
    passthrough,
  };
}

/**
 * A filter given as an object (permission constraints: `{"name__ic": "version"}`), parsed
 * with the same rules as query parameters. A list of objects is OR-ed.
 */
export function parseFilterObject(
  spec: ListSpec,
  constraints: Record<string, unknown> | readonly Record<string, unknown>[],
): Filter {
  const list = Array.isArray(constraints) ? constraints : [constraints];
  const errors = new FieldErrorList();
  const addError = errors.add;
  const alternatives = list.map((object) => {
    const conditions: Filter[] = [];
    for (const [key, raw] of Object.entries(object)) {
      const items: unknown[] = Array.isArray(raw) ? raw : [raw];
      if (items.length === 0 || !items.every(isScalar)) {
        addError(
          key,
          items.length === 0
            ? 'This list may not be empty.'
            : 'Must be a string, number or boolean, or a list of them.',
        );
        continue;
      }
      const values = items.map((v) => String(v));
      const condition = filterCondition(spec, key, values, addError);
      if (condition) conditions.push(condition);
    }
    return conditions.length === 1
      ? (conditions[0] as Filter)
      : conditions.length === 0
        ? {}
        : { $and: conditions };
  });
  errors.throwIfAny('invalid-constraint');
  return alternatives.length === 1 ? (alternatives[0] as Filter) : { $or: alternatives };
}

/** Filters AND-ed; empty and absent ones left out. */
export function allOf(...filters: (Filter | null | undefined)[]): Filter {
  const present = filters.filter((f): f is Filter => !!f && Object.keys(f).length > 0);
  if (present.length === 0) return {};
  return present.length === 1 ? (present[0] as Filter) : { $and: present };
}

/** Matches no document (an empty list of constraints grants nothing). */
const NOTHING: Filter = { _id: { $in: [] } };

/**
 * A request's permission constraints (OR-ed filter objects) as a filter on a list:
 * `null`/absent means no restriction, an empty list means nothing; constraints that do not
 * apply to the list (a field it has no filter for) refuse the request (403), never widen it.
 */
export function constraintsFilter(
  spec: ListSpec,
  constraints: readonly Record<string, unknown>[] | null | undefined,
  plural: string,
): Filter | undefined {
  if (constraints === null || constraints === undefined) return undefined;
  if (constraints.length === 0) return NOTHING;
  try {
    return parseFilterObject(spec, constraints);
  } catch (error) {
    throw new AppError({
      code: 'invalid-constraint',
      category: 'forbidden',
      message: `Your permission constraints do not apply to ${plural}.`,
      cause: error,
    });
  }
}

function isScalar(value: unknown): value is string | number | boolean {
  return (
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

function filterCondition(
  spec: ListSpec,
  rawKey: string,
  values: readonly string[],
  addError: (key: string, message: string) => void,
): Filter | undefined {
  const key = ownValue(spec.aliases, rawKey) ?? rawKey;
  const separator = key.lastIndexOf('__');
  let field = spec.filters.find((f) => f.name === key);
  let lookup: Lookup | undefined;
  if (!field && separator > 0) {
    const candidate = spec.filters.find((f) => f.name === key.slice(0, separator));
    const suffix = key.slice(separator + 2) as Lookup;
    if (candidate && (candidate.lookups ?? defaultLookups(candidate.type)).includes(suffix)) {
      field = candidate;
      lookup = suffix;
    }
  }
  if (!field) {
    addError(rawKey, 'Unknown filter parameter.');
    return undefined;
  }
  const path = field.path ?? field.name;
  if (lookup === 'empty' || lookup === 'isnull') {
    const flag = parseBooleanValue(values.at(-1) ?? '');
    if (flag === undefined) {
      addError(rawKey, `"${values.at(-1) ?? ''}" is not a valid boolean.`);
      return undefined;
    }
    if (lookup === 'isnull') return flag ? { [path]: null } : { [path]: { $ne: null } };
    const emptyValues = field.type === 'string' ? ['', null] : [null];
    return flag ? { [path]: { $in: emptyValues } } : { [path]: { $nin: emptyValues } };
  }
  if (lookup && ['ic', 'nic', 'isw', 'nisw', 'iew', 'niew', 'ie', 'nie'].includes(lookup)) {
    const regexes = values.map((v) => ({ $regex: textPattern(lookup, v), $options: 'i' }));
    const negated = lookup.startsWith('n');
    const clauses = regexes.map((r) => ({ [path]: r }));
    if (negated) return { $nor: clauses };
    return clauses.length === 1 ? (clauses[0] as Filter) : { $or: clauses };
  }
  const parsed: unknown[] = [];
  for (const value of values) {
    const result = parseValue(field, value);
    if (result.ok) parsed.push(result.value);
    else addError(rawKey, result.message);
  }
  if (parsed.length !== values.length) return undefined;
  switch (lookup) {
    case undefined:
      return parsed.length === 1 ? { [path]: parsed[0] } : { [path]: { $in: parsed } };
    case 'n':
      return { [path]: { $nin: parsed } };
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const clauses = parsed.map((v) => ({ [path]: { [`$${lookup}`]: v } }));
      return clauses.length === 1 ? (clauses[0] as Filter) : { $or: clauses };
    }
    default:
      return undefined;
  }
}

function textPattern(lookup: Lookup, value: string): string {
  const escaped = escapeRegex(value);
  switch (lookup) {
    case 'isw':
    case 'nisw':
      return `^${escaped}`;
    case 'iew':
    case 'niew':
      return `${escaped}$`;
    case 'ie':
    case 'nie':
      return `^${escaped}$`;
    default:
      return escaped;
  }
}

type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

export function parseValue(field: Pick<FilterField, 'type' | 'choices'>, value: string): Parsed {
  return parseTyped(field.type, field.choices, value);
}

function parseTyped(
  type: FieldType,
  choices: readonly string[] | undefined,
  value: string,
): Parsed {
  switch (type) {
    case 'string':
      return { ok: true, value };
    case 'integer':
      return /^-?\d{1,15}$/.test(value.trim())
        ? { ok: true, value: Number(value) }
        : { ok: false, message: 'Enter a whole number.' };
    case 'number': {
      const n = Number(value);
      return value.trim() !== '' && Number.isFinite(n)
        ? { ok: true, value: n }
        : { ok: false, message: 'Enter a number.' };
    }
    case 'boolean': {
      const b = parseBooleanValue(value);
      return b === undefined
        ? { ok: false, message: `"${value}" is not a valid boolean.` }
        : { ok: true, value: b };
    }
    case 'datetime': {
      const date = parseDateTime(value);
      return date ? { ok: true, value: date } : { ok: false, message: 'Enter a valid date/time.' };
    }
    case 'enum':
      return choices?.includes(value)
        ? { ok: true, value }
        : {
            ok: false,
            message: `Select a valid choice. ${value} is not one of the available choices.`,
          };
  }
}

/** `YYYY-MM-DD` (midnight UTC) or an ISO 8601 date-time with an optional offset (UTC when none). */
export function parseDateTime(value: string): Date | undefined {
  const match =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(
      value.trim(),
    );
  if (!match) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '0', zone = 'Z'] = match;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}.${frac.padEnd(3, '0').slice(0, 3)}${zone === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return undefined;
  // Refuse dates that JavaScript silently rolls over (2024-02-31).
  if (date.toISOString().slice(0, 10) !== `${y}-${mo}-${d}` && zone === 'Z') return undefined;
  return date;
}

function parseBooleanValue(value: string): boolean | undefined {
  switch (value.trim().toLowerCase()) {
    case 'true':
    case '1':
    case 'yes':
    case 'on':
      return true;
    case 'false':
    case '0':
    case 'no':
    case 'off':
      return false;
    default:
      return undefined;
  }
}

function parseBooleanParam(
  value: string,
  key: string,
  addError: (key: string, message: string) => void,
): boolean | undefined {
  const parsed = parseBooleanValue(value);
  if (parsed === undefined) addError(key, `"${value}" is not a valid boolean.`);
  return parsed;
}

function parseLimit(
  value: string | undefined,
  spec: ListSpec,
  addError: (key: string, message: string) => void,
): number {
  const max = spec.maxLimit ?? MAX_LIMIT;
  if (value === undefined || value === '') return spec.defaultLimit ?? DEFAULT_LIMIT;
  if (!/^\d+$/.test(value)) {
    addError('limit', 'Enter a whole number.');
    return 0;
  }
  // As NetBox: 0 and anything above the maximum page size mean the maximum.
  const n = Number(value);
  return n === 0 ? max : Math.min(n, max);
}

function parseOffset(
  value: string | undefined,
  addError: (key: string, message: string) => void,
): number {
  if (value === undefined || value === '') return 0;
  if (!/^\d{1,12}$/.test(value)) {
    addError('offset', 'Enter a whole number.');
    return 0;
  }
  return Number(value);
}

function parseOrdering(
  value: string | undefined,
  spec: ListSpec,
  addError: (key: string, message: string) => void,
): [string, SortDirection][] {
  const names = splitList(value) ?? [...spec.defaultOrdering];
  const sort: [string, SortDirection][] = [];
  for (const name of names) {
    const descending = name.startsWith('-');
    const path = ownValue(spec.ordering, descending ? name.slice(1) : name);
    if (!path) {
      addError('ordering', `Invalid ordering field: ${name}.`);
      continue;
    }
    if (!sort.some(([p]) => p === path)) sort.push([path, descending ? -1 : 1]);
  }
  // A unique tiebreaker keeps pages stable when the chosen fields repeat.
  if (!sort.some(([p]) => p === '_id')) sort.push(['_id', 1]);
  return sort;
}

function splitList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  return items.length > 0 ? items : undefined;
}

/**
 * Parameters whose name or values hold a NUL are refused (DRF's message): no store keeps
 * one in a string (PostgreSQL, under FerretDB, fails the whole query), and no filter needs it.
 */
function storableEntries(
  params: Map<string, string[]>,
  addError: (key: string, message: string) => void,
): Map<string, string[]> {
  for (const [key, values] of params) {
    if (!key.includes('\u0000') && !values.some((v) => v.includes('\u0000'))) continue;
    addError(key.replaceAll('\u0000', '\\u0000'), 'Null characters are not allowed.');
    params.delete(key);
  }
  return params;
}

/** A table's own entry: `ordering=constructor` is no field, whatever Object.prototype holds. */
function ownValue(
  table: Readonly<Record<string, string>> | undefined,
  key: string,
): string | undefined {
  return table !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}

function toEntries(input: QueryInput): Map<string, string[]> {
  const map = new Map<string, string[]>();
  if (input instanceof URLSearchParams) {
    for (const [key, value] of input) (map.get(key) ?? map.set(key, []).get(key))?.push(value);
    return map;
  }
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    map.set(key, typeof value === 'string' ? [value] : [...value]);
  }
  return map;
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
