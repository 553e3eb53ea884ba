import { z } from 'zod';

/**
 * Every Kafka message value is an envelope around a versioned payload. Producers validate
 * before sending; consumers validate on receipt and dead-letter what does not parse.
 * Additive changes keep the version (readers ignore unknown fields); a breaking change
 * gets a new topic.
 */
export const envelopeSchema = z.object({
  eventId: z.uuid(),
  type: z.string().min(1),
  schemaVersion: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  producer: z.string().min(1),
  correlationId: z.string().min(1).max(200).optional(),
  payload: z.unknown(),
});

export type Envelope<P = unknown> = Omit<z.output<typeof envelopeSchema>, 'payload'> & {
  payload: P;
};

export interface TopicContract<S extends z.ZodType = z.ZodType> {
  /** `<domain>.<event>.v<major>` */
  readonly topic: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly payload: S;
  /** The message key: the aggregate id, so one aggregate's messages stay in order. */
  readonly keyOf: (payload: z.output<S>) => string;
  /**
   * The largest encoded message (bytes) the topic must accept, when more than Kafka's
   * default of about 1 MB: topics are created with it as `max.message.bytes`, and
   * producers refuse a larger message before sending it.
   */
  readonly maxMessageBytes?: number;
  /**
   * How producers compress the topic's record batches (default none). For topics whose
   * messages carry device output: text compresses 10x or more, which saves the broker's
   * disk and network and the producer's checksum work on every byte.
   */
  readonly compression?: 'gzip';
  /**
   * How long the topic keeps messages (`retention.ms`, set when a service creates it), for
   * topics whose messages matter only for a while (cancellations, completions); default:
   * the broker's (7 days).
   */
  readonly retentionMs?: number;
}

/** Kafka's default `message.max.bytes` (1 MiB plus record batch overhead). */
export const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

export function defineTopic<S extends z.ZodType>(contract: TopicContract<S>): TopicContract<S> {
  return Object.freeze(contract);
}

/**
 * The same contract (type, version, schema, key) on another topic: tests and benchmarks
 * use private topics so they never share messages with each other or with production.
 */
export function onTopic<S extends z.ZodType>(
  contract: TopicContract<S>,
  topic: string,
): TopicContract<S> {
  return defineTopic({ ...contract, topic });
}

export type PayloadOf<C> = C extends TopicContract<infer S> ? z.output<S> : never;
