import type { z } from 'zod';
import { AppError } from './app-error';
import type { FieldErrors } from './app-error';
import { FieldErrorList } from './field-error-list';
import { unknownFieldErrors } from './unknown-fields';

/** zod issues as DRF field errors: `{"name": ["This field is required."]}`. */
export function fieldErrorsFromZod(error: z.ZodError): FieldErrors {
  const errors = new FieldErrorList();
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      // Each under its own name, as a misspelt field should be reported.
      for (const key of issue.keys)
        errors.add([...issue.path, key].map(String).join('.'), 'Unknown field.');
      continue;
    }
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : 'non_field_errors';
    errors.add(field, messageOf(issue));
  }
  return errors.fields();
}

function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'This field is required.';
  if (issue.code === 'invalid_type' && issue.input === null) return 'This field may not be null.';
  if (issue.code === 'invalid_value' && 'values' in issue)
    return `"${String(issue.input)}" is not a valid choice.`;
  if (issue.code === 'too_big' && issue.origin === 'string')
    return `Ensure this field has no more than ${String(issue.maximum)} characters.`;
  if (issue.code === 'too_small' && issue.origin === 'string' && issue.minimum === 1)
    return 'This field may not be blank.';
  return issue.message;
}

/**
 * The input as the schema reads it, or a 400 naming every wrong field: unknown fields with
 * the field they probably meant (`timout` -> `timeout`), then zod's findings.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const unknown = unknownFieldErrors(input, schema);
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success && Object.keys(unknown).length === 0) return result.data;
  throw AppError.validation({
    ...(result.success ? {} : fieldErrorsFromZod(result.error)),
    ...unknown,
  });
}
