export { AppError, DETAIL, ERROR_CATEGORIES, isAppError, toAppError } from './app-error';
export type { AppErrorOptions, ErrorCategory, ErrorDetails, FieldErrors } from './app-error';
export { FieldErrorList } from './field-error-list';
export { fieldErrorsFromZod, parseInput } from './zod-field-errors';
export { closestMatches, levenshtein } from './suggestions';
export { throwIfInvalid, unknownFieldErrors, writableFieldsOf } from './unknown-fields';
