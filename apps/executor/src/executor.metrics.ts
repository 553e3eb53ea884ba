import {
  Counter,
  DURATION_BUCKETS_SECONDS,
  EXECUTOR_METRIC,
  Gauge,
  Histogram,
  getOrCreateMetric,
} from '@toolkit/metrics';
import type { Registry } from '@toolkit/metrics';

// Names come from @toolkit/metrics (EXECUTOR_METRIC), the one list dashboards use.

export interface ExecutorMetrics {
  executions: Counter<'platform' | 'outcome' | 'error_class'>;
  executionDuration: Histogram<'platform' | 'outcome'>;
  connectDuration: Histogram<'platform'>;
  inFlight: Gauge;
  cancellations: Counter<'effect'>;
}

export interface ExecutorGaugeSources {
  openSessions: () => number;
  breakers: () => { open: number; halfOpen: number; openDevices: { device: string }[] };
}

export function createExecutorMetrics(
  registry: Registry,
  sources: ExecutorGaugeSources,
): ExecutorMetrics {
  getOrCreateMetric(
    registry,
    EXECUTOR_METRIC.openSessions,
    () =>
      new Gauge({
        name: EXECUTOR_METRIC.openSessions,
        help: 'SSH sessions open (busy or idle).',
        registers: [registry],
        collect() {
          this.set(sources.openSessions());
        },
      }),
  );
  getOrCreateMetric(
    registry,
    EXECUTOR_METRIC.breakers,
    () =>
      new Gauge({
        name: EXECUTOR_METRIC.breakers,
        help: 'Device circuit breakers by state (open, half_open).',
        labelNames: ['state'],
        registers: [registry],
        collect() {
          const s = sources.breakers();
          this.set({ state: 'open' }, s.open);
          this.set({ state: 'half_open' }, s.halfOpen);
        },
      }),
  );
  getOrCreateMetric(
    registry,
    EXECUTOR_METRIC.breakerOpen,
    () =>
      new Gauge({
        name: EXECUTOR_METRIC.breakerOpen,
        help: '1 per device whose breaker is open (only while open).',
        labelNames: ['device'],
        registers: [registry],
        collect() {
          this.reset();
          for (const d of sources.breakers().openDevices) this.set({ device: d.device }, 1);
        },
      }),
  );
  return {
    executions: getOrCreateMetric(
      registry,
      EXECUTOR_METRIC.executions,
      () =>
        new Counter({
          name: EXECUTOR_METRIC.executions,
          help: 'Executions by platform, outcome and error class.',
          labelNames: ['platform', 'outcome', 'error_class'],
          registers: [registry],
        }),
    ),
    executionDuration: getOrCreateMetric(
      registry,
      EXECUTOR_METRIC.executionDuration,
      () =>
        new Histogram({
          name: EXECUTOR_METRIC.executionDuration,
          help: 'Execution duration (credentials to result) by platform and outcome.',
          labelNames: ['platform', 'outcome'],
          buckets: DURATION_BUCKETS_SECONDS,
          registers: [registry],
        }),
    ),
    connectDuration: getOrCreateMetric(
      registry,
      EXECUTOR_METRIC.connectDuration,
      () =>
        new Histogram({
          name: EXECUTOR_METRIC.connectDuration,
          help: 'Time to open a usable SSH session (TCP, handshake, auth, prompt, paging off).',
          labelNames: ['platform'],
          buckets: DURATION_BUCKETS_SECONDS,
          registers: [registry],
        }),
    ),
    inFlight: getOrCreateMetric(
      registry,
      EXECUTOR_METRIC.inFlight,
      () =>
        new Gauge({
          name: EXECUTOR_METRIC.inFlight,
          help: 'Execution requests being handled.',
          registers: [registry],
        }),
    ),
    cancellations: getOrCreateMetric(
      registry,
      EXECUTOR_METRIC.cancellations,
      () =>
        new Counter({
          name: EXECUTOR_METRIC.cancellations,
          help: 'Cancellations read, by effect here: recorded (not running here), aborted (a running show), running-config (left to finish).',
          labelNames: ['effect'],
          registers: [registry],
        }),
    ),
  };
}
