import { ALL_TOPICS } from '@toolkit/contracts';
import { loadConfigOrExit } from '@toolkit/config';
import { ensureCatalogIndexes } from '@toolkit/catalog-data-access';
import { runService } from '@toolkit/service';
import { TemplateLibrary } from '@toolkit/textfsm';
import { createApp } from './app';
import { PeriodicJob } from '@toolkit/lifecycle';
import { changeLogRetention } from './change-log-retention';
import { credentialReseal } from './credential-reseal';
import { catalogConfigSchema } from './config';
import { wireCatalog } from './wiring';

const config = loadConfigOrExit(catalogConfigSchema);

void runService({
  service: 'catalog',
  config,
  topics: ALL_TOPICS,
  wire: async (infra) => {
    await ensureCatalogIndexes(infra.mongo);
    const templateLibrary = config.TEXTFSM_TEMPLATES_DIR
      ? TemplateLibrary.load(config.TEXTFSM_TEMPLATES_DIR)
      : null;
    if (templateLibrary)
      infra.logger.info(
        { templates: templateLibrary.templates.length, version: templateLibrary.version },
        'template library loaded',
      );
    else
      infra.logger.warn('TEXTFSM_TEMPLATES_DIR is not set: only custom and inline templates parse');
    const catalog = wireCatalog({
      connection: infra.mongo.connection,
      messaging: infra.messaging,
      logger: infra.logger,
      credentialKeys: config.CREDENTIAL_KEYS,
      executionKeys: config.EXECUTION_KEYS,
      listCacheTtlMs: config.LIST_CACHE_TTL_MS,
      templateLibrary,
      registry: infra.registry,
      // Well inside the delay after which an open write is taken for dead.
      writeHeartbeatMs: Math.max(100, Math.floor(config.CATALOG_WRITE_ABANDON_MS / 4)),
      changeLogScans: {
        running: config.CHANGELOG_MAX_CONCURRENT_SCANS,
        queued: config.CHANGELOG_QUEUED_SCANS,
      },
    });
    const retention = changeLogRetention(
      { changes: catalog.objectChanges, logger: infra.logger },
      {
        days: config.CHANGELOG_RETENTION_DAYS,
        intervalMs: config.CHANGELOG_RETENTION_INTERVAL_MS,
        maxPerRun: config.CHANGELOG_RETENTION_MAX_PER_RUN,
      },
    );
    // Writes a dead process left half done are rolled back: at boot, then periodically.
    const recovery = new PeriodicJob(
      () =>
        catalog.transactions.recover({
          now: new Date(),
          abandonAfterMs: config.CATALOG_WRITE_ABANDON_MS,
          keepFinishedMs: 3_600_000,
        }),
      {
        intervalMs: config.CATALOG_RECOVERY_INTERVAL_MS,
        onError: (error) => infra.logger.error({ err: error }, 'write recovery failed'),
      },
    );
    // After a CREDENTIAL_KEYS rotation (its step 2): every set under the new key.
    const reseal = credentialReseal(
      { reseal: catalog.reseal, logger: infra.logger, currentKey: config.CREDENTIAL_KEYS.current },
      { intervalMs: config.CATALOG_RECOVERY_INTERVAL_MS },
    );
    return {
      app: createApp({
        ...infra,
        bodyLimitBytes: config.HTTP_BODY_LIMIT_BYTES,
        internalToken: config.INTERNAL_API_TOKEN,
        previousInternalToken: config.INTERNAL_API_TOKEN_PREVIOUS,
        credentialKeys: config.CREDENTIAL_KEYS,
        executionKeys: config.EXECUTION_KEYS,
        catalog,
      }),
      start: async () => {
        catalog.relay.start();
        retention.start();
        recovery.start();
        void recovery
          .runOnce()
          .catch((error: unknown) => infra.logger.error({ err: error }, 'write recovery failed'));
        if (config.CREDENTIAL_RESEAL_AT_BOOT) reseal.start();
      },
      closers: [
        { name: 'credential re-sealing', close: () => reseal.stop() },
        { name: 'write recovery', close: () => recovery.stop() },
        { name: 'change-log retention', close: () => retention.stop() },
        { name: 'outbox relay', close: () => catalog.relay.stop() },
      ],
    };
  },
});
