import type { ExecutionResult } from '@toolkit/contracts';
import { decideOnClaim } from './claim-decision';
import {
  DeviceRunError,
  circuitOpenMessage,
  classifyConnectError,
  countsAsDeviceFailure,
  sanitiseMessage,
} from './error-classification';
import { runKeyed } from './keyed-scheduler';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('keyed scheduler', () => {
  it('when items share a key, then they run in order; different keys overlap', async () => {
    const log: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const items = ['a1', 'b1', 'a2', 'c1', 'a3', 'b2'];

    await runKeyed(
      items,
      (i) => i[0] as string,
      async (i) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        log.push(`start ${i}`);
        await tick();
        log.push(`end ${i}`);
        running--;
      },
      { maxParallel: 10 },
    );

    const order = (key: string) => log.filter((l) => l.includes(` ${key}`));
    expect(order('a')).toEqual(['start a1', 'end a1', 'start a2', 'end a2', 'start a3', 'end a3']);
    expect(log.indexOf('start a2')).toBeGreaterThan(log.indexOf('end a1'));
    expect(maxRunning).toBe(3);
  });

  it('when maxParallel is 1, then keys run one after the other', async () => {
    let running = 0;
    let maxRunning = 0;

    await runKeyed(
      ['a', 'b', 'c'],
      (i) => i,
      async () => {
        maxRunning = Math.max(maxRunning, ++running);
        await tick();
        running--;
      },
      { maxParallel: 1 },
    );

    expect(maxRunning).toBe(1);
  });

  it('when a worker throws, then no new item starts and the first error is thrown', async () => {
    const started: string[] = [];

    await expect(
      runKeyed(
        ['a1', 'a2', 'b1'],
        (i) => i[0] as string,
        async (i) => {
          started.push(i);
          if (i === 'a1') throw new Error('publish failed');
        },
        { maxParallel: 1 },
      ),
    ).rejects.toThrow('publish failed');
    expect(started).toEqual(['a1']);
  });
});

describe('claim decisions', () => {
  const result = { executionId: 'e' } as ExecutionResult;
  const startedAt = new Date('2026-01-01T00:00:00Z');

  it.each([
    ['a show request', 'show', undefined, 'run'],
    [
      'a redelivered show request',
      'show',
      {
        inserted: false,
        existing: { status: 'started', executionId: 'e', executorId: 'x', startedAt },
      },
      'run',
    ],
    ['a new config claim', 'config', { inserted: true }, 'run'],
    [
      'a finished config claim',
      'config',
      {
        inserted: false,
        existing: { status: 'finished', executionId: 'e', executorId: 'x', startedAt, result },
      },
      'republish',
    ],
    [
      'a started, unfinished config claim',
      'config',
      {
        inserted: false,
        existing: { status: 'started', executionId: 'e', executorId: 'x', startedAt },
      },
      'report-unknown',
    ],
  ] as const)('when the request is %s, then the decision is %s', (_what, type, claim, action) => {
    expect(decideOnClaim(type, claim as Parameters<typeof decideOnClaim>[1]).action).toBe(action);
  });
});

describe('error classification', () => {
  it.each([
    [{ code: 'ECONNREFUSED' }, 'tcp', 'unreachable', true],
    [{ code: 'ECONNRESET' }, 'handshake', 'unreachable', true],
    [{ code: 'connect-timeout' }, 'tcp', 'connect_timeout', true],
    [{ code: 'connect-timeout' }, 'auth', 'connect_timeout', false],
    [{ level: 'client-authentication' }, 'auth', 'auth_failed', false],
    [{ code: 'ENOTFOUND' }, 'tcp', 'unreachable', false],
    [{ code: 'ECONNRESET' }, 'session', 'disconnected', false],
  ] as const)(
    'when %j happens in phase %s, then it is %s (retriable %s)',
    (error, phase, errorClass, retriable) => {
      expect(classifyConnectError(error, phase)).toMatchObject({ errorClass, retriable });
    },
  );

  it('when a command was sent, then the failure is never retriable', () => {
    const error = new DeviceRunError({
      errorClass: 'disconnected',
      message: 'x',
      retriable: true,
      commandSent: true,
    });

    expect(error.retriable).toBe(false);
  });

  it('when classes are checked against the breaker policy, then only device health failures count', () => {
    expect(
      ['unreachable', 'connect_timeout', 'command_timeout', 'disconnected'].every((c) =>
        countsAsDeviceFailure(c as never),
      ),
    ).toBe(true);
    expect(
      [
        'auth_failed',
        'syntax_error',
        'command_failed',
        'invalid_request',
        'internal',
        'circuit_open',
      ].some((c) => countsAsDeviceFailure(c as never)),
    ).toBe(false);
  });

  it('when a message carries secrets, a stack or control characters, then they are removed', () => {
    const message = sanitiseMessage('login hunter2 failed\u0007\n    at Foo (x.ts:1:1)', [
      'hunter2',
    ]);

    expect(message).toBe('login *** failed');
  });

  it('when the breaker is open, then the message says when the next probe is due', () => {
    expect(circuitOpenMessage('R1', new Date('2026-01-01T00:00:30Z'))).toContain(
      'next probe at 2026-01-01T00:00:30.000Z',
    );
  });
});
