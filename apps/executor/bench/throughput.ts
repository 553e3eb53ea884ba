/* eslint-disable no-restricted-syntax -- a benchmark script reads the infra env directly */
// Executor throughput against 200 simulated devices (NX-OS, one port each), compared
// with a bare ssh2 loop doing the same work in the same run, plus the executor's RSS
// with 1,000 open sessions. The measured executor is a separate process running an
// esbuild bundle of bench/executor-process.ts (main.ts's wiring on the bench's own topics)
// with plain node, as production runs it; this script only publishes requests, counts
// results and runs the bare baseline.
//   eval "$(bash tools/scripts/infra.sh env)"
//   node --import tsx apps/executor/bench/throughput.ts [--rounds 3] [--before <git-ref>] [--rss-only] [--no-rss]
//     [--command "show interface"] [--per-device 25] [--profile] [--pipeline-only] [--env 'K=V ...']
// --before builds the same entry from <git-ref> (git archive into a temp dir) and measures
// it in the same run, so before/after figures come from the same machine and minute.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Session } from 'node:inspector/promises';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import type { ExecutionRequest } from '@toolkit/contracts';
import { parseKeyring, sealJson } from '@toolkit/crypto';
import { driverFor } from '@toolkit/executor-domain';
import { createLogger } from '@toolkit/logger';
import { KafkaMessaging } from '@toolkit/messaging';
import { bareConnect as bareSsh } from '@toolkit/device-sim';
import { benchTopics } from './bench-topics';

const DEVICES = 200;
/**
 * --per-device: commands per device in a measured wave (default 25: a wave of 5,000, long
 * enough that a throughput, not the first fetch or the last result's delivery, is timed).
 */
const PER_DEVICE = Number(argValue('--per-device') ?? '25');
/** --command: what every execution runs (default: the cheapest, where overheads show most). */
const COMMAND = argValue('--command') ?? 'show clock';
const USER = 'bench';
const PASSWORD = 'bench-pw';
const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:19092').split(',');
const mongoUri = process.env['MONGODB_URI'] ?? 'mongodb://127.0.0.1:27117/';

interface Dev {
  name: string;
  port: number;
}

async function startSimulator(
  count: number,
): Promise<{ devices: Dev[]; stop: () => Promise<void>; pid: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-sim-'));
  const inventory = join(dir, 'inventory.json');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'apps/simulator/src/main.ts',
      '--count',
      String(count),
      '--platforms',
      'nxos',
      '--inventory',
      inventory,
      '--username',
      USER,
      '--password',
      PASSWORD,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('"event"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`simulator exited ${code}`)));
  });
  const inv = JSON.parse(await readFile(inventory, 'utf8')) as { devices: Dev[] };
  return {
    devices: inv.devices.map((d) => ({ name: d.name, port: d.port })),
    pid: child.pid ?? 0,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// ---------------- bare ssh2 baseline ----------------

const bareConnect = (port: number) =>
  bareSsh({
    port,
    username: USER,
    password: PASSWORD,
    setup: driverFor('cisco_nxos').sessionSetup,
  });

/** With --profile: a V8 CPU profile of this process around `work`, next to the executor's. */
async function profiled<T>(name: string | undefined, work: () => Promise<T>): Promise<T> {
  if (!PROFILE || name === undefined) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    await mkdir(PROFILE_DIR, { recursive: true });
    await writeFile(join(PROFILE_DIR, `${name}-${Date.now()}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

/**
 * Commands per second and this process's CPU ms per command (it runs nothing else then).
 * With reuse, the sessions are opened before the clock starts, as the executor's are by
 * its warm-up wave: both then time commands on open sessions only.
 */
async function bareLoop(
  devices: Dev[],
  reuse: boolean,
  /** false: not written as a profile (the warm-up). */
  profile = true,
): Promise<{ eps: number; cpuMsPerCommand: number; others: Record<string, number> }> {
  const sessions = reuse ? await Promise.all(devices.map((d) => bareConnect(d.port))) : [];
  try {
    const name = reuse ? 'bare-reuse' : 'bare-new-connection';
    return await profiled(profile ? name : undefined, () =>
      timed(devices.length * PER_DEVICE, () =>
        Promise.all(
          devices.map(async (d, i) => {
            const open = sessions[i];
            for (let k = 0; k < PER_DEVICE; k++) {
              if (open) {
                await open.run(COMMAND);
                continue;
              }
              const s = await bareConnect(d.port);
              await s.run(COMMAND);
              s.close();
            }
          }),
        ),
      ),
    );
  } finally {
    sessions.forEach((s) => s.close());
  }
}

async function timed(
  count: number,
  work: () => Promise<unknown>,
): Promise<{ eps: number; cpuMsPerCommand: number; others: Record<string, number> }> {
  const others = await observedCpuMs();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work();
  const used = process.cpuUsage(cpu);
  return {
    eps: count / ((performance.now() - started) / 1_000),
    cpuMsPerCommand: (used.user + used.system) / 1_000 / count,
    others: othersPerCommand(others, await observedCpuMs(), count),
  };
}

// ---------------- executor (separate process, bundled) ----------------

/** --profile: the executor processes write V8 CPU profiles to dist/bench-profiles. */
const PROFILE = process.argv.includes('--profile');
const PROFILE_DIR = resolve('dist/bench-profiles');
const KEYS = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
const keyring = parseKeyring(KEYS);
const run = promisify(execFile);

/** Bundles bench/executor-process.ts from `root` (a checkout) with build.mjs's options. */
async function bundle(root: string, outDir: string): Promise<string> {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const outfile = join(outDir, 'executor-process.js');
  await build({
    entryPoints: [join(root, 'apps/executor/bench/executor-process.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    tsconfig: join(root, 'tsconfig.base.json'),
    external: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})],
    logLevel: 'warning',
  });
  return outfile;
}

/** A checkout of `ref` with today's bench entry, bundled (for before/after in one run). */
async function bundleRef(ref: string, workDir: string): Promise<string> {
  const root = join(workDir, 'src');
  await mkdir(root, { recursive: true });
  await run('sh', ['-c', `git archive ${ref} | tar -x -C ${root}`]);
  await symlink(resolve('node_modules'), join(root, 'node_modules'));
  for (const f of ['executor-process.ts', 'bench-topics.ts'])
    await copyFile(join('apps/executor/bench', f), join(root, 'apps/executor/bench', f));
  return bundle(root, join(workDir, 'out'));
}

/**
 * Other processes whose CPU the runs report per command (the simulator, and the local
 * Kafka broker when infra.sh started it): where the machine's CPU goes, not only ours.
 */
const observed: { name: string; pid: number }[] = [];

/** CPU ms (user + system) of each observed process, from /proc/<pid>/stat (100 ticks/s). */
async function observedCpuMs(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const { name, pid } of observed) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: state is field 3, utime 14 and stime 15 (1-based).
    out.set(name, (Number(fields[11]) + Number(fields[12])) * 10);
  }
  return out;
}

/** CPU ms per command of each observed process between two observedCpuMs() readings. */
function othersPerCommand(
  before: Map<string, number>,
  after: Map<string, number>,
  count: number,
): Record<string, number> {
  return Object.fromEntries(
    [...after].map(([name, ms]) => [name, (ms - (before.get(name) ?? ms)) / count]),
  );
}

const describeOthers = (others: Record<string, number>): string =>
  Object.entries(others)
    .map(([name, ms]) => `${name} ${ms.toFixed(2)}`)
    .join(', ');

/** Machine CPU per command: the measured process plus every observed one. */
const systemMs = (own: number, others: Record<string, number>): number =>
  Object.values(others).reduce((sum, ms) => sum + ms, own);

/** Jiffies from /proc/stat (all CPUs): idle (incl. iowait) and total. */
async function machineCpu(): Promise<{ idle: number; total: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  return { idle: (f[3] ?? 0) + (f[4] ?? 0), total: f.reduce((a, b) => a + b, 0) };
}

interface Variant {
  name: string;
  bundle: string;
  env?: Record<string, string>;
}

interface Stats {
  memory: NodeJS.MemoryUsage;
  /** RSS by mapping kind, MB (executor-process.ts). */
  resident?: Record<string, number>;
  cpu: NodeJS.CpuUsage;
  sessions?: { open: number; idle: number };
}

interface ExecutorProcess {
  child: ChildProcessWithoutNullStreams;
  stats(): Promise<Stats>;
  /** Stops or restarts fetching requests; false when the bundle cannot (older checkouts). */
  consume(command: 'pause' | 'resume'): Promise<boolean>;
  /** `profile start` / `profile stop <file>` (see executor-process.ts). */
  profile(command: string): Promise<void>;
  stop(): Promise<void>;
}

async function startExecutorProcess(
  bundlePath: string,
  topicId: string,
  env: Record<string, string>,
): Promise<ExecutorProcess> {
  // NODE_FLAGS (bench only): node options for the executor's command line.
  const flags = (env['NODE_FLAGS'] ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, ['--expose-gc', ...flags, bundlePath], {
    env: {
      PATH: process.env['PATH'] ?? '',
      KAFKA_BROKERS: brokers.join(','),
      MONGODB_URI: mongoUri,
      MONGODB_DB: `bench_executor_${topicId}`,
      HTTP_PORT: '0',
      BENCH_TOPIC_ID: topicId,
      EXECUTION_KEYS: KEYS,
      EXECUTOR_ID: `bench-${topicId}`,
      EXECUTOR_GROUP_ID: `bench-${topicId}`,
      EXECUTOR_KNOWN_HOSTS_MODE: 'accept-new',
      EXECUTOR_CONNECT_TIMEOUT_MS: '30000',
      EXECUTOR_MAX_COMMAND_TIMEOUT_MS: '60000',
      EXECUTOR_CONNECT_RETRIES: '0',
      EXECUTOR_BREAKER_VOLUME: '20',
      KAFKA_TOPIC_PARTITIONS: '12',
      // As deploy/Dockerfile sets it for every service (fewer glibc arenas, less RSS).
      MALLOC_ARENA_MAX: '2',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: Record<string, unknown>) => boolean)[] = [];
  let lastLines: string[] = [];
  lines.on('line', (line) => {
    lastLines = [...lastLines.slice(-9), line];
    if (!line.startsWith('{')) return;
    const parsed = JSON.parse(line) as Record<string, unknown>;
    const i = waiting.findIndex((w) => w(parsed));
    if (i >= 0) waiting.splice(i, 1);
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4_000);
  });
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  const next = <T>(key: string) =>
    new Promise<T>((resolveLine, reject) => {
      waiting.push((l) => {
        if (!(key in l)) return false;
        resolveLine(l[key] as T);
        return true;
      });
      void exited.then((code) =>
        reject(new Error(`executor exited ${code}: ${stderr}${lastLines.join('\n')}`)),
      );
    });
  await next('ready');
  return {
    child,
    stats: async () => {
      const answer = next<Stats>('stats');
      child.stdin.write('stats\n');
      return answer;
    },
    consume: async (command) => {
      const answer = next<boolean>(command === 'pause' ? 'paused' : 'resumed');
      child.stdin.write(`${command}\n`);
      return answer;
    },
    profile: async (command) => {
      const answer = next<boolean>('profiled');
      child.stdin.write(`profile ${command}\n`);
      await answer;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

interface RunResult {
  eps: number;
  /** Executor process CPU ms per command during the measured wave. */
  cpuMsPerCommand: number;
  /** Share of the machine's CPU time busy (all processes) during the measured wave. */
  machineBusy: number;
  /** CPU ms per command of the observed processes (simulator, broker) and this one. */
  others: Record<string, number>;
  /** With `settleMs`: after that long idle (sessions still open), after a GC. */
  settled?: Stats;
  /** Executor CPU time / wall time during the measured wave (1 = one core busy). */
  cpuShare: number;
  /** Right after start, before any work. */
  idle: Stats;
  stats: Stats;
}

async function executorRun(
  bundlePath: string,
  devices: Dev[],
  reuse: boolean,
  env: Record<string, string> = {},
  settleMs = 0,
): Promise<RunResult> {
  const logger = createLogger({ service: 'bench', level: 'warn' });
  const topicId = randomUUID().slice(0, 8);
  const tp = benchTopics(topicId);
  const executor = await startExecutorProcess(bundlePath, topicId, {
    EXECUTOR_IDLE_TIMEOUT_MS: reuse ? '120000' : '100',
    BENCH_NO_REUSE: reuse ? '0' : '1',
    EXECUTOR_MAX_SESSIONS: String(Math.max(2_000, devices.length)),
    ...env,
  });
  const messaging = new KafkaMessaging({ service: 'bench', brokers, logger });
  await messaging.connect();
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({
    groupId: `bench-results-${topicId}`,
    // Counting only: large fetches, so that the load generator and the broker spend as
    // little as possible on it (the end of a wave is seen at most FETCH_WAIT_MS late).
    minBytes: 256 * 1024,
    maxWaitTimeInMs: FETCH_WAIT_MS,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: tp.results.topic, fromBeginning: true });
  let count = 0;
  let target = 0;
  let done: (() => void) | undefined;
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        // Only failures are parsed: this process shares the machine with the executor, and
        // a large output costs real CPU to parse (analytics' work, not the executor's).
        if (m.value?.includes(SUCCEEDED)) continue;
        const { payload } = JSON.parse(m.value?.toString() ?? '{}') as {
          payload?: { outcome?: string; errorClass?: string | null };
        };
        if (payload?.outcome !== 'succeeded') {
          const what = `${payload?.outcome}/${payload?.errorClass}`;
          failures.set(what, (failures.get(what) ?? 0) + 1);
        }
      }
      count += batch.messages.length;
      if (count >= target && done) done();
    },
  });
  /** A run that measured anything but successful executions measured the wrong thing. */
  const failures = new Map<string, number>();
  const assertAllSucceeded = () => {
    if (failures.size > 0)
      throw new Error(
        `not every execution succeeded: ${JSON.stringify(Object.fromEntries(failures))}`,
      );
  };
  const requestFor = (d: Dev, i: number): ExecutionRequest => {
    const executionId = randomUUID();
    return {
      executionId,
      commandType: 'show',
      command: { name: 'clock' },
      renderedCommand: COMMAND,
      variables: {},
      device: { id: i + 1, name: d.name, host: '127.0.0.1', port: d.port, platform: 'cisco_nxos' },
      credentials: sealJson(keyring, { username: USER, password: PASSWORD }, executionId),
      timeoutMs: 30_000,
      requestedBy: { username: 'bench' },
      requestedAt: new Date().toISOString(),
    };
  };
  const publish = async (requests: ExecutionRequest[]) => {
    for (let i = 0; i < requests.length; i += 500)
      await messaging.publishMany(tp.requests, requests.slice(i, i + 500));
  };
  /** Resolves when `count` more results have arrived. */
  const expectResults = (count: number) => {
    target += count;
    return new Promise<void>((r) => (done = r));
  };
  const wave = async (requests: ExecutionRequest[]) => {
    const finished = expectResults(requests.length);
    await publish(requests);
    await finished;
  };
  const idle = await executor.stats();
  try {
    // Warm-up: the group is joined, one session per device is open when reusing.
    await wave(devices.map((d, i) => requestFor(d, i)));
    const requests: ExecutionRequest[] = [];
    for (let k = 0; k < PER_DEVICE; k++) devices.forEach((d, i) => requests.push(requestFor(d, i)));
    // The measured wave waits in the topic before the clock starts, as a bulk run's
    // requests do: publishing them is the gateway's work, on another machine.
    prePublished = await executor.consume('pause');
    const finished = expectResults(requests.length);
    if (prePublished) await publish(requests);
    const before = await executor.stats();
    const cpuBefore = await machineCpu();
    const othersBefore = await observedCpuMs();
    if (PROFILE) await executor.profile('start');
    const benchBefore = process.cpuUsage();
    const started = performance.now();
    if (prePublished) await executor.consume('resume');
    else await publish(requests);
    await finished;
    const wallMs = performance.now() - started;
    assertAllSucceeded();
    if (PROFILE) {
      await mkdir(PROFILE_DIR, { recursive: true });
      await executor.profile(
        `stop ${join(PROFILE_DIR, `executor-${reuse ? 'reuse' : 'new-connection'}-${Date.now()}.${env['BENCH_PROFILE_ALLOCATIONS'] === '1' ? 'heapprofile' : 'cpuprofile'}`)}`,
      );
    }
    const benchCpu = process.cpuUsage(benchBefore);
    const others = {
      ...othersPerCommand(othersBefore, await observedCpuMs(), requests.length),
      'load generator': (benchCpu.user + benchCpu.system) / 1_000 / requests.length,
    };
    const cpuAfter = await machineCpu();
    const stats = await executor.stats();
    let settled: Stats | undefined;
    if (settleMs > 0) {
      await new Promise((r) => setTimeout(r, settleMs));
      settled = await executor.stats();
      const snapshot = argValue('--heap-snapshot');
      if (snapshot) {
        executor.child.stdin.write(`snapshot ${resolve(snapshot)}\n`);
        await executor.stats(); // answered after the snapshot was written
      }
    }
    const cpuMs = (stats.cpu.user + stats.cpu.system - before.cpu.user - before.cpu.system) / 1_000;
    return {
      eps: requests.length / (wallMs / 1_000),
      cpuShare: cpuMs / wallMs,
      cpuMsPerCommand: cpuMs / requests.length,
      machineBusy: 1 - (cpuAfter.idle - cpuBefore.idle) / (cpuAfter.total - cpuBefore.total),
      others,
      idle,
      stats,
      settled,
    };
  } finally {
    await consumer.disconnect();
    await executor.stop();
    await messaging.disconnect();
    await dropRunData(kafka, topicId);
  }
}

/**
 * Deletes a run's topics and claims database: a local broker keeps every partition's files
 * open, and hundreds of runs' topics (36 partitions each) once exhausted its open-files
 * limit and stopped it.
 */
async function dropRunData(kafka: Kafka, topicId: string): Promise<void> {
  const admin = kafka.admin();
  const topics = Object.values(benchTopics(topicId)).map((t) => t.topic);
  const mongo = mongoose.createConnection(mongoUri, { dbName: `bench_executor_${topicId}` });
  const warn = (what: string) => (error: unknown) =>
    console.warn(`could not delete the run's ${what} (${String(error)})`);
  await admin
    .connect()
    .then(() => admin.deleteTopics({ topics, timeout: 30_000 }))
    .catch(warn('topics'))
    .finally(() => admin.disconnect().catch(warn('admin client')));
  await mongo
    .asPromise()
    .then(() => mongo.dropDatabase())
    .catch(warn('database'))
    .finally(() => mongo.close().catch(warn('database connection')));
}

/**
 * The timed window's two waits on Kafka that a consumer fetching all along would not have:
 * the executor's first fetch after its resume and this process's fetch of the last result.
 */
const FETCH_WAIT_MS = 20;

/** The envelope text of a succeeded result (results are counted without parsing them). */
const SUCCEEDED = '"outcome":"succeeded"';
/** Whether the last measured wave was published before its clock started (see executorRun). */
let prePublished = false;

// ---------------- main ----------------

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};
/** RSS is read again after this long idle, sessions still open (idle timeout 120 s). */
const SETTLE_MS = 20_000;
const mb = (bytes: number) => bytes / 1024 / 1024;

async function main(): Promise<void> {
  const rounds = Number(argValue('--rounds') ?? '3');
  const beforeRef = argValue('--before');
  // Inside the repository (dist/ is ignored) so that the bundles find node_modules.
  await mkdir('dist', { recursive: true });
  const work = await mkdtemp(resolve('dist/bench-executor-'));
  const variants: Variant[] = [];
  try {
    if (beforeRef)
      variants.push({
        name: `before (${beforeRef})`,
        bundle: await bundleRef(beforeRef, join(work, 'before')),
      });
    const after = await bundle(resolve('.'), join(work, 'after'));
    variants.push({ name: 'after (working tree)', bundle: after });
    // --pipeline-only: the same bundle once more with SSH replaced by an in-process stub
    // (executor-process.ts): what Kafka, validation, the envelope and results cost alone.
    if (process.argv.includes('--pipeline-only'))
      variants.push({
        name: 'pipeline only (no SSH)',
        bundle: after,
        env: { BENCH_PIPELINE_ONLY: '1' },
      });
    // --env 'K=V K2=V2' (repeatable): the same bundle once more per flag, with extra
    // environment (e.g. NODE_OPTIONS, or NODE_FLAGS: node options NODE_OPTIONS refuses).
    process.argv.forEach((arg, i) => {
      const extra = process.argv[i + 1];
      if (arg !== '--env' || !extra) return;
      const env = Object.fromEntries(
        extra
          .split(/\s+(?=[A-Z_]+=)/)
          .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      );
      variants.push({ name: `after + ${extra}`, bundle: after, env });
    });
    if (!process.argv.includes('--rss-only')) await throughput(variants, rounds);
    if (!process.argv.includes('--no-rss')) await rss(variants, rounds);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function throughput(variants: Variant[], rounds: number) {
  const sim = await startSimulator(DEVICES);
  const devices = sim.devices;
  observed.push({ name: 'simulator', pid: sim.pid });
  const brokerPid = Number(await readFile('.toolkit/infra/kafka/pid', 'utf8').catch(() => ''));
  if (brokerPid > 0) observed.push({ name: 'broker', pid: brokerPid });
  console.log(
    `simulator: ${devices.length} NX-OS devices, ${PER_DEVICE} x "${COMMAND}" each, ${rounds} rounds; ` +
      'each measured executor wave is published while the executor is paused, then timed from its resume',
  );
  try {
    await throughputRounds(variants, rounds, devices);
  } finally {
    await sim.stop();
  }
}

/**
 * Batch settings of the throughput runs: every partition at once and no parallelism cap,
 * so that the executor, not its batching, is what is measured. The RSS runs use the
 * configuration's defaults.
 */
const THROUGHPUT_TUNING = {
  // A paused kafkajs consumer sleeps its fetch max wait between fetch attempts, so the
  // first fetch after the resume came 0-500 ms late (inside the timed window, up to a third
  // of it); a consumer that is fetching when requests arrive has no such delay.
  EXECUTOR_FETCH_MAX_WAIT_MS: String(FETCH_WAIT_MS),
  EXECUTOR_PARTITIONS_CONCURRENTLY: '12',
  EXECUTOR_BATCH_PARALLELISM: '1000',
  EXECUTOR_MAX_BATCH_SIZE: '2000',
  EXECUTOR_FETCH_MAX_BYTES_PER_PARTITION: String(1024 * 1024),
};

async function throughputRounds(variants: Variant[], rounds: number, devices: Dev[]) {
  await bareLoop(devices.slice(0, 20), true, false); // warm-up (JIT, simulator)
  const ratios = new Map<string, number[]>();
  const add = (key: string, value: number) => ratios.set(key, [...(ratios.get(key) ?? []), value]);
  for (let r = 1; r <= rounds; r++) {
    for (const reuse of [true, false]) {
      const mode = reuse ? 'session reuse' : 'new connection per command';
      const {
        eps: bare,
        cpuMsPerCommand: bareCpu,
        others: bareOthers,
      } = await bareLoop(devices, reuse);
      const line = [`round ${r} ${mode.padEnd(27)} bare ${bare.toFixed(0).padStart(5)}/s`];
      add(`${mode}|bare`, bare);
      add(`${mode}|bare|cpu`, bareCpu);
      const bareSystem = systemMs(bareCpu, bareOthers);
      line.push(
        `(CPU ${bareCpu.toFixed(2)} ms/cmd; ${describeOthers(bareOthers)}; machine ${bareSystem.toFixed(2)})`,
      );
      for (const v of variants) {
        const { eps, cpuShare, machineBusy, cpuMsPerCommand, others } = await executorRun(
          v.bundle,
          devices,
          reuse,
          { ...THROUGHPUT_TUNING, ...v.env },
        );
        add(`${mode}|${v.name}|eps`, eps);
        add(`${mode}|${v.name}|ratio`, eps / bare);
        add(`${mode}|${v.name}|cpu`, cpuMsPerCommand);
        // Commands per machine CPU-second, relative to the bare loop's: the ratio the rates
        // tend to when every core is busy, and one that other jobs on the machine move less.
        const cpuRatio = bareSystem / systemMs(cpuMsPerCommand, others);
        add(`${mode}|${v.name}|cpuRatio`, cpuRatio);
        line.push(
          `${v.name}${prePublished ? '' : ' [requests published during the wave]'} ${eps.toFixed(0).padStart(5)}/s (${((eps / bare) * 100).toFixed(0)}%, executor CPU ${(cpuShare * 100).toFixed(0)}%, machine busy ${(machineBusy * 100).toFixed(0)}%, ${cpuMsPerCommand.toFixed(2)} ms/cmd; ${describeOthers(others)}; machine ${systemMs(cpuMsPerCommand, others).toFixed(2)}, per-CPU ratio ${(cpuRatio * 100).toFixed(0)}%)`,
        );
      }
      console.log(line.join('   '));
    }
  }
  console.log(`median of ${rounds}:`);
  for (const mode of ['session reuse', 'new connection per command']) {
    const parts = [
      `  ${mode.padEnd(27)} bare ${median(ratios.get(`${mode}|bare`) ?? []).toFixed(0)}/s (${median(ratios.get(`${mode}|bare|cpu`) ?? []).toFixed(2)} ms CPU/cmd)`,
    ];
    for (const v of variants)
      parts.push(
        `${v.name} ${median(ratios.get(`${mode}|${v.name}|eps`) ?? []).toFixed(0)}/s, ratio ${(median(ratios.get(`${mode}|${v.name}|ratio`) ?? []) * 100).toFixed(0)}%, ${median(ratios.get(`${mode}|${v.name}|cpu`) ?? []).toFixed(2)} ms CPU/cmd, per-CPU ratio ${(median(ratios.get(`${mode}|${v.name}|cpuRatio`) ?? []) * 100).toFixed(0)}%`,
      );
    console.log(parts.join('   '));
  }
}

async function rss(variants: Variant[], rounds: number) {
  // 1,000 open sessions; the simulator runs in its own process.
  const big = await startSimulator(1_000);
  const figures = new Map<string, Stats[]>();
  const settledFigures = new Map<string, Stats[]>();
  try {
    for (let r = 1; r <= rounds; r++) {
      for (const v of variants) {
        // The configuration's defaults for the batch settings (not THROUGHPUT_TUNING).
        const { stats, idle, settled } = await executorRun(
          v.bundle,
          big.devices,
          true,
          { ...v.env, EXECUTOR_MAX_SESSIONS: '1000' },
          SETTLE_MS,
        );
        figures.set(v.name, [...(figures.get(v.name) ?? []), stats]);
        settledFigures.set(v.name, [...(settledFigures.get(v.name) ?? []), settled ?? stats]);
        const t = settled?.memory;
        if (t)
          console.log(
            `round ${r} ${v.name}: ${SETTLE_MS / 1_000} s later (${settled?.sessions?.open ?? '?'} open): RSS ${mb(t.rss).toFixed(0)} MB ` +
              `(heap used ${mb(t.heapUsed).toFixed(0)}, heap total ${mb(t.heapTotal).toFixed(0)}, external ${mb(t.external).toFixed(0)}, arrayBuffers ${mb(t.arrayBuffers).toFixed(0)}; resident ${JSON.stringify(settled?.resident ?? {})})`,
          );
        const m = stats.memory;
        console.log(
          `round ${r} ${v.name}: ${stats.sessions?.open ?? '?'} open sessions, RSS ${mb(m.rss).toFixed(0)} MB ` +
            `(heap used ${mb(m.heapUsed).toFixed(0)}, heap total ${mb(m.heapTotal).toFixed(0)}, external ${mb(m.external).toFixed(0)}, arrayBuffers ${mb(m.arrayBuffers).toFixed(0)}; ` +
            `before any work: RSS ${mb(idle.memory.rss).toFixed(0)}, heap used ${mb(idle.memory.heapUsed).toFixed(0)})`,
        );
      }
    }
  } finally {
    await big.stop();
  }
  for (const v of variants) {
    const list = figures.get(v.name) ?? [];
    console.log(
      `median RSS with 1000 sessions, ${v.name}: ${mb(median(list.map((s) => s.memory.rss))).toFixed(0)} MB right after the run, ` +
        `${mb(median((settledFigures.get(v.name) ?? []).map((s) => s.memory.rss))).toFixed(0)} MB ${SETTLE_MS / 1_000} s later; heap used ${mb(median(list.map((s) => s.memory.heapUsed))).toFixed(0)} MB`,
    );
  }
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
