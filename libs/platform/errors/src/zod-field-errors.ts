import type { z } from 'zod';
import type { FieldErrors } from './app-error';
import { FieldErrorList } from './field-error-list';

/** zod issues as DRF field errors: `{"name": ["This field is required."]}`. */
export function fieldErrorsFromZod(error: z.ZodError): FieldErrors {
  const errors = new FieldErrorList();
  for (const issue of error.issues) {
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
  if (issue.code === 'unrecognized_keys') return `Unknown field(s): ${issue.keys.join(', ')}.`;
  if (issue.code === 'too_big' && issue.origin === 'string')
    return `Ensure this field has no more than ${String(issue.maximum)} characters.`;
  if (issue.code === 'too_small' && issue.origin === 'string' && issue.minimum === 1)
    return 'This field may not be blank.';
  return issue.message;
}
