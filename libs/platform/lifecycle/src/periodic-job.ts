/**
 * A task run every `intervalMs` (retention sweeps): runs never overlap, a failure is
 * reported and the next run comes as planned, `stop` waits for the run in progress, the
 * timer never keeps the process alive.
 */
export class PeriodicJob<T> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<T> | undefined;

  constructor(
    private readonly task: () => Promise<T>,
    private readonly options: { intervalMs: number; onError: (error: unknown) => void },
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      // A run longer than the interval is not joined again (its failure reported once).
      if (this.running) return;
      void this.runOnce().catch(this.options.onError);
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** One run now, or the one in progress. */
  runOnce(): Promise<T> {
    this.running ??= this.task().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}
