import { CancellationBook } from './cancellations';

describe('cancellation book', () => {
  it('when a cancellation is older than the horizon, then it is forgotten', () => {
    let now = 1_000_000;
    const book = new CancellationBook({ horizonMs: 60_000, maxEntries: 10, now: () => now });
    book.cancel('a', 'alice');

    now += 59_000;
    const within = book.cancelledBy('a');
    now += 2_000;
    const after = book.cancelledBy('a');

    expect(within).toBe('alice');
    expect(after).toBeUndefined();
  });

  it('when more cancellations arrive than it keeps, then the oldest are forgotten first', () => {
    const book = new CancellationBook({ horizonMs: 60_000, maxEntries: 2 });

    book.cancel('a', 'u');
    book.cancel('b', 'u');
    book.cancel('c', 'u');

    expect([book.cancelledBy('a'), book.cancelledBy('b'), book.cancelledBy('c')]).toEqual([
      undefined,
      'u',
      'u',
    ]);
    expect(book.size).toBe(2);
  });

  it('when a run has finished, then a late cancellation only records it', () => {
    const book = new CancellationBook({ horizonMs: 60_000, maxEntries: 10 });
    const run = book.start('a', 'show');
    run.finish();

    expect(book.cancel('a', 'u')).toBe('recorded');
    expect(run.signal?.aborted).toBe(false);
  });

  it('when a bulk job is cancelled, then its items not started are skipped, other jobs and running items are not touched', () => {
    const book = new CancellationBook({ horizonMs: 60_000, maxEntries: 10 });
    const running = book.start('item-1', 'show');

    book.cancelJob('job-1', 'bob');

    expect(book.cancelledBy('item-2', 'job-1')).toBe('bob');
    expect(book.cancelledBy('item-3', 'job-2')).toBeUndefined();
    expect(book.cancelledBy('item-4')).toBeUndefined();
    expect(running.signal?.aborted).toBe(false);
  });

  it('when a bulk job is cancelled, then it is remembered for the job horizon, longer than a single execution', () => {
    let now = 0;
    const book = new CancellationBook({
      horizonMs: 1_000,
      jobHorizonMs: 10_000,
      maxEntries: 10,
      now: () => now,
    });
    book.cancel('exec', 'u');
    book.cancelJob('job', 'u');

    now = 5_000;

    expect(book.cancelledBy('exec')).toBeUndefined();
    expect(book.cancelledBy('item', 'job')).toBe('u');
  });
});
