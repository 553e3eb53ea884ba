import { AppError } from './app-error';
import type { FieldErrors } from './app-error';

/**
 * Field errors collected under names that callers choose (`?constructor=1`,
 * `?__proto__=1`): kept in a Map, so that no name reaches Object.prototype, and handed
 * out as an object whose keys are all own properties.
 */
export class FieldErrorList {
  readonly #byField = new Map<string, string[]>();

  /** Bound, so that it can be passed to helpers as `add`. */
  readonly add = (field: string, message: string): void => {
    const messages = this.#byField.get(field);
    if (messages) messages.push(message);
    else this.#byField.set(field, [message]);
  };

  get isEmpty(): boolean {
    return this.#byField.size === 0;
  }

  has(field: string): boolean {
    return this.#byField.has(field);
  }

  fields(): FieldErrors {
    return Object.fromEntries(this.#byField) as FieldErrors;
  }

  /** Throws the collected errors as one validation error (400), if there are any. */
  throwIfAny(code?: string): void {
    if (!this.isEmpty) throw AppError.validation(this.fields(), code);
  }
}
