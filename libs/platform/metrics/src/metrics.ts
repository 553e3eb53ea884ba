import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Metric names are defined here once: dashboards and alerts use only these. */
export const METRIC = {
  httpRequestDuration: 'toolkit_http_request_duration_seconds',
  messagesConsumed: 'toolkit_messages_consumed_total',
  messageHandleDuration: 'toolkit_message_handle_duration_seconds',
  messagesProduced: 'toolkit_messages_produced_total',
  consumerLag: 'toolkit_kafka_consumer_lag',
  kafkaResponseBytes: 'toolkit_kafka_response_bytes_total',
  dependencyUp: 'toolkit_dependency_up',
} as const;

/** The executor's metric names: dashboards and alerts use these constants. */
export const EXECUTOR_METRIC = {
  executions: 'toolkit_executor_executions_total',
  executionDuration: 'toolkit_executor_execution_duration_seconds',
  connectDuration: 'toolkit_executor_ssh_connect_duration_seconds',
  openSessions: 'toolkit_executor_open_sessions',
  breakers: 'toolkit_executor_breakers',
  breakerOpen: 'toolkit_executor_breaker_open',
  inFlight: 'toolkit_executor_in_flight_requests',
  cancellations: 'toolkit_executor_cancellations_total',
} as const;

export const DURATION_BUCKETS_SECONDS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
];

/**
 * Metric factories are idempotent per registry: asking twice returns the metric created
 * the first time (an app built twice in one process, as tests do, shares it).
 */
function getOrCreate<M>(registry: Registry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create();
}

/** One registry per process, created in main.ts (or per test) and injected. */
export function createRegistry(
  service: string,
  options: { defaultMetrics?: boolean } = {},
): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

export interface HttpMetrics {
  requestDuration: Histogram<'method' | 'route' | 'status_code'>;
}

export { getOrCreate as getOrCreateMetric };

export function createHttpMetrics(registry: Registry): HttpMetrics {
  return {
    requestDuration: getOrCreate(
      registry,
      METRIC.httpRequestDuration,
      () =>
        new Histogram({
          name: METRIC.httpRequestDuration,
          help: 'HTTP request duration by method, route template and status code.',
          labelNames: ['method', 'route', 'status_code'],
          buckets: DURATION_BUCKETS_SECONDS,
          registers: [registry],
        }),
    ),
  };
}

export interface MessagingMetrics {
  consumed: Counter<'topic' | 'outcome'>;
  handleDuration: Histogram<'topic'>;
  produced: Counter<'topic'>;
  consumerLag: Gauge<'group' | 'topic' | 'partition'>;
  responseBytes: Counter<'api'>;
}

export function createMessagingMetrics(registry: Registry): MessagingMetrics {
  return {
    consumed: getOrCreate(
      registry,
      METRIC.messagesConsumed,
      () =>
        new Counter({
          name: METRIC.messagesConsumed,
          help: 'Messages consumed by topic and outcome (ok, retry, dlq, duplicate).',
          labelNames: ['topic', 'outcome'],
          registers: [registry],
        }),
    ),
    handleDuration: getOrCreate(
      registry,
      METRIC.messageHandleDuration,
      () =>
        new Histogram({
          name: METRIC.messageHandleDuration,
          help: 'Time spent handling one message or batch.',
          labelNames: ['topic'],
          buckets: DURATION_BUCKETS_SECONDS,
          registers: [registry],
        }),
    ),
    produced: getOrCreate(
      registry,
      METRIC.messagesProduced,
      () =>
        new Counter({
          name: METRIC.messagesProduced,
          help: 'Messages produced by topic.',
          labelNames: ['topic'],
          registers: [registry],
        }),
    ),
    consumerLag: getOrCreate(
      registry,
      METRIC.consumerLag,
      () =>
        new Gauge({
          name: METRIC.consumerLag,
          help:
            "Messages between the partition's high watermark and the last batch this member " +
            'handled, per group and partition it is assigned (set after each batch).',
          labelNames: ['group', 'topic', 'partition'],
          registers: [registry],
        }),
    ),
    responseBytes: getOrCreate(
      registry,
      METRIC.kafkaResponseBytes,
      () =>
        new Counter({
          name: METRIC.kafkaResponseBytes,
          help:
            'Bytes of the responses Kafka sent to this process, by API: Fetch is the data ' +
            'consumed as it travelled (compressed when its producer compressed it).',
          labelNames: ['api'],
          registers: [registry],
        }),
    ),
  };
}

export function createDependencyGauge(registry: Registry): Gauge<'dependency'> {
  return getOrCreate(
    registry,
    METRIC.dependencyUp,
    () =>
      new Gauge({
        name: METRIC.dependencyUp,
        help: '1 when the dependency answered the last readiness check, else 0.',
        labelNames: ['dependency'],
        registers: [registry],
      }),
  );
}
