import { PeriodicJob } from './periodic-job';

describe('PeriodicJob', () => {
  it('when a run is asked while one is in progress, then both get the same run', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    const job = new PeriodicJob(
      () =>
        new Promise<number>((resolve) => {
          runs += 1;
          release = () => resolve(runs);
        }),
      { intervalMs: 60_000, onError: () => undefined },
    );

    const first = job.runOnce();
    const second = job.runOnce();
    release();

    expect(await Promise.all([first, second])).toEqual([1, 1]);
    expect(await (job.runOnce(), release(), job.runOnce())).toBe(2);
  });

  it('when started, then it runs every interval, reports failures and keeps going until stopped', async () => {
    jest.useFakeTimers();
    try {
      const errors: unknown[] = [];
      let calls = 0;
      const job = new PeriodicJob(
        async () => {
          calls += 1;
          if (calls === 2) throw new Error('store down');
          return calls;
        },
        { intervalMs: 1_000, onError: (error) => errors.push(error) },
      );

      job.start();
      await jest.advanceTimersByTimeAsync(3_500);
      await job.stop();
      await jest.advanceTimersByTimeAsync(5_000);

      expect(calls).toBe(3);
      expect(errors).toEqual([new Error('store down')]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('when a run outlasts the interval and fails, then the ticks meanwhile do not join it: its failure is reported once', async () => {
    jest.useFakeTimers();
    try {
      const errors: unknown[] = [];
      let calls = 0;
      const job = new PeriodicJob(
        async () => {
          calls += 1;
          await new Promise((resolve) => setTimeout(resolve, 3_500));
          throw new Error('store down');
        },
        { intervalMs: 1_000, onError: (error) => errors.push(error) },
      );

      job.start();
      await jest.advanceTimersByTimeAsync(4_600);
      await job.stop();

      expect(calls).toBe(1);
      expect(errors).toEqual([new Error('store down')]);
    } finally {
      jest.useRealTimers();
    }
  });
});
