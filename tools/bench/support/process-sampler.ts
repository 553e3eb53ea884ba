// Samples a running ProcessStack every `intervalMs` while a measured phase runs: the
// resident memory of each of its processes and of the bench itself (peaks kept), and the
// executors' open-sessions and in-flight gauges (their /metrics; peaks of the sum over
// executors). With `timelineEveryMs`, prints a line that often: the gauges, the items
// `progress` reports, and each process's CPU over the last interval (% of one core), so
// that what limits a run shows while it runs.
import type { ProcessStack } from '../../stack/process-stack';
import { infraPssMb } from '../../stack/process-stack';
import { EXECUTOR_METRIC } from '@toolkit/metrics';
import { metricSum, scrapeMetrics } from './metrics';

export interface Sampled {
  /** Highest RSS (MB) seen per process. */
  peakRssMb: Record<string, number>;
  /** Highest sum over the executors of open SSH sessions, and of requests in flight. */
  peakOpenSessions: number;
  /** Open sessions at the first sample (already open when the phase started). */
  firstOpenSessions: number;
  peakInFlight: number;
  samples: number;
}

export interface SamplerOptions {
  intervalMs?: number;
  timelineEveryMs?: number;
  /** Extra fields of a timeline line (items reached so far, say). */
  progress?: () => string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every process's memory (MB) now: the run's and this one's RSS, the servers' PSS. */
export function rssNow(stack: ProcessStack): Record<string, number> {
  return { ...stack.rss(), ...infraPssMb() };
}

/** The executors' gauges now, summed (an executor that does not answer counts 0). */
export async function executorGauges(
  stack: ProcessStack,
): Promise<{ openSessions: number; inFlight: number }> {
  const ports = [...stack.metricsPorts].filter(([name]) => name.startsWith('executor'));
  const texts = await Promise.all(ports.map(([, port]) => scrapeMetrics(port).catch(() => '')));
  return {
    openSessions: texts.reduce((sum, t) => sum + metricSum(t, EXECUTOR_METRIC.openSessions), 0),
    inFlight: texts.reduce((sum, t) => sum + metricSum(t, EXECUTOR_METRIC.inFlight), 0),
  };
}

/** CPU of each process between two `cpuSnapshot`s, as % of one core (machine: all cores). */
export function cpuPercent(
  before: Record<string, number>,
  after: Record<string, number>,
  seconds: number,
): Record<string, number> {
  return Object.fromEntries(
    Object.keys(after).map((k) => [k, (100 * ((after[k] ?? 0) - (before[k] ?? 0))) / seconds]),
  );
}

/** `cpuPercent` as a line, busiest first, under 5% left out: `machine 190, ferretdb 80, ...`. */
export function cpuShares(
  before: Record<string, number>,
  after: Record<string, number>,
  seconds: number,
): string {
  return Object.entries(cpuPercent(before, after, seconds))
    .filter(([, pct]) => pct >= 5)
    .sort((a, b) => b[1] - a[1])
    .map(([k, pct]) => `${k} ${pct.toFixed(0)}`)
    .join(', ');
}

export class ProcessSampler {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly sampled: Sampled = {
    peakRssMb: {},
    peakOpenSessions: 0,
    firstOpenSessions: 0,
    peakInFlight: 0,
    samples: 0,
  };

  constructor(
    private readonly stack: ProcessStack,
    private readonly options: SamplerOptions = {},
  ) {}

  start(): this {
    this.running = true;
    this.loop = this.run();
    return this;
  }

  async stop(): Promise<Sampled> {
    this.running = false;
    await this.loop;
    return this.sampled;
  }

  private async run(): Promise<void> {
    const { intervalMs = 250, timelineEveryMs, progress } = this.options;
    const started = performance.now();
    let nextLine = started + (timelineEveryMs ?? Infinity);
    let cpuBefore = this.stack.cpuSnapshot();
    let lineAt = started;
    while (this.running) {
      const tick = performance.now();
      const s = this.sampled;
      // The run's processes only: the servers' PSS costs ~0.4 s of kernel time a read here
      // (PostgreSQL's shared buffers are walked in every backend), so it is read per phase.
      for (const [name, mb] of Object.entries(this.stack.rss()))
        s.peakRssMb[name] = Math.max(s.peakRssMb[name] ?? 0, mb);
      const gauges = await executorGauges(this.stack);
      if (s.samples === 0) s.firstOpenSessions = gauges.openSessions;
      s.peakOpenSessions = Math.max(s.peakOpenSessions, gauges.openSessions);
      s.peakInFlight = Math.max(s.peakInFlight, gauges.inFlight);
      s.samples++;
      if (performance.now() >= nextLine) {
        const cpu = this.stack.cpuSnapshot();
        const busy = cpuShares(cpuBefore, cpu, (performance.now() - lineAt) / 1_000);
        console.log(
          `  t=${((performance.now() - started) / 1_000).toFixed(1).padStart(5)} s  ` +
            `sessions ${gauges.openSessions}, in flight ${gauges.inFlight}` +
            `${progress ? `, ${progress()}` : ''}  | CPU % of a core: ${busy}`,
        );
        cpuBefore = cpu;
        lineAt = performance.now();
        nextLine += timelineEveryMs ?? Infinity;
      }
      await sleep(Math.max(0, intervalMs - (performance.now() - tick)));
    }
  }
}
