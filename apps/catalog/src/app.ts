import type { Express } from 'express';
import type { catalogEventsTopic, TopicContract } from '@toolkit/contracts';
import type { Keyring } from '@toolkit/crypto';
import { createHttpApp, requireInternalToken } from '@toolkit/http';
import type { ReadinessCheck } from '@toolkit/http';
import type { Logger } from '@toolkit/logger';
import type { KafkaMessaging } from '@toolkit/messaging';
import type { Registry } from '@toolkit/metrics';
import type { MongoDatabase } from '@toolkit/mongo';
import type { TemplateLibrary } from '@toolkit/textfsm';
import { catalogRouter } from './routes/catalog.routes';
import { wireCatalog } from './wiring';
import type { Catalog } from './wiring';

export interface CatalogAppDeps {
  logger: Logger;
  registry: Registry;
  readiness: readonly ReadinessCheck[];
  /** /metrics and the detailed /readyz are served on METRICS_PORT instead. */
  separateOperations?: boolean;
  isShuttingDown: () => boolean;
  bodyLimitBytes: number;
  mongo: MongoDatabase;
  messaging: Pick<KafkaMessaging, 'publishMany'>;
  /** Shared secret of the gateway (INTERNAL_API_TOKEN). */
  internalToken: string;
  credentialKeys: Keyring;
  executionKeys: Keyring;
  eventsTopic?: TopicContract<typeof catalogEventsTopic.payload>;
  /** LIST_CACHE_TTL_MS; see wireCatalog. */
  listCacheTtlMs?: number;
  /** See wireCatalog. */
  changeLogScans?: { running: number; queued: number };
  /** See wireCatalog. */
  templateLibrary?: TemplateLibrary | null;
  /** Built from the other deps when absent. */
  catalog?: Catalog;
}

/**
 * The catalog service's HTTP app; never listens (supertest target). Everything but
 * /healthz, /readyz and /metrics needs the internal token: the catalog is reached only
 * through the gateway.
 */
export function createApp(deps: CatalogAppDeps): Express {
  const catalog =
    deps.catalog ??
    wireCatalog({
      connection: deps.mongo.connection,
      messaging: deps.messaging,
      logger: deps.logger,
      credentialKeys: deps.credentialKeys,
      executionKeys: deps.executionKeys,
      eventsTopic: deps.eventsTopic,
      listCacheTtlMs: deps.listCacheTtlMs,
      changeLogScans: deps.changeLogScans,
      registry: deps.registry,
      templateLibrary: deps.templateLibrary,
    });
  return createHttpApp({
    ...deps,
    requireJson: true,
    mount: (app) => {
      const guard = requireInternalToken(deps.internalToken);
      app.use('/api', guard);
      app.use('/internal', guard);
      app.use(catalogRouter(catalog));
    },
  });
}
