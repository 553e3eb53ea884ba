import type { Registry } from '@toolkit/metrics';
import {
  Counter,
  DURATION_BUCKETS_SECONDS,
  Gauge,
  Histogram,
  getOrCreateMetric,
} from '@toolkit/metrics';

/** The gateway's own metrics (RED by route comes from @toolkit/http). */
export const GATEWAY_METRIC = {
  authFailures: 'toolkit_gateway_auth_failures_total',
  permissionDenials: 'toolkit_gateway_permission_denials_total',
  upstreamDuration: 'toolkit_gateway_upstream_request_duration_seconds',
  executionsSubmitted: 'toolkit_gateway_executions_submitted_total',
  executionsCompleted: 'toolkit_gateway_executions_completed_total',
  executionWait: 'toolkit_gateway_execution_wait_seconds',
  executionWaitsInFlight: 'toolkit_gateway_execution_waits_in_flight',
  rateLimitRefusals: 'toolkit_gateway_rate_limit_refusals_total',
  idempotentReplays: 'toolkit_gateway_idempotent_replays_total',
} as const;

export interface GatewayMetrics {
  authFailures: Counter<'reason'>;
  permissionDenials: Counter<'object_type' | 'action'>;
  upstreamDuration: Histogram<'service' | 'method' | 'outcome'>;
  /** Executions accepted (published), by mode (sync, async). */
  executionsSubmitted: Counter<'mode'>;
  /** Answers to execute requests, by mode and outcome (succeeded, failed, ..., timeout). */
  executionsCompleted: Counter<'mode' | 'outcome'>;
  /** How long synchronous executes waited for their result, by outcome. */
  executionWait: Histogram<'outcome'>;
  rateLimitRefusals: Counter<'reason'>;
  idempotentReplays: Counter<'mode'>;
}

export function createGatewayMetrics(registry: Registry): GatewayMetrics {
  return {
    authFailures: getOrCreateMetric(
      registry,
      GATEWAY_METRIC.authFailures,
      () =>
        new Counter({
          name: GATEWAY_METRIC.authFailures,
          help: 'Refused authentications by reason (missing, malformed, unknown, expired, ...).',
          labelNames: ['reason'],
          registers: [registry],
        }),
    ),
    permissionDenials: getOrCreateMetric(
      registry,
      GATEWAY_METRIC.permissionDenials,
      () =>
        new Counter({
          name: GATEWAY_METRIC.permissionDenials,
          help: 'Requests refused by object permissions or read-only tokens.',
          labelNames: ['object_type', 'action'],
          registers: [registry],
        }),
    ),
    upstreamDuration: getOrCreateMetric(
      registry,
      GATEWAY_METRIC.upstreamDuration,
      () =>
        new Histogram({
          name: GATEWAY_METRIC.upstreamDuration,
          help: 'Time until a service behind the gateway answered (headers), by outcome.',
          labelNames: ['service', 'method', 'outcome'],
          buckets: DURATION_BUCKETS_SECONDS,
          registers: [registry],
        }),
    ),
    executionsSubmitted: getOrCreateMetric(
      registry,
      GATEWAY_METRIC.executionsSubmitted,
      () =>
        new Counter({
          name: GATEWAY_METRIC.executionsSubmitted,
          help: 'Executions accepted (durably published on Kafka), by mode.',
          labelNames: ['mode'],
          registers: [registry],
        }),
    ),
    executionsCompleted: getOrCreateMetric(
      registry,
      GATEWAY_METRIC.executionsCompleted,
      () =>
        new Counter({
          name: GATEWAY_METRIC.executionsCompleted,
          help: 'Execute answers by mode and outcome (succeeded, failed, unknown, cancelled; timeout when a synchronous wait ran out; accepted for async).',
          labelNames: ['mode', 'outcome'],
          registers: [registry],
        }),
    ),
    executionWait: getOrCreateMetric(
      registry,
      GATEWAY_METRIC.executionWait,
      () =>
        new Histogram({
          name: GATEWAY_METRIC.executionWait,
          help: 'Time a synchronous execute waited for its result after publishing, by outcome.',
          labelNames: ['outcome'],
          buckets: DURATION_BUCKETS_SECONDS,
          registers: [registry],
        }),
    ),
    rateLimitRefusals: getOrCreateMetric(
      registry,
      GATEWAY_METRIC.rateLimitRefusals,
      () =>
        new Counter({
          name: GATEWAY_METRIC.rateLimitRefusals,
          help: 'Executions refused with 429: device limit, contention on a device, or a device login blocked after authentication failures.',
          labelNames: ['reason'],
          registers: [registry],
        }),
    ),
    idempotentReplays: getOrCreateMetric(
      registry,
      GATEWAY_METRIC.idempotentReplays,
      () =>
        new Counter({
          name: GATEWAY_METRIC.idempotentReplays,
          help: 'Execute requests answered from an earlier request with the same Idempotency-Key.',
          labelNames: ['mode'],
          registers: [registry],
        }),
    ),
  };
}

/** The in-flight waits gauge reads the waiters when scraped. */
export function registerWaitsGauge(registry: Registry, waits: () => number): void {
  getOrCreateMetric(
    registry,
    GATEWAY_METRIC.executionWaitsInFlight,
    () =>
      new Gauge({
        name: GATEWAY_METRIC.executionWaitsInFlight,
        help: 'Synchronous executes (and cancels) waiting for a result on this replica.',
        registers: [registry],
        collect() {
          this.set(waits());
        },
      }),
  );
}
