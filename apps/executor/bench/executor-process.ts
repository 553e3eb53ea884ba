/* eslint-disable no-restricted-syntax -- a benchmark entry reads its run id directly */
// The measured executor for bench/throughput.ts: main.ts's wiring (runService: config,
// logger, registry, Kafka, MongoDB, HTTP) on the benchmark's own topics. Bundled with
// esbuild like production and run with plain node. A `stats` line on stdin answers one
// JSON line: memory after a GC (run node with --expose-gc) and the executor status.
// `profile start` / `profile stop <file>` record a V8 CPU profile of the measured wave only
// (answered by a `profiled` line). `pause` / `resume` stop and restart fetching requests
// (answered by `paused` / `resumed`), so that a wave can be published before it is timed.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { createInterface } from 'node:readline';
import { writeHeapSnapshot } from 'node:v8';
import { deadLetterTopic } from '@toolkit/contracts';
import { loadConfigOrExit } from '@toolkit/config';
import { runService } from '@toolkit/service';
import type { DeviceRunner } from '@toolkit/executor-domain';
import { createApp } from '../src/app';
import { executorConfigSchema } from '../src/config';
import { createExecutor } from '../src/executor';
import type { Executor } from '../src/executor';
import { benchTopics } from './bench-topics';

// BENCH_NO_REUSE=1: idle timeout 0 (a new connection per command), also for older
// checkouts whose config schema did not accept 0.
const config = {
  ...loadConfigOrExit(executorConfigSchema),
  ...(process.env['BENCH_NO_REUSE'] === '1' ? { EXECUTOR_IDLE_TIMEOUT_MS: 0 } : {}),
};
const topics = benchTopics(process.env['BENCH_TOPIC_ID'] ?? 'local');
let executor: Executor | undefined;

/** RSS by mapping kind from /proc/self/smaps (MB): where resident memory is, beyond V8's view. */
function residentByKind(): Record<string, number> {
  const kinds: Record<string, number> = {};
  let kind = 'anon';
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) {
      const path = head[1] ?? '';
      kind =
        path === ''
          ? 'anon'
          : path.startsWith('/')
            ? path.includes('node') && !path.includes('node_modules')
              ? 'node binary'
              : 'files'
            : path;
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) kinds[kind] = (kinds[kind] ?? 0) + Number(rss[1]) / 1024;
  }
  return Object.fromEntries(Object.entries(kinds).map(([k, v]) => [k, Math.round(v)]));
}

/**
 * BENCH_PIPELINE_ONLY=1: a runner that answers a `show clock` at once (next turn of the
 * event loop), so that a run measures everything but SSH.
 */
const stubRunner: DeviceRunner = {
  run: () =>
    new Promise((resolve) =>
      setImmediate(() =>
        resolve({
          output: '*14:20:01.123 UTC Sun Nov 22 2026\nTime source is NTP\n',
          exitCode: null,
          stderr: '',
          connectMs: null,
        }),
      ),
    ),
};

let profiler: Session | undefined;
/** BENCH_PROFILE_ALLOCATIONS=1: `profile` records a sampling heap profile (what allocates) instead. */
const ALLOCATIONS = process.env['BENCH_PROFILE_ALLOCATIONS'] === '1';
async function profile(command: string): Promise<void> {
  if (command === 'start') {
    profiler = new Session();
    profiler.connect();
    if (ALLOCATIONS) {
      await profiler.post('HeapProfiler.enable');
      await profiler.post('HeapProfiler.startSampling', {
        samplingInterval: 8 * 1024,
        // Everything allocated, not only what is still alive at the end.
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
      return;
    }
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
    return;
  }
  if (!profiler) return;
  const { profile: recorded } = ALLOCATIONS
    ? await profiler.post('HeapProfiler.stopSampling')
    : await profiler.post('Profiler.stop');
  profiler.disconnect();
  profiler = undefined;
  await writeFile(command.slice('stop '.length).trim(), JSON.stringify(recorded));
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.startsWith('profile ')) {
    void profile(line.slice('profile '.length)).then(() =>
      process.stdout.write(`${JSON.stringify({ profiled: true })}\n`),
    );
    return;
  }
  if (line === 'pause' || line === 'resume') {
    // Checkouts from before Executor#pause answer false: the bench then publishes each
    // wave while the executor consumes it.
    const target = executor as { pause?: () => void; resume?: () => void } | undefined;
    const supported = typeof target?.pause === 'function';
    if (supported) target?.[line]?.();
    process.stdout.write(
      `${JSON.stringify({ [line === 'pause' ? 'paused' : 'resumed']: supported })}\n`,
    );
    return;
  }
  if (line.startsWith('snapshot ')) {
    writeHeapSnapshot(line.slice('snapshot '.length).trim());
    return;
  }
  if (line.trim() !== 'stats') return;
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  process.stdout.write(
    `${JSON.stringify({ stats: { memory: m, resident: residentByKind(), cpu: process.cpuUsage(), sessions: executor?.status().sessions } })}\n`,
  );
});

void runService({
  service: 'executor',
  config,
  topics: [topics.requests, topics.results, topics.events, topics.cancellations, deadLetterTopic],
  wire: async (infra) => {
    executor = await createExecutor({
      ...(process.env['BENCH_PIPELINE_ONLY'] === '1' ? { runner: stubRunner } : {}),
      settings: config,
      logger: infra.logger,
      registry: infra.registry,
      messaging: infra.messaging,
      mongo: infra.mongo,
      topics,
    });
    const started = executor;
    return {
      app: createApp({
        ...infra,
        bodyLimitBytes: config.HTTP_BODY_LIMIT_BYTES,
        status: () => started.status(),
      }),
      start: async () => {
        await started.start();
        process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
      },
      closers: [{ name: 'executor', close: () => started.stop() }],
    };
  },
});
