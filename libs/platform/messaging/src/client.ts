import { promisify } from 'node:util';
import { gzip, unzip } from 'node:zlib';
import { CompressionCodecs, CompressionTypes, Kafka, logLevel as KafkaLogLevel } from 'kafkajs';
import type { KafkaConfig, LogEntry, SASLOptions } from 'kafkajs';
import type { Logger } from '@toolkit/logger';
import type { KafkaTlsOptions, MessagingOptions } from './messaging';

/**
 * The kafkajs client (frozen at 2.2.4) as every part of this library uses it: its
 * settings, its log lines routed to ours, its compression codec, and how its errors are
 * read. Moving to another client changes this folder only.
 */

const gzipAsync = promisify(gzip);
const unzipAsync = promisify(unzip);

/**
 * kafkajs' GZIP codec at zlib's level 1 instead of 6: on device output about 2.5x faster
 * for a ratio nearly as good (46 KB of `show interface`: 45 us to 3.3 KB, against 120 us
 * to 2.7 KB). zlib runs on libuv's thread pool, off the event loop. Readers are unchanged.
 */
const fastGzipCodec = {
  compress: (encoder: { buffer: Buffer }): Promise<Buffer> =>
    gzipAsync(encoder.buffer, { level: 1 }),
  decompress: (buffer: Buffer): Promise<Buffer> => unzipAsync(buffer),
};
CompressionCodecs[CompressionTypes.GZIP] = () => fastGzipCodec;

export function createKafka(options: MessagingOptions, logger: Logger): Kafka {
  return new Kafka({
    ...kafkaClientOptions(options),
    logLevel: KafkaLogLevel.WARN,
    logCreator: () => (entry: LogEntry) => logKafka(logger, entry),
  });
}

/**
 * The kafkajs client settings of `options` (logging aside): TLS always verifies the
 * brokers' certificates (`rejectUnauthorized`), with the CA given or Node's store; SASL
 * runs over TLS or plaintext as `ssl` says.
 */
export function kafkaClientOptions(
  options: Omit<MessagingOptions, 'logger'>,
): Omit<KafkaConfig, 'logLevel' | 'logCreator'> {
  const { ssl, sasl } = options;
  return {
    clientId: options.clientId ?? options.service,
    brokers: [...options.brokers],
    ssl: typeof ssl === 'object' ? verifying(ssl) : (ssl ?? false),
    ...(sasl && {
      // kafkajs types each mechanism separately; the three share these three fields.
      sasl: {
        mechanism: sasl.mechanism,
        username: sasl.username,
        password: sasl.password,
      } as SASLOptions,
    }),
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    retry: { initialRetryTime: 200, retries: 5 },
  };
}

/**
 * The TLS options with certificate checks on, copied with their getters (the PEM fields
 * read their files again for each new connection: kafkajs copies the options into
 * `tls.connect` per connection), never spread.
 */
function verifying(ssl: KafkaTlsOptions): KafkaTlsOptions & { rejectUnauthorized: true } {
  const copy: KafkaTlsOptions = Object.defineProperties({}, Object.getOwnPropertyDescriptors(ssl));
  return Object.defineProperty(copy, 'rejectUnauthorized', {
    value: true,
    enumerable: true,
  }) as KafkaTlsOptions & { rejectUnauthorized: true };
}

function logKafka(logger: Logger, entry: LogEntry): void {
  const { message, ...rest } = entry.log;
  const fields = { kafka: { namespace: entry.namespace, ...rest } };
  // kafkajs logs every failed retry as an error; what matters is reported once, by us.
  if (entry.level <= KafkaLogLevel.WARN) logger.warn(fields, message);
  else logger.debug(fields, message);
}

/** The Kafka protocol error type kafkajs reports, looked for in its error's causes. */
export function kafkaErrorType(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const { type, cause, originalError } = current as {
      type?: unknown;
      cause?: unknown;
      originalError?: unknown;
    };
    if (typeof type === 'string') return type;
    current = cause ?? originalError;
  }
  return undefined;
}

/** The broker answered that a topic does not exist. */
export const isUnknownTopic = (error: unknown): boolean =>
  kafkaErrorType(error) === 'UNKNOWN_TOPIC_OR_PARTITION';
