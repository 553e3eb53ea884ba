import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { CommandLogRepository, ExecutionRepository } from '@toolkit/analytics-data-access';
import { createKeyring } from '@toolkit/crypto';
import { connectTestInfra } from '@toolkit/testing';
import type { TestInfra } from '@toolkit/testing';
import { createApp as createAnalyticsApp } from '../../analytics/src/app';
import { createApp as createCatalogApp } from '../../catalog/src/app';
import type { GatewayHarness } from './support/gateway-harness';
import { INTERNAL_TOKEN, listen, startGatewayHarness } from './support/gateway-harness';

const run = promisify(execFile);

/** The real catalog and analytics apps behind the gateway, on ports, driven by pynetbox. */
describe('pynetbox and the documented curl examples against gateway + catalog + analytics in one process', () => {
  let catalogInfra: TestInfra;
  let analyticsInfra: TestInfra;
  let servers: Awaited<ReturnType<typeof listen>>[] = [];
  let h: GatewayHarness;
  let gatewayUrl: string;
  let token: string;

  beforeAll(async () => {
    catalogInfra = await connectTestInfra('catalog');
    analyticsInfra = await connectTestInfra('analytics');
    const keyring = createKeyring('k1', { k1: randomBytes(32) });
    const catalog = await listen(
      createCatalogApp({
        ...catalogInfra,
        bodyLimitBytes: 8 * 1024 * 1024,
        internalToken: INTERNAL_TOKEN,
        credentialKeys: keyring,
        executionKeys: keyring,
      }),
    );
    const logs = new CommandLogRepository(analyticsInfra.mongo.connection, { idBlockSize: 100 });
    const executions = new ExecutionRepository(analyticsInfra.mongo.connection);
    await analyticsInfra.mongo.ensureIndexes([...logs.models(), ...executions.models()]);
    const analytics = await listen(
      createAnalyticsApp({
        ...analyticsInfra,
        bodyLimitBytes: 1024 * 1024,
        internalToken: INTERNAL_TOKEN,
        logs,
        executions,
      }),
    );
    h = await startGatewayHarness({
      catalogUrl: catalog.url,
      analyticsUrl: analytics.url,
      responseTimeoutMs: 60_000,
      overrides: { bodyLimitBytes: 8 * 1024 * 1024 },
    });
    const gateway = await listen(h.app);
    servers = [gateway, catalog, analytics];
    gatewayUrl = gateway.url;
    token = (await h.user({ superuser: true })).key;
  });

  afterAll(async () => {
    for (const server of servers) await server.close();
    await h.close();
    await catalogInfra.close();
    await analyticsInfra.close();
  });

  it('when pynetbox lists, filters, gets, creates, updates, deletes and pages through 1,000+ objects, then every check passes', async () => {
    const script = path.join(__dirname, 'pynetbox', 'run.sh');

    const { stdout } = await run('bash', [script], {
      env: { ...process.env, GATEWAY_URL: gatewayUrl, GATEWAY_TOKEN: token },
      timeout: 300_000,
      maxBuffer: 10 * 1024 * 1024,
    });

    expect(stdout).toContain('pynetbox: all checks passed');
  }, 300_000);

  it('when every curl example of the original documents is replayed, then each answer has the documented status and shape', async () => {
    const script = path.join(__dirname, 'replay-seeds.sh');

    const { stdout } = await run('bash', [script], {
      env: { ...process.env, GATEWAY_URL: gatewayUrl, GATEWAY_TOKEN: token },
      timeout: 120_000,
      maxBuffer: 10 * 1024 * 1024,
    });

    expect(stdout).not.toMatch(/^FAIL /m);
    expect(stdout).toMatch(/^ok {3}seed 003: bulk update devices$/m);
  }, 120_000);
});
