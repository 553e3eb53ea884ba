/* eslint-disable no-restricted-syntax -- a benchmark entry reads its run id directly */
// The measured executor for bench/throughput.ts: main.ts's wiring (runService: config,
// logger, registry, Kafka, MongoDB, HTTP) on the benchmark's own topics. Bundled with
// esbuild like production and run with plain node. A `stats` line on stdin answers one
// JSON line: memory after a GC (run node with --expose-gc) and the executor status.
import { createInterface } from 'node:readline';
import { writeHeapSnapshot } from 'node:v8';
import { deadLetterTopic } from '@toolkit/contracts';
import { loadConfigOrExit } from '@toolkit/config';
import { runService } from '@toolkit/service';
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

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.startsWith('snapshot ')) {
    writeHeapSnapshot(line.slice('snapshot '.length).trim());
    return;
  }
  if (line.trim() !== 'stats') return;
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  process.stdout.write(
    `${JSON.stringify({ stats: { memory: m, cpu: process.cpuUsage(), sessions: executor?.status().sessions } })}\n`,
  );
});

void runService({
  service: 'executor',
  config,
  topics: [topics.requests, topics.results, topics.events, deadLetterTopic],
  wire: async (infra) => {
    executor = await createExecutor({
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
