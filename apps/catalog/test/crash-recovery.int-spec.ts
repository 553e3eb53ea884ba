import { randomUUID } from 'node:crypto';
import { INTERNAL_HEADERS, encodeHeaderJson } from '@toolkit/contracts';
import { MongoDatabase } from '@toolkit/mongo';
import { memoryLogger, startServiceProcess, testInfra, waitForLine } from '@toolkit/testing';
import type { ServiceProcess } from '@toolkit/testing';
import { ALICE } from './support/catalog-kit';

/**
 * The catalog killed (SIGKILL) in the middle of a 5,000-item bulk create, then started
 * again: the write is rolled back whole, with no change record or event left behind, and
 * the restarted process writes and publishes as before.
 */
const TOKEN = 'crash-test-internal-token-0123456789';
const ITEMS = 5_000;

describe('a catalog write interrupted by a crash', () => {
  const database = `crash_test_catalog_${randomUUID().slice(0, 8)}`;
  const store = new MongoDatabase({
    uri: testInfra().mongoUri,
    dbName: database,
    logger: memoryLogger().logger,
  });
  const processes: ServiceProcess[] = [];

  const start = async () => {
    const started = startServiceProcess('catalog', {
      MONGODB_DB: database,
      INTERNAL_API_TOKEN: TOKEN,
      CREDENTIAL_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
      EXECUTION_KEYS: `k1:${Buffer.alloc(32, 2).toString('base64')}`,
      CATALOG_WRITE_ABANDON_MS: '1000',
      CATALOG_RECOVERY_INTERVAL_MS: '200',
    });
    processes.push(started);
    const listening = await waitForLine(started, (l) => l['msg'] === 'catalog listening');
    return { started, url: `http://127.0.0.1:${String(listening['port'])}` };
  };
  const count = (collection: string, filter: Record<string, unknown> = {}) =>
    store.connection.collection(collection).countDocuments(filter);

  const post = (url: string, body: unknown) =>
    fetch(`${url}/api/dcim/sites/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [INTERNAL_HEADERS.token]: TOKEN,
        [INTERNAL_HEADERS.principal]: encodeHeaderJson(ALICE),
      },
      body: JSON.stringify(body),
    }).then((r) => r.status);

  beforeAll(async () => {
    await store.connect();
  });

  afterAll(async () => {
    for (const p of processes) p.child.kill('SIGKILL');
    await store.connection.dropDatabase();
    await store.disconnect();
  });

  it('when the process dies mid-write, then after a restart the write is rolled back whole, its change log and events with it', async () => {
    const first = await start();
    const tag = randomUUID().slice(0, 8);
    const answer = post(
      first.url,
      Array.from({ length: ITEMS }, (_, i) => ({ name: `${tag}-${i}`, slug: `${tag}-${i}` })),
    ).catch(() => 'connection lost');

    // Killed once part of the batch is stored.
    const deadline = Date.now() + 60_000;
    let storedAtKill = 0;
    while (Date.now() < deadline && storedAtKill === 0) {
      storedAtKill = await count('sites');
      if (storedAtKill === 0) await new Promise((r) => setTimeout(r, 5));
    }
    first.started.child.kill('SIGKILL');
    await first.started.exited;
    const storedAfterKill = await count('sites');
    const openAfterKill = await count('write_journal', { kind: 'txn', state: 'open' });

    const second = await start();
    const recoveredBy = Date.now() + 30_000;
    while (
      Date.now() < recoveredBy &&
      (await count('write_journal', { kind: 'txn', state: 'open' })) > 0
    )
      await new Promise((r) => setTimeout(r, 100));

    const after = await post(second.url, [{ name: `${tag}-after`, slug: `${tag}-after` }]);
    const publishedBy = Date.now() + 30_000;
    while (Date.now() < publishedBy && (await count('outbox')) > 0)
      await new Promise((r) => setTimeout(r, 100));

    expect(await answer).toBe('connection lost');
    expect(after).toBe(201);
    expect(storedAtKill).toBeGreaterThan(0);
    expect(storedAfterKill).toBeLessThan(ITEMS);
    expect(openAfterKill).toBe(1);
    expect({
      sites: await count('sites'),
      changes: await count('object_changes'),
      events: await count('outbox'),
      open: await count('write_journal', { kind: 'txn', state: 'open' }),
      rolledBack: await count('write_journal', { kind: 'txn', state: 'rolled_back' }),
    }).toEqual({ sites: 1, changes: 1, events: 0, open: 0, rolledBack: 1 });
  }, 120_000);
});
