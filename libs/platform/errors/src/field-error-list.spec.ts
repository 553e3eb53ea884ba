import { AppError } from './app-error';
import { FieldErrorList } from './field-error-list';

describe('FieldErrorList', () => {
  it('when names are Object.prototype members, then they are kept as own fields', () => {
    const errors = new FieldErrorList();

    errors.add('__proto__', 'Unknown filter parameter.');
    errors.add('constructor', 'Unknown filter parameter.');
    errors.add('constructor', 'Again.');

    const fields = errors.fields();
    expect(Object.keys(fields)).toEqual(['__proto__', 'constructor']);
    expect(fields['constructor']).toEqual(['Unknown filter parameter.', 'Again.']);
    expect(JSON.parse(JSON.stringify(fields))).toEqual(
      JSON.parse(
        '{"__proto__":["Unknown filter parameter."],"constructor":["Unknown filter parameter.","Again."]}',
      ),
    );
  });

  it('when nothing was added, then throwIfAny does not throw; otherwise a validation error', () => {
    const errors = new FieldErrorList();
    expect(() => errors.throwIfAny()).not.toThrow();

    errors.add('limit', 'Enter a whole number.');

    const thrown = (() => {
      try {
        errors.throwIfAny('invalid-list-query');
        return undefined;
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(AppError);
    expect(thrown).toMatchObject({
      code: 'invalid-list-query',
      fieldErrors: { limit: ['Enter a whole number.'] },
    });
  });
});
