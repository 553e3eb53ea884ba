import type { Express } from 'express';
import request from 'supertest';
import { DETAIL, createOperationsApp } from '@toolkit/http';
import type { ReadinessCheck } from '@toolkit/http';
import type { Logger } from '@toolkit/logger';
import { KafkaMessaging } from '@toolkit/messaging';
import type { Messaging } from '@toolkit/messaging';
import { createRegistry } from '@toolkit/metrics';
import type { Registry } from '@toolkit/metrics';
import { MongoDatabase } from '@toolkit/mongo';
import { memoryLogger, testInfra, uniqueMongoUri } from './infra';

export interface TestInfra {
  logger: Logger;
  registry: Registry;
  mongo: MongoDatabase;
  messaging: Messaging;
  readiness: ReadinessCheck[];
  isShuttingDown: () => boolean;
  close: () => Promise<void>;
}

/**
 * Real MongoDB (own database) and Kafka connections, as runService builds them. A second
 * replica of a service passes the first one's `mongoUri`: it shares the database and
 * leaves dropping it to the first.
 */
export async function connectTestInfra(
  service: string,
  options: { mongoUri?: string } = {},
): Promise<TestInfra & { mongoUri: string }> {
  const { logger } = memoryLogger(service);
  const mongoUri = options.mongoUri ?? uniqueMongoUri(service);
  const shared = options.mongoUri !== undefined;
  const mongo = new MongoDatabase({ uri: mongoUri, logger });
  const messaging = new KafkaMessaging({ service, brokers: testInfra().brokers, logger });
  await mongo.connect();
  await messaging.connect();
  return {
    mongoUri,
    logger,
    registry: createRegistry(service),
    mongo,
    messaging,
    readiness: [
      { name: 'mongodb', check: () => mongo.ping() },
      // As runService: a broker outage is reported, not a reason to leave the load balancer.
      { name: 'kafka', check: () => messaging.ping(), required: false },
    ],
    isShuttingDown: () => false,
    close: async () => {
      await messaging.disconnect();
      if (!shared && mongo.connection.readyState === 1) await mongo.connection.dropDatabase();
      await mongo.disconnect();
    },
  };
}

export type AppFactory = (
  deps: Omit<TestInfra, 'close' | 'mongo' | 'messaging'> & {
    mongo: MongoDatabase;
    messaging: Messaging;
    separateOperations?: boolean;
  },
) => Express;

/** The /healthz, /readyz and /metrics behaviour every service must have. */
export function itServesHealthEndpoints(
  service: string,
  createApp: AppFactory,
  options: { kafkaRequired?: boolean } = {},
): void {
  let infra: TestInfra;

  beforeAll(async () => {
    infra = await connectTestInfra(service);
  });

  afterAll(async () => {
    await infra.close();
  });

  it('when alive, then /healthz answers 200 with a request id', async () => {
    const response = await request(createApp(infra)).get('/healthz');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('when Kafka and MongoDB answer, then /readyz answers 200 naming both', async () => {
    const response = await request(createApp(infra)).get('/readyz');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok', checks: { mongodb: 'ok', kafka: 'ok' } });
  });

  it('when MongoDB is down, then /readyz answers 503 naming it', async () => {
    const down = new MongoDatabase({ uri: uniqueMongoUri(service), logger: infra.logger });
    await down.connect();
    await down.disconnect();
    const app = createApp({
      ...infra,
      readiness: [
        { name: 'mongodb', check: () => down.ping() },
        infra.readiness[1] as ReadinessCheck,
      ],
    });

    const response = await request(app).get('/readyz');

    expect(response.status).toBe(503);
    expect(response.body).toEqual({
      status: 'unavailable',
      checks: { mongodb: 'unavailable', kafka: 'ok' },
    });
  });

  it(`when Kafka is down, then /readyz names it and answers ${options.kafkaRequired ? '503' : '200 (degraded): reads and writes go on'}`, async () => {
    const down = new KafkaMessaging({
      service,
      brokers: testInfra().brokers,
      logger: infra.logger,
    });
    await down.connect();
    await down.disconnect();
    const app = createApp({
      ...infra,
      readiness: [
        infra.readiness[0] as ReadinessCheck,
        { name: 'kafka', check: () => down.ping(), required: options.kafkaRequired ?? false },
      ],
    });

    const response = await request(app).get('/readyz');

    expect([response.status, response.body]).toEqual(
      options.kafkaRequired
        ? [503, { status: 'unavailable', checks: { mongodb: 'ok', kafka: 'unavailable' } }]
        : [200, { status: 'degraded', checks: { mongodb: 'ok', kafka: 'unavailable' } }],
    );
  });

  it('when operations have their own port, then the app answers a terse /readyz and no /metrics, the operations app both', async () => {
    const registry = createRegistry(service);
    const app = createApp({ ...infra, registry, separateOperations: true });
    const operations = createOperationsApp({ ...infra, registry });

    const [ready, metrics, detailed, scraped] = await Promise.all([
      request(app).get('/readyz'),
      request(app).get('/metrics'),
      request(operations).get('/readyz'),
      request(operations).get('/metrics'),
    ]);

    expect([ready.status, ready.body]).toEqual([200, { status: 'ok' }]);
    expect(metrics.status).not.toBe(200);
    expect(metrics.text).not.toContain('process_cpu_user_seconds_total');
    expect(detailed.body).toEqual({ status: 'ok', checks: { mongodb: 'ok', kafka: 'ok' } });
    expect(scraped.text).toContain('process_cpu_user_seconds_total');
  });

  it('when shutting down, then /readyz answers 503 so traffic drains', async () => {
    const response = await request(createApp({ ...infra, isShuttingDown: () => true })).get(
      '/readyz',
    );

    expect(response.status).toBe(503);
    expect(response.body.status).toBe('shutting_down');
  });

  it('when scraped after a request, then /metrics has default metrics and the request histogram by route template', async () => {
    const app = createApp({ ...infra, registry: createRegistry(service) });
    await request(app).get('/healthz');
    await request(app).get('/no/such/path/12345');

    const response = await request(app).get('/metrics');

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.text).toContain('process_cpu_user_seconds_total');
    expect(response.text).toContain(
      `toolkit_http_request_duration_seconds_count{service="${service}",method="GET",route="/healthz",status_code="200"} 1`,
    );
    expect(response.text).toMatch(/route="unmatched",status_code="404"/);
    expect(response.text).not.toContain('/no/such/path');
  });

  it('when a path does not exist, then the answer is a NetBox-style 404', async () => {
    const response = await request(createApp(infra)).get('/nothing-here');

    expect(response.status).toBe(404);
    expect(response.body).toEqual({ detail: DETAIL.notFound });
  });
}
