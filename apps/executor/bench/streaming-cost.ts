// Executor CPU per command with live output (streamOutput) off and on, in one run: show
// commands with outputs of a few KB to about a MB against simulated devices (NX-OS and
// Linux), each case run with streaming off and on alternately, in rounds. The executor is a
// process of its own (bench/executor-process.ts, main.ts's wiring on the bench's topics);
// its CPU (process.cpuUsage, user + system) is read before and after each wave, and this
// script counts the output events published.
//   eval "$(bash tools/scripts/infra.sh env)"
//   node --import tsx apps/executor/bench/streaming-cost.ts [--per-case 200] [--rounds 3]
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { ExecutionRequest, PlatformDriver } from '@toolkit/contracts';
import { createLogger } from '@toolkit/logger';
import { KafkaMessaging } from '@toolkit/messaging';
import { startBenchSimulator } from './bench-simulator';
import type { BenchSimulator } from './bench-simulator';
import { benchTopics } from './bench-topics';
import { benchKeys, executionRequest } from './execution-requests';
import { dropRunData, startExecutorProcess } from './executor-control';
import type { ExecutorProcess } from './executor-control';
import { brokers, numberArg, runBench } from './shared-bench';
import type { SimDevice } from './shared-bench';

/** Commands per case and mode in each round. */
const PER_CASE = numberArg('--per-case', 200);
const ROUNDS = numberArg('--rounds', 3);
const DEVICES = 20;
const KEYS = benchKeys(9);

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

/** The executor's CPU ms so far (user + system, as its `stats` line reports it). */
const cpuMs = async (executor: ExecutorProcess) => {
  const { cpu } = await executor.stats();
  return (cpu.user + cpu.system) / 1_000;
};

const DRIVER: Record<string, PlatformDriver> = { nxos: 'cisco_nxos', linux: 'linux' };

let simulator: BenchSimulator | undefined;
const topicId = randomUUID().slice(0, 8);

async function main(): Promise<void> {
  const logger = createLogger({ service: 'bench', level: 'warn' });
  const topics = benchTopics(topicId);
  simulator = await startBenchSimulator(DEVICES, 'nxos,linux');
  const fleet = simulator.devices;
  const messaging = new KafkaMessaging({ service: 'bench', brokers, logger });
  await messaging.connect();
  await messaging.ensureTopics(
    [topics.requests, topics.results, topics.events, topics.cancellations],
    { partitions: 4, replicationFactor: 1 },
  );
  // The executor from its sources (tsx), its `stats` without a GC: CPU is what is read.
  const executor = await startExecutorProcess({
    nodeArgs: ['--import', 'tsx', 'apps/executor/bench/executor-process.ts'],
    topicId,
    keys: KEYS,
    env: { LOG_LEVEL: 'warn', EXECUTOR_IDLE_TIMEOUT_MS: '600000', KAFKA_TOPIC_PARTITIONS: '4' },
  });

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

  const requestFor = (d: SimDevice, id: number, command: string, stream: boolean) =>
    executionRequest({
      keys: KEYS,
      device: { id, name: d.name, port: d.port, platform: DRIVER[d.platform] ?? 'linux' },
      command,
      timeoutMs: 120_000,
      streamOutput: stream,
    });

  /** One wave: `count` commands of `c` over its platform's devices; executor CPU ms. */
  const runWave = async (c: Case, count: number, stream: boolean) => {
    const devices = fleet.filter((d) => d.platform === c.platform);
    const requests: ExecutionRequest[] = Array.from({ length: count }, (_, i) => {
      const d = devices[i % devices.length] as SimDevice;
      return requestFor(d, fleet.indexOf(d) + 1, c.command, stream);
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
    const before = await cpuMs(executor);
    for (let i = 0; i < requests.length; i += 200)
      await messaging.publishMany(topics.requests, requests.slice(i, i + 200));
    await done;
    const cpu = (await cpuMs(executor)) - before;
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
  }
}

runBench(main, {
  cleanup: async () => {
    await simulator?.stop();
    await dropRunData(topicId);
  },
});
