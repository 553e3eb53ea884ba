export {
  Counter,
  DURATION_BUCKETS_SECONDS,
  EXECUTOR_METRIC,
  Gauge,
  Histogram,
  METRIC,
  Registry,
  createDependencyGauge,
  createHttpMetrics,
  createMessagingMetrics,
  createRegistry,
  getOrCreateMetric,
} from './metrics';
export type { HttpMetrics, MessagingMetrics } from './metrics';
