// Section 3: the fleet. Devices in a simulator of their own answering every line after
// FLEET_LATENCY_MS, the bare loop over all of them at once (the floor), then the pipeline
// with the executor's defaults and with FLEET_TUNED on fresh executors: until every result
// is logged, with a timeline, the peaks of the executors' gauges and what limits the run.
import { cpus } from 'node:os';
import { histograms } from '../../stack/process-stack';
import { loginOf, runNewSessions } from '../support/bare-loop';
import { runBulk } from '../support/bulk-run';
import type { BulkRun } from '../support/bulk-run';
import { meanDurations } from '../support/metrics';
import { ProcessSampler, cpuPercent, cpuShares } from '../support/process-sampler';
import type { Sampled } from '../support/process-sampler';
import { fmt } from './format';
import {
  COMMAND,
  DRAIN_LIMIT_S,
  FLEET,
  FLEET_EXECUTORS,
  FLEET_LATENCY_MS,
  FLEET_LIMIT_S,
  FLEET_TUNED,
  SETUP,
  SKIP_FLEET_BARE,
  concurrencyCap,
} from './options';
import { executors, warmUpJob } from './run';
import type { Run } from './run';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface FleetFigures {
  label: string;
  cap: number;
  job: BulkRun;
  sampled: Sampled;
  cpu: string;
  limits: string[];
  drainedSeconds?: number;
  /** Items still not recorded after the drain (the next run competes with them). */
  unrecorded?: number;
  /** Analytics' write batches over the run (and the drain): mean size and duration. */
  analytics?: string[];
  /** Bulk items recorded before the run (FerretDB scans grow with its collections). */
  storedBefore: number;
}

/** What the figures say limits a run: saturated processes, batching, the ingest. */
function limitsOf(
  job: BulkRun,
  cpuPct: Record<string, number>,
  cap: number,
  sampled: Sampled,
): string[] {
  const out: string[] = [];
  const cores = (cpuPct['machine'] ?? 0) / 100;
  const ncpu = cpus().length;
  if (cores >= 0.9 * ncpu) out.push(`the machine: ${cores.toFixed(1)} of its ${ncpu} cores busy`);
  for (const [name, p] of Object.entries(cpuPct))
    if (name !== 'machine' && p >= 85)
      out.push(
        `${name} at ${p.toFixed(0)}% of a core${['kafka', 'ferretdb', 'postgres'].includes(name) ? '' : ' (one JavaScript thread: saturated)'}`,
      );
  if (sampled.peakInFlight >= 0.9 * cap && cap < job.items)
    out.push(
      `the executors' batching: peak ${sampled.peakInFlight} in flight, cap ~${cap} (partitions at once x batch)`,
    );
  const stored = Number.isFinite(job.recordedSeconds) ? job.recordedSeconds : Infinity;
  if (Number.isFinite(job.resultSeconds) && stored > 1.3 * job.resultSeconds)
    out.push(
      `recording (analytics and its database): results on Kafka at ${job.resultSeconds.toFixed(1)} s, ` +
        `stored ${Number.isFinite(stored) ? `at ${stored.toFixed(1)} s` : 'not all within the limit'} ` +
        `(CPU, % of a core: ${['analytics', 'ferretdb', 'postgres'].map((n) => `${n} ${(cpuPct[n] ?? 0).toFixed(0)}`).join(', ')})`,
    );
  return out;
}

async function fleetRun(
  run: Run,
  label: string,
  env: Record<string, string>,
  ids: number[],
  /** Another run follows: an incomplete run's rest is given DRAIN_LIMIT_S to be recorded. */
  drain: boolean,
): Promise<FleetFigures> {
  const { stack, watch, seeded } = run;
  await executors(run, FLEET_EXECUTORS, { env, restart: true });
  await warmUpJob(run);
  const cap = concurrencyCap(FLEET_EXECUTORS, env);
  console.log(
    `\n-- ${label}: ${FLEET_EXECUTORS} executor(s)${
      Object.keys(env).length > 0
        ? ` with ${Object.entries(env)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`
        : ''
    } (at most ~${fmt(cap)} devices at once)`,
  );
  const base = { ...watch.totals };
  const analytics = () => histograms(stack.metricsPorts.get('analytics') ?? 0);
  const batches = await analytics();
  const cpu = stack.cpuSnapshot();
  const sampler = new ProcessSampler(stack, {
    timelineEveryMs: FLEET >= 2_000 ? 5_000 : 2_000,
    progress: () =>
      `results ${watch.totals.result - base.result}, logged ${watch.totals.recorded - base.recorded}`,
  }).start();
  const job = await runBulk(stack, watch, {
    deviceIds: ids,
    perDevice: 1,
    ...seeded,
    timeoutSeconds: 300,
    limitMs: FLEET_LIMIT_S * 1_000,
  });
  const sampled = await sampler.stop();
  const cpuAfter = stack.cpuSnapshot();
  const seconds = (performance.now() - job.startedAt) / 1_000;
  const cpuPct = cpuPercent(cpu, cpuAfter, seconds);
  const figures: FleetFigures = {
    label,
    cap,
    job,
    sampled,
    cpu: cpuShares(cpu, cpuAfter, seconds),
    limits: limitsOf(job, cpuPct, cap, sampled),
    storedBefore: base.recorded,
  };
  if (drain && job.recorded < job.items) {
    // The rest still runs: let it end before the next run starts.
    const drainFrom = performance.now();
    while (
      watch.totals.recorded - base.recorded < job.items &&
      performance.now() - drainFrom < DRAIN_LIMIT_S * 1_000
    )
      await sleep(500);
    figures.drainedSeconds = (performance.now() - job.startedAt) / 1_000;
    figures.unrecorded = job.items - (watch.totals.recorded - base.recorded);
  }
  figures.analytics = meanDurations(batches, await analytics(), /^toolkit_analytics_write_batch/);
  printFleet(figures);
  return figures;
}

function printFleet(f: FleetFigures): void {
  const { job } = f;
  console.log(
    `${f.label}: 202s ${job.submitSeconds.toFixed(1)} s; last result on Kafka ${Number.isFinite(job.resultSeconds) ? `${job.resultSeconds.toFixed(1)} s` : `not within ${FLEET_LIMIT_S} s (${job.results}/${job.items})`}; ` +
      `every result logged ${Number.isFinite(job.recordedSeconds) ? `${job.recordedSeconds.toFixed(1)} s` : `not within ${FLEET_LIMIT_S} s (${job.recorded}/${job.items} logged)`}` +
      `${f.drainedSeconds === undefined ? '' : ` (${f.unrecorded ? `${f.unrecorded} still not` : 'all'} by ${f.drainedSeconds.toFixed(0)} s)`}; ` +
      `${job.recorded === job.items ? `${job.succeeded}/${job.items} succeeded` : 'jobs not completed: successes not read'}`,
  );
  console.log(
    `  peak open sessions ${f.sampled.peakOpenSessions} (${f.sampled.firstOpenSessions} open before: the warm-up job's), ` +
      `peak in flight ${f.sampled.peakInFlight} (cap ~${fmt(f.cap)}); ${fmt(f.storedBefore)} bulk items recorded before the run`,
  );
  console.log(`  CPU over the run, % of one core: ${f.cpu}`);
  console.log(
    `  limits: ${f.limits.length > 0 ? f.limits.join('; ') : 'none of the rules matched'}`,
  );
  if (f.analytics?.length) console.log(`  analytics write batches:\n${f.analytics.join('\n')}`);
}

export interface Fleet {
  /** The bare loop over every device at once, unless skipped. */
  bare?: { seconds: number; failures: number };
  runs: FleetFigures[];
}

/** The fleet's simulator writes its inventory into `dir`. */
export async function fleet(run: Run, dir: string): Promise<Fleet> {
  const { stack, seeded } = run;
  console.log(
    `\n== 3. the fleet: ${fmt(FLEET)} devices answering every line after ${FLEET_LATENCY_MS} ms, '${COMMAND}' once each`,
  );
  const started = performance.now();
  const devices = await stack.startSimulator(dir, FLEET, 'ios', [], 'fleet-simulator');
  const faults = await fetch(`${stack.simulatorControlUrl}/faults`, {
    method: 'PUT',
    body: JSON.stringify({ commandLatencyMs: FLEET_LATENCY_MS }),
  });
  if (!faults.ok) throw new Error(`simulator faults: ${faults.status} ${await faults.text()}`);
  const ids = await stack.createDevices(devices, seeded.platformId, 'fleet-');
  console.log(
    `simulator and catalog ready in ${((performance.now() - started) / 1_000).toFixed(1)} s ` +
      `(simulator RSS ${fmt(stack.rss()['fleet-simulator'] ?? 0)} MB); a new IOS session here answers ` +
      `'enable', ${SETUP.length} set-up lines and the command after ${FLEET_LATENCY_MS} ms each: ` +
      `${((SETUP.length + 2) * FLEET_LATENCY_MS) / 1_000} s per device at least`,
  );
  let bare: { seconds: number; failures: number } | undefined;
  if (!SKIP_FLEET_BARE) {
    const cpu = stack.cpuSnapshot();
    const t0 = performance.now();
    const { failures } = await runNewSessions(
      devices.map((d) => loginOf(d, SETUP)),
      COMMAND,
      { concurrency: FLEET, timeoutMs: FLEET_LIMIT_S * 1_000 },
    );
    const seconds = (performance.now() - t0) / 1_000;
    bare = { seconds, failures: failures.length };
    console.log(
      `bare ssh2, every device at once (the floor): ${seconds.toFixed(1)} s, ${failures.length} failed` +
        `${failures.length > 0 ? ` (first: ${failures[0]})` : ''}`,
    );
    console.log(
      `  CPU, % of one core: ${cpuShares(cpu, stack.cpuSnapshot(), seconds)}; RSS after: bench ${fmt(process.memoryUsage().rss / 1024 / 1024)} MB`,
    );
  }
  const runs: FleetFigures[] = [];
  for (const [label, env, drain] of [
    ['defaults', {}, true],
    ['tuned', FLEET_TUNED, false],
  ] as const) {
    const figures = await fleetRun(run, label, env, ids, drain);
    runs.push(figures);
    run.memory.push({ phase: `peak, fleet, ${label}`, rssMb: figures.sampled.peakRssMb });
  }
  return { bare, runs };
}
