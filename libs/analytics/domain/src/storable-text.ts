/** NUL, and surrogates without their pair (in unicode mode a valid pair is one code point). */
// eslint-disable-next-line no-control-regex -- NUL is exactly what is looked for.
const UNSTORABLE = /\u0000|\p{Cs}/gu;

/**
 * A value with every string made storable: what devices print may hold NUL bytes, which
 * no MongoDB-wire server behind PostgreSQL stores (FerretDB refuses the whole insert), so
 * they become U+FFFD, as undecodable bytes already do. Everything else is kept as it is.
 */
export function storableStrings<T>(value: T): T {
  if (typeof value === 'string') return value.replace(UNSTORABLE, '\uFFFD') as T;
  if (Array.isArray(value)) return value.map((item: unknown) => storableStrings(item)) as T;
  if (typeof value !== 'object' || value === null || value instanceof Date) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [storableStrings(key), storableStrings(item)]),
  ) as T;
}
