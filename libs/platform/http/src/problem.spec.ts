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

  it('when a rate limit carries the original body and headers, then both are sent', () => {
    const error = new AppError({
      code: 'rate-limited',
      category: 'rate_limited',
      message: 'Rate limit exceeded',
      details: {
        body: { error: 'Rate limit exceeded', details: { limit: 10 } },
        headers: { 'Retry-After': 30 },
      },
    });

    expect(toProblem(error)).toEqual({
      status: 429,
      body: { error: 'Rate limit exceeded', details: { limit: 10 } },
      headers: { 'Retry-After': '30' },
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
});
