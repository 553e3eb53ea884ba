import { AppError } from '@toolkit/errors';
import { ConcurrencyLimit } from './concurrency-limit';

describe('ConcurrencyLimit', () => {
  it('when more tasks come than may run and wait, then the extra ones are refused with 503 and the rest run two at a time', async () => {
    const limit = new ConcurrencyLimit({ running: 2, queued: 1, what: 'change log lists' });
    let running = 0;
    let peak = 0;
    const releases: (() => void)[] = [];
    const task = () =>
      limit.run(
        () =>
          new Promise<string>((resolve) => {
            running += 1;
            peak = Math.max(peak, running);
            releases.push(() => {
              running -= 1;
              resolve('done');
            });
          }),
      );

    const accepted = [task(), task(), task()];
    const refused = await task().catch((error: unknown) => error);
    while (releases.length > 0 || running > 0) {
      releases.shift()?.();
      await new Promise((r) => setImmediate(r));
    }

    expect(await Promise.all(accepted)).toEqual(['done', 'done', 'done']);
    expect(peak).toBe(2);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ category: 'unavailable', details: { retryAfterSeconds: 1 } });
  });

  it('when a task fails, then its slot is given back', async () => {
    const limit = new ConcurrencyLimit({ running: 1, queued: 0, what: 'lists' });

    await expect(limit.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');

    expect(await limit.run(() => Promise.resolve(7))).toBe(7);
  });
});
