import { AppError, throwIfInvalid } from '@toolkit/errors';
import type { FieldErrors } from '@toolkit/errors';

/**
 * The bodies of NetBox writes, read the same way by every service: a create is one object
 * or a non-empty list (bulk); a bulk update or delete is a non-empty list of objects with
 * an `id`, refused per item as DRF does; a detail PUT/PATCH is one object.
 */

/** A create body: one object, or a non-empty list of them (bulk). */
export function createBodies(body: unknown): { items: unknown[]; bulk: boolean } {
  if (!Array.isArray(body)) return { items: [body ?? {}], bulk: false };
  if (body.length === 0)
    throw AppError.validation({ non_field_errors: ['Expected a non-empty list of objects.'] });
  return { items: body, bulk: true };
}

/**
 * A bulk update or delete body: `[{id, ...changes}]`, each id a positive whole number; at
 * most `max` items when given.
 */
export function bulkItems(
  body: unknown,
  max?: number,
): { id: number; body: Record<string, unknown> }[] {
  if (!Array.isArray(body) || body.length === 0)
    throw AppError.validation({
      non_field_errors: ['Expected a non-empty list of objects with an "id".'],
    });
  if (max !== undefined && body.length > max)
    throw AppError.validation({
      non_field_errors: [`Ensure this list has no more than ${max} items (it has ${body.length}).`],
    });
  const errors: FieldErrors[] = body.map(() => ({}));
  const items = body.map((item: unknown, i) => {
    const record = (isObject(item) ? item : {}) as Record<string, unknown>;
    const id = record['id'];
    if (!isObject(item)) (errors[i] as FieldErrors)['non_field_errors'] = ['Expected an object.'];
    else if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0)
      (errors[i] as FieldErrors)['id'] = [
        id === undefined ? 'This field is required.' : 'A valid integer is required.',
      ];
    const { id: _id, ...rest } = record;
    return { id: id as number, body: rest };
  });
  throwIfInvalid(errors, { bulk: true });
  return items;
}

/** A detail PUT/PATCH body: one object. */
export function objectBody(body: unknown): Record<string, unknown> {
  const value = body ?? {};
  if (!isObject(value)) throw AppError.validation({ non_field_errors: ['Expected an object.'] });
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
