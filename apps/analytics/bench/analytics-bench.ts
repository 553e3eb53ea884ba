/**
 * Analytics figures (not a test). Needs KAFKA_BROKERS and MONGODB_URI:
 *   eval "$(bash tools/scripts/infra.sh env)"
 *   node --import tsx apps/analytics/bench/analytics-bench.ts --logs 20000
 * Ingest: results published to a fresh topic, consumed by the real batched consumer into
 * logs + rollups. Then statistics latency and a CSV export (rows/s, sampled peak RSS).
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  defineTopic,
  executionEventSchema,
  executionRequestSchema,
  executionResultSchema,
} from '@toolkit/contracts';
import type { ExecutionResult } from '@toolkit/contracts';
import { createLogger } from '@toolkit/logger';
import { KafkaMessaging } from '@toolkit/messaging';
import { createMessagingMetrics, createRegistry } from '@toolkit/metrics';
import { MongoDatabase } from '@toolkit/mongo';
import { analyticsConfigSchema } from '../src/config';
import { wireAnalytics } from '../src/wiring';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const LOGS = arg('logs', 20_000);
const PLATFORMS = ['cisco_ios', 'arista_eos', 'juniper_junos', 'linux'] as const;

function result(i: number, now: number): ExecutionResult {
  const t = new Date(now - (i % 3600) * 1000).toISOString(); // real time: the last hour
  const failed = i % 7 === 0;
  const device = i % 200;
  return {
    executionId: randomUUID(),
    outcome: failed ? 'failed' : 'succeeded',
    success: !failed,
    commandType: 'show',
    command: { id: 1 + (i % 20), name: `show cmd ${i % 20}` },
    renderedCommand: `show cmd ${i % 20}`,
    variables: {},
    device: {
      id: 1 + device,
      name: `dev-${device}`,
      platform: PLATFORMS[device % 4] as (typeof PLATFORMS)[number],
    },
    username: 'netops',
    requestedBy: { userId: 1, username: 'admin' },
    output: 'Interface  IP-Address  OK? Method Status  Protocol\n'.repeat(8),
    errorClass: failed ? 'command_timeout' : null,
    errorMessage: failed ? 'Command timed out after 30s' : null,
    syntaxError: { detected: false },
    parsedOutput: null,
    parseError: null,
    timings: {
      requestedAt: t,
      startedAt: t,
      finishedAt: t,
      connectMs: 5,
      durationMs: 20 + (i % 500),
    },
    executorId: 'bench',
    attempt: 1,
  };
}

async function main() {
  const suffix = randomUUID().slice(0, 8);
  const logger = createLogger({ service: 'analytics-bench', level: 'warn' });
  // eslint-disable-next-line no-restricted-syntax -- a bench script, like the tests, reads the infra env
  const env = process.env;
  const config = analyticsConfigSchema.parse({
    KAFKA_BROKERS: env['KAFKA_BROKERS'],
    MONGODB_URI: env['MONGODB_URI'],
    INTERNAL_API_TOKEN: 'bench-token-0123456789abcdef',
    ANALYTICS_CONSUMER_GROUP_PREFIX: `bench-${suffix}`,
    ANALYTICS_RETENTION_DAYS: '0',
  });
  const registry = createRegistry('analytics-bench');
  const mongo = new MongoDatabase({
    uri: config.MONGODB_URI,
    dbName: `bench_analytics_${suffix}`,
    logger,
  });
  const messaging = new KafkaMessaging({
    service: 'analytics-bench',
    brokers: config.KAFKA_BROKERS,
    logger,
  });
  await mongo.connect();
  await messaging.connect();
  const topics = {
    results: defineTopic({
      topic: `bench.results.${suffix}`,
      type: 'execution.finished',
      schemaVersion: 1,
      payload: executionResultSchema,
      keyOf: (p) => String(p.device.id),
    }),
    events: defineTopic({
      topic: `bench.events.${suffix}`,
      type: 'execution.progressed',
      schemaVersion: 1,
      payload: executionEventSchema,
      keyOf: (p) => String(p.device.id),
    }),
    requests: defineTopic({
      topic: `bench.requests.${suffix}`,
      type: 'execution.requested',
      schemaVersion: 1,
      payload: executionRequestSchema,
      keyOf: (p) => String(p.device.id),
    }),
  };
  await messaging.ensureTopics(Object.values(topics), { partitions: 4, replicationFactor: 1 });
  const now = Date.now();
  for (let i = 0; i < LOGS; i += 2000)
    await messaging.publishMany(
      topics.results,
      Array.from({ length: Math.min(2000, LOGS - i) }, (_, k) => result(i + k, now)),
    );

  const wired = await wireAnalytics(
    {
      service: 'analytics',
      logger,
      registry,
      messagingMetrics: createMessagingMetrics(registry),
      messaging,
      mongo,
      readiness: [],
      isShuttingDown: () => false,
    },
    config,
    { topics, maxWaitTimeMs: 100 },
  );
  const started = Date.now();
  await wired.start?.();
  while ((await wired.logs.logs.collection.estimatedDocumentCount()) < LOGS)
    await new Promise((r) => setTimeout(r, 250));
  const ingestSeconds = (Date.now() - started) / 1000;
  console.log(
    `ingest: ${LOGS} results in ${ingestSeconds.toFixed(1)} s = ${Math.round(LOGS / ingestSeconds)} results/s (includes consumer group join)`,
  );

  const server = http.createServer(wired.app).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as AddressInfo).port;
  const get = async (path: string, sink?: (chunk: Buffer) => void) => {
    const t = Date.now();
    await new Promise<void>((resolve, reject) => {
      http.get(
        { port, path, headers: { 'x-toolkit-internal-token': 'bench-token-0123456789abcdef' } },
        (res) => {
          void pipeline(
            res,
            new Writable({
              write(c: Buffer, _e, done) {
                sink?.(c);
                done();
              },
            }),
          ).then(resolve, reject);
        },
      );
    });
    return Date.now() - t;
  };
  for (const q of ['', '?platform=linux', '?device_id=5', '?username=netops']) {
    const times = [];
    for (let k = 0; k < 3; k++)
      times.push(await get(`/api/plugins/toolkit/command-logs/statistics/${q}`));
    console.log(`statistics${q || ' (no filter)'}: ${times.join(' / ')} ms`);
  }
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const before = process.memoryUsage().rss;
  let bytes = 0;
  const ms = await get(
    '/api/plugins/toolkit/command-logs/export/?format=csv',
    (c) => (bytes += c.length),
  );
  clearInterval(sampler);
  console.log(
    `export csv: ${LOGS} rows, ${(bytes / 1e6).toFixed(1)} MB in ${ms} ms = ${Math.round(LOGS / (ms / 1000))} rows/s; RSS before ${Math.round(before / 1e6)} MB, peak ${Math.round(peak / 1e6)} MB (server and client in one process)`,
  );

  server.close();
  for (const c of wired.closers ?? []) await c.close();
  await messaging.disconnect();
  await mongo.connection.dropDatabase();
  await mongo.disconnect();
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
