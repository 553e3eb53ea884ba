import { AppError } from '@toolkit/errors';

/**
 * At most `running` tasks at once, at most `queued` waiting; beyond that the caller is
 * told to come back (503 with Retry-After), so that an expensive read (the change log's
 * scan) cannot take every connection and slow every other request down.
 */
export class ConcurrencyLimit {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limits: { running: number; queued: number; what: string }) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limits.running) {
      if (this.waiting.length >= this.limits.queued)
        throw new AppError({
          code: 'busy',
          category: 'unavailable',
          message: `Too many ${this.limits.what} at once; retry shortly.`,
          details: { retryAfterSeconds: 1 },
        });
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active += 1;
    }
    try {
      return await task();
    } finally {
      // The slot goes to the next waiter as it is, or is given back.
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}
