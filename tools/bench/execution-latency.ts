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
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';

const root = resolve(__dirname, '../..');
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
const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:19092').split(',');
const mongoUri = process.env['MONGODB_URI'] ?? 'mongodb://127.0.0.1:27117/';
const runId = randomUUID().slice(0, 8);
const prefix = `bench.${runId}.`;
const token = randomBytes(20).toString('hex');
const secrets = {
  INTERNAL_API_TOKEN: randomBytes(24).toString('hex'),
  CREDENTIAL_KEYS: `b1:${randomBytes(32).toString('base64')}`,
  EXECUTION_KEYS: `b1:${randomBytes(32).toString('base64')}`,
};

interface Proc {
  name: string;
  child: ChildProcess;
  port: number;
}
const procs: Proc[] = [];

function startProcess(
  name: string,
  args: string[],
  env: Record<string, string>,
  ready: (line: string) => number | undefined,
): Promise<Proc> {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', MALLOC_ARENA_MAX: '2', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let started = false;
  return new Promise((resolvePort, reject) => {
    const onData = (chunk: Buffer) => {
      if (started) return;
      output = (output + chunk.toString()).slice(-20_000);
      for (const line of output.split('\n')) {
        const port = ready(line);
        if (port !== undefined) {
          started = true;
          const proc = { name, child, port };
          procs.push(proc);
          resolvePort(proc);
          return;
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${name} exited ${code}:\n${output}`)));
  });
}

/** Each service's /metrics port (METRICS_PORT=0: one of its own). */
const metricsPorts = new Map<string, number>();

function startService(name: string, extra: Record<string, string> = {}): Promise<Proc> {
  return startProcess(
    name,
    [
      '--enable-source-maps',
      ...(name === PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${resolve(root, PROFILE_DIR)}`] : []),
      `dist/apps/${name}/main.js`,
    ],
    {
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_TOPIC_PARTITIONS: '12',
      MONGODB_URI: mongoUri,
      MONGODB_DB: `bench_${name}_${runId}`,
      HTTP_PORT: '0',
      METRICS_PORT: '0',
      LOG_LEVEL: 'info',
      ...secrets,
      EXECUTOR_KNOWN_HOSTS_MODE: 'accept-new',
      EXECUTOR_GROUP_ID: `bench-executor-${runId}`,
      ANALYTICS_CONSUMER_GROUP_PREFIX: `bench-analytics-${runId}`,
      GATEWAY_COMPLETIONS_GROUP_PREFIX: `bench-gateway-${runId}`,
      ...(name === 'analytics' ? { NODE_OPTIONS: '--max-old-space-size=128' } : {}),

      ...extra,
    },
    (line) => {
      if (!line.includes(`"${name} listening"`)) return undefined;
      const { port, metricsPort } = JSON.parse(line) as { port: number; metricsPort: number };
      metricsPorts.set(name, metricsPort);
      return port;
    },
  );
}

interface SimDevice {
  name: string;
  port: number;
  credentials: Record<string, string>;
}

async function startSimulator(dir: string): Promise<SimDevice[]> {
  const inventory = join(dir, 'inventory.json');
  await startProcess(
    'simulator',
    [
      'dist/apps/simulator/main.js',
      '--count',
      String(DEVICES),
      '--platforms',
      'ios',
      '--inventory',
      inventory,
    ],
    {},
    (line) => (line.includes('"simulator.ready"') ? 0 : undefined),
  );
  for (let i = 0; i < 100; i++) {
    try {
      const inv = JSON.parse(await readFile(inventory, 'utf8')) as { devices: SimDevice[] };
      if (inv.devices.length === DEVICES) return inv.devices;
    } catch {
      // not written yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the simulator wrote no inventory');
}

// The API's answers, read loosely: the bench only picks fields it knows.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let gatewayUrl = '';
async function api(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${gatewayUrl}${path}`, {
    method,
    headers: { Authorization: `Token ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** CPU seconds (user + system) of a process so far, from /proc. */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}
/** Busy CPU seconds of the whole machine so far. */
function machineBusySeconds(): number {
  const cpu =
    readFileSync('/proc/stat', 'utf8').split('\n')[0]?.split(/\s+/).slice(1).map(Number) ?? [];
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  return (cpu.reduce((a, b) => a + b, 0) - idle) / 100;
}
/** CPU seconds of the servers under the services: Kafka (java), FerretDB, PostgreSQL (all backends). */
function infraCpu(): Record<string, number> {
  const totals: Record<string, number> = { kafka: 0, ferretdb: 0, postgres: 0 };
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const name =
      comm === 'java'
        ? 'kafka'
        : comm === 'ferretdb'
          ? 'ferretdb'
          : comm.startsWith('postgres')
            ? 'postgres'
            : undefined;
    if (!name) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    totals[name] = (totals[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100;
  }
  return totals;
}

function cpuSnapshot(): Record<string, number> {
  const usage = process.cpuUsage();
  const snap: Record<string, number> = {
    machine: machineBusySeconds(),
    bench: (usage.user + usage.system) / 1e6,
  };
  for (const p of procs) snap[p.name] = cpuSeconds(p.child.pid);
  return { ...snap, ...infraCpu() };
}
function cpuDelta(
  before: Record<string, number>,
  after: Record<string, number>,
  seconds: number,
): string {
  return Object.keys(after)
    .map(
      (k) =>
        `${k} ${((after[k] ?? 0) - (before[k] ?? 0)).toFixed(1)} s (${Math.round((100 * ((after[k] ?? 0) - (before[k] ?? 0))) / seconds)}%)`,
    )
    .join(', ');
}

/** `_sum` and `_count` of every histogram series a service exposes, keyed by series. */
async function histograms(port: number): Promise<Map<string, { sum: number; count: number }>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const series = new Map<string, { sum: number; count: number }>();
  for (const line of text.split('\n')) {
    const match = /^(\w+)_(sum|count)(\{[^}]*\})? ([\d.e+-]+)$/.exec(line);
    if (!match) continue;
    const key = `${match[1]}${match[3] ?? ''}`;
    const entry = series.get(key) ?? { sum: 0, count: 0 };
    entry[match[2] as 'sum' | 'count'] = Number(match[4]);
    series.set(key, entry);
  }
  return series;
}

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

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
const fmt = (n: number) => n.toFixed(1);
function summary(label: string, values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `${label}: p50 ${fmt(percentile(sorted, 50))} ms, p95 ${fmt(percentile(sorted, 95))} ms, p99 ${fmt(percentile(sorted, 99))} ms (n=${sorted.length})`;
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

async function cleanup(): Promise<void> {
  for (const p of procs.reverse()) {
    p.child.kill('SIGTERM');
    await new Promise((r) => {
      const timer = setTimeout(() => {
        p.child.kill('SIGKILL');
        r(undefined);
      }, 15_000);
      p.child.once('exit', () => {
        clearTimeout(timer);
        r(undefined);
      });
    });
  }
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin
    .connect()
    .then(async () => {
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
      if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
    })
    .catch((error: unknown) => console.warn(`could not delete the run's topics (${String(error)})`))
    .finally(() => admin.disconnect().catch(() => undefined));
  for (const name of ['gateway', 'catalog', 'executor', 'analytics']) {
    const connection = mongoose.createConnection(mongoUri, { dbName: `bench_${name}_${runId}` });
    await connection
      .asPromise()
      .then(() => connection.dropDatabase())
      .catch((error: unknown) =>
        console.warn(`could not drop bench_${name}_${runId} (${String(error)})`),
      )
      .finally(() => connection.close().catch(() => undefined));
  }
}

async function main(): Promise<void> {
  console.log(
    `execution latency bench ${new Date().toISOString()}: ${DEVICES} devices, '${COMMAND}', ` +
      `${SEQUENTIAL} sequential, ${CLIENTS} clients for ${DURATION_S} s`,
  );
  await new Promise<void>((ok, fail) => {
    const build = spawn(process.execPath, ['tools/scripts/build.mjs'], {
      cwd: root,
      stdio: 'inherit',
    });
    build.once('exit', (code) => (code === 0 ? ok() : fail(new Error(`build exited ${code}`))));
  });
  const dir = await mkdtemp(join(tmpdir(), 'bench-exec-'));
  try {
    const devices = await startSimulator(dir);
    const catalog = await startService('catalog');
    const analytics = await startService('analytics');
    await startService('executor');
    const gateway = await startService('gateway', {
      CATALOG_URL: `http://127.0.0.1:${catalog.port}`,
      ANALYTICS_URL: `http://127.0.0.1:${analytics.port}`,
      SUPERUSER_USERNAME: 'bench',
      SUPERUSER_API_TOKEN: token,
      // The reservation path is measured; the limit itself must not refuse.
      RATE_LIMIT_DEVICE_LIMIT: '10000',
    });
    gatewayUrl = `http://127.0.0.1:${gateway.port}`;

    const platform = await api('POST', '/api/dcim/platforms/', { name: 'Cisco IOS', slug: 'ios' });
    const deviceIds: number[] = [];
    for (let i = 0; i < devices.length; i += 50) {
      const created = await api(
        'POST',
        '/api/dcim/devices/',
        devices.slice(i, i + 50).map((d) => ({
          name: d.name,
          platform: platform.body.id,
          host: '127.0.0.1',
          port: d.port,
        })),
      );
      if (created.status !== 201) throw new Error(JSON.stringify(created.body));
      deviceIds.push(...(created.body as { id: number }[]).map((d) => d.id));
    }
    const command = await api('POST', '/api/plugins/toolkit/commands/', {
      name: 'bench',
      command: COMMAND,
      platforms: [platform.body.id],
    });
    const login = devices[0]?.credentials ?? {};
    const set = await api('POST', '/api/plugins/toolkit/credential-sets/', {
      name: 'bench',
      username: login['username'],
      password: login['password'],
      enable_secret: login['enableSecret'] ?? null,
    });
    const credential = String(set.body.token ?? set.body.credential_token);
    const run = (i: number) =>
      executeOnce(command.body.id, deviceIds[i % deviceIds.length] as number, credential);

    // Warm-up: every device's session is open and every process has run the path once.
    for (let i = 0; i < deviceIds.length; i += 10)
      await Promise.all(
        Array.from({ length: Math.min(10, deviceIds.length - i) }, (_, j) => run(i + j)),
      );

    // Phase 1: one request at a time.
    const measured = procs.filter((p) => p.name !== 'simulator');
    const scrape = () =>
      Promise.all(measured.map((p) => histograms(metricsPorts.get(p.name) ?? p.port)));
    const metrics1 = await scrape();
    const cpu1 = cpuSnapshot();
    const started1 = performance.now();
    const sequential: Sample[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) sequential.push(await run(i));
    const seconds1 = (performance.now() - started1) / 1000;
    const cpu1After = cpuSnapshot();
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
    const cpu2 = cpuSnapshot();
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
    const cpu2After = cpuSnapshot();

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
    await cleanup();
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    console.error(error);
    await cleanup().catch(() => undefined);
    process.exit(1);
  },
);
