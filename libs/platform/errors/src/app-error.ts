/**
 * The one error taxonomy. Domain code throws AppError with a stable kebab-case `code`
 * and a `category`; transports map the category once (HTTP in @toolkit/http, Kafka in
 * @toolkit/messaging). No HTTP status lives here.
 */
export const ERROR_CATEGORIES = [
  'validation',
  'not_found',
  'conflict',
  'unauthorized',
  'forbidden',
  'rate_limited',
  'unavailable',
  'internal',
] as const;

export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];

/** Field errors in NetBox's shape: `{ field: ["message", ...] }`. */
export type FieldErrors = Record<string, string[]>;

/**
 * What an error says beyond its message, typed: transports build the answer from these
 * (the HTTP body and headers in @toolkit/http), never from a body shaped in advance.
 */
export interface ErrorDetails {
  /** One object's field errors: `{field: [messages]}`. */
  fields?: FieldErrors;
  /** A bulk write's field errors, one entry per item in the request's order (DRF's list). */
  items?: FieldErrors[];
  /** Per-variable messages of a command (`{"variables": {"iface": [...]}}`). */
  variables?: Record<string, string[]>;
  /** Per-variable explanations answered beside them (`validation_details`). */
  validationDetails?: Record<string, unknown>;
  /** The original answered some refusals as `{"error": ...}`: kept beside the field errors. */
  legacyError?: string;
  /** The original's 429 details (`reason`, `current_count`, `limit`, `time_window_minutes`). */
  limitExceeded?: Record<string, unknown>;
  retryAfterSeconds?: number;
  /** The caller's rate-limit state (X-RateLimit-* headers). */
  rateLimit?: { limit: number; remaining: number; resetSeconds: number };
  /** Headers to answer with as given (WWW-Authenticate). */
  headers?: Record<string, string>;
  /** A refusal of a service behind the gateway: its body, answered as the service worded it. */
  relayed?: object;
  /** A status of its own for refusals of the request itself (413, 415), or a service's. */
  status?: number;
  /** The unique key a conflict is on. */
  uniqueFields?: string[];
  /** The dependency that is unavailable. */
  dependency?: string;
  /** Why an authentication failed (metrics, logs). */
  reason?: string;
  /** Message size refusals and missing topics (messaging). */
  topic?: string;
  topics?: string[];
  bytes?: number;
  limit?: number;
  valueLimit?: number;
}

export interface AppErrorOptions {
  code: string;
  category: ErrorCategory;
  /** Safe to show to the caller: never secrets, never stack traces. */
  message: string;
  /** Whether trying the same operation again may succeed. Defaults by category. */
  retriable?: boolean;
  cause?: unknown;
  /** Structured, caller-safe details (field errors, limits, retry hints). */
  details?: ErrorDetails;
}

const RETRIABLE_BY_DEFAULT: ReadonlySet<ErrorCategory> = new Set(['unavailable', 'rate_limited']);

export class AppError extends Error {
  readonly code: string;
  readonly category: ErrorCategory;
  readonly retriable: boolean;
  readonly details: ErrorDetails | undefined;

  constructor(options: AppErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = options.code;
    this.category = options.category;
    this.retriable = options.retriable ?? RETRIABLE_BY_DEFAULT.has(options.category);
    this.details = options.details;
  }

  /** A validation error naming fields, as NetBox answers `{field: [messages]}`. */
  static validation(fields: FieldErrors, code = 'invalid-input'): AppError {
    const first = Object.entries(fields)[0];
    const message = first ? `${first[0]}: ${first[1].join(' ')}` : 'Invalid input.';
    return new AppError({ code, category: 'validation', message, details: { fields } });
  }

  static notFound(what = 'object'): AppError {
    return new AppError({ code: 'not-found', category: 'not_found', message: `No such ${what}.` });
  }

  static conflict(message: string, details?: ErrorDetails): AppError {
    return new AppError({ code: 'conflict', category: 'conflict', message, details });
  }

  static unavailable(dependency: string, cause?: unknown): AppError {
    return new AppError({
      code: 'dependency-unavailable',
      category: 'unavailable',
      message: `${dependency} is unavailable.`,
      cause,
      details: { dependency },
    });
  }

  static internal(message: string, cause?: unknown): AppError {
    return new AppError({ code: 'internal', category: 'internal', message, cause });
  }

  /** Field errors carried by a validation error, if any. */
  get fieldErrors(): FieldErrors | undefined {
    const fields = this.details?.fields;
    return isFieldErrors(fields) ? fields : undefined;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

function isFieldErrors(value: unknown): value is FieldErrors {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.values(value).every((v) => Array.isArray(v) && v.every((m) => typeof m === 'string'))
  );
}

/**
 * Errors from libraries that already say what kind of failure they are (opossum's
 * EOPENBREAKER and ETIMEDOUT, socket errors) become AppErrors here, once.
 */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  const code =
    typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  switch (code) {
    case 'EOPENBREAKER':
      return new AppError({
        code: 'circuit-open',
        category: 'unavailable',
        message: 'Circuit breaker is open.',
        cause: error,
      });
    case 'ETIMEDOUT':
      return new AppError({
        code: 'timeout',
        category: 'unavailable',
        message: 'Operation timed out.',
        cause: error,
      });
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'EHOSTUNREACH':
    case 'ENOTFOUND':
      return new AppError({
        code: 'connection-failed',
        category: 'unavailable',
        message: 'Connection failed.',
        cause: error,
      });
    default:
      return AppError.internal('Internal error.', error);
  }
}

/** DRF's fixed `detail` strings, as NetBox clients expect them. */
export const DETAIL = {
  notFound: 'Not found.',
  forbidden: 'You do not have permission to perform this action.',
  notAuthenticated: 'Authentication credentials were not provided.',
  invalidToken: 'Invalid token.',
  internal: 'Internal server error.',
} as const;
