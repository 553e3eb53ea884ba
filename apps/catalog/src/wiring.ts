import type { Connection } from 'mongoose';
import {
  ConcurrencyLimit,
  CredentialTokens,
  ObjectChangeLog,
  RenderCommand,
  createCatalogServices,
} from '@toolkit/catalog-domain';
import type {
  CatalogServices,
  Clock,
  EventPublisher,
  SecretBox,
  TokenIssuer,
} from '@toolkit/catalog-domain';
import { createCatalogStore } from '@toolkit/catalog-data-access';
import { CREDENTIAL_TOKEN_PREFIX, objectChangeListSpec } from '@toolkit/api-contracts';
import { catalogEventsTopic } from '@toolkit/contracts';
import type { TopicContract } from '@toolkit/contracts';
import { issueToken, openJson, parseToken, sealJson, secretMatches } from '@toolkit/crypto';
import type { Keyring } from '@toolkit/crypto';
import type { Logger } from '@toolkit/logger';
import type { KafkaMessaging } from '@toolkit/messaging';

export interface CatalogWiringDeps {
  connection: Connection;
  messaging: Pick<KafkaMessaging, 'publishMany'>;
  logger: Logger;
  credentialKeys: Keyring;
  executionKeys: Keyring;
  /** Defaults to toolkit.catalog.events.v1; tests pass their own topic. */
  eventsTopic?: TopicContract<typeof catalogEventsTopic.payload>;
  clock?: Clock;
  /** LIST_CACHE_TTL_MS (see ListCache); defaults to DEFAULT_LIST_CACHE_TTL_MS, 0 disables. */
  listCacheTtlMs?: number;
  /** CHANGELOG_MAX_CONCURRENT_SCANS / CHANGELOG_QUEUED_SCANS; see DEFAULT_CHANGE_LOG_SCANS. */
  changeLogScans?: { running: number; queued: number };
}

/** Change-log lists running at once, and waiting; beyond that a list gets 503. */
export const DEFAULT_CHANGE_LOG_SCANS = { running: 4, queued: 16 };

/** Lists may miss other replicas' writes for this long (this process's writes: never). */
export const DEFAULT_LIST_CACHE_TTL_MS = 2000;

export interface Catalog {
  services: CatalogServices;
  tokens: CredentialTokens;
  render: RenderCommand;
  objectChanges: ObjectChangeLog;
}

export function keyringBox(keyring: Keyring): SecretBox {
  return {
    seal: (value, aad) => sealJson(keyring, value, aad),
    open: (box, aad) => openJson(keyring, box, aad),
    currentKeyId: () => keyring.current,
  };
}

export const credentialTokenIssuer: TokenIssuer = {
  issue: () => issueToken(CREDENTIAL_TOKEN_PREFIX),
  parse: (token) => parseToken(token, CREDENTIAL_TOKEN_PREFIX),
  matches: (secret, hash) => secretMatches(secret, hash),
};

/** The catalog's use cases over its store: shared by the HTTP app and the loader tools. */
export function wireCatalog(deps: CatalogWiringDeps): Catalog {
  const store = createCatalogStore(deps.connection, {
    listCacheTtlMs: deps.listCacheTtlMs ?? DEFAULT_LIST_CACHE_TTL_MS,
  });
  const topic = deps.eventsTopic ?? catalogEventsTopic;
  const events: EventPublisher = {
    publish: async (payloads, correlationId) => {
      await deps.messaging.publishMany(topic, payloads, correlationId ? { correlationId } : {});
    },
  };
  const clock = deps.clock ?? { now: () => new Date() };
  const logger = deps.logger.child({ module: 'catalog' });
  const credentialBox = keyringBox(deps.credentialKeys);
  const services = createCatalogServices({
    repositories: store.repositories,
    events,
    changes: store.changeLog,
    clock,
    logger,
    credentialBox,
    tokens: credentialTokenIssuer,
  });
  const tokens = new CredentialTokens(services, {
    tokens: credentialTokenIssuer,
    credentialBox,
    clock,
    logger,
  });
  return {
    services,
    tokens,
    render: new RenderCommand(services, tokens, keyringBox(deps.executionKeys)),
    objectChanges: new ObjectChangeLog(store.objectChanges, objectChangeListSpec, {
      privateTypes: Object.values(services)
        .filter((service) => service.def.ownerOf !== undefined)
        .map((service) => service.def.objectType),
      scans: new ConcurrencyLimit({
        ...(deps.changeLogScans ?? DEFAULT_CHANGE_LOG_SCANS),
        what: 'change-log lists',
      }),
    }),
  };
}
