import { ALL_TOPICS } from '@toolkit/contracts';
import { loadConfigOrExit } from '@toolkit/config';
import { ensureCatalogIndexes } from '@toolkit/catalog-data-access';
import { runService } from '@toolkit/service';
import { createApp } from './app';
import { catalogConfigSchema } from './config';

const config = loadConfigOrExit(catalogConfigSchema);

void runService({
  service: 'catalog',
  config,
  topics: ALL_TOPICS,
  wire: async (infra) => {
    await ensureCatalogIndexes(infra.mongo);
    return {
      app: createApp({
        ...infra,
        bodyLimitBytes: config.HTTP_BODY_LIMIT_BYTES,
        internalToken: config.INTERNAL_API_TOKEN,
        credentialKeys: config.CREDENTIAL_KEYS,
        executionKeys: config.EXECUTION_KEYS,
        listCacheTtlMs: config.LIST_CACHE_TTL_MS,
      }),
    };
  },
});
