import type { Clock } from './ports';

/**
 * Repeated authentication failures from one source are slowed down (429) without locking
 * any account: the key is the client address, never the username. Fixed windows in
 * memory, per gateway replica; the map is bounded.
 */
export class FailureLimiter {
  private readonly windows = new Map<string, { count: number; start: number }>();

  constructor(
    private readonly options: {
      limit: number;
      windowMs: number;
      clock: Clock;
      maxKeys?: number;
    },
  ) {}

  /** Seconds until the key may try again, or undefined when it is not blocked. */
  retryAfter(key: string): number | undefined {
    const window = this.current(key);
    if (!window || window.count < this.options.limit) return undefined;
    const remaining = window.start + this.options.windowMs - this.options.clock.now().getTime();
    return Math.max(1, Math.ceil(remaining / 1000));
  }

  recordFailure(key: string): void {
    const now = this.options.clock.now().getTime();
    const window = this.current(key);
    if (window) {
      window.count += 1;
      return;
    }
    if (this.windows.size >= (this.options.maxKeys ?? 100_000)) this.prune(now);
    this.windows.set(key, { count: 1, start: now });
  }

  private current(key: string): { count: number; start: number } | undefined {
    const window = this.windows.get(key);
    if (!window) return undefined;
    if (this.options.clock.now().getTime() - window.start >= this.options.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  private prune(now: number): void {
    for (const [key, window] of this.windows) {
      if (now - window.start >= this.options.windowMs) this.windows.delete(key);
    }
    // Still full: drop the oldest half rather than grow without bound.
    if (this.windows.size >= (this.options.maxKeys ?? 100_000)) {
      const keys = [...this.windows.keys()].slice(0, Math.ceil(this.windows.size / 2));
      for (const key of keys) this.windows.delete(key);
    }
  }
}
