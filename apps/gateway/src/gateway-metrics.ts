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
  streamsOpen: 'toolkit_gateway_streams_open',
  streamOutputHeld: 'toolkit_gateway_stream_output_held_chars',
  streamEvents: 'toolkit_gateway_stream_events_sent_total',
  streamDropped: 'toolkit_gateway_stream_clients_dropped_total',
} as const;

export interface GatewayMetrics {
  authFailures: Counter<'reason'>;
  permissionDenials: Counter<'object_type' | 'action'>;
  upstreamDuration: Histogram<'upstream' | 'method' | 'outcome'>;
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
          // Not `service`: scrapes label every target `service` (the app that exposes it).
          labelNames: ['upstream', 'method', 'outcome'],
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

/**
 * Live streams: open streams and output held (read when scraped), events sent by type,
 * clients dropped by reason (`slow_client`: too far behind; `limit`: refused, too many).
 */
export function registerStreamMetrics(
  registry: Registry,
  streams: { readonly open: number; readonly heldChars: number },
): { eventSent(event: string): void; dropped(reason: string): void } {
  const gauge = (name: string, help: string, read: () => number) =>
    getOrCreateMetric(
      registry,
      name,
      () =>
        new Gauge({
          name,
          help,
          registers: [registry],
          collect() {
            this.set(read());
          },
        }),
    );
  gauge(
    GATEWAY_METRIC.streamsOpen,
    'Live execution streams open on this replica.',
    () => streams.open,
  );
  gauge(
    GATEWAY_METRIC.streamOutputHeld,
    'Output characters this replica holds for live streams (bounded).',
    () => streams.heldChars,
  );
  const events = getOrCreateMetric(
    registry,
    GATEWAY_METRIC.streamEvents,
    () =>
      new Counter({
        name: GATEWAY_METRIC.streamEvents,
        help: 'Server-Sent Events written to live streams, by event type.',
        labelNames: ['event'],
        registers: [registry],
      }),
  ) as Counter<'event'>;
  const dropped = getOrCreateMetric(
    registry,
    GATEWAY_METRIC.streamDropped,
    () =>
      new Counter({
        name: GATEWAY_METRIC.streamDropped,
        help: 'Live stream clients dropped or refused, by reason.',
        labelNames: ['reason'],
        registers: [registry],
      }),
  ) as Counter<'reason'>;
  return {
    eventSent: (event) => events.inc({ event }),
    dropped: (reason) => dropped.inc({ reason }),
  };
}
