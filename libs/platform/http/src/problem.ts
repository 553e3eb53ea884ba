import type { ErrorCategory } from '@toolkit/errors';
import { AppError, DETAIL, isAppError } from '@toolkit/errors';

/**
 * The only category -> HTTP status table, and the NetBox/DRF-style error bodies of the
 * public API: `{"field": ["message"]}` for validation, `{"detail": "..."}` otherwise.
 */
export const STATUS_BY_CATEGORY: Readonly<Record<ErrorCategory, number>> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export { DETAIL };

export interface Problem {
  status: number;
  /** An object, or a list (DRF's per-item errors of a bulk write). */
  body: object;
  headers: Record<string, string>;
}

export function toProblem(error: unknown): Problem {
  const bodyParserProblem = fromBodyParser(error);
  if (bodyParserProblem) return bodyParserProblem;
  if (!isAppError(error)) {
    return { status: 500, body: { detail: DETAIL.internal }, headers: {} };
  }
  // 413 and 415 are validation failures of the request itself rather than of a field.
  const override = error.details?.status;
  if (override === 413 || override === 415)
    return { status: override, body: { detail: error.message }, headers: {} };
  return {
    status: STATUS_BY_CATEGORY[error.category],
    body: bodyOf(error),
    headers: headersOf(error),
  };
}

function bodyOf(error: AppError): object {
  const details = error.details ?? {};
  // A service behind the gateway refused: its answer, as it worded it.
  if (details.relayed) return details.relayed;
  // DRF's per-item list of a bulk write.
  if (error.category === 'validation' && details.items) return details.items;
  // Per-variable errors with their explanations.
  if (error.category === 'validation' && details.variables)
    return {
      variables: details.variables,
      ...(details.validationDetails ? { validation_details: details.validationDetails } : {}),
    };
  // The original's 429: `{"error": "Rate limit exceeded", "details": {reason, ...}}`.
  if (error.category === 'rate_limited' && details.limitExceeded)
    return { error: 'Rate limit exceeded', details: details.limitExceeded };
  switch (error.category) {
    case 'validation': {
      const fields = error.fieldErrors;
      // The original answered some refusals as `{"error": "..."}`: clients written against
      // it read that key, so it stays beside the field errors.
      const legacy = details.legacyError;
      const body =
        fields && Object.keys(fields).length > 0 ? fields : { non_field_errors: [error.message] };
      return typeof legacy === 'string' ? { ...body, error: legacy } : body;
    }
    case 'not_found':
      return { detail: DETAIL.notFound };
    case 'forbidden':
      return { detail: error.message || DETAIL.forbidden };
    case 'internal':
      return { detail: DETAIL.internal };
    case 'conflict': {
      const fields = error.fieldErrors;
      return fields ? { detail: error.message, ...fields } : { detail: error.message };
    }
    default:
      return { detail: error.message };
  }
}

/** A limit as answers report it: `X-RateLimit-Limit`, `-Remaining`, `-Reset` (seconds). */
export interface RateLimitState {
  limit: number;
  remaining: number;
  resetSeconds: number;
}

export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(state.limit),
    'X-RateLimit-Remaining': String(state.remaining),
    'X-RateLimit-Reset': String(state.resetSeconds),
  };
}

/**
 * Headers from typed details: `retryAfterSeconds` (Retry-After), `rateLimit`
 * (X-RateLimit-*), and `headers` as given (WWW-Authenticate).
 */
function headersOf(error: AppError): Record<string, string> {
  const details = error.details ?? {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(details.headers ?? {})) out[k] = String(v);
  if (typeof details.retryAfterSeconds === 'number')
    out['Retry-After'] = String(details.retryAfterSeconds);
  if (details.rateLimit) Object.assign(out, rateLimitHeaders(details.rateLimit));
  return out;
}

/** express.json() errors carry `type` and `status`; they are the caller's fault, said plainly. */
function fromBodyParser(error: unknown): Problem | undefined {
  const e = error as {
    type?: unknown;
    status?: unknown;
    limit?: unknown;
    expose?: unknown;
    code?: unknown;
    body?: unknown;
  };
  if (typeof e?.status !== 'number') return undefined;
  // Errors of express' own middleware come as http-errors, 4xx with `expose` and no `type`:
  // a body that does not decompress (the zlib error; Content-Encoding: gzip with other
  // bytes), a static asset that is missing or whose path climbs out of its folder.
  if (typeof e.type !== 'string') {
    if (e.expose !== true || e.status < 400 || e.status >= 500) return undefined;
    if (e.status === 403 || e.status === 404)
      return { status: 404, body: { detail: DETAIL.notFound }, headers: {} };
    return {
      status: e.status,
      body: {
        detail:
          typeof e.code === 'string' && e.code.startsWith('Z_')
            ? 'The request body does not decode with its Content-Encoding.'
            : 'Malformed request.',
      },
      headers: {},
    };
  }
  switch (e.type) {
    case 'entity.too.large':
      return {
        status: 413,
        body: { detail: `Request body is larger than ${String(e.limit)} bytes.` },
        headers: {},
      };
    case 'entity.parse.failed': {
      const scalar = scalarKind(e.body);
      return {
        status: 400,
        body: scalar
          ? { non_field_errors: [`Invalid data. Expected a dictionary, but got ${scalar}.`] }
          : { detail: 'JSON parse error: the request body is not valid JSON.' },
        headers: {},
      };
    }
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, body: { detail: 'Unsupported request body encoding.' }, headers: {} };
    default:
      return e.status >= 400 && e.status < 500
        ? { status: e.status, body: { detail: 'Malformed request.' }, headers: {} }
        : undefined;
  }
}

/**
 * The JSON type of a body that is valid JSON but no object or list (express.json's strict
 * mode refuses it as unparsable), named as DRF names it: `"text"` is a str.
 */
function scalarKind(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.length > 1_000_000) return undefined;
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value === 'string') return 'str';
    if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
    if (typeof value === 'boolean') return 'bool';
    if (value === null) return 'NoneType';
    return undefined;
  } catch {
    return undefined;
  }
}

export function unsupportedMediaType(contentType: string | undefined): AppError {
  return new AppError({
    code: 'unsupported-media-type',
    category: 'validation',
    message: `Unsupported media type "${contentType ?? ''}" in request. Use application/json.`,
    details: { status: 415 },
  });
}
