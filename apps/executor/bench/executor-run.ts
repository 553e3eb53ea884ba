// One measured executor run: the executor started from a bundle on a run's own topics, a
// warm-up wave (one command per device: group joined, sessions open when reusing), then the
// measured wave, published while the executor is paused and timed from its resume to the
// last result (the requests wait in the topic as a bulk run's do: publishing them is the
// gateway's work, on another machine). Results are counted without being parsed (only
// failures are), and a run in which any execution did not succeed fails.
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { ExecutionRequest } from '@toolkit/contracts';
import { createLogger } from '@toolkit/logger';
import { KafkaMessaging } from '@toolkit/messaging';
import { benchTopics } from './bench-topics';
import { cpuMark, cpuSince } from './cpu-accounting';
import { executionRequest } from './execution-requests';
import { dropRunData, startExecutorProcess } from './executor-control';
import type { ExecutorStats } from './executor-control';
import { brokers } from './shared-bench';
import type { SimDevice } from './shared-bench';

/**
 * The timed window's two waits on Kafka that a consumer fetching all along would not have:
 * the executor's first fetch after its resume and this process's fetch of the last result.
 */
export const FETCH_WAIT_MS = 20;

/** The envelope text of a succeeded result (results are counted without parsing them). */
const SUCCEEDED = '"outcome":"succeeded"';

/** What the command line sets for every run of the throughput bench (throughput.ts). */
export interface BenchOptions {
  rounds: number;
  command: string;
  /** Commands per device in a measured wave. */
  perDevice: number;
  /** EXECUTION_KEYS of the runs. */
  keys: string;
  /** V8 profiles of the measured waves into this folder. */
  profileDir?: string;
}

export interface RunOptions {
  bundle: string;
  /** EXECUTION_KEYS of the run (execution-requests.ts seals logins with them). */
  keys: string;
  devices: readonly SimDevice[];
  reuse: boolean;
  command: string;
  perDevice: number;
  env?: Record<string, string>;
  /** Memory is read again after this long idle, sessions still open. */
  settleMs?: number;
  /** V8 profiles of the executor's measured wave into this folder. */
  profileDir?: string;
  /** A heap snapshot of the executor once settled. */
  heapSnapshot?: string;
}

export interface RunResult {
  eps: number;
  /** Executor process CPU ms per command during the measured wave. */
  cpuMsPerCommand: number;
  /** Share of the machine's CPU time busy (all processes) during the measured wave. */
  machineBusy: number;
  /** CPU ms per command of the observed processes (simulator, broker) and this one. */
  others: Record<string, number>;
  /** Executor CPU time / wall time during the measured wave (1 = one core busy). */
  cpuShare: number;
  /** Whether the measured wave was published before its clock started (see above). */
  prePublished: boolean;
  /** Right after start, before any work. */
  idle: ExecutorStats;
  stats: ExecutorStats;
  /** With `settleMs`: after that long idle (sessions still open), after a GC. */
  settled?: ExecutorStats;
}

/** Counts the run's results as they arrive; `expect(n)` resolves once n more have. */
async function resultCounter(groupId: string, topic: string) {
  const consumer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).consumer({
    groupId,
    // Counting only: large fetches, so that the load generator and the broker spend as
    // little as possible on it (the end of a wave is seen at most FETCH_WAIT_MS late).
    minBytes: 256 * 1024,
    maxWaitTimeInMs: FETCH_WAIT_MS,
  });
  /** A run that measured anything but successful executions measured the wrong thing. */
  const failures = new Map<string, number>();
  let count = 0;
  let target = 0;
  let done: (() => void) | undefined;
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        // Only failures are parsed: this process shares the machine with the executor, and
        // a large output costs real CPU to parse (analytics' work, not the executor's).
        if (m.value?.includes(SUCCEEDED)) continue;
        const { payload } = JSON.parse(m.value?.toString() ?? '{}') as {
          payload?: { outcome?: string; errorClass?: string | null };
        };
        if (payload?.outcome === 'succeeded') continue;
        const what = `${payload?.outcome}/${payload?.errorClass}`;
        failures.set(what, (failures.get(what) ?? 0) + 1);
      }
      count += batch.messages.length;
      if (count >= target && done) done();
    },
  });
  return {
    expect: (n: number) => {
      target += n;
      return new Promise<void>((r) => (done = r));
    },
    assertAllSucceeded: () => {
      if (failures.size > 0)
        throw new Error(
          `not every execution succeeded: ${JSON.stringify(Object.fromEntries(failures))}`,
        );
    },
    stop: () => consumer.disconnect(),
  };
}

export async function executorRun(options: RunOptions): Promise<RunResult> {
  const { devices, reuse, env = {}, settleMs = 0, profileDir } = options;
  const logger = createLogger({ service: 'bench', level: 'warn' });
  const topicId = randomUUID().slice(0, 8);
  const tp = benchTopics(topicId);
  const executor = await startExecutorProcess({
    nodeArgs: [options.bundle],
    topicId,
    keys: options.keys,
    gcOnStats: true,
    env: {
      EXECUTOR_CONNECT_RETRIES: '0',
      EXECUTOR_BREAKER_VOLUME: '20',
      EXECUTOR_IDLE_TIMEOUT_MS: reuse ? '120000' : '100',
      BENCH_NO_REUSE: reuse ? '0' : '1',
      EXECUTOR_MAX_SESSIONS: String(Math.max(2_000, devices.length)),
      ...env,
    },
  });
  const messaging = new KafkaMessaging({ service: 'bench', brokers, logger });
  await messaging.connect();
  const results = await resultCounter(`bench-results-${topicId}`, tp.results.topic);
  const requestFor = (d: SimDevice, i: number): ExecutionRequest =>
    executionRequest({
      keys: options.keys,
      device: { id: i + 1, name: d.name, port: d.port, platform: 'cisco_nxos' },
      command: options.command,
      timeoutMs: 30_000,
    });
  const publish = async (requests: ExecutionRequest[]) => {
    for (let i = 0; i < requests.length; i += 500)
      await messaging.publishMany(tp.requests, requests.slice(i, i + 500));
  };
  const idle = await executor.stats();
  try {
    // Warm-up: the group is joined, one session per device is open when reusing.
    const warmedUp = results.expect(devices.length);
    await publish(devices.map((d, i) => requestFor(d, i)));
    await warmedUp;
    const requests: ExecutionRequest[] = [];
    for (let k = 0; k < options.perDevice; k++)
      devices.forEach((d, i) => requests.push(requestFor(d, i)));
    const prePublished = await executor.consume('pause');
    const finished = results.expect(requests.length);
    if (prePublished) await publish(requests);
    const before = await executor.stats();
    const mark = cpuMark();
    if (profileDir) {
      await mkdir(profileDir, { recursive: true });
      await executor.profile('start');
    }
    const started = performance.now();
    if (prePublished) await executor.consume('resume');
    else await publish(requests);
    await finished;
    const wallMs = performance.now() - started;
    results.assertAllSucceeded();
    if (profileDir) {
      const kind = env['BENCH_PROFILE_ALLOCATIONS'] === '1' ? 'heapprofile' : 'cpuprofile';
      const mode = reuse ? 'reuse' : 'new-connection';
      await executor.profile(`stop ${join(profileDir, `executor-${mode}-${Date.now()}.${kind}`)}`);
    }
    const cpu = cpuSince(mark, requests.length);
    const stats = await executor.stats();
    let settled: ExecutorStats | undefined;
    if (settleMs > 0) {
      await new Promise((r) => setTimeout(r, settleMs));
      settled = await executor.stats();
      if (options.heapSnapshot) await executor.snapshot(resolve(options.heapSnapshot));
    }
    const cpuMs = (stats.cpu.user + stats.cpu.system - before.cpu.user - before.cpu.system) / 1_000;
    return {
      eps: requests.length / (wallMs / 1_000),
      cpuShare: cpuMs / wallMs,
      cpuMsPerCommand: cpuMs / requests.length,
      machineBusy: cpu.machineBusy,
      others: { ...cpu.others, 'load generator': cpu.selfMsPerCommand },
      prePublished,
      idle,
      stats,
      settled,
    };
  } finally {
    await results.stop();
    await executor.stop();
    await messaging.disconnect();
    await dropRunData(topicId);
  }
}
