import type {
  BulkJobRepository,
  CommandLogRepository,
  ExecutionRepository,
} from '@toolkit/analytics-data-access';
import { PeriodicJob } from '@toolkit/lifecycle';
import type { Logger } from '@toolkit/logger';
import type { AnalyticsMetrics } from './analytics-metrics';

export interface RetentionOptions {
  days: number;
  intervalMs: number;
  maxPerRun: number;
  chunk?: number;
}

/** Retention by age: a periodic, bounded delete (FerretDB has no TTL index). */
export class RetentionJob {
  private readonly job: PeriodicJob<number>;

  constructor(
    private readonly deps: {
      logs: CommandLogRepository;
      executions: ExecutionRepository;
      bulkJobs: BulkJobRepository;
      logger: Logger;
      metrics: AnalyticsMetrics;
      now?: () => Date;
    },
    private readonly options: RetentionOptions,
  ) {
    this.job = new PeriodicJob(() => this.run(), {
      intervalMs: options.intervalMs,
      onError: (error) => deps.logger.error({ err: error }, 'retention run failed'),
    });
  }

  start(): void {
    if (this.options.days > 0) this.job.start();
  }

  /** One run; returns the number of logs deleted. */
  runOnce(): Promise<number> {
    return this.job.runOnce();
  }

  private async run(): Promise<number> {
    const now = (this.deps.now ?? (() => new Date()))();
    const cutoff = new Date(now.getTime() - this.options.days * 86_400_000);
    const limits = { chunk: this.options.chunk ?? 5_000, maxDocs: this.options.maxPerRun };
    const logs = await this.deps.logs.purgeOlderThan(cutoff, limits);
    const executions = await this.deps.executions.purgeOlderThan(cutoff, limits);
    const bulkJobs = await this.deps.bulkJobs.purgeOlderThan(cutoff, limits);
    this.deps.metrics.retentionDeleted.inc({ collection: 'command_logs' }, logs);
    this.deps.metrics.retentionDeleted.inc({ collection: 'executions' }, executions);
    this.deps.metrics.retentionDeleted.inc({ collection: 'bulk_jobs' }, bulkJobs);
    if (logs + executions + bulkJobs > 0)
      this.deps.logger.info(
        { logs, executions, bulkJobs, cutoff: cutoff.toISOString() },
        'retention',
      );
    return logs;
  }

  stop(): Promise<void> {
    return this.job.stop();
  }
}
