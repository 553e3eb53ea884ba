/**
 * Write latency of the catalog over a real HTTP port (not a test): sequential single-object
 * creates and updates, and bulk creates, each answered only once the objects, their change
 * records and their events (the outbox) are stored. Needs the local infra:
 *   eval "$(bash tools/scripts/infra.sh env)"
 *   node --import tsx apps/catalog/bench/write-latency.ts [rounds] [bulk-size]
 * Uses its own database (dropped at the end) and events topic.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { ensureCatalogIndexes } from '@toolkit/catalog-data-access';
import { kafkaEnv, loadConfigOrExit, mongoEnv } from '@toolkit/config';
import {
  catalogEventSchema,
  defineTopic,
  encodeHeaderJson,
  INTERNAL_HEADERS,
} from '@toolkit/contracts';
import { createKeyring } from '@toolkit/crypto';
import { createLogger } from '@toolkit/logger';
import { KafkaMessaging } from '@toolkit/messaging';
import { createRegistry } from '@toolkit/metrics';
import { MongoDatabase } from '@toolkit/mongo';
import { createApp } from '../src/app';

const config = loadConfigOrExit(z.object({ ...kafkaEnv, ...mongoEnv }));
const ROUNDS = Number(process.argv[2] ?? 200);
const BULK = Number(process.argv[3] ?? 1000);
const TOKEN = 'bench-internal-token-0123456789';

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const logger = createLogger({ service: 'catalog-write-bench', level: 'warn' });
  const mongo = new MongoDatabase({
    uri: config.MONGODB_URI,
    dbName: `catalog_write_bench_${randomUUID().slice(0, 8)}`,
    logger,
  });
  const messaging = new KafkaMessaging({
    service: 'catalog-write-bench',
    brokers: config.KAFKA_BROKERS,
    logger,
  });
  const eventsTopic = defineTopic({
    topic: `bench.catalog.events.${randomUUID().slice(0, 8)}`,
    type: 'catalog.changed',
    schemaVersion: 1,
    payload: catalogEventSchema,
    keyOf: (p) => `${p.entity}:${p.id}`,
  });
  await mongo.connect();
  await messaging.connect();
  await messaging.ensureTopics([eventsTopic], { partitions: 1, replicationFactor: 1 });
  try {
    await ensureCatalogIndexes(mongo);
    const app = createApp({
      logger,
      registry: createRegistry('catalog-write-bench'),
      readiness: [],
      isShuttingDown: () => false,
      bodyLimitBytes: 64 * 1024 * 1024,
      mongo,
      messaging,
      internalToken: TOKEN,
      credentialKeys: createKeyring('c1', { c1: randomBytes(32) }),
      executionKeys: createKeyring('e1', { e1: randomBytes(32) }),
      eventsTopic,
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const headers = {
      'content-type': 'application/json',
      [INTERNAL_HEADERS.token]: TOKEN,
      [INTERNAL_HEADERS.principal]: encodeHeaderJson({
        id: 1,
        username: 'bench',
        isSuperuser: true,
      }),
    };
    const call = async (method: string, path: string, body: unknown) => {
      const started = process.hrtime.bigint();
      const res = await fetch(`${base}${path}`, { method, headers, body: JSON.stringify(body) });
      const payload = (await res.json()) as { id?: number };
      if (res.status >= 300)
        throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(payload)}`);
      return { ms: Number(process.hrtime.bigint() - started) / 1e6, payload };
    };
    const tag = randomUUID().slice(0, 6);
    const creates: number[] = [];
    const updates: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const created = await call('POST', '/api/dcim/sites/', {
        name: `${tag}-${i}`,
        slug: `${tag}-${i}`,
      });
      creates.push(created.ms);
      updates.push(
        (await call('PATCH', `/api/dcim/sites/${created.payload.id}/`, { description: 'x' })).ms,
      );
    }
    const bulk: number[] = [];
    for (let round = 0; round < 3; round++)
      bulk.push(
        (
          await call(
            'POST',
            '/api/dcim/sites/',
            Array.from({ length: BULK }, (_, i) => ({
              name: `${tag}-b${round}-${i}`,
              slug: `${tag}-b${round}-${i}`,
            })),
          )
        ).ms,
      );
    const report = (name: string, values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      console.log(
        `${name.padEnd(28)} p50 ${percentile(sorted, 50).toFixed(1)} ms  p95 ${percentile(sorted, 95).toFixed(1)} ms  (n=${values.length})`,
      );
    };
    console.log(`catalog write latency, ${new Date().toISOString()}`);
    report('create one site', creates);
    report('update one site', updates);
    report(`bulk create ${BULK} sites`, bulk);
    await new Promise((resolve) => server.close(resolve));
    // The last events leave the outbox before the connections close.
    const outbox = mongo.connection.collection('outbox');
    for (let i = 0; i < 100 && (await outbox.countDocuments()) > 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    await messaging.disconnect();
    await mongo.connection.dropDatabase();
    await mongo.disconnect();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
