import type { Registry } from '@toolkit/metrics';
import { Counter, DURATION_BUCKETS_SECONDS, Histogram, getOrCreateMetric } from '@toolkit/metrics';

/** The gateway's own metrics (RED by route comes from @toolkit/http). */
export const GATEWAY_METRIC = {
  authFailures: 'toolkit_gateway_auth_failures_total',
  permissionDenials: 'toolkit_gateway_permission_denials_total',
  upstreamDuration: 'toolkit_gateway_upstream_request_duration_seconds',
} as const;

export interface GatewayMetrics {
  authFailures: Counter<'reason'>;
  permissionDenials: Counter<'object_type' | 'action'>;
  upstreamDuration: Histogram<'service' | 'method' | 'outcome'>;
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
  };
}
