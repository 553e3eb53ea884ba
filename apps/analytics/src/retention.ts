import type { CommandLogRepository, ExecutionRepository } from '@toolkit/analytics-data-access';
import type { Logger } from '@toolkit/logger';
import type { AnalyticsMetrics } from './analytics-metrics';

export interface RetentionOptions {
  days: number;
  intervalMs: number;
  maxPerRun: number;
  chunk?: number;
}

/**
 * Retention by age: a periodic, bounded delete (FerretDB has no TTL index). Runs never
 * overlap; `stop` waits for the run in progress.
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly deps: {
      logs: CommandLogRepository;
      executions: ExecutionRepository;
      logger: Logger;
      metrics: AnalyticsMetrics;
      now?: () => Date;
    },
    private readonly options: RetentionOptions,
  ) {}

  start(): void {
    if (this.options.days <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      void this.runOnce().catch((error: unknown) =>
        this.deps.logger.error({ err: error }, 'retention run failed'),
      );
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** One run; returns the number of logs deleted. */
  runOnce(): Promise<number> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<number> {
    const now = (this.deps.now ?? (() => new Date()))();
    const cutoff = new Date(now.getTime() - this.options.days * 86_400_000);
    const limits = { chunk: this.options.chunk ?? 5_000, maxDocs: this.options.maxPerRun };
    const logs = await this.deps.logs.purgeOlderThan(cutoff, limits);
    const executions = await this.deps.executions.purgeOlderThan(cutoff, limits);
    this.deps.metrics.retentionDeleted.inc({ collection: 'command_logs' }, logs);
    this.deps.metrics.retentionDeleted.inc({ collection: 'executions' }, executions);
    if (logs + executions > 0)
      this.deps.logger.info({ logs, executions, cutoff: cutoff.toISOString() }, 'retention');
    return logs;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}
