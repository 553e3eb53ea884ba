// Live output (`"stream": true` executions followed at /executions/{id}/stream/) through the
// public API: the services as separate processes from their bundles on the run's own topics
// and databases (tools/stack/process-stack.ts), the simulated IOS fleet and the SSE
// clients in this process (so that both ends are timed on one clock).
//   eval "$(bash tools/scripts/infra.sh env)"
//   node --import tsx tools/bench/live-output.ts [--executions 200] [--devices 20]
//     [--per-byte 0.5] [--streams 500] [--hold-per-byte 1.5] [--window 20]
// Prints a report, no assertions:
//  - time to first output: from the moment a simulated device writes the first bytes of
//    the command's output (`show version`, sent at --per-byte ms per byte in 512-character
//    pieces) to the moment an SSE client opened right after the 202 receives the first
//    `output` event, p50/p95/p99 over --executions executions on --devices devices
//    (one at a time per device), with the split at the executor's publish (Kafka CreateTime);
//  - the gateway's memory (RSS, V8 heap used, and the live heap after a full GC that
//    support/gc-on-signal.cjs, preloaded into this run's gateway, runs on SIGUSR2) before,
//    with --streams clients following as many running executions (`show interfaces` at
//    --hold-per-byte ms per byte: about a minute of output each), and after their streams
//    ended; events/s delivered meanwhile.
// The device's write is timed by wrapping CliSession's output step from here (no hook in
// @toolkit/device-sim): see `timeDeviceOutput`.
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Consumer } from 'kafkajs';
import { CliSession, generateSpecs, startFleet } from '@toolkit/device-sim';
import type { Fleet, SessionIO } from '@toolkit/device-sim';
import type { Json, SimDevice } from '../stack/process-stack';
import { numberArg } from './support/args';
import { metricSum, scrapeMetrics } from './support/metrics';
import { printHeader, runBench } from './support/run-bench';
import {
  ProcessStack,
  brokers,
  buildBundles,
  cpuDelta,
  root,
  rssMb,
  summary,
} from '../stack/process-stack';

const EXECUTIONS = numberArg('--executions', 200);
const DEVICES = numberArg('--devices', 20);
const PER_BYTE_MS = numberArg('--per-byte', 0.5);
const STREAMS = numberArg('--streams', 500);
const HOLD_PER_BYTE_MS = numberArg('--hold-per-byte', 1.5);
const WINDOW_S = numberArg('--window', 20);
const LATENCY_COMMAND = 'show version';
const HOLD_COMMAND = 'show interfaces';
/** The gateway's per-user stream limit, raised so that one token holds every stream. */
const STREAMS_PER_USER = String(Math.max(20, STREAMS + 100));
/** The whole run stops by itself past this. */
const RUN_LIMIT_MS = 15 * 60_000;

const stack = new ProcessStack();
/** Epoch ms with sub-ms precision, the one clock of both ends. */
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Aborts every stream still open (run limit, failure). */
const everything = new AbortController();
/** The simulated devices (in this process). */
let fleet: Fleet | undefined;

// ---------------------------------------------------------------- device side

/** Per device name: who waits for the next first write of LATENCY_COMMAND's output. */
const firstWriteWaiters = new Map<string, (at: number) => void>();

/**
 * Times the first write of a command's output. CliSession.stream (private) writes a
 * command's output through the session's `io`, piece by piece, after the per-byte delay;
 * the echo and the prompt go another way. Wrapped once, here: when the line being answered
 * (the device's last received line) is LATENCY_COMMAND and someone waits on that device,
 * the session's `io` is swapped for one that notes the time of its first write, then
 * restored.
 */
function timeDeviceOutput(): void {
  type Internals = {
    ctx: CliSession['ctx'];
    io: SessionIO;
    stream(text: string, exec: boolean, then: () => void): void;
  };
  const proto = CliSession.prototype as unknown as Internals;
  const original = proto.stream;
  proto.stream = function (this: Internals, text, exec, then) {
    const device = this.ctx.device;
    const waiter = firstWriteWaiters.get(device.name);
    if (waiter && text.length > 0 && device.received.at(-1)?.trim() === LATENCY_COMMAND) {
      firstWriteWaiters.delete(device.name);
      const io = this.io;
      this.io = {
        ...io,
        write: (chunk: string) => {
          waiter(now());
          this.io = io;
          io.write(chunk);
        },
      };
    }
    original.call(this, text, exec, then);
  };
}

/** When `device` next writes LATENCY_COMMAND's output (epoch ms); rejects after `ms`. */
function nextFirstWrite(device: string, ms: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      firstWriteWaiters.delete(device);
      reject(new Error(`${device} wrote no output within ${ms} ms`));
    }, ms);
    firstWriteWaiters.set(device, (at) => {
      clearTimeout(timer);
      resolve(at);
    });
  });
}

// ---------------------------------------------------------------- SSE client

interface Followed {
  status: number;
  /** Response headers received (epoch ms). */
  openedAt?: number;
  /** First `output` event received (epoch ms). */
  firstOutputAt?: number;
  outputs: number;
  end?: string;
}

const delivered = { outputs: 0, events: 0 };

/** Follows an execution's stream until it ends (or everything is aborted). */
async function follow(executionId: string): Promise<Followed> {
  const followed: Followed = { status: 0, outputs: 0 };
  try {
    const res = await fetch(
      `${stack.gatewayUrl}/api/plugins/toolkit/executions/${executionId}/stream/`,
      {
        headers: { Authorization: `Token ${stack.token}`, Accept: 'text/event-stream' },
        signal: everything.signal,
      },
    );
    followed.status = res.status;
    followed.openedAt = now();
    if (!res.headers.get('content-type')?.startsWith('text/event-stream')) {
      await res.text();
      return followed;
    }
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = res.body?.getReader();
    for (;;) {
      const { value, done } = (await reader?.read()) ?? { done: true, value: undefined };
      if (done) break;
      const at = now();
      buffer += decoder.decode(value, { stream: true });
      let boundary = buffer.indexOf('\n\n');
      while (boundary >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        boundary = buffer.indexOf('\n\n');
        const event = /^event: (.*)$/m.exec(block)?.[1];
        if (event === undefined) continue;
        delivered.events++;
        if (event === 'output') {
          delivered.outputs++;
          followed.outputs++;
          followed.firstOutputAt ??= at;
        } else if (event === 'end') {
          followed.end = /^data: (.*)$/m.exec(block)?.[1] ?? '';
        }
      }
    }
  } catch (error) {
    if (!everything.signal.aborted) throw error;
  }
  return followed;
}

// ---------------------------------------------------------------- executor side

/**
 * The events topic as the executors publish it: when each execution's first output piece
 * was produced (the message's CreateTime, ms), and how many output pieces were read.
 */
class OutputWatch {
  readonly firstProduced = new Map<string, number>();
  pieces = 0;
  private consumer: Consumer | undefined;

  async start(): Promise<void> {
    const kafka = new Kafka({ clientId: 'bench-live', brokers, logLevel: logLevel.NOTHING });
    this.consumer = kafka.consumer({ groupId: `bench-live-${stack.runId}`, maxWaitTimeInMs: 20 });
    await this.consumer.connect();
    await this.consumer.subscribe({
      topic: `${stack.prefix}toolkit.execution.events.v1`,
      fromBeginning: true,
    });
    await this.consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const payload = (JSON.parse(m.value?.toString() ?? '{}') as { payload?: Json }).payload;
          if (payload?.phase !== 'output') continue;
          this.pieces++;
          const id = String(payload.executionId);
          if (!this.firstProduced.has(id)) this.firstProduced.set(id, Number(m.timestamp));
        }
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
const watch = new OutputWatch();

// ---------------------------------------------------------------- gateway side

interface GatewayState {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  streamsOpen: number;
  heldChars: number;
  eventsSent: number;
}

/** The gateway's memory (RSS from /proc, heap from its /metrics) and stream gauges. */
async function gatewayState(): Promise<GatewayState> {
  const text = await scrapeMetrics(stack.metricsPorts.get('gateway') ?? 0);
  const sum = (name: string) => metricSum(text, name);
  const mb = 1024 * 1024;
  return {
    rssMb: rssMb(stack.procs.find((p) => p.name === 'gateway')?.child.pid),
    heapUsedMb: sum('nodejs_heap_size_used_bytes') / mb,
    heapTotalMb: sum('nodejs_heap_size_total_bytes') / mb,
    streamsOpen: sum('toolkit_gateway_streams_open'),
    heldChars: sum('toolkit_gateway_stream_output_held_chars'),
    eventsSent: sum('toolkit_gateway_stream_events_sent_total'),
  };
}

/** The gateway sampled every 500 ms for `ms`: last values, RSS peak, heap low and high. */
interface Sampled {
  last: GatewayState;
  rssMax: number;
  /** Heap used at its lowest: close to the live heap (right after a collection). */
  heapLow: number;
  heapHigh: number;
  samples: number;
}

async function sample(ms: number, each?: () => void): Promise<Sampled> {
  const states: GatewayState[] = [];
  const until = performance.now() + ms;
  do {
    await sleep(500);
    states.push(await gatewayState());
    each?.();
  } while (performance.now() < until);
  const heaps = states.map((s) => s.heapUsedMb);
  return {
    last: states.at(-1) as GatewayState,
    rssMax: Math.max(...states.map((s) => s.rssMb)),
    heapLow: Math.min(...heaps),
    heapHigh: Math.max(...heaps),
    samples: states.length,
  };
}

/** The gateway's heap used right after a full collection (SIGUSR2: support/gc-on-signal.cjs). */
async function liveHeapMb(): Promise<number> {
  stack.procs.find((p) => p.name === 'gateway')?.child.kill('SIGUSR2');
  await sleep(500);
  return (await gatewayState()).heapUsedMb;
}

const show = (s: Sampled, live: number) =>
  `RSS ${s.last.rssMb.toFixed(1)} MB (peak ${s.rssMax.toFixed(1)}), heap used ${s.heapLow.toFixed(1)}-${s.heapHigh.toFixed(1)} MB ` +
  `(low-high of ${s.samples} samples; total ${s.last.heapTotalMb.toFixed(1)}), ` +
  `live heap ${live.toFixed(1)} MB (after a forced full GC), streams open ${s.last.streamsOpen}, ` +
  `output held ${(s.last.heldChars / 1e6).toFixed(2)} M chars`;

/** Stops the executor process (its requests then wait on Kafka); returns its restart. */
async function stopExecutor(): Promise<(extra: Record<string, string>) => Promise<unknown>> {
  const index = stack.procs.findIndex((p) => p.name === 'executor');
  const [proc] = stack.procs.splice(index, 1);
  if (proc) {
    await new Promise((resolve) => {
      const timer = setTimeout(() => proc.child.kill('SIGKILL'), 15_000);
      proc.child.once('exit', () => {
        clearTimeout(timer);
        resolve(undefined);
      });
      proc.child.kill('SIGTERM');
    });
  }
  return (extra) => stack.startService('executor', { EXECUTOR_ID: 'executor-0', ...extra });
}

// ---------------------------------------------------------------- phases

async function submit(commandId: number, deviceId: number, credential: string, timeout: number) {
  const res = await stack.api('POST', `/api/plugins/toolkit/commands/${commandId}/execute/`, {
    device_id: deviceId,
    credential_token: credential,
    async: true,
    stream: true,
    timeout,
  });
  if (res.status !== 202)
    throw new Error(`execute answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
  return String(res.body.execution_id);
}

interface LatencySample {
  executionId: string;
  deviceWroteAt: number;
  openedAt: number;
  firstOutputAt: number;
}

/** Phase 1: executions one at a time per device, each followed from right after its 202. */
async function timeToFirstOutput(
  devices: SimDevice[],
  deviceIds: number[],
  commandId: number,
  credential: string,
  count: number,
): Promise<{ samples: LatencySample[]; failures: string[] }> {
  const samples: LatencySample[] = [];
  const failures: string[] = [];
  let next = 0;
  await Promise.all(
    devices.map(async (device, d) => {
      while (next < count) {
        next++;
        const wrote = nextFirstWrite(device.name, 60_000);
        wrote.catch(() => undefined);
        try {
          const id = await submit(commandId, deviceIds[d] as number, credential, 60);
          const followed = await follow(id);
          const deviceWroteAt = await wrote;
          if (followed.firstOutputAt === undefined || followed.openedAt === undefined)
            throw new Error(`${id}: no output event (status ${followed.status})`);
          samples.push({
            executionId: id,
            deviceWroteAt,
            openedAt: followed.openedAt,
            firstOutputAt: followed.firstOutputAt,
          });
        } catch (error) {
          firstWriteWaiters.delete(device.name);
          failures.push(String(error));
        }
      }
    }),
  );
  return { samples, failures };
}

async function main(): Promise<void> {
  printHeader();
  console.log(
    [
      'method:',
      ` services from their bundles as separate processes (1 executor, gateway with RATE_LIMIT_ENABLED=false and`,
      ` STREAMS_PER_USER=${STREAMS_PER_USER}: one superuser token holds every stream), local Kafka/FerretDB;`,
      ` simulated IOS devices and SSE clients (fetch) in this process, one clock (performance.timeOrigin + now()).`,
      ` 1) '${LATENCY_COMMAND}' (3,390 chars) at ${PER_BYTE_MS} ms/byte in 512-char pieces (a piece every`,
      `    ${(512 * PER_BYTE_MS).toFixed(0)} ms), async + stream, the SSE client opened right after the 202;`,
      `    ${EXECUTIONS} executions, one at a time on each of ${DEVICES} devices (sessions warm). Measured: the`,
      `    device's first write of the output (CliSession.stream wrapped from the bench) -> the first`,
      `    'output' event read by the client; split at the executor's publish (Kafka CreateTime, ms).`,
      ` 2) executor stopped, ${STREAMS} executions of '${HOLD_COMMAND}' (41,820 chars at ${HOLD_PER_BYTE_MS} ms/byte:`,
      `    ~${((41_820 * HOLD_PER_BYTE_MS) / 1000).toFixed(0)} s of output) on ${STREAMS} devices submitted, each followed by a client from its 202;`,
      `    executor restarted with EXECUTOR_PARTITIONS_CONCURRENTLY=12 so that all run at once (a partition's`,
      `    next batch waits for its slowest device). Gateway sampled every 0.5 s: RSS (/proc), V8 heap used`,
      `    (its /metrics), then the live heap after a full GC forced by SIGUSR2 (support/gc-on-signal.cjs,`,
      `    preloaded into the bench's gateway), for 5 s before, 5 s with the`,
      `    clients connected and the executions queued, ${WINDOW_S} s while all ${STREAMS} stream (events/s), 5-10 s after`,
      `    every stream ended.`,
    ].join('\n'),
  );
  timeDeviceOutput();
  await buildBundles();
  const specs = generateSpecs(DEVICES + STREAMS, ['ios']).map((spec, i) => ({
    ...spec,
    faults: { latencyPerByteMs: i < DEVICES ? PER_BYTE_MS : HOLD_PER_BYTE_MS },
  }));
  fleet = await startFleet({ devices: specs });
  const devices: SimDevice[] = fleet.inventory.devices.map((d) => ({
    name: d.name,
    port: d.port,
    platform: d.platform,
    credentials: {
      username: d.credentials.username,
      password: d.credentials.password,
      enableSecret: d.credentials.enableSecret,
    },
  }));
  await stack.startServices({
    gateway: {
      RATE_LIMIT_ENABLED: 'false',
      STREAMS_PER_USER,
      NODE_OPTIONS: `--require ${join(root, 'tools/bench/support/gc-on-signal.cjs')}`,
    },
  });
  const { deviceIds, commandId, credential } = await stack.seed(devices, LATENCY_COMMAND);
  const platforms = await stack.api('GET', '/api/dcim/platforms/?slug=ios');
  const hold = await stack.api('POST', '/api/plugins/toolkit/commands/', {
    name: 'bench-hold',
    command: HOLD_COMMAND,
    platforms: [platforms.body.results[0].id],
  });
  if (hold.status !== 201) throw new Error(JSON.stringify(hold.body));
  await watch.start();

  // ---- phase 1
  const latencyDevices = devices.slice(0, DEVICES);
  const latencyIds = deviceIds.slice(0, DEVICES);
  // Warm-up: a session per device, every process has run the path.
  await timeToFirstOutput(latencyDevices, latencyIds, commandId, credential, DEVICES);
  const cpu1 = stack.cpuSnapshot();
  const started1 = performance.now();
  const { samples, failures } = await timeToFirstOutput(
    latencyDevices,
    latencyIds,
    commandId,
    credential,
    EXECUTIONS,
  );
  const seconds1 = (performance.now() - started1) / 1000;
  const cpu1After = stack.cpuSnapshot();
  await sleep(1_000); // the last CreateTimes read
  console.log(
    `\n== 1. time to first output (${samples.length} executions, ${seconds1.toFixed(1)} s)`,
  );
  console.log(
    summary(
      'device first write -> first SSE output event',
      samples.map((s) => s.firstOutputAt - s.deviceWroteAt),
    ),
  );
  const split = samples.filter((s) => watch.firstProduced.has(s.executionId));
  console.log(
    `  ${summary(
      'device first write -> executor produced the piece (CreateTime, ms resolution)',
      split.map((s) => (watch.firstProduced.get(s.executionId) ?? 0) - s.deviceWroteAt),
    )}`,
  );
  console.log(
    `  ${summary(
      'executor produced -> SSE event read (Kafka, gateway, loopback)',
      split.map((s) => s.firstOutputAt - (watch.firstProduced.get(s.executionId) ?? 0)),
    )}`,
  );
  const sorted = samples.map((s) => s.firstOutputAt - s.deviceWroteAt).sort((a, b) => a - b);
  console.log(
    `  min ${(sorted[0] ?? NaN).toFixed(1)} ms, max ${(sorted.at(-1) ?? NaN).toFixed(1)} ms; ` +
      `stream open before the device's first write: ${samples.filter((s) => s.openedAt < s.deviceWroteAt).length}/${samples.length}; ` +
      `failures: ${failures.length}${failures.length > 0 ? ` (first: ${failures[0]})` : ''}`,
  );
  console.log(`  CPU: ${cpuDelta(cpu1, cpu1After, seconds1)}`);

  // ---- phase 2
  console.log(`\n== 2. gateway with ${STREAMS} open streams`);
  const before = await sample(5_000);
  const beforeLive = await liveHeapMb();
  console.log(`before:                  ${show(before, beforeLive)}`);
  const restart = await stopExecutor();
  const holdDevices = deviceIds.slice(DEVICES, DEVICES + STREAMS);
  const streams: Promise<Followed>[] = [];
  let submitted = 0;
  const submitStart = performance.now();
  await Promise.all(
    Array.from({ length: 25 }, async () => {
      while (submitted < holdDevices.length) {
        const device = holdDevices[submitted++] as number;
        const id = await submit(hold.body.id as number, device, credential, 300);
        streams.push(follow(id));
      }
    }),
  );
  const submitSeconds = (performance.now() - submitStart) / 1000;
  const all = Promise.all(streams);
  // Every client connected (the gauge counts open streams), nothing running yet.
  for (let i = 0; i < 100 && (await gatewayState()).streamsOpen < STREAMS; i++) await sleep(200);
  const waiting = await sample(5_000);
  const waitingLive = await liveHeapMb();
  console.log(
    `${STREAMS} clients, queued:     ${show(waiting, waitingLive)} (submitted and connected in ${submitSeconds.toFixed(1)} s)`,
  );
  const restarted = performance.now();
  await restart({ EXECUTOR_PARTITIONS_CONCURRENTLY: '12' });
  // Until every execution has published output (each client saw some).
  const firstWave = watch.firstProduced.size;
  for (let i = 0; i < 300 && watch.firstProduced.size - firstWave < STREAMS; i++) await sleep(200);
  const allStreamingAfter = (performance.now() - restarted) / 1000;
  const w0 = { state: await gatewayState(), delivered: { ...delivered }, pieces: watch.pieces };
  const cpu2 = stack.cpuSnapshot();
  const windowStart = performance.now();
  const streaming = await sample(WINDOW_S * 1000);
  const seconds2 = (performance.now() - windowStart) / 1000;
  const cpu2After = stack.cpuSnapshot();
  const w1 = { state: streaming.last, delivered: { ...delivered }, pieces: watch.pieces };
  const streamingLive = await liveHeapMb();
  console.log(`${STREAMS} streaming:           ${show(streaming, streamingLive)}`);
  console.log(
    `  all ${STREAMS} executions had published output ${allStreamingAfter.toFixed(1)} s after the executor restart`,
  );
  const rate = (n: number) => (n / seconds2).toFixed(0);
  console.log(
    `  over ${seconds2.toFixed(1)} s: output pieces produced by the executor ${rate(w1.pieces - w0.pieces)}/s, ` +
      `events sent by the gateway ${rate(w1.state.eventsSent - w0.state.eventsSent)}/s, ` +
      `output events read by the clients ${rate(w1.delivered.outputs - w0.delivered.outputs)}/s`,
  );
  console.log(`  CPU: ${cpuDelta(cpu2, cpu2After, seconds2)}`);
  const ended = await Promise.race([all, sleep(5 * 60_000).then(() => undefined)]);
  if (!ended) everything.abort();
  await sleep(5_000);
  const after = await sample(5_000);
  console.log(`5-10 s after they ended: ${show(after, await liveHeapMb())}`);
  const perStream = (s: Sampled, live: number) =>
    `${(((s.last.rssMb - before.last.rssMb) * 1024) / STREAMS).toFixed(0)} KB RSS, ` +
    `${(((live - beforeLive) * 1024) / STREAMS).toFixed(1)} KB live heap`;
  const results = ended ?? [];
  const reasons = new Map<string, number>();
  for (const r of results) {
    const reason = r.end ? String(JSON.parse(r.end).reason) : `no end (HTTP ${r.status})`;
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  console.log(
    `  streams: ${[...reasons].map(([k, v]) => `${v} ${k}`).join(', ') || 'not all ended (aborted)'}; ` +
      `per stream over 'before': queued ${perStream(waiting, waitingLive)}; streaming ${perStream(streaming, streamingLive)} (held output included)`,
  );
}

runBench(main, {
  cleanup: async () => {
    everything.abort();
    await watch.stop().catch(() => undefined);
    await stack.cleanup();
    await fleet?.close();
  },
  limitMs: RUN_LIMIT_MS,
  onAbort: () => everything.abort(),
});
