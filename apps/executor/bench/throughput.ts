/* eslint-disable no-restricted-syntax -- a benchmark script reads the infra env directly */
// Executor throughput against 200 simulated devices (NX-OS, one port each), compared
// with a bare ssh2 loop doing the same work in the same run, plus the executor's RSS
// with 1,000 open sessions. Run: eval "$(bash tools/scripts/infra.sh env)";
//   node --import tsx apps/executor/bench/throughput.ts [--rss-only]
// (add --expose-gc so that RSS is measured after a collection)
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'ssh2';
import type { ExecutionRequest } from '@toolkit/contracts';
import {
  deadLetterTopic,
  defineTopic,
  executionEventSchema,
  executionRequestSchema,
  executionResultSchema,
} from '@toolkit/contracts';
import { parseKeyring, sealJson } from '@toolkit/crypto';
import { createLogger } from '@toolkit/logger';
import { KafkaMessaging } from '@toolkit/messaging';
import { createRegistry } from '@toolkit/metrics';
import { MongoDatabase } from '@toolkit/mongo';
import { createExecutor } from '../src/executor';
import type { ExecutorSettings, ExecutorTopics } from '../src/executor';

const DEVICES = 200;
const PER_DEVICE = 10;
const COMMAND = 'show clock';
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

function bareConnect(
  port: number,
): Promise<{ run: (cmd: string) => Promise<string>; close: () => void }> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    client.on('error', reject);
    client.on('ready', () => {
      client.shell({ term: 'vt100', cols: 511, rows: 24 }, (error, stream) => {
        if (error) return reject(error);
        let buffer = '';
        let waiter: (() => void) | undefined;
        stream.setEncoding('utf8');
        stream.on('data', (d: string) => {
          buffer += d;
          if (waiter && /# $/.test(buffer)) waiter();
        });
        const untilPrompt = () =>
          new Promise<void>((r) => {
            if (/# $/.test(buffer)) r();
            else waiter = r;
          });
        const run = async (cmd: string) => {
          buffer = '';
          stream.write(`${cmd}\n`);
          await untilPrompt();
          waiter = undefined;
          return buffer;
        };
        void untilPrompt()
          .then(() => run('terminal length 0'))
          .then(() => resolve({ run, close: () => client.end() }));
      });
    });
    socket.once('connect', () =>
      client.connect({
        sock: socket,
        username: USER,
        password: PASSWORD,
        hostVerifier: () => true,
      }),
    );
  });
}

async function bareLoop(devices: Dev[], reuse: boolean): Promise<number> {
  const started = performance.now();
  await Promise.all(
    devices.map(async (d) => {
      if (reuse) {
        const s = await bareConnect(d.port);
        for (let i = 0; i < PER_DEVICE; i++) await s.run(COMMAND);
        s.close();
      } else {
        for (let i = 0; i < PER_DEVICE; i++) {
          const s = await bareConnect(d.port);
          await s.run(COMMAND);
          s.close();
        }
      }
    }),
  );
  return (devices.length * PER_DEVICE) / ((performance.now() - started) / 1_000);
}

// ---------------- executor ----------------

function topics(): ExecutorTopics {
  const id = randomUUID().slice(0, 8);
  const t = (
    kind: string,
    type: string,
    payload:
      typeof executionRequestSchema | typeof executionResultSchema | typeof executionEventSchema,
  ) =>
    defineTopic({
      topic: `bench.executor.${id}.${kind}.v1`,
      type,
      schemaVersion: 1,
      payload,
      keyOf: (p: { device: { id: number } }) => String(p.device.id),
    });
  return {
    requests: t('requests', 'execution.requested', executionRequestSchema),
    results: t('results', 'execution.finished', executionResultSchema),
    events: t('events', 'execution.progressed', executionEventSchema),
  } as unknown as ExecutorTopics;
}

async function executorRun(
  devices: Dev[],
  reuse: boolean,
  prime?: (s: ExecutorSettings) => void,
): Promise<{ eps: number; rssMb?: number }> {
  const keys = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
  const keyring = parseKeyring(keys);
  const logger = createLogger({ service: 'executor', level: 'warn' });
  const messaging = new KafkaMessaging({ service: 'executor', brokers, logger });
  const mongo = new MongoDatabase({
    uri: mongoUri,
    dbName: `bench_executor_${randomUUID().slice(0, 6)}`,
    logger,
  });
  await mongo.connect();
  await messaging.connect();
  const tp = topics();
  await messaging.ensureTopics([tp.requests, tp.results, tp.events, deadLetterTopic], {
    partitions: 12,
    replicationFactor: 1,
  });
  const settings: ExecutorSettings = {
    EXECUTOR_ID: 'bench',
    EXECUTION_KEYS: keys,
    EXECUTOR_GROUP_ID: `bench-${randomUUID()}`,
    EXECUTOR_PER_DEVICE_CONCURRENCY: 1,
    EXECUTOR_MAX_SESSIONS: 2_000,
    EXECUTOR_IDLE_TIMEOUT_MS: reuse ? 120_000 : 0,
    EXECUTOR_CONNECT_TIMEOUT_MS: 30_000,
    EXECUTOR_MAX_COMMAND_TIMEOUT_MS: 60_000,
    EXECUTOR_CONNECT_RETRIES: 0,
    EXECUTOR_CONNECT_RETRY_BASE_MS: 100,
    EXECUTOR_BREAKER_ERROR_PERCENT: 50,
    EXECUTOR_BREAKER_VOLUME: 20,
    EXECUTOR_BREAKER_WINDOW_MS: 60_000,
    EXECUTOR_BREAKER_RESET_MS: 30_000,
    EXECUTOR_BREAKER_IDLE_DROP_MS: 3_600_000,
    EXECUTOR_KNOWN_HOSTS_MODE: 'accept-new',
    EXECUTOR_PARTITIONS_CONCURRENTLY: 12,
    EXECUTOR_BATCH_PARALLELISM: 1_000,
    EXECUTOR_MAX_BATCH_SIZE: 2_000,
    EXECUTOR_SESSION_TIMEOUT_MS: 30_000,
    EXECUTOR_CLAIM_RETENTION_DAYS: 30,
  };
  prime?.(settings);
  const executor = await createExecutor({
    settings,
    logger,
    registry: createRegistry('executor', { defaultMetrics: false }),
    messaging,
    mongo,
    topics: tp,
  });
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({
    groupId: `bench-results-${randomUUID()}`,
    maxWaitTimeInMs: 50,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: tp.results.topic, fromBeginning: true });
  let count = 0;
  let target = 0;
  let done: (() => void) | undefined;
  await consumer.run({
    eachBatch: async ({ batch }) => {
      count += batch.messages.length;
      if (count >= target && done) done();
    },
  });
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
  const wave = async (requests: ExecutionRequest[]) => {
    target += requests.length;
    const finished = new Promise<void>((r) => (done = r));
    for (let i = 0; i < requests.length; i += 500)
      await messaging.publishMany(tp.requests, requests.slice(i, i + 500));
    await finished;
  };
  await executor.start();
  // Warm-up: join the group, open one session per device when reusing.
  await wave(devices.map((d, i) => requestFor(d, i)));
  const started = performance.now();
  const requests: ExecutionRequest[] = [];
  for (let k = 0; k < PER_DEVICE; k++) devices.forEach((d, i) => requests.push(requestFor(d, i)));
  await wave(requests);
  const eps = requests.length / ((performance.now() - started) / 1_000);
  (globalThis as { gc?: () => void }).gc?.();
  const rssMb = process.memoryUsage().rss / 1024 / 1024;
  const heapMb = process.memoryUsage().heapUsed / 1024 / 1024;
  if (prime)
    console.log(
      `open sessions: ${executor.status().sessions.open}, heap used ${heapMb.toFixed(0)} MB`,
    );
  await consumer.disconnect();
  await executor.stop();
  await messaging.disconnect();
  await mongo.connection.dropDatabase().catch(() => undefined);
  await mongo.disconnect();
  return { eps, rssMb };
}

async function main(): Promise<void> {
  if (process.argv.includes('--rss-only')) return rssOnly();
  const sim = await startSimulator(DEVICES);
  const devices = sim.devices;
  console.log(`simulator: ${devices.length} NX-OS devices, ${PER_DEVICE} x "${COMMAND}" each`);
  await bareLoop(devices.slice(0, 20), true); // warm-up (JIT, simulator)
  const bareReuse = await bareLoop(devices, true);
  const execReuse = await executorRun(devices, true);
  const bareNew = await bareLoop(devices, false);
  const execNew = await executorRun(devices, false);
  await sim.stop();
  const row = (name: string, bare: number, exec: number) =>
    console.log(
      `${name.padEnd(28)} bare ssh2 ${bare.toFixed(0).padStart(6)}/s   executor ${exec.toFixed(0).padStart(6)}/s   ratio ${((exec / bare) * 100).toFixed(0)}%`,
    );
  row('session reuse', bareReuse, execReuse.eps);
  row('new connection per command', bareNew, execNew.eps);
  console.log('(run again with --rss-only for the RSS figure in a fresh process)');
}

async function rssOnly(): Promise<void> {
  // RSS with 1,000 open sessions: the simulator runs in its own process.
  const big = await startSimulator(1_000);
  const before = process.memoryUsage().rss / 1024 / 1024;
  const withSessions = await executorRun(big.devices, true, (s) => {
    s.EXECUTOR_MAX_SESSIONS = 1_000;
  });
  await big.stop();
  console.log(
    `RSS of the executor process with 1000 open sessions: ${withSessions.rssMb?.toFixed(0)} MB (before the run: ${before.toFixed(0)} MB)`,
  );
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
