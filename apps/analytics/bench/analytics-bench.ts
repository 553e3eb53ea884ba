/**
 * Analytics figures (not a test). Needs KAFKA_BROKERS and MONGODB_URI:
 *   eval "$(bash tools/scripts/infra.sh env)"
 *   node --import tsx apps/analytics/bench/analytics-bench.ts --logs 10000 [--batch 1000]
 *     [--partitions 4] [--runs 5] [--server-pid <pid of the MongoDB-wire server>]
 *     [--seed 1000000 [--seed-batch 5000]] [--skip-log-scans] [--one-export | --skip-exports]
 * Seed (optional, first): --seed logs written straight into the database through the
 * repository's ingest (logs, rollups and the rollup ledger, no executions, no Kafka), in
 * batches of --seed-batch, so statistics and exports can be measured over a large
 * collection without waiting for the consumer; its rate is printed but is not the ingest
 * figure. Ingest: --logs results published to a fresh topic, consumed by the real batched
 * consumer into logs, rollups and executions; progress is read from the consumer's counter
 * (never by counting logs, which scans the collection on FerretDB). Then statistics
 * latency per filter (median of --runs), the same reads timed with the plain driver (what
 * the server costs), and CSV/NDJSON exports of every log (rows/s, this process's RSS
 * sampled every 20 ms, and the server's RSS when --server-pid is given). For large runs,
 * --skip-log-scans leaves out the statistics that read every matching log and the driver's
 * log scans, --one-export runs only the CSV export in the default ordering.
 */
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  executionCompletionsTopic,
  executionEventsTopic,
  executionRequestsTopic,
  executionResultsTopic,
  onTopic,
} from '@toolkit/contracts';
import { createLogger } from '@toolkit/logger';
import { KafkaMessaging } from '@toolkit/messaging';
import { createMessagingMetrics, createRegistry } from '@toolkit/metrics';
import { MongoDatabase } from '@toolkit/mongo';
import { analyticsConfigSchema } from '../src/config';
import { wireAnalytics } from '../src/wiring';
import { sampleResult } from './bench-results';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const LOGS = arg('logs', 10_000);
const BATCH = arg('batch', 1000);
const PARTITIONS = arg('partitions', 4);
const RUNS = arg('runs', 5);
const SERVER_PID = arg('server-pid', 0);
const SEED = arg('seed', 0);
const SEED_BATCH = arg('seed-batch', 5000);
const SKIP_EXPORTS = process.argv.includes('--skip-exports');
const ONE_EXPORT = process.argv.includes('--one-export');
const SKIP_LOG_SCANS = process.argv.includes('--skip-log-scans');
const TOKEN = 'bench-token-0123456789abcdef';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const serverRss = () => {
  if (!SERVER_PID) return 0;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${SERVER_PID}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
};
const mb = (bytes: number) => Math.round(bytes / 1e6);

async function timedMs(work: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function main() {
  const suffix = Math.random().toString(16).slice(2, 10);
  const logger = createLogger({ service: 'analytics-bench', level: 'warn' });
  // eslint-disable-next-line no-restricted-syntax -- a bench script, like the tests, reads the infra env
  const env = process.env;
  const config = analyticsConfigSchema.parse({
    KAFKA_BROKERS: env['KAFKA_BROKERS'],
    MONGODB_URI: env['MONGODB_URI'],
    INTERNAL_API_TOKEN: TOKEN,
    ANALYTICS_CONSUMER_GROUP_PREFIX: `bench-${suffix}`,
    ANALYTICS_BATCH_SIZE: String(BATCH),
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
    results: onTopic(executionResultsTopic, `bench.results.${suffix}`),
    events: onTopic(executionEventsTopic, `bench.events.${suffix}`),
    requests: onTopic(executionRequestsTopic, `bench.requests.${suffix}`),
    completions: onTopic(executionCompletionsTopic, `bench.completions.${suffix}`),
  };
  await messaging.ensureTopics(Object.values(topics), {
    partitions: PARTITIONS,
    replicationFactor: 1,
  });
  const now = Date.now();
  for (let i = 0; i < LOGS; i += 2000)
    await messaging.publishMany(
      topics.results,
      Array.from({ length: Math.min(2000, LOGS - i) }, (_, k) => sampleResult(i + k, now)),
    );
  const firstExecutionId = sampleResult(0, now).executionId; // a fresh id: misses

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
  const inserted = async () => {
    const text = await registry.getSingleMetricAsString('toolkit_analytics_results_ingested_total');
    const line = text.split('\n').find((l) => l.includes('outcome="inserted"'));
    return line ? Number(line.split(' ').pop()) : 0;
  };
  if (SEED > 0) {
    const seedStarted = Date.now();
    let lastSeedReport = seedStarted;
    for (let i = 0; i < SEED; i += SEED_BATCH) {
      const n = Math.min(SEED_BATCH, SEED - i);
      // Offsets past --logs keep the same spread of commands, devices and times.
      await wired.logs.ingest(Array.from({ length: n }, (_, k) => sampleResult(LOGS + i + k, now)));
      if (Date.now() - lastSeedReport >= 10_000) {
        lastSeedReport = Date.now();
        console.log(
          `  ... seeded ${i + n} logs after ${((lastSeedReport - seedStarted) / 1000).toFixed(0)} s`,
        );
      }
    }
    const seconds = (Date.now() - seedStarted) / 1000;
    console.log(
      `seed: ${SEED} logs (and rollups) through the repository in batches of ${SEED_BATCH}: ${seconds.toFixed(1)} s = ${Math.round(SEED / seconds)} logs/s`,
    );
  }
  const TOTAL = LOGS + SEED;
  const started = Date.now();
  await wired.start?.();
  let firstAt = 0;
  let lastReport = started;
  for (;;) {
    const n = await inserted();
    if (n > 0 && firstAt === 0) firstAt = Date.now();
    if (Date.now() - lastReport >= 10_000) {
      lastReport = Date.now();
      console.log(`  ... ${n} results after ${((lastReport - started) / 1000).toFixed(0)} s`);
    }
    if (n >= LOGS) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const done = Date.now();
  const total = (done - started) / 1000;
  const steady = (done - firstAt) / 1000;
  console.log(
    `ingest: ${LOGS} results (batch ${BATCH}, ${PARTITIONS} partitions) in ${total.toFixed(1)} s = ${Math.round(LOGS / total)} results/s with the group join; ${Math.round(LOGS / steady)} results/s from the first batch written`,
  );
  const logsCollection = wired.logs.logs.collection;
  const rollupCount = await wired.logs.rollups.collection.countDocuments({});
  console.log(`rollup documents: ${rollupCount}`);

  const server = http.createServer(wired.app).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as AddressInfo).port;
  const get = async (path: string, sink?: (chunk: Buffer) => void) => {
    const t = Date.now();
    await new Promise<void>((resolve, reject) => {
      http.get({ port, path, headers: { 'x-toolkit-internal-token': TOKEN } }, (res) => {
        void pipeline(
          res,
          new Writable({
            write(c: Buffer, _e, done) {
              sink?.(c);
              done();
            },
          }),
        ).then(resolve, reject);
      });
    });
    return Date.now() - t;
  };
  const hourAgo = new Date(Math.floor(now / 3_600_000) * 3_600_000 - 3_600_000);
  const queries: [string, string][] = [
    ['no filter', ''],
    ['platform=linux', '?platform=linux'],
    ['success=false', '?success=false'],
    ['whole hours', `?execution_time_after=${hourAgo.toISOString()}`],
  ];
  if (!SKIP_LOG_SCANS)
    queries.push(
      ['device_id=5 (top commands from the logs)', '?device_id=5'],
      ['command_id=3 (top devices from the logs)', '?command_id=3'],
      ['username=netops (logs scan)', '?username=netops'],
    );
  for (const [name, q] of queries) {
    const times: number[] = [];
    let source = '';
    for (let k = 0; k < RUNS; k++)
      times.push(
        await get(`/api/plugins/toolkit/command-logs/statistics/${q}`, (c) => {
          const m = /"source":"(\w+)"/.exec(c.toString());
          if (m) source = m[1] ?? '';
        }),
      );
    console.log(
      `statistics ${name}: median ${median(times)} ms (${times.join(' / ')}) from ${source}`,
    );
  }

  // The same reads with the plain driver: what the server costs, without our code.
  const rollupsCollection = wired.logs.rollups.collection;
  const since = new Date(Date.now() - 24 * 3_600_000);
  const direct: [string, () => Promise<unknown>][] = [
    [
      'rollups grain=totals (all hours)',
      () => rollupsCollection.find({ grain: 'totals' }).toArray(),
    ],
    [
      'rollups grain=devices (all hours)',
      () => rollupsCollection.find({ grain: 'devices' }).toArray(),
    ],
    [
      'logs edge of last 24h (execution_time < first whole hour)',
      () =>
        logsCollection
          .find(
            {
              execution_time: {
                $gte: since,
                $lt: new Date(Math.ceil(since.getTime() / 3_600_000) * 3_600_000),
              },
            },
            { projection: { _id: 1 } },
          )
          .toArray(),
    ],
    [
      'logs findOne by _id (primary key)',
      () => logsCollection.findOne({ _id: firstExecutionId } as never),
    ],
    ['logs countDocuments({})', () => logsCollection.countDocuments({})],
  ];
  const scans = /edge|countDocuments/;
  for (const [name, work] of direct.filter(([n]) => !SKIP_LOG_SCANS || !scans.test(n))) {
    const times: number[] = [];
    for (let k = 0; k < RUNS; k++) times.push(await timedMs(work));
    console.log(`driver ${name}: median ${Math.round(median(times))} ms`);
  }

  const exportRun = async (format: string, ordering: string) => {
    let peak = process.memoryUsage().rss;
    let serverPeak = serverRss();
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
      serverPeak = Math.max(serverPeak, serverRss());
    }, 20);
    const before = process.memoryUsage().rss;
    const serverBefore = serverRss();
    let bytes = 0;
    const ms = await get(
      `/api/plugins/toolkit/command-logs/export/?format=${format}${ordering}`,
      (c) => (bytes += c.length),
    );
    clearInterval(sampler);
    console.log(
      `export ${format}${ordering || ' (default ordering)'}: ${TOTAL} rows, ${(bytes / 1e6).toFixed(1)} MB in ${ms} ms = ${Math.round(TOTAL / (ms / 1000))} rows/s; bench process RSS ${mb(before)} -> peak ${mb(peak)} MB` +
        (SERVER_PID ? `; server RSS ${mb(serverBefore)} -> peak ${mb(serverPeak)} MB` : ''),
    );
  };
  if (!SKIP_EXPORTS) {
    await exportRun('csv', '');
    if (!ONE_EXPORT) {
      await exportRun('csv', '&ordering=id');
      await exportRun('ndjson', '');
    }
  }

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
