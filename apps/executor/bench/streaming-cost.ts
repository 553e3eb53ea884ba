/* eslint-disable no-restricted-syntax -- a benchmark script reads the infra env directly */
// Executor CPU per command with live output (streamOutput) off and on, in one run: show
// commands with outputs of a few KB to about a MB against simulated devices (NX-OS and
// Linux), each case run with streaming off and on alternately, in rounds. The executor is a
// process of its own (bench/executor-process.ts, main.ts's wiring on the bench's topics);
// its CPU (process.cpuUsage, user + system) is read before and after each wave, and this
// script counts the output events published.
//   eval "$(bash tools/scripts/infra.sh env)"
//   node --import tsx apps/executor/bench/streaming-cost.ts [--per-case 200] [--rounds 3]
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Kafka, logLevel } from 'kafkajs';
import type { ExecutionRequest, PlatformDriver } from '@toolkit/contracts';
import { parseKeyring, sealJson } from '@toolkit/crypto';
import { createLogger } from '@toolkit/logger';
import { KafkaMessaging } from '@toolkit/messaging';
import { benchTopics } from './bench-topics';

const argValue = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
/** Commands per case and mode in each round. */
const PER_CASE = Number(argValue('--per-case') ?? '200');
const ROUNDS = Number(argValue('--rounds') ?? '3');
const DEVICES = 20;
const USER = 'bench';
const PASSWORD = 'bench-pw';
const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:19092').split(',');
const mongoUri = process.env['MONGODB_URI'] ?? 'mongodb://127.0.0.1:27117/';
const KEYS = `k1:${Buffer.alloc(32, 9).toString('base64')}`;
const keyring = parseKeyring(KEYS);

interface Case {
  name: string;
  platform: 'nxos' | 'linux';
  command: string;
  /** Fewer commands for the large outputs (the same output volume per wave, roughly). */
  share: number;
}

const CASES: Case[] = [
  { name: 'show version (NX-OS)', platform: 'nxos', command: 'show version', share: 1 },
  { name: 'show interface (NX-OS)', platform: 'nxos', command: 'show interface', share: 1 },
  { name: 'seq 1 15000 (Linux)', platform: 'linux', command: 'seq 1 15000', share: 0.5 },
  { name: 'seq 1 150000 (Linux)', platform: 'linux', command: 'seq 1 150000', share: 0.1 },
];

interface Dev {
  name: string;
  port: number;
  platform: string;
}

async function startSimulator(): Promise<{ devices: Dev[]; stop: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-sim-'));
  const inventory = join(dir, 'inventory.json');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'apps/simulator/src/main.ts',
      ...['--count', String(DEVICES), '--platforms', 'nxos,linux', '--inventory', inventory],
      ...['--username', USER, '--password', PASSWORD],
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
    devices: inv.devices,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

interface ExecutorProcess {
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

async function startExecutor(topicId: string): Promise<ExecutorProcess> {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ['--import', 'tsx', 'apps/executor/bench/executor-process.ts'],
    {
      env: {
        PATH: process.env['PATH'] ?? '',
        KAFKA_BROKERS: brokers.join(','),
        MONGODB_URI: mongoUri,
        MONGODB_DB: `bench_executor_${topicId}`,
        HTTP_PORT: '0',
        LOG_LEVEL: 'warn',
        BENCH_TOPIC_ID: topicId,
        EXECUTION_KEYS: KEYS,
        EXECUTOR_ID: `bench-${topicId}`,
        EXECUTOR_GROUP_ID: `bench-${topicId}`,
        EXECUTOR_KNOWN_HOSTS_MODE: 'accept-new',
        EXECUTOR_CONNECT_TIMEOUT_MS: '30000',
        EXECUTOR_MAX_COMMAND_TIMEOUT_MS: '60000',
        EXECUTOR_IDLE_TIMEOUT_MS: '600000',
        KAFKA_TOPIC_PARTITIONS: '4',
        MALLOC_ARENA_MAX: '2',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4_000)));
  const waiting: ((line: Record<string, unknown>) => boolean)[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    const parsed = JSON.parse(line) as Record<string, unknown>;
    const i = waiting.findIndex((w) => w(parsed));
    if (i >= 0) waiting.splice(i, 1);
  });
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  const next = <T>(key: string) =>
    new Promise<T>((resolve, reject) => {
      waiting.push((l) => (key in l ? (resolve(l[key] as T), true) : false));
      void exited.then((code) => reject(new Error(`executor exited ${code}: ${stderr}`)));
    });
  await next('ready');
  return {
    cpuMs: async () => {
      const answer = next<{ cpu: NodeJS.CpuUsage }>('stats');
      child.stdin.write('stats\n');
      const { cpu } = await answer;
      return (cpu.user + cpu.system) / 1_000;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const DRIVER: Record<string, PlatformDriver> = { nxos: 'cisco_nxos', linux: 'linux' };

async function main(): Promise<void> {
  const logger = createLogger({ service: 'bench', level: 'warn' });
  const topicId = randomUUID().slice(0, 8);
  const topics = benchTopics(topicId);
  const simulator = await startSimulator();
  const messaging = new KafkaMessaging({ service: 'bench', brokers, logger });
  await messaging.connect();
  await messaging.ensureTopics(
    [topics.requests, topics.results, topics.events, topics.cancellations],
    { partitions: 4, replicationFactor: 1 },
  );
  const executor = await startExecutor(topicId);

  // Results and output events of the current wave, counted by execution id.
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-stream-${topicId}`, maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topics.results.topic, topics.events.topic] });
  let wave = new Set<string>();
  let results = 0;
  let outputEvents = 0;
  let lastEvents = 0;
  let outputChars = 0;
  let failures = 0;
  let onChange = (): void => undefined;
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const { payload } = JSON.parse(message.value?.toString() ?? '{}') as {
        payload: {
          executionId: string;
          phase?: string;
          outcome?: string;
          output?: string | { text: string; last?: boolean };
        };
      };
      if (!wave.has(payload.executionId)) return;
      if (topic === topics.results.topic) {
        results++;
        if (payload.outcome !== 'succeeded') failures++;
        outputChars += typeof payload.output === 'string' ? payload.output.length : 0;
      } else if (payload.phase === 'output') {
        outputEvents++;
        if (typeof payload.output === 'object' && payload.output.last) lastEvents++;
      }
      onChange();
    },
  });

  const requestFor = (d: Dev, id: number, command: string, stream: boolean): ExecutionRequest => {
    const executionId = randomUUID();
    return {
      executionId,
      commandType: 'show',
      command: { name: command },
      renderedCommand: command,
      variables: {},
      device: {
        id,
        name: d.name,
        host: '127.0.0.1',
        port: d.port,
        platform: DRIVER[d.platform] ?? 'linux',
      },
      credentials: sealJson(keyring, { username: USER, password: PASSWORD }, executionId),
      timeoutMs: 120_000,
      requestedBy: { username: 'bench' },
      requestedAt: new Date().toISOString(),
      ...(stream ? { streamOutput: true } : {}),
    };
  };

  /** One wave: `count` commands of `c` over its platform's devices; executor CPU ms. */
  const runWave = async (c: Case, count: number, stream: boolean) => {
    const devices = simulator.devices.filter((d) => d.platform === c.platform);
    const requests = Array.from({ length: count }, (_, i) => {
      const d = devices[i % devices.length] as Dev;
      return requestFor(d, simulator.devices.indexOf(d) + 1, c.command, stream);
    });
    wave = new Set(requests.map((r) => r.executionId));
    results = outputEvents = lastEvents = outputChars = failures = 0;
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`wave timed out: ${results}/${count}`)),
        300_000,
      );
      onChange = () => {
        if (results >= count && (!stream || lastEvents >= count)) {
          clearTimeout(timer);
          resolve();
        }
      };
    });
    const before = await executor.cpuMs();
    for (let i = 0; i < requests.length; i += 200)
      await messaging.publishMany(topics.requests, requests.slice(i, i + 200));
    await done;
    const cpu = (await executor.cpuMs()) - before;
    if (failures > 0) throw new Error(`${failures} executions did not succeed`);
    return { cpuMs: cpu, events: outputEvents, chars: outputChars };
  };

  try {
    // Warm-up: sessions open to every device, the JIT warm.
    for (const c of CASES) await runWave(c, DEVICES, false);
    for (const c of CASES) await runWave(c, DEVICES, true);
    const totals = new Map<
      string,
      { off: number; on: number; events: number; n: number; chars: number }
    >();
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of CASES) {
        const count = Math.max(DEVICES, Math.round(PER_CASE * c.share));
        const t = totals.get(c.name) ?? { off: 0, on: 0, events: 0, n: 0, chars: 0 };
        // Alternate which mode goes first, so that drift does not favour one.
        const order = round % 2 === 0 ? [false, true] : [true, false];
        for (const stream of order) {
          const r = await runWave(c, count, stream);
          if (stream) {
            t.on += r.cpuMs;
            t.events += r.events;
          } else t.off += r.cpuMs;
          t.chars += stream ? 0 : r.chars;
        }
        t.n += count;
        totals.set(c.name, t);
      }
    }
    console.log(
      `executor CPU ms per command (user + system), ${ROUNDS} rounds, ${DEVICES / 2} devices per platform`,
    );
    console.log('case                          output   off ms   on ms   extra   events/cmd');
    for (const c of CASES) {
      const t = totals.get(c.name);
      if (!t) continue;
      const off = t.off / t.n;
      const on = t.on / t.n;
      const kb = t.chars / t.n / 1024;
      console.log(
        [
          c.name.padEnd(28),
          `${kb >= 1024 ? `${(kb / 1024).toFixed(2)} MB` : `${kb.toFixed(1)} KB`}`.padStart(9),
          off.toFixed(3).padStart(8),
          on.toFixed(3).padStart(7),
          `${(((on - off) / off) * 100).toFixed(0)}%`.padStart(7),
          (t.events / t.n).toFixed(1).padStart(12),
        ].join(' '),
      );
    }
  } finally {
    await consumer.disconnect();
    await executor.stop();
    await messaging.disconnect();
    await simulator.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
