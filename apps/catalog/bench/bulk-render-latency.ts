/**
 * Bulk render (`POST /internal/render/bulk`, `RenderCommand.renderMany`) against a real
 * store (not a test): 1,000 items over 100 devices and 25 commands, one credential token,
 * answered over HTTP and by the use case at several concurrencies, beside the same items
 * rendered one `render` each (no shared reads). Needs the local infra:
 *   eval "$(bash tools/scripts/infra.sh env)"
 *   node --import tsx apps/catalog/bench/bulk-render-latency.ts [rounds]
 * Uses its own database (dropped at the end); Kafka is not used.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { BULK_RENDER_PATH } from '@toolkit/api-contracts';
import type { BulkRenderRequest } from '@toolkit/api-contracts';
import { ensureCatalogIndexes } from '@toolkit/catalog-data-access';
import type { RequestContext } from '@toolkit/catalog-domain';
import { loadConfigOrExit, mongoEnv } from '@toolkit/config';
import { encodeHeaderJson, INTERNAL_HEADERS } from '@toolkit/contracts';
import { createKeyring } from '@toolkit/crypto';
import { createLogger } from '@toolkit/logger';
import type { Messaging } from '@toolkit/messaging';
import { createRegistry } from '@toolkit/metrics';
import { MongoDatabase } from '@toolkit/mongo';
import { createApp } from '../src/app';
import { wireCatalog } from '../src/wiring';

const config = loadConfigOrExit(z.object({ ...mongoEnv }));
const ROUNDS = Number(process.argv[2] ?? 5);
const TOKEN = 'bench-internal-token-0123456789';
const DEVICES = 100;
const COMMANDS = 25;
const ITEMS = 1_000;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

async function main(): Promise<void> {
  const logger = createLogger({ service: 'catalog-render-bench', level: 'warn' });
  const mongo = new MongoDatabase({
    uri: config.MONGODB_URI,
    dbName: `catalog_render_bench_${randomUUID().slice(0, 8)}`,
    logger,
  });
  await mongo.connect();
  try {
    await ensureCatalogIndexes(mongo);
    const keys = {
      credential: createKeyring('c1', { c1: randomBytes(32) }),
      execution: createKeyring('e1', { e1: randomBytes(32) }),
    };
    // Kafka is not needed: the outbox's events are dropped.
    const messaging: Pick<Messaging, 'publishMany'> = {
      publishMany: () => Promise.resolve([]),
    };
    const catalog = wireCatalog({
      connection: mongo.connection,
      messaging,
      logger,
      credentialKeys: keys.credential,
      executionKeys: keys.execution,
    });
    const app = createApp({
      logger,
      registry: createRegistry('catalog-render-bench'),
      readiness: [],
      isShuttingDown: () => false,
      bodyLimitBytes: 64 * 1024 * 1024,
      mongo,
      messaging,
      internalToken: TOKEN,
      credentialKeys: keys.credential,
      executionKeys: keys.execution,
      catalog,
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const principal = { id: 1, username: 'bench', isSuperuser: true };
    const headers = {
      'content-type': 'application/json',
      [INTERNAL_HEADERS.token]: TOKEN,
      [INTERNAL_HEADERS.principal]: encodeHeaderJson(principal),
    };
    const call = async <T>(path: string, body: unknown): Promise<T> => {
      const res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      });
      const payload = (await res.json()) as T;
      if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(payload)}`);
      return payload;
    };

    const tag = randomUUID().slice(0, 6);
    const platform = await call<{ id: number }>('/api/dcim/platforms/', {
      name: `IOS ${tag}`,
      slug: `ios-${tag}`,
      driver: 'cisco_ios',
    });
    const site = await call<{ id: number }>('/api/dcim/sites/', { name: tag, slug: tag });
    const devices = await call<{ id: number }[]>(
      '/api/dcim/devices/',
      Array.from({ length: DEVICES }, (_, i) => ({
        name: `${tag}-r${i}`,
        platform: platform.id,
        site: site.id,
        primary_ip4: `10.9.${Math.floor(i / 250)}.${(i % 250) + 1}/24`,
        interfaces: [
          ...Array.from({ length: 8 }, (_, n) => ({
            name: `GigabitEthernet0/${n}`,
            type: '1000base-t',
          })),
          {
            name: 'Vlan99',
            type: 'virtual',
            ip_addresses: [{ address: `10.9.${Math.floor(i / 250)}.${(i % 250) + 1}/24` }],
          },
        ],
      })),
    );
    const commands = await call<{ id: number }[]>(
      '/api/plugins/toolkit/commands/',
      Array.from({ length: COMMANDS }, (_, i) => ({
        name: `${tag}-show-${i}`,
        command: `show interfaces <iface> counters ${i}`,
        platforms: [platform.id],
        variables: [{ name: 'iface', variable_type: 'netbox_interface' }],
      })),
    );
    const set = await call<{ token: string }>('/api/plugins/toolkit/credential-sets/', {
      name: `${tag}-lab`,
      username: 'netops',
      password: 'Sup3rS3cret!',
    });

    const request = (): BulkRenderRequest => ({
      requester: { id: principal.id, username: principal.username },
      permissions: {
        execute_show: null,
        execute_config: null,
        view_command: null,
        view_device: null,
      },
      items: Array.from({ length: ITEMS }, (_, i) => ({
        execution_id: randomUUID(),
        command_id: (commands[i % COMMANDS] as { id: number }).id,
        device_id: (devices[Math.floor(i / (ITEMS / DEVICES))] as { id: number }).id,
        variables: { iface: `GigabitEthernet0/${i % 8}` },
        credentials: { credential_token: set.token },
      })),
    });
    const ctx: RequestContext = {
      principal,
      constraints: undefined,
      requestId: undefined,
      baseUrl: base,
      requestUrl: `${base}${BULK_RENDER_PATH}`,
    };
    const timed = async (rounds: number, run: () => Promise<unknown>): Promise<number> => {
      const times: number[] = [];
      for (let round = 0; round < rounds; round++) {
        const started = process.hrtime.bigint();
        await run();
        times.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      return median(times);
    };
    /** Every item its own `render` (fresh reads each), `concurrency` at a time. */
    const oneByOne = async (concurrency: number) => {
      const { requester, permissions, items } = request();
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < items.length) {
            const item = items[next++] as BulkRenderRequest['items'][number];
            await catalog.render.render({ ...item, requester, permissions }, ctx);
          }
        }),
      );
    };
    // Storage reads (every read of a repository is a `find`), per run.
    let reads = 0;
    for (const service of Object.values(catalog.services)) {
      const repository = service.repository;
      const find = repository.find.bind(repository);
      repository.find = (...args: Parameters<typeof find>) => {
        reads += 1;
        return find(...args);
      };
    }

    const rows: [string, number, number][] = [];
    const measure = async (name: string, rounds: number, run: () => Promise<unknown>) => {
      reads = 0;
      const ms = await timed(rounds, run);
      rows.push([name, ms, reads / rounds]);
    };
    await catalog.render.renderMany(request(), ctx); // warm-up: connections, JIT
    await measure(`HTTP ${BULK_RENDER_PATH}`, ROUNDS, () => call(BULK_RENDER_PATH, request()));
    for (const concurrency of [1, 4, 16, 64])
      await measure(`renderMany, ${concurrency} at a time`, ROUNDS, () =>
        catalog.render.renderMany(request(), ctx, { concurrency }),
      );
    await measure('render per item, 16 at a time', 1, () => oneByOne(16));
    console.log(
      `catalog bulk render: ${ITEMS} items, ${DEVICES} devices, ${COMMANDS} commands, median of ${ROUNDS}, ${new Date().toISOString()}`,
    );
    for (const [name, ms, count] of rows)
      console.log(`${name.padEnd(36)} ${ms.toFixed(0).padStart(6)} ms  ${count} reads`);
    await new Promise((resolve) => server.close(resolve));
  } finally {
    await mongo.connection.dropDatabase();
    await mongo.disconnect();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
