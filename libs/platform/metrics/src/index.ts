export {
  Counter,
  DURATION_BUCKETS_SECONDS,
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
