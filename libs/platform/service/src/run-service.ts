import type { Express } from 'express';
import type { TopicContract } from '@toolkit/contracts';
import { orExitOnConfigError, readKafkaSecurity } from '@toolkit/config';
import type { KafkaEnv, MongoEnv, ServiceEnv } from '@toolkit/config';
import type { ReadinessCheck } from '@toolkit/http';
import { createOperationsApp, startHttpServer } from '@toolkit/http';
import { Lifecycle, flushLogger } from '@toolkit/lifecycle';
import type { Closer } from '@toolkit/lifecycle';
import { createLogger } from '@toolkit/logger';
import type { Logger } from '@toolkit/logger';
import { KafkaMessaging } from '@toolkit/messaging';
import type { Messaging } from '@toolkit/messaging';
import { createMessagingMetrics, createRegistry } from '@toolkit/metrics';
import type { MessagingMetrics, Registry } from '@toolkit/metrics';
import { MongoDatabase } from '@toolkit/mongo';
import { guardRegexBacktracking } from './regex-guard';

export type BaseServiceConfig = ServiceEnv & KafkaEnv & MongoEnv;

/** What every service is built from; handed to the service's `wire` function. */
export interface Infrastructure {
  service: string;
  logger: Logger;
  registry: Registry;
  messagingMetrics: MessagingMetrics;
  messaging: Messaging;
  mongo: MongoDatabase;
  readiness: ReadinessCheck[];
  isShuttingDown: () => boolean;
  /** /metrics and the detailed /readyz are on METRICS_PORT: the app serves neither. */
  separateOperations?: boolean;
}

export interface WiredService {
  app: Express;
  /** Called after the HTTP server listens (start consumers here). */
  start?: () => Promise<void>;
  /**
   * Run first on shutdown, before the HTTP server closes (which waits for requests in
   * flight): end requests that would otherwise hold it open (long waits).
   */
  releasers?: { name: string; close: Closer }[];
  /** Run on shutdown after HTTP closes and before Kafka and MongoDB disconnect, in order. */
  closers?: { name: string; close: Closer }[];
}

export interface RunServiceOptions<C extends BaseServiceConfig> {
  service: string;
  config: C;
  topics: readonly TopicContract[];
  wire: (infra: Infrastructure, config: C) => Promise<WiredService>;
  exit?: (code: number) => void;
  /**
   * Whether the service cannot serve without Kafka (the executor: it only consumes). Else
   * a broker outage is reported by /readyz and the operations that publish answer 503,
   * but reads and writes go on: the service stays in its load balancer.
   */
  kafkaRequired?: boolean;
}

/**
 * The composition root every main.ts calls: logger, metrics registry, lifecycle with
 * signal handlers, MongoDB and Kafka connected (boot fails with exit 1 when either is
 * down), the service wired, HTTP listening, and the shutdown order
 * readiness -> releasers (long requests end) -> HTTP -> service closers (consumers drain)
 * -> Kafka -> MongoDB -> logger.
 */
export async function runService<C extends BaseServiceConfig>(
  options: RunServiceOptions<C>,
): Promise<{ port: number; metricsPort: number | undefined; lifecycle: Lifecycle }> {
  const { service, config } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const logger = createLogger({ service, level: config.LOG_LEVEL });
  // Files named by the configuration (Kafka's CA, client certificate and key), read at
  // boot, where a missing one stops it as a configuration error does, before anything
  // starts; then again for each new broker connection (rotation), keeping the last good.
  const kafkaSecurity = orExitOnConfigError(
    () =>
      readKafkaSecurity(config, undefined, (file) =>
        logger.warn(
          file,
          'a Kafka TLS file cannot be used: new connections keep its last content until it can',
        ),
      ),
    (code) => {
      exit(code);
      throw new Error('the Kafka configuration files could not be read');
    },
  );
  guardRegexBacktracking();
  const lifecycle = new Lifecycle({
    logger,
    deadlineMs: config.SHUTDOWN_TIMEOUT_MS,
    exit: options.exit,
  });
  lifecycle.installSignalHandlers();
  const registry = createRegistry(service);
  const messagingMetrics = createMessagingMetrics(registry);
  const mongo = new MongoDatabase({
    uri: config.MONGODB_URI,
    dbName: config.MONGODB_DB ?? `toolkit_${service}`,
    logger,
  });
  const messaging = new KafkaMessaging({
    service,
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID,
    ssl: kafkaSecurity.ssl,
    sasl: kafkaSecurity.sasl,
    connectionTimeoutMs: config.KAFKA_CONNECTION_TIMEOUT_MS,
    logger,
    metrics: messagingMetrics,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
  });
  try {
    await mongo.connect();
    await messaging.connect();
    if (config.KAFKA_CREATE_TOPICS) {
      await messaging.ensureTopics(options.topics, {
        partitions: config.KAFKA_TOPIC_PARTITIONS,
        replicationFactor: config.KAFKA_REPLICATION_FACTOR,
      });
    } else {
      // Operators own the topics: a missing one stops the boot (with the commands that
      // create it); one accepting less than its contract needs is reported.
      await messaging.checkTopics(options.topics, {
        partitions: config.KAFKA_TOPIC_PARTITIONS,
        replicationFactor: config.KAFKA_REPLICATION_FACTOR,
      });
    }
    const infra: Infrastructure = {
      service,
      logger,
      registry,
      messagingMetrics,
      messaging,
      mongo,
      readiness: [
        { name: 'mongodb', check: () => mongo.ping() },
        {
          name: 'kafka',
          check: () => messaging.ping(),
          required: options.kafkaRequired ?? false,
        },
      ],
      isShuttingDown: () => lifecycle.shuttingDown,
      separateOperations: config.METRICS_PORT !== undefined,
    };
    const wired = await options.wire(infra, config);
    const server = await startHttpServer(wired.app, {
      host: config.HTTP_HOST,
      port: config.HTTP_PORT,
    });
    const operations =
      config.METRICS_PORT === undefined
        ? undefined
        : await startHttpServer(createOperationsApp(infra), {
            host: config.METRICS_HOST ?? config.HTTP_HOST,
            port: config.METRICS_PORT,
          });
    for (const releaser of wired.releasers ?? [])
      lifecycle.onShutdown(releaser.name, releaser.close);
    lifecycle.onShutdown('http', () => server.close());
    for (const closer of wired.closers ?? []) lifecycle.onShutdown(closer.name, closer.close);
    lifecycle.onShutdown('kafka', () => messaging.disconnect());
    lifecycle.onShutdown('mongodb', () => mongo.disconnect());
    // Last: Prometheus scrapes and the kubelet probes until the end.
    if (operations) lifecycle.onShutdown('metrics http', () => operations.close());
    await wired.start?.();
    logger.info(
      { host: config.HTTP_HOST, port: server.port, metricsPort: operations?.port },
      `${service} listening`,
    );
    return { port: server.port, metricsPort: operations?.port, lifecycle };
  } catch (error) {
    logger.fatal({ err: error }, `${service} failed to start`);
    await Promise.allSettled([messaging.disconnect(), mongo.disconnect()]);
    await flushLogger(logger);
    exit(1);
    throw error;
  }
}
