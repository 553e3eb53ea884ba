// Synchronous executions through the public API, the four services as separate processes
// (esbuild bundles, as production runs them) on their own topics (KAFKA_TOPIC_PREFIX) and
// databases, against simulated IOS devices (their own process).
//   eval "$(bash tools/scripts/infra.sh env)"
//   node --import tsx tools/bench/execution-latency.ts [--devices 100] [--clients 50]
//     [--sequential 300] [--duration 30] [--command "show clock"] [--profile gateway]
// Prints, in one run:
//  - added latency of a synchronous execution: the client's round trip (gateway in to
//    gateway out, on loopback) minus the time the executor spent on the device (the
//    result's execution_time), p50/p95/p99, one request at a time, with where the time
//    goes (from the execution's own timestamps);
//  - executions per second and the same percentiles with --clients concurrent clients
//    over --devices devices for --duration seconds;
//  - CPU seconds of each process during each phase.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessStack, buildBundles, cpuDelta, histograms, summary } from './support/process-stack';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const DEVICES = Number(arg('--devices', '100'));
const CLIENTS = Number(arg('--clients', '50'));
const SEQUENTIAL = Number(arg('--sequential', '300'));
const DURATION_S = Number(arg('--duration', '30'));
const COMMAND = arg('--command', 'show clock');
/** --profile <service>: a V8 CPU profile of that service's whole run, in --profile-dir. */
const PROFILE = arg('--profile', '');
const PROFILE_DIR = arg('--profile-dir', 'dist/bench-profiles');
const stack = new ProcessStack({ profile: PROFILE, profileDir: PROFILE_DIR });
const api = stack.api.bind(stack);

/** Mean durations (ms) of the histogram series that moved between two scrapes. */
function meanDurations(
  before: Map<string, { sum: number; count: number }>,
  after: Map<string, { sum: number; count: number }>,
  keep: RegExp,
): string[] {
  const lines: string[] = [];
  for (const [key, a] of after) {
    if (!keep.test(key)) continue;
    const b = before.get(key) ?? { sum: 0, count: 0 };
    const count = a.count - b.count;
    if (count <= 0) continue;
    const unit = key.includes('_seconds') ? 1000 : 1;
    const mean = ((a.sum - b.sum) / count) * unit;
    lines.push(
      `  ${key.replace(/service="[^"]*",?/, '')}: mean ${mean.toFixed(1)}${unit === 1000 ? ' ms' : ''} (n=${count})`,
    );
  }
  return lines;
}

interface Sample {
  rttMs: number;
  deviceMs: number;
  executionId: string;
  sentAt: number;
  answeredAt: number;
}

async function executeOnce(
  commandId: number,
  deviceId: number,
  credential: string,
): Promise<Sample> {
  const sentAt = Date.now();
  const t0 = performance.now();
  const res = await api('POST', `/api/plugins/toolkit/commands/${commandId}/execute/`, {
    device_id: deviceId,
    credential_token: credential,
  });
  const rttMs = performance.now() - t0;
  if (res.status !== 200)
    throw new Error(`execute answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
  return {
    rttMs,
    deviceMs: (res.body.execution_time as number) * 1000,
    executionId: res.body.execution_id,
    sentAt,
    answeredAt: Date.now(),
  };
}

async function main(): Promise<void> {
  console.log(
    `execution latency bench ${new Date().toISOString()}: ${DEVICES} devices, '${COMMAND}', ` +
      `${SEQUENTIAL} sequential, ${CLIENTS} clients for ${DURATION_S} s`,
  );
  await buildBundles();
  const dir = await mkdtemp(join(tmpdir(), 'bench-exec-'));
  try {
    const devices = await stack.startSimulator(dir, DEVICES);
    // The reservation path is measured; the limit itself must not refuse.
    await stack.startServices({ gateway: { RATE_LIMIT_DEVICE_LIMIT: '10000' } });
    const { deviceIds, commandId, credential } = await stack.seed(devices, COMMAND);
    const run = (i: number) =>
      executeOnce(commandId, deviceIds[i % deviceIds.length] as number, credential);

    // Warm-up: every device's session is open and every process has run the path once.
    for (let i = 0; i < deviceIds.length; i += 10)
      await Promise.all(
        Array.from({ length: Math.min(10, deviceIds.length - i) }, (_, j) => run(i + j)),
      );

    // Phase 1: one request at a time.
    const measured = stack.procs.filter((p) => p.name !== 'simulator');
    const scrape = () =>
      Promise.all(measured.map((p) => histograms(stack.metricsPorts.get(p.name) ?? p.port)));
    const metrics1 = await scrape();
    const cpu1 = stack.cpuSnapshot();
    const started1 = performance.now();
    const sequential: Sample[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) sequential.push(await run(i));
    const seconds1 = (performance.now() - started1) / 1000;
    const cpu1After = stack.cpuSnapshot();
    const metrics1After = await scrape();
    const stages = {
      before: [] as number[],
      queue: [] as number[],
      record: [] as number[],
      answer: [] as number[],
    };
    for (const s of sequential.slice(-100)) {
      const e = (await api('GET', `/api/plugins/toolkit/executions/${s.executionId}/`)).body;
      const requested = Date.parse(e.requested_at);
      const startedAt = Date.parse(e.started_at);
      const finished = Date.parse(e.finished_at);
      const recorded = Date.parse(e.last_updated);
      stages.before.push(requested - s.sentAt);
      stages.queue.push(startedAt - requested);
      stages.record.push(recorded - finished);
      stages.answer.push(s.answeredAt - recorded);
    }

    // Phase 2: concurrent clients over the devices.
    const cpu2 = stack.cpuSnapshot();
    const deadline = performance.now() + DURATION_S * 1000;
    const concurrent: Sample[] = [];
    let next = 0;
    let failures = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (performance.now() < deadline) {
          try {
            concurrent.push(await run(next++));
          } catch (error) {
            failures++;
            if (failures < 5) console.warn(String(error));
          }
        }
      }),
    );
    const seconds2 = DURATION_S;
    const cpu2After = stack.cpuSnapshot();

    console.log('\n== one request at a time');
    console.log(
      summary(
        'added latency (round trip - device time)',
        sequential.map((s) => s.rttMs - s.deviceMs),
      ),
    );
    console.log(
      summary(
        'round trip',
        sequential.map((s) => s.rttMs),
      ),
    );
    console.log(
      summary(
        'device time (execution_time)',
        sequential.map((s) => s.deviceMs),
      ),
    );
    console.log(`${(SEQUENTIAL / seconds1).toFixed(1)} executions/s`);
    console.log('where the time goes (last 100, ms resolution, same host clock):');
    console.log(
      `  ${summary('gateway before publish (auth, render, limits, publish)', stages.before)}`,
    );
    console.log(`  ${summary('published -> executor started', stages.queue)}`);
    console.log(`  ${summary('device finished -> analytics recorded', stages.record)}`);
    console.log(`  ${summary('analytics recorded -> answer', stages.answer)}`);
    console.log(`CPU: ${cpuDelta(cpu1, cpu1After, seconds1)}`);
    console.log('service timings (means over the phase, from their /metrics):');
    measured.forEach((p, i) => {
      const lines = meanDurations(
        metrics1[i] ?? new Map(),
        metrics1After[i] ?? new Map(),
        /^toolkit_(http_request_duration|analytics_write_batch|gateway_upstream|gateway_execution_wait|message_handle)/,
      );
      if (lines.length > 0) console.log(` ${p.name}\n${lines.join('\n')}`);
    });
    console.log(`\n== ${CLIENTS} concurrent clients over ${DEVICES} devices, ${DURATION_S} s`);
    console.log(
      `${(concurrent.length / seconds2).toFixed(1)} executions/s (${concurrent.length} ok, ${failures} failed)`,
    );
    console.log(
      summary(
        'added latency',
        concurrent.map((s) => s.rttMs - s.deviceMs),
      ),
    );
    console.log(
      summary(
        'round trip',
        concurrent.map((s) => s.rttMs),
      ),
    );
    console.log(`CPU: ${cpuDelta(cpu2, cpu2After, seconds2)}`);
  } finally {
    await stack.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    console.error(error);
    await stack.cleanup().catch(() => undefined);
    process.exit(1);
  },
);
