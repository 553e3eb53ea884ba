import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ensureCatalogIndexes } from '@toolkit/catalog-data-access';
import {
  envUrl,
  kafkaEnv,
  loadConfigOrExit,
  logLevel,
  mongoEnv,
  orExitOnConfigError,
  readKafkaSecurity,
  refineKafkaEnv,
} from '@toolkit/config';
import { catalogEventsTopic } from '@toolkit/contracts';
import { createKeyring } from '@toolkit/crypto';
import { createLogger } from '@toolkit/logger';
import type { Logger } from '@toolkit/logger';
import { KafkaMessaging } from '@toolkit/messaging';
import { MongoDatabase } from '@toolkit/mongo';
import { wireCatalog } from '../wiring';
import type { Catalog } from '../wiring';

export const toolConfigSchema = z
  .object({
    ...kafkaEnv,
    ...mongoEnv,
    LOG_LEVEL: logLevel,
    NETBOX_URL: envUrl().optional(),
    NETBOX_TOKEN: z.string().min(1).optional(),
  })
  .superRefine(refineKafkaEnv);
export type ToolConfig = z.output<typeof toolConfigSchema>;

/**
 * Runs a catalog tool in-process against the catalog's own MongoDB database (the same
 * database name the service uses) and Kafka, through the same use cases as the API, so
 * validation, cascades, events and the change log are identical. Tools never touch
 * credential sets, so they hold no credential keys (a throwaway keyring fills the slot).
 */
export async function runTool(
  name: string,
  work: (catalog: Catalog, config: ToolConfig, logger: Logger) => Promise<void>,
): Promise<void> {
  const config = loadConfigOrExit(toolConfigSchema);
  const { ssl, sasl } = orExitOnConfigError(() => readKafkaSecurity(config));
  const logger = createLogger({ service: `catalog-${name}`, level: config.LOG_LEVEL });
  const mongo = new MongoDatabase({
    uri: config.MONGODB_URI,
    dbName: config.MONGODB_DB ?? 'toolkit_catalog',
    logger,
  });
  const messaging = new KafkaMessaging({
    service: `catalog-${name}`,
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID,
    ssl,
    sasl,
    connectionTimeoutMs: config.KAFKA_CONNECTION_TIMEOUT_MS,
    logger,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
  });
  let code = 0;
  try {
    await mongo.connect();
    await messaging.connect();
    const topicOptions = {
      partitions: config.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: config.KAFKA_REPLICATION_FACTOR,
    };
    // As the service's boot does: a missing operator-owned topic stops the tool up front.
    if (config.KAFKA_CREATE_TOPICS)
      await messaging.ensureTopics([catalogEventsTopic], topicOptions);
    else await messaging.checkTopics([catalogEventsTopic], topicOptions);
    await ensureCatalogIndexes(mongo);
    const unused = createKeyring('unused', { unused: randomBytes(32) });
    const catalog = wireCatalog({
      connection: mongo.connection,
      messaging,
      logger,
      credentialKeys: unused,
      executionKeys: unused,
    });
    await work(catalog, config, logger);
    // Its events go out now; what Kafka does not take waits in the outbox for the service.
    await catalog.relay.stop();
  } catch (error) {
    logger.error({ err: error }, `${name} failed`);
    code = 1;
  } finally {
    await messaging.disconnect().catch(() => undefined);
    await mongo.disconnect().catch(() => undefined);
  }
  process.exitCode = code;
}
