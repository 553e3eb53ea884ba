import { randomBytes, randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { ensureCatalogIndexes } from '@toolkit/catalog-data-access';
import {
  catalogEventSchema,
  defineTopic,
  encodeHeaderJson,
  INTERNAL_HEADERS,
} from '@toolkit/contracts';
import type { Principal } from '@toolkit/contracts';
import { createKeyring } from '@toolkit/crypto';
import type { Keyring } from '@toolkit/crypto';
import { connectTestInfra, installedTemplateLibrary } from '@toolkit/testing';
import type { TestInfra } from '@toolkit/testing';
import { createApp } from '../../src/app';
import type { CatalogAppDeps } from '../../src/app';
import { wireCatalog } from '../../src/wiring';
import type { Catalog } from '../../src/wiring';

export const INTERNAL_TOKEN = 'test-internal-token-0123456789';
export const ALICE: Principal = { id: 7, username: 'alice', isSuperuser: false };
export const BOB: Principal = { id: 8, username: 'bob', isSuperuser: false };

export interface CatalogKit {
  infra: TestInfra;
  app: Express;
  catalog: Catalog;
  keys: { credential: Keyring; execution: Keyring };
  eventsTopic: ReturnType<typeof testEventsTopic>;
  makeApp(overrides?: Partial<CatalogAppDeps>): Express;
  close(): Promise<void>;
}

export function testEventsTopic() {
  return defineTopic({
    topic: `test.catalog.events.${randomUUID().slice(0, 8)}`,
    type: 'catalog.changed',
    schemaVersion: 1,
    payload: catalogEventSchema,
    keyOf: (p) => `${p.entity}:${p.id}`,
  });
}

/** The catalog app over a fresh database and its own events topic. */
export async function startCatalog(): Promise<CatalogKit> {
  const infra = await connectTestInfra('catalog');
  await ensureCatalogIndexes(infra.mongo);
  const eventsTopic = testEventsTopic();
  await infra.messaging.ensureTopics([eventsTopic], { partitions: 1, replicationFactor: 1 });
  const keys = {
    credential: createKeyring('c1', { c1: randomBytes(32) }),
    execution: createKeyring('e1', { e1: randomBytes(32) }),
  };
  const makeApp = (overrides: Partial<CatalogAppDeps> = {}) =>
    createApp({
      ...infra,
      bodyLimitBytes: 1024 * 1024,
      internalToken: INTERNAL_TOKEN,
      credentialKeys: keys.credential,
      executionKeys: keys.execution,
      eventsTopic,
      templateLibrary: installedTemplateLibrary(),
      ...overrides,
    });
  // As main.ts runs it: the outbox relay polls (writes in a lease margin wait for it).
  const catalog = wireCatalog({
    connection: infra.mongo.connection,
    messaging: infra.messaging,
    logger: infra.logger,
    credentialKeys: keys.credential,
    executionKeys: keys.execution,
    eventsTopic,
    outboxPollMs: 200,
    templateLibrary: installedTemplateLibrary(),
  });
  catalog.relay.start();
  return {
    infra,
    app: makeApp({ catalog }),
    catalog,
    keys,
    eventsTopic,
    makeApp,
    close: async () => {
      await catalog.relay.stop();
      await infra.close();
    },
  };
}

export interface As {
  principal?: Principal;
  constraints?: Record<string, unknown>[] | null;
}

/** Requests the way the gateway sends them: internal token, principal, constraints, forwarded host. */
export function api(app: Express, as: As = { principal: ALICE }) {
  const decorate = (test: request.Test) => {
    test.set(INTERNAL_HEADERS.token, INTERNAL_TOKEN).set(INTERNAL_HEADERS.forwardedProto, 'https');
    test.set(INTERNAL_HEADERS.forwardedHost, 'netbox.example.com');
    if (as.principal) test.set(INTERNAL_HEADERS.principal, encodeHeaderJson(as.principal));
    if (as.constraints !== undefined)
      test.set(INTERNAL_HEADERS.constraints, encodeHeaderJson(as.constraints));
    return test;
  };
  const agent = request(app);
  return {
    get: (path: string) => decorate(agent.get(path)),
    post: (path: string, body?: unknown) => decorate(agent.post(path)).send(body as object),
    put: (path: string, body?: unknown) => decorate(agent.put(path)).send(body as object),
    patch: (path: string, body?: unknown) => decorate(agent.patch(path)).send(body as object),
    delete: (path: string, body?: unknown) =>
      body === undefined
        ? decorate(agent.delete(path))
        : decorate(agent.delete(path)).send(body as object),
    options: (path: string) => decorate(agent.options(path)),
  };
}

export const BASE = 'https://netbox.example.com';

/** Every permission a render checks, granted without constraints. */
export const ALL_GRANTED = {
  execute_show: null,
  execute_config: null,
  view_command: null,
  view_device: null,
} as const;

/**
 * A `/internal/render` body as the gateway sends it, for ALICE with every permission and a
 * one-time login; `overrides` replaces whole fields (`permissions` is merged).
 */
export function renderBody(
  commandId: number,
  deviceId: number,
  overrides: { variables?: Record<string, string>; credentials?: Record<string, string> } & {
    permissions?: Record<string, unknown>;
  } = {},
) {
  return {
    execution_id: randomUUID(),
    command_id: commandId,
    device_id: deviceId,
    variables: overrides.variables ?? {},
    credentials: overrides.credentials ?? { username: 'admin', password: 'pw' },
    requester: { id: ALICE.id, username: ALICE.username },
    permissions: { ...ALL_GRANTED, ...overrides.permissions },
  };
}

export function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
