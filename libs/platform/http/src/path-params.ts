import { AppError } from '@toolkit/errors';

const OBJECT_ID = /^\d{1,15}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An object id as a client gives it, in a path, a query parameter or a JSON body: a
 * positive safe integer, or its text (1 to 15 digits, not 0; no sign, exponent, decimal
 * point or space). Anything else is `undefined`; the caller answers as its route does
 * (a 404 for a path, a 400 naming the field for a parameter).
 */
export function parseObjectId(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw > 0 ? raw : undefined;
  if (typeof raw !== 'string' || !OBJECT_ID.test(raw)) return undefined;
  const id = Number(raw);
  return id > 0 ? id : undefined;
}

/**
 * An object id in a path (`/api/dcim/devices/{id}/`), as `parseObjectId` reads it;
 * anything else is an object that does not exist (404, as NetBox).
 */
export function pathId(raw: unknown, what = 'object'): number {
  const id = parseObjectId(Array.isArray(raw) ? String(raw[0]) : String(raw));
  if (id === undefined) throw AppError.notFound(what);
  return id;
}

/** A UUID in a path (executions, bulk jobs), lower-cased; anything else is a 404. */
export function pathUuid(raw: unknown, what = 'object'): string {
  const text = Array.isArray(raw) ? String(raw[0]) : String(raw);
  if (!UUID.test(text)) throw AppError.notFound(what);
  return text.toLowerCase();
}

/**
 * The query string as written, repeated parameters kept (`?tag=a&tag=b`), without express'
 * `qs` reading: no nested objects from `a[b]=1`, no arrays from `a[]=`, no prototype keys.
 */
export function searchParamsOf(req: { originalUrl: string }): URLSearchParams {
  const at = req.originalUrl.indexOf('?');
  return new URLSearchParams(at >= 0 ? req.originalUrl.slice(at + 1) : '');
}
