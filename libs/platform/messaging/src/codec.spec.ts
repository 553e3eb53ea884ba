import { executionResultsTopic } from '@toolkit/contracts';
import { AppError } from '@toolkit/errors';
import { anExecutionResult } from '@toolkit/testing';
import { backoffMs, decideOnFailure, decodeEnvelope, encodeEnvelope, toDeadLetter } from './codec';

describe('envelope codec', () => {
  it('when a payload is encoded and decoded, then it round-trips with envelope fields and key', () => {
    const result = anExecutionResult({ device: { id: 9, name: 'R9', platform: 'cisco_ios' } });

    const encoded = encodeEnvelope(executionResultsTopic, result, {
      producer: 'executor',
      correlationId: 'req-1',
    });
    const decoded = decodeEnvelope(executionResultsTopic, Buffer.from(encoded.value));

    expect(encoded.key).toBe('9');
    expect(decoded).toEqual({ ok: true, envelope: encoded.envelope });
    expect(encoded.envelope).toMatchObject({
      type: 'execution.finished',
      schemaVersion: 1,
      producer: 'executor',
      correlationId: 'req-1',
    });
  });

  it('when a producer tries to publish an invalid payload, then it is refused before sending', () => {
    expect(() =>
      encodeEnvelope(
        executionResultsTopic,
        { ...anExecutionResult(), attempt: 0 },
        { producer: 'x' },
      ),
    ).toThrow(/Refusing to publish an invalid execution.finished message: attempt/);
  });

  it.each([
    ['not JSON', 'not json{', 'invalid-json'],
    ['a tombstone', null, 'invalid-json'],
    ['JSON without an envelope', '{"hello":1}', 'invalid-envelope'],
  ])('when the value is %s, then decoding fails with %s', (_what, value, reason) => {
    expect(decodeEnvelope(executionResultsTopic, value)).toMatchObject({ ok: false, reason });
  });

  it('when the envelope is of another type or its payload is invalid, then decoding says which', () => {
    const good = JSON.parse(
      encodeEnvelope(executionResultsTopic, anExecutionResult(), { producer: 'x' }).value,
    );

    expect(
      decodeEnvelope(executionResultsTopic, JSON.stringify({ ...good, type: 'other' })),
    ).toMatchObject({ ok: false, reason: 'unknown-type' });
    expect(
      decodeEnvelope(
        executionResultsTopic,
        JSON.stringify({ ...good, payload: { ...good.payload, success: 'yes' } }),
      ),
    ).toMatchObject({
      ok: false,
      reason: 'invalid-payload',
      message: expect.stringContaining('success'),
    });
  });
});

describe('failure policy', () => {
  it.each([
    ['a validation error', AppError.validation({ f: ['bad'] }), 1, 'dead-letter'],
    ['a conflict', AppError.conflict('dup'), 1, 'dead-letter'],
    ['an unavailable dependency, first attempt', AppError.unavailable('mongo'), 1, 'retry'],
    [
      'an unavailable dependency, past the last attempt',
      AppError.unavailable('mongo'),
      50,
      'retry',
    ],
    ['an unknown error (maybe transient)', new Error('socket hang up'), 2, 'retry'],
    ['an unknown error, last attempt', new Error('socket hang up'), 5, 'dead-letter'],
    [
      'a rate limit, last attempt',
      new AppError({ code: 'slow-down', category: 'rate_limited', message: 'later' }),
      5,
      'dead-letter',
    ],
    [
      'an unavailable dependency marked not retriable',
      new AppError({ code: 'gone', category: 'unavailable', message: 'no', retriable: false }),
      1,
      'dead-letter',
    ],
  ])(
    'when handling fails with %s, then the message goes to %s',
    (_what, error, attempt, decision) => {
      expect(decideOnFailure(error, attempt, 5)).toBe(decision);
    },
  );

  it('when attempts grow, then backoff grows exponentially within half to full ceiling and is capped', () => {
    expect(backoffMs(1, 100, 1_000, () => 0)).toBe(50);
    expect(backoffMs(3, 100, 1_000, () => 1)).toBe(400);
    expect(backoffMs(10, 100, 1_000, () => 1)).toBe(1_000);
  });

  it('when a message is dead-lettered, then the record keeps its coordinates, reason and original bytes', () => {
    const letter = toDeadLetter({
      topic: 't.v1',
      partition: 2,
      offset: '17',
      key: Buffer.from('k'),
      value: Buffer.from([0xff, 0x00]),
      consumerGroup: 'g',
      reason: 'invalid-json',
      error: new Error('value is not JSON'),
      now: new Date('2026-01-01T00:00:00Z'),
    });

    expect(letter).toEqual({
      sourceTopic: 't.v1',
      partition: 2,
      offset: '17',
      key: 'k',
      consumerGroup: 'g',
      reason: 'invalid-json',
      errorCode: 'invalid-json',
      errorMessage: 'value is not JSON',
      value: Buffer.from([0xff, 0x00]).toString('base64'),
      failedAt: '2026-01-01T00:00:00.000Z',
    });
  });
});
