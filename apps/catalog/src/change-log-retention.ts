import type { ObjectChangeLog } from '@toolkit/catalog-domain';
import { PeriodicJob } from '@toolkit/lifecycle';
import type { Logger } from '@toolkit/logger';

export interface ChangeLogRetentionOptions {
  /** CHANGELOG_RETENTION_DAYS: records older than this are deleted; 0 keeps them all. */
  days: number;
  intervalMs: number;
  /** At most this many records deleted per run (the rest go in the next runs). */
  maxPerRun: number;
  chunk?: number;
}

/** The change log's retention by age: a periodic, bounded delete of its oldest records. */
export function changeLogRetention(
  deps: { changes: Pick<ObjectChangeLog, 'purgeOlderThan'>; logger: Logger; now?: () => Date },
  options: ChangeLogRetentionOptions,
): { start(): void; runOnce(): Promise<number>; stop(): Promise<void> } {
  const job = new PeriodicJob(
    async () => {
      const now = (deps.now ?? (() => new Date()))();
      const cutoff = new Date(now.getTime() - options.days * 86_400_000);
      const deleted = await deps.changes.purgeOlderThan(cutoff, {
        chunk: options.chunk ?? 500,
        maxDocs: options.maxPerRun,
      });
      if (deleted > 0)
        deps.logger.info({ deleted, cutoff: cutoff.toISOString() }, 'change-log retention');
      return deleted;
    },
    {
      intervalMs: options.intervalMs,
      onError: (error) => deps.logger.error({ err: error }, 'change-log retention run failed'),
    },
  );
  return {
    start: () => {
      if (options.days > 0) job.start();
    },
    runOnce: () => job.runOnce(),
    stop: () => job.stop(),
  };
}
