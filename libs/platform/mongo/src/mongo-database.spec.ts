import mongoose from 'mongoose';
import { isAppError } from '@toolkit/errors';
import { isServerUnavailable, toStorageError } from './mongo-database';

const driver = mongoose.mongo;

/** The driver's own wrapping of a connection lost during insertMany (bulk/common.js). */
function bulkWriteLosing(cause: Error): Error {
  const BulkWriteError = driver.MongoBulkWriteError as unknown as new (
    error: Error,
    result: unknown,
  ) => Error;
  return new BulkWriteError(cause, {});
}

describe('storage errors', () => {
  it.each([
    ['a lost connection', new driver.MongoNetworkError('connection 19 to 127.0.0.1:37701 closed')],
    [
      'no server to select',
      new driver.MongoServerSelectionError('connect ECONNREFUSED', {
        servers: new Map(),
      } as never),
    ],
    ['a closed client', new driver.MongoNotConnectedError('not connected')],
    [
      'an insertMany that lost its connection',
      bulkWriteLosing(new driver.MongoNetworkError('closed')),
    ],
    [
      'a primary stepping down',
      new driver.MongoServerError({ message: 'stepped down', code: 189 }),
    ],
    [
      'a server error labelled retryable',
      new driver.MongoServerError({ message: 'x', code: 1, errorLabels: ['RetryableWriteError'] }),
    ],
  ])('when MongoDB fails with %s, then it is unavailable: retried, a 503', (_what, error) => {
    const mapped = toStorageError(error);

    expect(isServerUnavailable(error)).toBe(true);
    expect([mapped.category, mapped.retriable]).toEqual(['unavailable', true]);
  });

  it.each([
    ['a bad query', new driver.MongoServerError({ message: 'unknown operator: $foo', code: 2 })],
    ['an insertMany refused by the server', bulkWriteLosing(new Error('document too large'))],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'x')")],
  ])('when MongoDB fails with %s, then it is an internal storage error', (_what, error) => {
    const mapped = toStorageError(error);

    expect(isServerUnavailable(error)).toBe(false);
    expect(isAppError(mapped) && mapped.category).toBe('internal');
  });

  it('when a duplicate key comes back, then it is a conflict naming the unique field', () => {
    const error = new driver.MongoServerError({ message: 'E11000 duplicate key', code: 11000 });

    expect(toStorageError(error, 'claim', ['executionId'])).toMatchObject({
      category: 'conflict',
      message: 'A claim with this executionId already exists.',
    });
  });
});
