import type { Express } from 'express';
import { acceptedTokens, createHttpApp, requireInternalToken } from '@toolkit/http';
import type { ServiceAppDeps } from '@toolkit/http';
import type { MongoDatabase } from '@toolkit/mongo';
import { catalogRouter } from './routes/catalog.routes';
import { wireCatalog } from './wiring';
import type { Catalog, CatalogWiringDeps } from './wiring';

/** The wiring's options the app passes on when it wires the catalog itself (see wireCatalog). */
type WiringOptions = Pick<
  CatalogWiringDeps,
  | 'messaging'
  | 'credentialKeys'
  | 'executionKeys'
  | 'eventsTopic'
  | 'listCacheTtlMs'
  | 'changeLogScans'
  | 'templateLibrary'
>;

export interface CatalogAppDeps extends ServiceAppDeps, WiringOptions {
  mongo: MongoDatabase;
  /** Shared secret of the gateway (INTERNAL_API_TOKEN). */
  internalToken: string;
  /** Also accepted during a rotation (INTERNAL_API_TOKEN_PREVIOUS). */
  previousInternalToken?: string | undefined;
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
      const guard = requireInternalToken(acceptedTokens(deps));
      app.use('/api', guard);
      app.use('/internal', guard);
      app.use(catalogRouter(catalog));
    },
  });
}
