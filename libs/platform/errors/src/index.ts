export { AppError, ERROR_CATEGORIES, isAppError, toAppError } from './app-error';
export type { AppErrorOptions, ErrorCategory, FieldErrors } from './app-error';
export { FieldErrorList } from './field-error-list';
export { fieldErrorsFromZod } from './zod-field-errors';
