import { AppError } from '@toolkit/errors';
import { MAX_BODY_DEPTH, checkStorableBody } from './storable-body';

function fieldErrors(body: unknown): unknown {
  try {
    checkStorableBody(body);
    return undefined;
  } catch (error) {
    return error instanceof AppError ? error.fieldErrors : error;
  }
}

describe('checkStorableBody', () => {
  it.each([
    [{ name: 'core-1', tags: ['a', 'b'], nested: { ok: 'é 😀' } }],
    [[{ id: 1, name: 'x' }]],
    [null],
    [{ deep: JSON.parse(`${'['.repeat(MAX_BODY_DEPTH - 1)}${']'.repeat(MAX_BODY_DEPTH - 1)}`) }],
  ])('when the body is %j, then it passes', (body) => {
    expect(fieldErrors(body)).toBeUndefined();
  });

  it.each([
    [{ name: 'a\u0000b' }, { name: ['Null characters are not allowed.'] }],
    [
      { variables: [{ name: 'x' }, { name: 'y\ud800' }] },
      { 'variables.1.name': ['Enter valid Unicode text (an unpaired surrogate was sent).'] },
    ],
    [{ 'k\u0000': 1 }, { non_field_errors: ['Field name: Null characters are not allowed.'] }],
    [
      [{ name: '\udc00' }],
      { '0.name': ['Enter valid Unicode text (an unpaired surrogate was sent).'] },
    ],
    [
      JSON.parse('{"__proto__": "a\\u0000"}'),
      { ['__proto__']: ['Null characters are not allowed.'] },
    ],
  ])('when the body is %j, then the field is named', (body, errors) => {
    expect(fieldErrors(body)).toEqual(errors);
  });

  it('when a body nests deeper than the limit, then it is refused without walking it all', () => {
    const deep: unknown = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);

    expect(Object.values(fieldErrors(deep) as object)).toEqual([
      [`Nested deeper than ${MAX_BODY_DEPTH} levels.`],
    ]);
  });
});
