/**
 * List latency with 10,000 devices and 1,000 commands, through createApp over a real HTTP
 * port (not a test). Needs the local infra:
 *   eval "$(bash tools/scripts/infra.sh env)"
 *   node --import tsx apps/catalog/bench/list-latency.ts [rounds] [list-cache-ttl-ms]
 * Seeds its own database (dropped at the end) with bulk inserts, then times filtered
 * pages of 50. Target: p95 under 20 ms.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { createCatalogStore, ensureCatalogIndexes } from '@toolkit/catalog-data-access';
import type { CommandDoc, DeviceDoc, PlatformDoc, SiteDoc } from '@toolkit/catalog-domain';
import { kafkaEnv, loadConfigOrExit, mongoEnv } from '@toolkit/config';
import { encodeHeaderJson, INTERNAL_HEADERS } from '@toolkit/contracts';
import { createKeyring } from '@toolkit/crypto';
import { createLogger } from '@toolkit/logger';
import { createRegistry } from '@toolkit/metrics';
import { MongoDatabase } from '@toolkit/mongo';
import { createApp } from '../src/app';

const config = loadConfigOrExit(z.object({ ...kafkaEnv, ...mongoEnv }));
const DEVICES = 10_000;
const COMMANDS = 1_000;
const ROUNDS = Number(process.argv[2] ?? 200);
/** List cache TTL (ms) of the app under test; 0 = no cache (the plain sorted find + count). */
const TTL_MS = Number(process.argv[3] ?? 2000);
const TOKEN = 'bench-internal-token-0123456789';

async function main(): Promise<void> {
  const logger = createLogger({ service: 'catalog-bench', level: 'warn' });
  const mongo = new MongoDatabase({
    uri: config.MONGODB_URI,
    dbName: `catalog_bench_${randomUUID().slice(0, 8)}`,
    logger,
  });
  await mongo.connect();
  try {
    await ensureCatalogIndexes(mongo);
    const { repositories: repos } = createCatalogStore(mongo.connection);
    const now = new Date();
    const base = { tags: [], custom_fields: {}, created: now, last_updated: now };
    const platforms: PlatformDoc[] = ['ios', 'nxos', 'eos', 'junos', 'linux'].map((slug, i) => ({
      _id: i + 1,
      name: slug.toUpperCase(),
      slug,
      description: '',
      driver: null,
      netbox_id: null,
      ...base,
    }));
    const sites: SiteDoc[] = Array.from({ length: 20 }, (_, i) => ({
      _id: i + 1,
      name: `Site ${i}`,
      slug: `site-${i}`,
      status: 'active',
      description: '',
      netbox_id: null,
      ...base,
    }));
    await repos.platforms.insertMany(platforms);
    await repos.sites.insertMany(sites);
    const statuses = ['active', 'active', 'active', 'planned', 'offline'];
    const t0 = Date.now();
    for (let start = 0; start < DEVICES; start += 1_000) {
      const chunk: DeviceDoc[] = Array.from({ length: 1_000 }, (_, j) => {
        const i = start + j;
        const p = platforms[i % platforms.length] as PlatformDoc;
        const s = sites[i % sites.length] as SiteDoc;
        return {
          _id: i + 1,
          name: `dev-${String(i).padStart(5, '0')}`,
          platform: { id: p._id, name: p.name, slug: p.slug },
          site: { id: s._id, name: s.name, slug: s.slug },
          status: statuses[i % statuses.length] as string,
          serial: `SN${i}`,
          description: '',
          host: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
          port: 22,
          primary_ip4: null,
          primary_ip6: null,
          netbox_id: null,
          ...base,
        };
      });
      await repos.devices.insertMany(chunk);
    }
    const commands: CommandDoc[] = Array.from({ length: COMMANDS }, (_, i) => ({
      _id: i + 1,
      name: `command ${String(i).padStart(4, '0')}`,
      command: `show thing ${i}`,
      description: '',
      platforms: [platforms[i % platforms.length] as PlatformDoc].map((p) => ({
        id: p._id,
        name: p.name,
        slug: p.slug,
      })),
      command_type: i % 4 === 0 ? 'config' : 'show',
      parsing_template: null,
      variables: [],
      ...base,
    }));
    await repos.commands.insertMany(commands);
    process.stdout.write(
      `seeded ${DEVICES} devices and ${COMMANDS} commands in ${Date.now() - t0} ms\n`,
    );

    const key = createKeyring('k', { k: randomBytes(32) });
    const app = createApp({
      logger,
      registry: createRegistry('catalog-bench'),
      readiness: [],
      isShuttingDown: () => false,
      bodyLimitBytes: 1024 * 1024,
      mongo,
      messaging: { publishMany: async () => [] },
      internalToken: TOKEN,
      credentialKeys: key,
      executionKeys: key,
      listCacheTtlMs: TTL_MS,
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const port = (server.address() as AddressInfo).port;
    const headers = {
      [INTERNAL_HEADERS.token]: TOKEN,
      [INTERNAL_HEADERS.principal]: encodeHeaderJson({
        id: 1,
        username: 'bench',
        isSuperuser: true,
      }),
    };
    const scenarios: [string, string][] = [
      [
        'devices: platform + status, page of 50',
        '/api/dcim/devices/?platform=eos&status=active&limit=50',
      ],
      ['devices: site_id, offset 1000', '/api/dcim/devices/?site_id=3&limit=50&offset=200'],
      ['devices: name__ic search', '/api/dcim/devices/?name__ic=dev-01&limit=50'],
      ['devices: unfiltered, brief', '/api/dcim/devices/?brief=true&limit=50'],
      [
        'commands: platform_id + command_type',
        '/api/plugins/toolkit/commands/?platform_id=2&command_type=show&limit=50',
      ],
    ];
    process.stdout.write(`list cache TTL ${TTL_MS} ms\n`);
    for (const [label, path] of scenarios) {
      const times: number[] = [];
      let first = 0;
      for (let i = 0; i < ROUNDS + 3; i++) {
        const started = process.hrtime.bigint();
        const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
        const body = (await response.json()) as { results?: unknown[] };
        if (!response.ok || !body.results) throw new Error(`${path} answered ${response.status}`);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if (i === 0) first = ms;
        if (i >= 3) times.push(ms);
      }
      process.stdout.write(
        `${label.padEnd(42)} ${percentiles(times)}  first ${first.toFixed(1)} ms  (${ROUNDS} requests)\n`,
      );
    }
    server.close();

    // The server's floor: the same device query on the plain driver, no service around it.
    const devices = mongo.connection.db?.collection('devices');
    if (devices) {
      const filter = { 'platform.slug': 'eos', status: 'active' };
      const probes: [string, () => Promise<unknown>][] = [
        [
          'driver: find(filter).sort(name,_id).limit(50)',
          () => devices.find(filter).sort({ name: 1, _id: 1 }).limit(50).toArray(),
        ],
        ['driver: countDocuments(filter)', () => devices.countDocuments(filter)],
        ['driver: find(filter).limit(50), no sort', () => devices.find(filter).limit(50).toArray()],
        [
          'driver: find({_id}) x 50 in parallel',
          () =>
            Promise.all(
              Array.from({ length: 50 }, (_, i) =>
                devices
                  .find({ _id: (i * 7 + 1) as never })
                  .limit(1)
                  .toArray(),
              ),
            ),
        ],
      ];
      for (const [label, probe] of probes) {
        const times: number[] = [];
        for (let i = 0; i < Math.min(ROUNDS, 20) + 1; i++) {
          const started = process.hrtime.bigint();
          await probe();
          if (i >= 1) times.push(Number(process.hrtime.bigint() - started) / 1e6);
        }
        process.stdout.write(`${label.padEnd(46)} ${percentiles(times)}\n`);
      }
    }
  } finally {
    await mongo.connection.dropDatabase().catch(() => undefined);
    await mongo.disconnect();
  }
}

function percentiles(times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  const pct = (p: number) =>
    (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number).toFixed(
      1,
    );
  return `p50 ${pct(50)} ms  p95 ${pct(95)} ms  p99 ${pct(99)} ms`;
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
