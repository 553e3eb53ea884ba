import { AppError } from '@toolkit/errors';
import { toProblem } from './problem';

describe('toProblem', () => {
  it.each([
    [
      AppError.validation({ name: ['This field is required.'] }),
      400,
      { name: ['This field is required.'] },
    ],
    [
      new AppError({ code: 'x', category: 'validation', message: 'Bad combination.' }),
      400,
      { non_field_errors: ['Bad combination.'] },
    ],
    [AppError.notFound('command'), 404, { detail: 'Not found.' }],
    [
      new AppError({ code: 'denied', category: 'forbidden', message: '' }),
      403,
      { detail: 'You do not have permission to perform this action.' },
    ],
    [
      new AppError({ code: 'no-token', category: 'unauthorized', message: 'Invalid token.' }),
      401,
      { detail: 'Invalid token.' },
    ],
    [
      AppError.conflict('A command with this name already exists.'),
      409,
      { detail: 'A command with this name already exists.' },
    ],
    [AppError.unavailable('catalog'), 503, { detail: 'catalog is unavailable.' }],
    [
      AppError.internal('database exploded: password=abc'),
      500,
      { detail: 'Internal server error.' },
    ],
  ])(
    'when the error is %p, then the status is %i with a NetBox-style body',
    (error, status, body) => {
      expect(toProblem(error)).toEqual({ status, body, headers: {} });
    },
  );

  it('when an unknown error escapes, then the answer is a generic 500 without its message or stack', () => {
    const problem = toProblem(
      new TypeError("Cannot read properties of undefined (reading 'password')"),
    );

    expect(problem).toEqual({
      status: 500,
      body: { detail: 'Internal server error.' },
      headers: {},
    });
  });

  it('when a limit refuses a request, then the original 429 body, Retry-After and X-RateLimit-* are sent', () => {
    const limitExceeded = {
      reason: 'Rate limit exceeded: 10/10 successful commands in last 5 minutes',
      current_count: 10,
      limit: 10,
      time_window_minutes: 5,
    };
    const error = new AppError({
      code: 'rate-limited',
      category: 'rate_limited',
      message: limitExceeded.reason,
      details: {
        limitExceeded,
        retryAfterSeconds: 30,
        rateLimit: { limit: 10, remaining: 0, resetSeconds: 30 },
      },
    });
    const throttled = new AppError({
      code: 'auth-throttled',
      category: 'rate_limited',
      message: 'Request was throttled. Expected available in 7 seconds.',
      details: { retryAfterSeconds: 7 },
    });

    expect(toProblem(error)).toEqual({
      status: 429,
      body: { error: 'Rate limit exceeded', details: limitExceeded },
      headers: {
        'Retry-After': '30',
        'X-RateLimit-Limit': '10',
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': '30',
      },
    });
    expect(toProblem(throttled)).toEqual({
      status: 429,
      body: { detail: 'Request was throttled. Expected available in 7 seconds.' },
      headers: { 'Retry-After': '7' },
    });
  });

  it('when the JSON body is malformed or too large, then 400 and 413 say so', () => {
    expect(toProblem({ type: 'entity.parse.failed', status: 400 }).status).toBe(400);
    expect(toProblem({ type: 'entity.too.large', status: 413, limit: 1024 })).toEqual({
      status: 413,
      body: { detail: 'Request body is larger than 1024 bytes.' },
      headers: {},
    });
  });

  it.each([
    ['"text"', { non_field_errors: ['Invalid data. Expected a dictionary, but got str.'] }],
    ['4.5', { non_field_errors: ['Invalid data. Expected a dictionary, but got float.'] }],
    ['null', { non_field_errors: ['Invalid data. Expected a dictionary, but got NoneType.'] }],
    ['{"name":', { detail: 'JSON parse error: the request body is not valid JSON.' }],
  ])(
    'when the body %s is refused by strict JSON parsing, then 400 says what it was',
    (raw, body) => {
      expect(toProblem({ type: 'entity.parse.failed', status: 400, body: raw })).toEqual({
        status: 400,
        body,
        headers: {},
      });
    },
  );

  it('when the body does not decompress, then 400 names the encoding, not a 500', () => {
    const zlibError = Object.assign(new Error('incorrect header check'), {
      code: 'Z_DATA_ERROR',
      status: 400,
      statusCode: 400,
      expose: true,
    });

    expect(toProblem(zlibError)).toEqual({
      status: 400,
      body: { detail: 'The request body does not decode with its Content-Encoding.' },
      headers: {},
    });
    expect(toProblem(Object.assign(new Error('boom'), { status: 500 })).status).toBe(500);
  });

  it('when a static asset is missing or its path climbs out, then 404 alike', () => {
    const missing = Object.assign(new Error('ENOENT /x'), { status: 404, expose: true });
    const climbing = Object.assign(new Error('Forbidden'), { status: 403, expose: true });

    expect(toProblem(missing)).toEqual({
      status: 404,
      body: { detail: 'Not found.' },
      headers: {},
    });
    expect(toProblem(climbing)).toEqual(toProblem(missing));
  });
});
