// The whole system as separate processes, for benchmarks and end-to-end tests: the four
// services from their esbuild bundles (as production runs them) on a run's own topics
// (KAFKA_TOPIC_PREFIX) and databases, a simulated fleet in its own process, the public
// API, the CPU and memory each process used, and faults (a process killed, restarted).
// Everything the run created is removed by `cleanup`.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { templateLibraryDir } from '@toolkit/testing';

export const root = resolve(__dirname, '../..');
export const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:19092').split(',');
export const mongoUri = process.env['MONGODB_URI'] ?? 'mongodb://127.0.0.1:27117/';

export interface Proc {
  name: string;
  child: ChildProcess;
  port: number;
  /** The last 20,000 characters it wrote (stdout and stderr). */
  output(): string;
  /** How it was started (`restart` starts it again the same way). */
  spec: ProcSpec;
}

interface ProcSpec {
  args: string[];
  env: Record<string, string>;
  ready: (line: string) => number | undefined;
}

export interface SimDevice {
  name: string;
  port: number;
  platform: string;
  credentials: Record<string, string>;
}

// The API's answers, read loosely: benchmarks only pick fields they know.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/**
 * Builds the services' bundles (tools/scripts/build.mjs), or only `apps`' (e.g. a bench that
 * needs the simulator alone); its output in the error if it fails.
 */
export async function buildBundles(apps: readonly string[] = []): Promise<void> {
  await new Promise<void>((ok, fail) => {
    const build = spawn(process.execPath, ['tools/scripts/build.mjs', ...apps], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    build.stdout.on('data', (c: Buffer) => (output += c.toString()));
    build.stderr.on('data', (c: Buffer) => (output += c.toString()));
    build.once('close', (code) =>
      code === 0 ? ok() : fail(new Error(`build exited ${code}:\n${output}`)),
    );
  });
}

export interface ApiAnswer {
  status: number;
  body: Json;
  headers: Headers;
}

/** A request to the public API at `gatewayUrl` with `token` (or as `headers` say). */
export async function gatewayApi(
  gatewayUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiAnswer> {
  const response = await fetch(`${gatewayUrl}${path}`, {
    method,
    headers: {
      Authorization: `Token ${token}`,
      'Content-Type': 'application/json',
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: Json = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

export class ProcessStack {
  readonly runId = randomUUID().slice(0, 8);
  readonly prefix = `bench.${this.runId}.`;
  /** The superuser's API token. */
  readonly token = randomBytes(20).toString('hex');
  readonly procs: Proc[] = [];
  /** Each service's /metrics port (METRICS_PORT=0: one of its own). */
  readonly metricsPorts = new Map<string, number>();
  gatewayUrl = '';
  /** The simulator's HTTP control API (faults: libs/device-sim/README.md). */
  simulatorControlUrl = '';
  private readonly secrets = {
    INTERNAL_API_TOKEN: randomBytes(24).toString('hex'),
    CREDENTIAL_KEYS: `b1:${randomBytes(32).toString('base64')}`,
    EXECUTION_KEYS: `b1:${randomBytes(32).toString('base64')}`,
  };

  readonly brokers: string[];
  readonly mongoUri: string;

  constructor(
    private readonly options: {
      /** A V8 CPU profile of this service's whole run, in `profileDir`. */
      profile?: string;
      profileDir?: string;
      /** Servers of the run's own (fault tests restart them); the environment's by default. */
      brokers?: string[];
      mongoUri?: string;
    } = {},
  ) {
    this.brokers = options.brokers ?? brokers;
    this.mongoUri = options.mongoUri ?? mongoUri;
  }

  startProcess(
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
        output = (output + chunk.toString()).slice(-20_000);
        if (started) return;
        for (const line of output.split('\n')) {
          const port = ready(line);
          if (port !== undefined) {
            started = true;
            const proc: Proc = {
              name,
              child,
              port,
              output: () => output,
              spec: { args, env, ready },
            };
            const previous = this.procs.findIndex((p) => p.name === name);
            if (previous >= 0) this.procs.splice(previous, 1, proc);
            else this.procs.push(proc);
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

  proc(name: string): Proc {
    const proc = this.procs.find((p) => p.name === name);
    if (!proc) throw new Error(`no process ${name} in this run`);
    return proc;
  }

  /** Sends `signal` to a process of the run and waits until it has exited. */
  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const { child } = this.proc(name);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }

  /**
   * Starts a killed process again as it was started, on the ports it had (the services
   * that call it keep their URLs).
   */
  async restart(name: string): Promise<Proc> {
    const { spec, port } = this.proc(name);
    const env = { ...spec.env };
    if (env['HTTP_PORT'] === '0') env['HTTP_PORT'] = String(port);
    const metricsPort = this.metricsPorts.get(name);
    if (env['METRICS_PORT'] === '0' && metricsPort) env['METRICS_PORT'] = String(metricsPort);
    return this.startProcess(name, spec.args, env, spec.ready);
  }

  /** A service from its bundle; `instance` names a second process of the same service. */
  startService(name: string, extra: Record<string, string> = {}, instance = name): Promise<Proc> {
    const { profile, profileDir = 'dist/bench-profiles' } = this.options;
    return this.startProcess(
      instance,
      [
        '--enable-source-maps',
        ...(name === profile ? ['--cpu-prof', `--cpu-prof-dir=${resolve(root, profileDir)}`] : []),
        `dist/apps/${name}/main.js`,
      ],
      {
        KAFKA_BROKERS: this.brokers.join(','),
        KAFKA_TOPIC_PREFIX: this.prefix,
        KAFKA_TOPIC_PARTITIONS: '12',
        MONGODB_URI: this.mongoUri,
        MONGODB_DB: `bench_${name}_${this.runId}`,
        HTTP_PORT: '0',
        METRICS_PORT: '0',
        LOG_LEVEL: 'info',
        ...this.secrets,
        EXECUTOR_KNOWN_HOSTS_MODE: 'accept-new',
        TEXTFSM_TEMPLATES_DIR: templateLibraryDir(),
        EXECUTOR_GROUP_ID: `bench-executor-${this.runId}`,
        ANALYTICS_CONSUMER_GROUP_PREFIX: `bench-analytics-${this.runId}`,
        GATEWAY_COMPLETIONS_GROUP_PREFIX: `bench-gateway-${this.runId}`,
        ...(name === 'analytics' ? { NODE_OPTIONS: '--max-old-space-size=128' } : {}),
        ...extra,
      },
      (line) => {
        if (!line.includes(`"${name} listening"`)) return undefined;
        const { port, metricsPort } = JSON.parse(line) as { port: number; metricsPort: number };
        this.metricsPorts.set(instance, metricsPort);
        return port;
      },
    );
  }

  /** Catalog, analytics, `executors` executors and the gateway (superuser = the token). */
  async startServices(
    options: {
      executors?: number;
      gateway?: Record<string, string>;
      executor?: Record<string, string>;
      analytics?: Record<string, string>;
    } = {},
  ) {
    const catalog = await this.startService('catalog');
    const analytics = await this.startService('analytics', options.analytics);
    for (let i = 0; i < (options.executors ?? 1); i++)
      await this.startService(
        'executor',
        { EXECUTOR_ID: `executor-${i}`, ...options.executor },
        i === 0 ? 'executor' : `executor-${i}`,
      );
    const gateway = await this.startService('gateway', {
      CATALOG_URL: `http://127.0.0.1:${catalog.port}`,
      ANALYTICS_URL: `http://127.0.0.1:${analytics.port}`,
      SUPERUSER_USERNAME: 'bench',
      SUPERUSER_API_TOKEN: this.token,
      ...options.gateway,
    });
    this.gatewayUrl = `http://127.0.0.1:${gateway.port}`;
  }

  /**
   * The simulated fleet in its own process; its inventory once written. `name` runs a second
   * fleet beside the first (`simulatorControlUrl` is then the latest one's).
   */
  async startSimulator(
    dir: string,
    count: number,
    platforms = 'ios',
    extraArgs: string[] = [],
    name = 'simulator',
  ): Promise<SimDevice[]> {
    const inventory = join(dir, 'inventory.json');
    await this.startProcess(
      name,
      [
        'dist/apps/simulator/main.js',
        '--count',
        String(count),
        '--platforms',
        platforms,
        '--inventory',
        inventory,
        ...extraArgs,
      ],
      {},
      (line) => {
        if (!line.includes('"simulator.ready"')) return undefined;
        this.simulatorControlUrl = (JSON.parse(line) as { controlUrl: string }).controlUrl;
        return 0;
      },
    );
    for (let i = 0; i < 100; i++) {
      try {
        const inv = JSON.parse(await readFile(inventory, 'utf8')) as { devices: SimDevice[] };
        if (inv.devices.length === count) return inv.devices;
      } catch {
        // not written yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the simulator wrote no inventory');
  }

  /** A request to the public API as the superuser (or as `headers` say). */
  api(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiAnswer> {
    return gatewayApi(this.gatewayUrl, this.token, method, path, body, headers);
  }

  /**
   * The fleet in the catalog (platform `ios`, 50 devices per bulk create), a credential set
   * with the fleet's login, and a `show` command: what executions need.
   */
  async seed(
    devices: SimDevice[],
    command: string,
  ): Promise<{ deviceIds: number[]; commandId: number; credential: string }> {
    const platform = await this.api('POST', '/api/dcim/platforms/', {
      name: 'Cisco IOS',
      slug: 'ios',
    });
    const deviceIds = await this.createDevices(devices, platform.body.id);
    const created = await this.api('POST', '/api/plugins/toolkit/commands/', {
      name: 'bench',
      command,
      platforms: [platform.body.id],
    });
    const login = devices[0]?.credentials ?? {};
    const set = await this.api('POST', '/api/plugins/toolkit/credential-sets/', {
      name: 'bench',
      username: login['username'],
      password: login['password'],
      enable_secret: login['enableSecret'] ?? null,
    });
    return {
      deviceIds,
      commandId: created.body.id,
      credential: String(set.body.token ?? set.body.credential_token),
    };
  }

  /**
   * Simulated devices in the catalog, 50 per bulk create, named `namePrefix` + their name (a
   * second simulator's devices have the first one's names); their ids in the same order.
   */
  async createDevices(
    devices: readonly SimDevice[],
    platformId: number,
    namePrefix = '',
  ): Promise<number[]> {
    const deviceIds: number[] = [];
    for (let i = 0; i < devices.length; i += 50) {
      const created = await this.api(
        'POST',
        '/api/dcim/devices/',
        devices.slice(i, i + 50).map((d) => ({
          name: `${namePrefix}${d.name}`,
          platform: platformId,
          host: '127.0.0.1',
          port: d.port,
        })),
      );
      if (created.status !== 201) throw new Error(JSON.stringify(created.body));
      deviceIds.push(...(created.body as { id: number }[]).map((d) => d.id));
    }
    return deviceIds;
  }

  cpuSnapshot(): Record<string, number> {
    const usage = process.cpuUsage();
    const snap: Record<string, number> = {
      machine: machineBusySeconds(),
      bench: (usage.user + usage.system) / 1e6,
    };
    for (const p of this.procs) snap[p.name] = cpuSeconds(p.child.pid);
    return { ...snap, ...infraCpu() };
  }

  /** Resident memory (MB) of every process of the run, and of this one. */
  rss(): Record<string, number> {
    const out: Record<string, number> = { bench: process.memoryUsage().rss / 1024 / 1024 };
    for (const p of this.procs) out[p.name] = rssMb(p.child.pid);
    return out;
  }

  async cleanup(): Promise<void> {
    for (const p of this.procs.reverse()) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) continue;
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
    this.procs.length = 0;
    const admin = new Kafka({ brokers: this.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin
      .connect()
      .then(async () => {
        const topics = (await admin.listTopics()).filter((t) => t.startsWith(this.prefix));
        if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
      })
      .catch((error: unknown) =>
        console.warn(`could not delete the run's topics (${String(error)})`),
      )
      .finally(() => admin.disconnect().catch(() => undefined));
    for (const name of ['gateway', 'catalog', 'executor', 'analytics']) {
      const connection = mongoose.createConnection(this.mongoUri, {
        dbName: `bench_${name}_${this.runId}`,
      });
      await connection
        .asPromise()
        .then(() => connection.dropDatabase())
        .catch((error: unknown) =>
          console.warn(`could not drop bench_${name}_${this.runId} (${String(error)})`),
        )
        .finally(() => connection.close().catch(() => undefined));
    }
  }
}

/** CPU seconds (user + system) of a process so far, from /proc. */
export function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Resident set size of a process (MB), from /proc. */
export function rssMb(pid: number | undefined): number {
  return procFieldMb(pid, 'status', 'VmRSS:');
}

/** Proportional set size of a process (MB), from /proc (0 if it is gone or unreadable). */
export function pssMb(pid: number | undefined): number {
  return procFieldMb(pid, 'smaps_rollup', 'Pss:');
}

/** A `<field> N kB` line of a process's /proc file, in MB (0 if gone or unreadable). */
function procFieldMb(pid: number | undefined, file: string, field: string): number {
  if (!pid) return 0;
  try {
    const line = readFileSync(`/proc/${pid}/${file}`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(field));
    return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** Busy CPU seconds of the whole machine so far. */
export function machineBusySeconds(): number {
  const cpu =
    readFileSync('/proc/stat', 'utf8').split('\n')[0]?.split(/\s+/).slice(1).map(Number) ?? [];
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  return (cpu.reduce((a, b) => a + b, 0) - idle) / 100;
}

/**
 * The servers' processes under the services, by /proc command name: Kafka (java), FerretDB,
 * PostgreSQL (every backend process). Every such process on the machine counts.
 */
export function infraProcesses(): { name: 'kafka' | 'ferretdb' | 'postgres'; pid: number }[] {
  const found: { name: 'kafka' | 'ferretdb' | 'postgres'; pid: number }[] = [];
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
    if (name) found.push({ name, pid: Number(entry) });
  }
  return found;
}

/** CPU seconds of the servers under the services: Kafka (java), FerretDB, PostgreSQL (all backends). */
export function infraCpu(): Record<string, number> {
  const totals: Record<string, number> = { kafka: 0, ferretdb: 0, postgres: 0 };
  for (const { name, pid } of infraProcesses())
    totals[name] = (totals[name] ?? 0) + cpuSeconds(pid);
  return totals;
}

/**
 * Memory (MB) of the same servers, per server: the proportional set size (shared pages
 * divided among the processes mapping them), so that PostgreSQL's backends, which all map
 * its shared buffers, sum to its footprint instead of counting the buffers once each.
 */
export function infraPssMb(): Record<string, number> {
  const totals: Record<string, number> = { kafka: 0, ferretdb: 0, postgres: 0 };
  for (const { name, pid } of infraProcesses()) totals[name] = (totals[name] ?? 0) + pssMb(pid);
  return totals;
}

export function cpuDelta(
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
export async function histograms(
  port: number,
): Promise<Map<string, { sum: number; count: number }>> {
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

export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;

/** The median of `values` (any order): `percentile` 50 of them sorted. */
export const median = (values: readonly number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

export function summary(label: string, values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const fmt = (n: number) => n.toFixed(1);
  return `${label}: p50 ${fmt(percentile(sorted, 50))} ms, p95 ${fmt(percentile(sorted, 95))} ms, p99 ${fmt(percentile(sorted, 99))} ms (n=${sorted.length})`;
}
