import { Counter, Histogram, getOrCreateMetric } from '@toolkit/metrics';
import type { Registry } from '@toolkit/metrics';

export const ANALYTICS_METRIC = {
  resultsIngested: 'toolkit_analytics_results_ingested_total',
  writeBatchSize: 'toolkit_analytics_write_batch_size',
  writeBatchDuration: 'toolkit_analytics_write_batch_duration_seconds',
  retentionDeleted: 'toolkit_analytics_retention_deleted_total',
} as const;

export interface AnalyticsMetrics {
  resultsIngested: Counter<'outcome'>;
  writeBatchSize: Histogram<'consumer'>;
  writeBatchDuration: Histogram<'consumer'>;
  retentionDeleted: Counter<'collection'>;
}

/** Created once per registry (main.ts or a test); dead-letters are counted by messaging. */
export function createAnalyticsMetrics(registry: Registry): AnalyticsMetrics {
  return {
    resultsIngested: getOrCreateMetric(
      registry,
      ANALYTICS_METRIC.resultsIngested,
      () =>
        new Counter({
          name: ANALYTICS_METRIC.resultsIngested,
          help: 'Execution results consumed, by outcome (inserted, duplicate).',
          labelNames: ['outcome'],
          registers: [registry],
        }),
    ),
    writeBatchSize: getOrCreateMetric(
      registry,
      ANALYTICS_METRIC.writeBatchSize,
      () =>
        new Histogram({
          name: ANALYTICS_METRIC.writeBatchSize,
          help: 'Messages per bulk write.',
          labelNames: ['consumer'],
          buckets: [1, 5, 10, 50, 100, 250, 500, 1000, 2500, 5000],
          registers: [registry],
        }),
    ),
    writeBatchDuration: getOrCreateMetric(
      registry,
      ANALYTICS_METRIC.writeBatchDuration,
      () =>
        new Histogram({
          name: ANALYTICS_METRIC.writeBatchDuration,
          help: 'Time to write one batch (logs, rollups, executions).',
          labelNames: ['consumer'],
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
          registers: [registry],
        }),
    ),
    retentionDeleted: getOrCreateMetric(
      registry,
      ANALYTICS_METRIC.retentionDeleted,
      () =>
        new Counter({
          name: ANALYTICS_METRIC.retentionDeleted,
          help: 'Documents deleted by retention, by collection.',
          labelNames: ['collection'],
          registers: [registry],
        }),
    ),
  };
}
