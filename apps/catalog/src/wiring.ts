import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Connection } from 'mongoose';
import {
  ConcurrencyLimit,
  CredentialTokens,
  ParsingTemplates,
  ObjectChangeLog,
  OutboxRelay,
  ResealCredentialSets,
  WriteTransactions,
  RenderCommand,
  createCatalogServices,
} from '@toolkit/catalog-domain';
import type {
  CatalogServices,
  Clock,
  EventPublisher,
  Lease,
  SecretBox,
  WriteJournal,
  TokenIssuer,
} from '@toolkit/catalog-domain';
import { createCatalogStore } from '@toolkit/catalog-data-access';
import { CREDENTIAL_TOKEN_PREFIX, objectChangeListSpec } from '@toolkit/api-contracts';
import { catalogEventsTopic } from '@toolkit/contracts';
import type { TopicContract } from '@toolkit/contracts';
import { readDefault } from '@toolkit/config';
import { issueToken, openJson, parseToken, sealJson, secretMatches } from '@toolkit/crypto';
import type { Keyring } from '@toolkit/crypto';
import { PeriodicJob } from '@toolkit/lifecycle';
import type { Logger } from '@toolkit/logger';
import type { Messaging } from '@toolkit/messaging';
import { Counter, getOrCreateMetric } from '@toolkit/metrics';
import type { Registry } from '@toolkit/metrics';
import { EpochLease } from '@toolkit/mongo';
import type { TemplateLibrary } from '@toolkit/textfsm';
import { catalogConfigSchema } from './config';

export interface CatalogWiringDeps {
  connection: Connection;
  messaging: Pick<Messaging, 'publishMany'>;
  logger: Logger;
  credentialKeys: Keyring;
  executionKeys: Keyring;
  /** Defaults to toolkit.catalog.events.v1; tests pass their own topic. */
  eventsTopic?: TopicContract<typeof catalogEventsTopic.payload>;
  clock?: Clock;
  /** LIST_CACHE_TTL_MS (see ListCache; 0 disables); defaults to the configuration's. */
  listCacheTtlMs?: number;
  /** Counts published and failed outbox rounds when given. */
  registry?: Registry;
  /** How often the relay looks at the outbox without a nudge; see DEFAULT_OUTBOX_POLL_MS. */
  outboxPollMs?: number;
  /** How often an open write transaction says it is alive (default 10 s); below the abandon delay. */
  writeHeartbeatMs?: number;
  /** Who may publish the outbox; defaults to one replica per 10 s epoch (EpochLease). */
  outboxLease?: Lease;
  /**
   * Change-log lists running at once, and waiting; beyond that a list gets 503
   * (CHANGELOG_MAX_CONCURRENT_SCANS / CHANGELOG_QUEUED_SCANS; defaults to the configuration's).
   */
  changeLogScans?: { running: number; queued: number };
  /** The community TextFSM library (TEXTFSM_TEMPLATES_DIR); without it only custom templates parse. */
  templateLibrary?: TemplateLibrary | null;
}

/** How often the relay looks at the outbox (other replicas' writes, retries after an outage). */
export const DEFAULT_OUTBOX_POLL_MS = 1000;

/** One relay holder among the catalog replicas per epoch; this process, whatever its wirings. */
const RELAY_OWNER = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

export interface Catalog {
  services: CatalogServices;
  tokens: CredentialTokens;
  render: RenderCommand;
  parsingTemplates: ParsingTemplates;
  objectChanges: ObjectChangeLog;
  /**
   * Publishes the events recorded with each change (the outbox). Writes nudge it; `start`
   * polls (other replicas' writes, retries after an outage); `stop` ends the poll after
   * one last drain.
   */
  relay: { drain(): Promise<number>; start(): void; stop(): Promise<void> };
  /** Recovery of writes interrupted by a crash (see WriteTransactions.recover). */
  transactions: WriteTransactions;
  /** Re-seals the credential sets still under an older CREDENTIAL_KEYS key (run at boot). */
  reseal: ResealCredentialSets;
}

export const CATALOG_METRIC = {
  eventsPublished: 'toolkit_catalog_events_published_total',
  outboxFailures: 'toolkit_catalog_outbox_publish_failures_total',
} as const;

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
    listCacheTtlMs: deps.listCacheTtlMs ?? readDefault(catalogConfigSchema, 'LIST_CACHE_TTL_MS'),
  });
  const topic = deps.eventsTopic ?? catalogEventsTopic;
  const events: EventPublisher = {
    publish: async (payloads, correlationId) => {
      await deps.messaging.publishMany(topic, payloads, correlationId ? { correlationId } : {});
    },
  };
  const clock = deps.clock ?? { now: () => new Date() };
  const logger = deps.logger.child({ module: 'catalog' });
  const relay = outboxRelay(deps, store, events, logger);
  const credentialBox = keyringBox(deps.credentialKeys);
  const transactions = new WriteTransactions({
    // A committed write's events go out at once.
    journal: {
      ...bindAll(store.journal),
      commit: async (txn) => {
        const committed = await store.journal.commit(txn);
        if (committed) relay.nudge();
        return committed;
      },
    },
    changes: store.changeLog,
    logger,
    heartbeatMs: deps.writeHeartbeatMs,
  });
  const parsingTemplates = new ParsingTemplates(
    deps.templateLibrary ?? null,
    deps.templateLibrary?.version ?? null,
    store.repositories.parsingTemplates,
  );
  const services = createCatalogServices({
    repositories: store.repositories,
    changes: store.changeLog,
    transactions,
    clock,
    logger,
    credentialBox,
    tokens: credentialTokenIssuer,
    parsingTemplates,
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
    render: new RenderCommand(services, tokens, keyringBox(deps.executionKeys), parsingTemplates),
    parsingTemplates,
    relay: relay.controls,
    transactions,
    reseal: new ResealCredentialSets({
      sets: store.repositories.credentialSets,
      box: credentialBox,
    }),
    objectChanges: new ObjectChangeLog(store.objectChanges, objectChangeListSpec, {
      privateTypes: Object.values(services)
        .filter((service) => service.def.ownerOf !== undefined)
        .map((service) => service.def.objectType),
      clock,
      scans: new ConcurrencyLimit({
        ...(deps.changeLogScans ?? {
          running: readDefault(catalogConfigSchema, 'CHANGELOG_MAX_CONCURRENT_SCANS'),
          queued: readDefault(catalogConfigSchema, 'CHANGELOG_QUEUED_SCANS'),
        }),
        what: 'change-log lists',
      }),
    }),
  };
}

function outboxRelay(
  deps: CatalogWiringDeps,
  store: ReturnType<typeof createCatalogStore>,
  events: EventPublisher,
  logger: Logger,
) {
  const registry = deps.registry;
  const published = registry
    ? getOrCreateMetric(
        registry,
        CATALOG_METRIC.eventsPublished,
        () =>
          new Counter({
            name: CATALOG_METRIC.eventsPublished,
            help: 'Catalog change events published from the outbox.',
            registers: [registry],
          }),
      )
    : undefined;
  const failures = registry
    ? getOrCreateMetric(
        registry,
        CATALOG_METRIC.outboxFailures,
        () =>
          new Counter({
            name: CATALOG_METRIC.outboxFailures,
            help: 'Outbox rounds that failed (Kafka or MongoDB unavailable); the events stay and are retried.',
            registers: [registry],
          }),
      )
    : undefined;
  const relay = new OutboxRelay(
    {
      outbox: store.outbox,
      events,
      lease:
        deps.outboxLease ??
        new EpochLease(deps.connection, 'catalog-outbox', {
          owner: RELAY_OWNER,
          epochMs: 10_000,
          marginMs: 1_000,
        }),
      logger,
      published: (count) => published?.inc(count),
      failed: () => failures?.inc(),
    },
    { batch: 500 },
  );
  const poll = new PeriodicJob(() => relay.drain(), {
    intervalMs: deps.outboxPollMs ?? DEFAULT_OUTBOX_POLL_MS,
    onError: (error) => relay.report(error),
  });
  return {
    nudge: () => relay.nudge(),
    controls: {
      drain: () => relay.drain(),
      start: () => poll.start(),
      stop: async () => {
        await poll.stop();
        await relay.drain().catch((error: unknown) => relay.report(error));
      },
    },
  };
}

/** The journal's methods as plain functions (spread into a decorated copy). */
function bindAll(journal: WriteJournal): WriteJournal {
  return {
    append: (txn, parts, position) => journal.append(txn, parts, position),
    touch: (txn) => journal.touch(txn),
    commit: (txn) => journal.commit(txn),
    beginRollback: (txn) => journal.beginRollback(txn),
    abort: (txn) => journal.abort(txn),
    parts: (txn) => journal.parts(txn),
    abandoned: (before, limit) => journal.abandoned(before, limit),
    purgeFinished: (before) => journal.purgeFinished(before),
  };
}
