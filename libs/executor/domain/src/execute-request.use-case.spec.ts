import type { ExecutionEvent, ExecutionResult } from '@toolkit/contracts';
import { anExecutionRequest } from '@toolkit/testing';
import type { ExecutionClaim } from './claim-decision';
import { CancellationBook } from './cancellations';
import { DeviceRunError } from './error-classification';
import { ExecuteRequest } from './execute-request.use-case';
import type {
  ClaimStore,
  DeviceRunOutput,
  DeviceRunner,
  ExecuteRequestDeps,
} from './execute-request.use-case';

function setup(
  run: DeviceRunner['run'],
  existing?: ExecutionClaim,
  extra: Partial<ExecuteRequestDeps> = {},
) {
  const published: ExecutionResult[] = [];
  const events: ExecutionEvent[] = [];
  const finished: ExecutionResult[] = [];
  const calls: string[] = [];
  const claims: ClaimStore = {
    claim: async () => {
      calls.push('claim');
      return existing ? { inserted: false, existing } : { inserted: true };
    },
    finish: async (_id, result) => {
      calls.push('finish');
      finished.push(result);
    },
  };
  const useCase = new ExecuteRequest({
    executorId: 'exec-1',
    maxCommandTimeoutMs: 1_000,
    runner: {
      run: (input) => {
        calls.push('run');
        return run(input);
      },
    },
    credentials: { open: () => ({ username: 'ops', password: 'hunter22' }) },
    claims,
    publisher: {
      publishResult: async (r) => {
        calls.push('publish');
        published.push(r);
      },
      publishEvent: (e) => events.push(e),
    },
    startedEventDelayMs: 0,
    ...extra,
  });
  return { useCase, published, events, finished, calls };
}

const ok = (output: string): DeviceRunOutput => ({
  output,
  exitCode: null,
  stderr: '',
  connectMs: 12,
});

describe('execute request', () => {
  it('when a show command succeeds, then one result and started/finished events are published, without a claim', async () => {
    const { useCase, published, events, calls } = setup(async () => ok('Version 1'));

    await useCase.execute(anExecutionRequest({ timeoutMs: 60_000 }));

    expect(calls).toEqual(['run', 'publish']);
    expect(published[0]).toMatchObject({
      outcome: 'succeeded',
      success: true,
      output: 'Version 1',
      username: 'ops',
      executorId: 'exec-1',
    });
    expect(published[0]?.timings.connectMs).toBe(12);
    expect(events.map((e) => e.phase)).toEqual(['started', 'finished']);
  });

  it('when the request names a template, then the result carries its records and its name', async () => {
    // Arrange
    const { useCase, published } = setup(async () => ok('Cisco IOS Software, Version 15.2(4)M7'));
    const parsing = {
      template: 'cisco_ios_show_version.textfsm',
      texts: ['Value VERSION (\\S+)\n\nStart\n  ^.*Version ${VERSION} -> Record\n'],
    };

    // Act
    await useCase.execute(anExecutionRequest({ parsing }));

    // Assert
    expect(published[0]).toMatchObject({
      outcome: 'succeeded',
      parsedOutput: [{ VERSION: '15.2(4)M7' }],
      parseError: null,
      parseTemplate: 'cisco_ios_show_version.textfsm',
    });
  });

  it('when the template fails on the output, then the execution still succeeds and the parse error names nothing secret', async () => {
    // Arrange
    const { useCase, published } = setup(async () => ok('% unexpected banner'));
    const parsing = { template: 'strict', texts: ['Value X (\\d+)\n\nStart\n  ^. -> Error\n'] };

    // Act
    await useCase.execute(anExecutionRequest({ parsing }));

    // Assert
    expect(published[0]).toMatchObject({
      outcome: 'succeeded',
      success: true,
      parsedOutput: null,
      parseTemplate: 'strict',
      parseError: expect.stringContaining('% unexpected banner'),
    });
    expect(published[0]?.parseError).not.toContain('hunter22');
  });

  it('when the command fails, then nothing is parsed and no template is reported', async () => {
    // Arrange
    const { useCase, published } = setup(async () => {
      throw new DeviceRunError({ errorClass: 'command_timeout', message: 'Timed out.' });
    });
    const parsing = { template: 'inline', texts: ['Value X (\\S+)\n\nStart\n'] };

    // Act
    await useCase.execute(anExecutionRequest({ parsing }));

    // Assert
    expect(published[0]).toMatchObject({
      outcome: 'failed',
      parsedOutput: null,
      parseError: null,
      parseTemplate: null,
    });
  });

  describe('with started events delayed by 1 s', () => {
    /** A manual timer: `fire()` is the delay elapsing. */
    function manualTimer() {
      const timers: { fn: () => void; ms: number; cancelled: boolean }[] = [];
      return {
        timers,
        schedule: (fn: () => void, ms: number) => {
          const timer = { fn, ms, cancelled: false };
          timers.push(timer);
          return () => (timer.cancelled = true);
        },
        fire: () => timers.filter((t) => !t.cancelled).forEach((t) => t.fn()),
      };
    }

    it('when the command answers within the delay, then no event is published, only the result', async () => {
      const clock = manualTimer();
      const { useCase, events, published } = setup(async () => ok('fast'), undefined, {
        startedEventDelayMs: 1_000,
        schedule: clock.schedule,
      });

      await useCase.execute(anExecutionRequest());
      clock.fire();

      expect(clock.timers.map((t) => [t.ms, t.cancelled])).toEqual([[1_000, true]]);
      expect(events).toEqual([]);
      expect(published).toHaveLength(1);
    });

    it('when the command is still running after the delay, then started (with its start time) precedes finished', async () => {
      const clock = manualTimer();
      const { useCase, events } = setup(
        async () => {
          clock.fire();
          return ok('slow');
        },
        undefined,
        { startedEventDelayMs: 1_000, schedule: clock.schedule },
      );

      const report = await useCase.execute(anExecutionRequest());

      expect(events.map((e) => e.phase)).toEqual(['started', 'finished']);
      expect(events[0]?.at).toBe(report.result.timings.startedAt);
    });
  });

  it('when the request timeout is above the cap, then the runner gets the cap', async () => {
    let timeout = 0;
    const { useCase } = setup(async (input) => {
      timeout = input.timeoutMs;
      return ok('');
    });

    await useCase.execute(anExecutionRequest({ timeoutMs: 60_000 }));

    expect(timeout).toBe(1_000);
  });

  it('when a config command runs, then it is claimed before SSH and the result stored before publishing', async () => {
    const { useCase, calls } = setup(async () => ok(''));

    await useCase.execute(
      anExecutionRequest({ commandType: 'config', renderedCommand: 'hostname x' }),
    );

    expect(calls).toEqual(['claim', 'run', 'finish', 'publish']);
  });

  it('when a config command was sent and the session dropped, then the outcome is unknown', async () => {
    const { useCase, published } = setup(async () => {
      throw new DeviceRunError({
        errorClass: 'disconnected',
        message: 'The device closed the connection.',
        commandSent: true,
      });
    });

    await useCase.execute(anExecutionRequest({ commandType: 'config' }));

    expect(published[0]).toMatchObject({ outcome: 'unknown', errorClass: 'disconnected' });
    expect(published[0]?.errorMessage).toContain('may or may not have been applied');
  });

  it('when a config claim exists unfinished, then outcome_unknown is published and the device is not touched', async () => {
    const { useCase, published, calls } = setup(async () => ok(''), {
      status: 'started',
      executionId: 'e',
      executorId: 'dead-1',
      startedAt: new Date(),
    });

    await useCase.execute(anExecutionRequest({ commandType: 'config' }));

    expect(calls).toEqual(['claim', 'finish', 'publish']);
    expect(published[0]).toMatchObject({ outcome: 'unknown', errorClass: 'outcome_unknown' });
  });

  it('when the credentials cannot be opened, then the result is invalid_request', async () => {
    const { published, calls } = setup(async () => ok(''));
    const broken = new ExecuteRequest({
      executorId: 'exec-1',
      maxCommandTimeoutMs: 1_000,
      runner: { run: async () => ok('') },
      credentials: {
        open: () => {
          throw new Error('tampered');
        },
      },
      claims: { claim: async () => ({ inserted: true }), finish: async () => undefined },
      publisher: {
        publishResult: async (r) => void published.push(r),
        publishEvent: () => undefined,
      },
      startedEventDelayMs: 0,
    });

    await broken.execute(anExecutionRequest());

    expect(calls).toEqual([]);
    expect(published[0]).toMatchObject({
      outcome: 'failed',
      errorClass: 'invalid_request',
      username: '',
    });
  });

  it('when the runner throws something unexpected, then the result is internal with a generic message', async () => {
    const { useCase, published } = setup(async () => {
      throw new Error('boom at /srv/x.ts:10 password hunter22');
    });

    await useCase.execute(anExecutionRequest());

    expect(published[0]).toMatchObject({
      errorClass: 'internal',
      errorMessage: 'Internal executor error.',
    });
  });

  it('when a device error leaks a secret in its message, then it is masked', async () => {
    const { useCase, published } = setup(async () => {
      throw new DeviceRunError({ errorClass: 'disconnected', message: 'bye hunter22' });
    });

    await useCase.execute(anExecutionRequest());

    expect(published[0]?.errorMessage).toBe('bye ***');
  });

  it('when result acks are deferred, then execute returns before the broker acknowledged and hands over the ack', async () => {
    let ack: (() => void) | undefined;
    const events: ExecutionEvent[] = [];
    const useCase = new ExecuteRequest({
      executorId: 'exec-1',
      maxCommandTimeoutMs: 1_000,
      runner: { run: async () => ok('Version 1') },
      credentials: { open: () => ({ username: 'ops', password: 'pw' }) },
      claims: { claim: async () => ({ inserted: true }), finish: async () => undefined },
      publisher: {
        publishResult: () => new Promise<void>((resolve) => (ack = resolve)),
        publishEvent: (e) => events.push(e),
      },
      deferResultAck: true,
      startedEventDelayMs: null,
    });

    const report = await useCase.execute(anExecutionRequest());
    let acknowledged = false;
    void report.acknowledged?.then(() => (acknowledged = true));
    await Promise.resolve();

    expect(report.result.outcome).toBe('succeeded');
    expect(acknowledged).toBe(false);
    ack?.();
    await report.acknowledged;
    expect(acknowledged).toBe(true);
    expect(events).toEqual([]);
  });

  describe('cancellation and timeouts counted from the request', () => {
    const book = () => new CancellationBook({ horizonMs: 600_000, maxEntries: 1_000 });

    it('when an execution was cancelled before an executor picked it up, then it is reported cancelled without touching the device', async () => {
      const cancellations = book();
      const request = anExecutionRequest();
      cancellations.cancel(request.executionId, 'alice');
      const { useCase, published, calls } = setup(async () => ok('x'), undefined, {
        cancellations,
      });

      const report = await useCase.execute(request);

      expect(report.path).toBe('cancelled');
      expect(calls).toEqual(['publish']);
      expect(published[0]).toMatchObject({
        outcome: 'cancelled',
        success: false,
        errorClass: 'cancelled',
        errorMessage: 'Cancelled by alice before it ran.',
      });
    });

    it('when a cancelled config request is picked up, then its claim records the cancelled result (a redelivery republishes it)', async () => {
      const cancellations = book();
      const request = anExecutionRequest({ commandType: 'config', renderedCommand: 'hostname x' });
      cancellations.cancel(request.executionId, 'alice');
      const { useCase, finished, calls } = setup(async () => ok('x'), undefined, {
        cancellations,
      });

      await useCase.execute(request);

      expect(calls).toEqual(['claim', 'finish', 'publish']);
      expect(finished[0]?.outcome).toBe('cancelled');
    });

    it('when a running show is cancelled, then its run is aborted and the result is cancelled with the partial output', async () => {
      const cancellations = book();
      const request = anExecutionRequest({ timeoutMs: 60_000 });
      let started: () => void = () => undefined;
      const running = new Promise<void>((resolve) => (started = resolve));
      const { useCase } = setup(
        (input) =>
          new Promise((_resolve, reject) => {
            input.signal?.addEventListener('abort', () =>
              reject(
                new DeviceRunError({
                  errorClass: 'cancelled',
                  message: 'Cancelled by request while running: the session was closed.',
                  commandSent: true,
                  partialOutput: 'line 1',
                }),
              ),
            );
            started();
          }),
        undefined,
        { cancellations, maxCommandTimeoutMs: 60_000 },
      );

      const execution = useCase.execute(request);
      await running;
      const effect = cancellations.cancel(request.executionId, 'alice');
      const report = await execution;

      expect(effect).toBe('aborted');
      expect(report.result).toMatchObject({
        outcome: 'cancelled',
        errorClass: 'cancelled',
        output: 'line 1',
      });
    });

    it('when a running config is cancelled, then it gets no abort signal and the cancellation says so', async () => {
      const cancellations = book();
      const request = anExecutionRequest({ commandType: 'config', renderedCommand: 'hostname x' });
      let signal: AbortSignal | undefined = new AbortController().signal;
      let effect: string | undefined;
      const { useCase, published } = setup(
        async (input) => {
          signal = input.signal;
          effect = cancellations.cancel(request.executionId, 'alice');
          return ok('');
        },
        undefined,
        { cancellations },
      );

      await useCase.execute(request);

      expect(signal).toBeUndefined();
      expect(effect).toBe('running-config');
      expect(published[0]?.outcome).toBe('succeeded');
    });

    it('when a request waited in the queue past its timeout, then it is not run and is reported expired', async () => {
      const request = anExecutionRequest({
        timeoutMs: 5_000,
        requestedAt: new Date(Date.now() - 6_000).toISOString(),
      });
      const { useCase, published, calls } = setup(async () => ok('x'));

      const report = await useCase.execute(request);

      expect(report.path).toBe('expired');
      expect(calls).toEqual(['publish']);
      expect(published[0]).toMatchObject({ outcome: 'failed', errorClass: 'expired' });
      expect(published[0]?.errorMessage).toMatch(
        /^Not run: it waited 6 s for an executor, past its timeout of 5 s\.$/,
      );
    });

    it('when a request waited part of its timeout, then the device gets only what is left', async () => {
      const request = anExecutionRequest({
        timeoutMs: 30_000,
        requestedAt: new Date(Date.now() - 10_000).toISOString(),
      });
      let given = 0;
      const { useCase } = setup(
        async (input) => {
          given = input.timeoutMs;
          return ok('');
        },
        undefined,
        { maxCommandTimeoutMs: 300_000 },
      );

      await useCase.execute(request);

      expect(given).toBeGreaterThan(19_000);
      expect(given).toBeLessThanOrEqual(20_000);
    });
  });
});

describe('live output', () => {
  const outputEvents = (events: ExecutionEvent[]) => events.filter((e) => e.phase === 'output');

  it('when a request asks to stream, then the runner gets a listener and the output events concatenate to the result output', async () => {
    // Arrange
    const { useCase, published, events } = setup(async (input) => {
      input.onOutput?.('line 1');
      input.onOutput?.('\nline 2');
      return { output: 'line 1\nline 2', exitCode: 1, stderr: 'oops', connectMs: null };
    });

    // Act
    await useCase.execute(anExecutionRequest({ streamOutput: true }), 2);

    // Assert
    const chunks = outputEvents(events);
    // The first text goes at once; what follows within the interval comes with the end.
    expect(chunks.map((e) => e.output)).toEqual([
      { offset: 0, text: 'line 1' },
      { offset: 6, text: '\nline 2\noops', last: true },
    ]);
    expect(chunks[0]).toMatchObject({ attempt: 2, executorId: 'exec-1' });
    expect(published[0]?.output).toBe('line 1\nline 2\noops');
  });

  it('when the flush interval passes while the command runs, then a chunk goes out before the result', async () => {
    // Arrange
    let flush: (() => void) | undefined;
    const { useCase, events } = setup(
      async (input) => {
        input.onOutput?.('first');
        flush?.();
        input.onOutput?.('\nsecond');
        return ok('first\nsecond');
      },
      undefined,
      {
        startedEventDelayMs: null,
        schedule: (fn) => {
          flush = fn;
          return () => (flush = undefined);
        },
      },
    );

    // Act
    await useCase.execute(anExecutionRequest({ streamOutput: true }));

    // Assert
    expect(outputEvents(events).map((e) => e.output)).toEqual([
      { offset: 0, text: 'first' },
      { offset: 5, text: '\nsecond', last: true },
    ]);
  });

  it('when a request does not ask to stream, then the runner gets no listener and no output event goes out', async () => {
    // Arrange
    let listener: unknown = 'unset';
    const { useCase, events } = setup(async (input) => {
      listener = input.onOutput;
      return ok('Version 1');
    });

    // Act
    await useCase.execute(anExecutionRequest({}));

    // Assert
    expect(listener).toBeUndefined();
    expect(outputEvents(events)).toEqual([]);
  });

  it('when a streamed run fails with its raw partial output, then the output is streamed again from offset 0', async () => {
    // Arrange
    const { useCase, published, events } = setup(async (input) => {
      input.onOutput?.('12:00');
      throw new DeviceRunError({
        errorClass: 'command_timeout',
        message: 'The device did not finish the command in time.',
        commandSent: true,
        partialOutput: 'show clock\n12:00\n',
      });
    });

    // Act
    await useCase.execute(anExecutionRequest({ streamOutput: true }));

    // Assert
    expect(outputEvents(events).map((e) => e.output)).toEqual([
      { offset: 0, text: '12:00' },
      { offset: 0, text: 'show clock\n12:00\n', last: true },
    ]);
    expect(published[0]?.output).toBe('show clock\n12:00\n');
  });
});
