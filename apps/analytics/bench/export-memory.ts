/**
 * Export memory (not a test): an export-only process, no Kafka and no consumers, so its
 * RSS is the service's export path and nothing else. Needs MONGODB_URI:
 *   node --expose-gc --import tsx apps/analytics/bench/export-memory.ts --logs 100000
 *     [--runs 3] [--format csv|ndjson|json] [--db NAME --keep] [--seed-only]
 * Seeds --logs logs through the repository (batches of 5,000, into a fresh database),
 * then runs the export --runs times through the real HTTP app, printing rows/s, RSS and
 * V8 heap before each export, their peaks (sampled every 20 ms) and after a forced GC, so
 * retained memory can be told from memory not yet collected. --db/--keep/--seed-only
 * leave a seeded database behind, e.g. to export it from the bundled service
 * (`node dist/apps/analytics/main.js` with MONGODB_DB=NAME) and watch its RSS.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createLogger } from '@toolkit/logger';
import { createRegistry } from '@toolkit/metrics';
import { MongoDatabase } from '@toolkit/mongo';
import { CommandLogRepository, ExecutionRepository } from '@toolkit/analytics-data-access';
import { createApp } from '../src/app';
import { sampleResult } from './bench-results';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const LOGS = Number(arg('logs', '100000'));
const RUNS = Number(arg('runs', '3'));
const FORMAT = arg('format', 'csv');
const DB = arg('db', `bench_export_${randomUUID().slice(0, 8)}`);
const KEEP = process.argv.includes('--keep');
const SEED_ONLY = process.argv.includes('--seed-only');
const TOKEN = 'bench-token-0123456789abcdef';
const mb = (bytes: number) => Math.round(bytes / 1e6);

const collect = () => (globalThis as { gc?: () => void }).gc?.();

async function main() {
  const logger = createLogger({ service: 'analytics-export-memory', level: 'warn' });
  // eslint-disable-next-line no-restricted-syntax -- a bench script reads the infra env
  const uri = process.env['MONGODB_URI'] ?? 'mongodb://127.0.0.1:27117/';
  const mongo = new MongoDatabase({
    uri,
    dbName: DB,
    logger,
  });
  await mongo.connect();
  const logs = new CommandLogRepository(mongo.connection);
  const executions = new ExecutionRepository(mongo.connection);
  await mongo.ensureIndexes([...logs.models(), ...executions.models()]);
  collect();
  console.log(
    `process after imports and connect: RSS ${mb(process.memoryUsage().rss)} MB, heap ${mb(process.memoryUsage().heapUsed)} MB`,
  );
  const now = Date.now();
  const seedStarted = Date.now();
  for (let i = 0; i < LOGS; i += 5000)
    await logs.ingest(
      Array.from({ length: Math.min(5000, LOGS - i) }, (_, k) => sampleResult(i + k, now)),
    );
  console.log(`seeded ${LOGS} logs in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s`);
  if (SEED_ONLY) {
    await mongo.disconnect();
    return;
  }

  const app = createApp({
    logger,
    registry: createRegistry('analytics-export-memory'),
    readiness: [],
    isShuttingDown: () => false,
    bodyLimitBytes: 1_000_000,
    internalToken: TOKEN,
    logs,
    executions,
  });
  const server = http.createServer(app).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as AddressInfo).port;

  for (let run = 1; run <= RUNS; run++) {
    collect();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakHeap = before.heapUsed;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 20);
    const started = Date.now();
    let bytes = 0;
    await new Promise<void>((resolve, reject) => {
      http
        .get(
          {
            port,
            path: `/api/plugins/toolkit/command-logs/export/?format=${FORMAT}`,
            headers: { 'x-toolkit-internal-token': TOKEN },
          },
          (res) => {
            res.on('data', (c: Buffer) => (bytes += c.length));
            res.on('end', resolve);
            res.on('error', reject);
          },
        )
        .on('error', reject);
    });
    const ms = Date.now() - started;
    clearInterval(sampler);
    collect();
    const after = process.memoryUsage();
    console.log(
      `export ${FORMAT} #${run}: ${LOGS} rows, ${(bytes / 1e6).toFixed(1)} MB in ${ms} ms = ${Math.round(LOGS / (ms / 1000))} rows/s; ` +
        `RSS ${mb(before.rss)} -> peak ${mb(peakRss)} -> after GC ${mb(after.rss)} MB; ` +
        `heap ${mb(before.heapUsed)} -> peak ${mb(peakHeap)} -> after GC ${mb(after.heapUsed)} MB`,
    );
  }
  server.close();
  if (!KEEP) await mongo.connection.dropDatabase();
  await mongo.disconnect();
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
