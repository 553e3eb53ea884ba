import { AppError, toAppError } from './app-error';

describe('AppError', () => {
  it('when a validation error names fields, then the fields and a readable message are kept', () => {
    const error = AppError.validation({ name: ['This field is required.'] });

    expect(error.category).toBe('validation');
    expect(error.fieldErrors).toEqual({ name: ['This field is required.'] });
    expect(error.message).toBe('name: This field is required.');
    expect(error.retriable).toBe(false);
  });

  it('when a dependency is unavailable, then the error is retriable by default', () => {
    expect(AppError.unavailable('catalog').retriable).toBe(true);
  });

  it.each([
    ['EOPENBREAKER', 'circuit-open', 'unavailable'],
    ['ETIMEDOUT', 'timeout', 'unavailable'],
    ['ECONNREFUSED', 'connection-failed', 'unavailable'],
    ['EWHATEVER', 'internal', 'internal'],
  ])('when a library error has code %s, then it maps to %s/%s', (libraryCode, code, category) => {
    const source = Object.assign(new Error('boom'), { code: libraryCode });

    const mapped = toAppError(source);

    expect(mapped).toMatchObject({ code, category });
    expect(mapped.cause).toBe(source);
  });

  it('when the error is already an AppError, then it is returned unchanged', () => {
    const original = AppError.notFound('command');
    expect(toAppError(original)).toBe(original);
  });
});
