import { z } from 'zod';
import type { AppError } from './app-error';
import { throwIfInvalid, unknownFieldErrors, writableFieldsOf } from './unknown-fields';

const writable = z.object({ name: z.string(), command_type: z.string().optional() }).strict();
const representation = z.object({
  id: z.number(),
  url: z.string(),
  name: z.string(),
  command_type: z.string(),
});

describe('unknownFieldErrors', () => {
  it.each([
    [
      { name: 'x', comand_type: 'config' },
      { comand_type: ['Unknown field. Did you mean "command_type"?'] },
    ],
    [{ name: 'x', zzzzzzzzzz: 1 }, { zzzzzzzzzz: ['Unknown field.'] }],
    [{ name: 'x', id: 4, url: 'u' }, {}],
    [JSON.parse('{"name":"x","__proto__":1}'), { ['__proto__']: ['Unknown field.'] }],
    [['not', 'an', 'object'], {}],
  ])('when the body is %j, then the unknown fields are %j', (body, errors) => {
    expect(unknownFieldErrors(body, writable, representation)).toEqual(errors);
  });

  it('when the schema has no fields to compare with, then nothing is refused', () => {
    expect(unknownFieldErrors({ anything: 1 }, z.record(z.string(), z.number()))).toEqual({});
  });
});

describe('writableFieldsOf', () => {
  it('when read-only fields come back in a body, then only the writable ones are kept', () => {
    expect(writableFieldsOf({ id: 4, url: 'u', name: 'x' }, writable)).toEqual({ name: 'x' });
    expect(writable.safeParse(writableFieldsOf({ id: 4, name: 'x' }, writable)).success).toBe(true);
  });
});

describe('throwIfInvalid', () => {
  it('when one item of a bulk request is invalid, then the errors come per item; a single item as an object', () => {
    const caught = (fn: () => void) => {
      try {
        fn();
        return undefined;
      } catch (error) {
        return error as AppError;
      }
    };

    expect(caught(() => throwIfInvalid([{}, {}], { bulk: true }))).toBeUndefined();
    expect(caught(() => throwIfInvalid([{}, { a: ['x'] }], { bulk: true }))?.details).toEqual({
      items: [{}, { a: ['x'] }],
    });
    expect(caught(() => throwIfInvalid([{ a: ['x'] }], { bulk: false }))?.fieldErrors).toEqual({
      a: ['x'],
    });
  });
});
