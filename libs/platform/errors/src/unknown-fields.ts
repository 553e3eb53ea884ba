import { z } from 'zod';
import { AppError } from './app-error';
import type { FieldErrors } from './app-error';
import { FieldErrorList } from './field-error-list';
import { closestMatches } from './suggestions';

/**
 * The fields of a write body that are neither writable nor read-only, each named with the
 * writable field it most likely meant: `{"comand_type": ["Unknown field. Did you mean
 * "command_type"?"]}`. Read-only fields of the representation are accepted (a client PUTs
 * back what it got); a misspelt field is not silently dropped.
 */
export function unknownFieldErrors(
  body: unknown,
  writable: z.ZodType,
  representation?: z.ZodType,
): FieldErrors {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  const writableNames = fieldNamesOf(writable);
  if (writableNames.length === 0) return {};
  const known = new Set([
    ...writableNames,
    ...(representation ? fieldNamesOf(representation) : []),
  ]);
  const errors = new FieldErrorList();
  for (const key of Object.keys(body)) {
    if (known.has(key)) continue;
    const [closest] = closestMatches(key, writableNames, 1);
    errors.add(key, closest ? `Unknown field. Did you mean "${closest}"?` : 'Unknown field.');
  }
  return errors.fields();
}

/**
 * A body with only its writable fields: the read-only ones a client sent back are dropped
 * before a strict schema reads it (after {@link unknownFieldErrors} refused the others).
 */
export function writableFieldsOf(body: unknown, writable: z.ZodType): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const names = new Set(fieldNamesOf(writable));
  if (names.size === 0) return body;
  return Object.fromEntries(Object.entries(body).filter(([key]) => names.has(key)));
}

/** The top-level field names of an object schema (also behind `.partial()`); none otherwise. */
function fieldNamesOf(schema: z.ZodType): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/**
 * Throws when any item has errors: for one item (`bulk: false`) `{field: [..]}`; for a bulk
 * request (a list body) one object per item, `{}` for the valid ones (DRF).
 */
export function throwIfInvalid(errors: readonly FieldErrors[], options: { bulk: boolean }): void {
  if (!errors.some((e) => Object.keys(e).length > 0)) return;
  if (!options.bulk) throw AppError.validation(errors[0] as FieldErrors);
  throw new AppError({
    code: 'invalid-input',
    category: 'validation',
    message: 'Invalid input in a bulk request.',
    details: { items: [...errors] },
  });
}
