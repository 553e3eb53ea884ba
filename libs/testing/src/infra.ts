import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Kafka, logLevel } from 'kafkajs';
import type { Consumer } from 'kafkajs';
import { createLogger } from '@toolkit/logger';
import type { Logger } from '@toolkit/logger';

/** Servers provisioned by tools/scripts/infra.sh (checked by the integration global setup). */
export function testInfra(): { brokers: string[]; mongoUri: string } {
  const brokers = (process.env['KAFKA_BROKERS'] ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const mongoUri = process.env['MONGODB_URI'] ?? '';
  if (brokers.length === 0 || !mongoUri)
    throw new Error('KAFKA_BROKERS and MONGODB_URI must be set (run through npm test)');
  return { brokers, mongoUri };
}

/** A unique MongoDB URI (own database) per test file, so tests never share records. */
export function uniqueMongoUri(prefix: string): string {
  const { mongoUri } = testInfra();
  const url = new URL(mongoUri);
  url.pathname = `/${prefix}_${randomUUID().slice(0, 8)}`;
  return url.toString();
}

/** A logger that keeps what was logged, to assert on it (and that secrets are absent). */
export function memoryLogger(service = 'test'): {
  logger: Logger;
  lines: () => Record<string, unknown>[];
  text: () => string;
} {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ service, level: 'debug', destination });
  return {
    logger,
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export interface CollectedMessage {
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

/**
 * Reads a topic from the beginning with a fresh group and resolves once `count` messages
 * matching `predicate` have arrived (or rejects after `timeoutMs`). No sleeps.
 */
export async function collectMessages(
  topic: string,
  options: {
    count: number;
    predicate?: (m: CollectedMessage) => boolean;
    timeoutMs?: number;
    fromBeginning?: boolean;
  },
): Promise<CollectedMessage[]> {
  const kafka = new Kafka({
    clientId: 'test-collector',
    brokers: testInfra().brokers,
    logLevel: logLevel.NOTHING,
  });
  const consumer: Consumer = kafka.consumer({
    groupId: `test-collector-${randomUUID()}`,
    maxWaitTimeInMs: 200,
  });
  const found: CollectedMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`only ${found.length} of ${options.count} messages on ${topic} in time`),
          ),
        options.timeoutMs ?? 30_000,
      );
      consumer
        .run({
          eachMessage: async ({ message, partition }) => {
            const collected: CollectedMessage = {
              key: message.key?.toString() ?? null,
              value: message.value?.toString() ?? null,
              headers: Object.fromEntries(
                Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
              ),
              partition,
              offset: message.offset,
            };
            if (options.predicate && !options.predicate(collected)) return;
            found.push(collected);
            if (found.length >= options.count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return found;
}

/** Produces raw bytes (poison messages) the way a broken producer would. */
export async function produceRaw(
  topic: string,
  messages: { key?: string; value: string | Buffer | null }[],
): Promise<void> {
  const kafka = new Kafka({
    clientId: 'test-raw-producer',
    brokers: testInfra().brokers,
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages });
  } finally {
    await producer.disconnect();
  }
}

/** Resolves when `check` passes, polling; rejects with the last failure after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T> | T,
  timeoutMs = 15_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      return await check();
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
  throw lastError;
}
