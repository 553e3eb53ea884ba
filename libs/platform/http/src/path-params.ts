import { AppError } from '@toolkit/errors';

const OBJECT_ID = /^\d{1,15}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An object id in a path (`/api/dcim/devices/{id}/`): digits only, within the safe
 * integer range, not 0; anything else is an object that does not exist (404, as NetBox).
 */
export function pathId(raw: unknown, what = 'object'): number {
  const text = Array.isArray(raw) ? String(raw[0]) : String(raw);
  if (!OBJECT_ID.test(text) || Number(text) === 0) throw AppError.notFound(what);
  return Number(text);
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
