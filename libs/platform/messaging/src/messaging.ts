import type { z } from 'zod';
import type { Envelope, TopicContract } from '@toolkit/contracts';
import type { Logger } from '@toolkit/logger';
import type { MessagingMetrics } from '@toolkit/metrics';

/**
 * The messaging port: what services and libraries use to publish and consume
 * schema-validated envelopes. `KafkaMessaging` implements it over kafkajs; the in-memory
 * bus of `@toolkit/testing` implements it for fast tests of domain flows. Only composition
 * roots (which construct, connect and check topics) name the Kafka class.
 */
export interface Messaging {
  /** Validates and publishes one payload (keyed by its contract); resolves once acknowledged. */
  publish<S extends z.ZodType>(
    contract: TopicContract<S>,
    payload: z.input<S>,
    options?: PublishOptions,
  ): Promise<Envelope<z.output<S>>>;
  /** Many payloads, in order (order is kept per key); refused whole if one is invalid or too large. */
  publishMany<S extends z.ZodType>(
    contract: TopicContract<S>,
    payloads: readonly z.input<S>[],
    options?: PublishManyOptions,
  ): Promise<Envelope<z.output<S>>[]>;
  /** One message at a time per partition, with the retry and dead-letter policy. */
  consume<S extends z.ZodType>(options: MessageConsumerOptions<S>): Promise<RunningConsumer>;
  /** Batches in partition order, with the retry and dead-letter policy applied per batch. */
  consumeBatches<S extends z.ZodType>(options: BatchConsumerOptions<S>): Promise<RunningConsumer>;
  /** Creates the topics that are missing (idempotent). */
  ensureTopics(declared: readonly TopicContract[], options: TopicOptions): Promise<void>;
  /** Readiness: throws `unavailable` when the transport or a consumer is not healthy. */
  ping(timeoutMs?: number): Promise<void>;
  /** The last offset of each partition that holds a message (empty partitions left out). */
  lastOffsets(contract: TopicContract, timeoutMs?: number): Promise<Map<number, bigint>>;
  /** Members of a consumer group, or undefined when the group is unknown or empty. */
  countGroupMembers(groupId: string): Promise<number | undefined>;
  /** Drains every consumer, then flushes and closes. Idempotent. */
  disconnect(): Promise<void>;
}

/**
 * PEM contents (from `readKafkaSecurity` of @toolkit/config, whose fields are getters that
 * read the files again for each new connection).
 */
export interface KafkaTlsOptions {
  ca?: Buffer | string;
  cert?: Buffer | string;
  key?: Buffer | string;
}

export interface KafkaSaslOptions {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
}

export const CORRELATION_HEADER = 'x-correlation-id';

export interface MessagingOptions {
  /** Service name: the envelope's `producer` and the Kafka client id prefix. */
  service: string;
  brokers: readonly string[];
  clientId?: string;
  /** true: TLS against Node's CA store; PEM buffers: a private CA and/or a client certificate. */
  ssl?: boolean | KafkaTlsOptions;
  /** SASL credentials (over TLS or not, as `ssl` says); unset: no SASL. */
  sasl?: KafkaSaslOptions;
  connectionTimeoutMs?: number;
  logger: Logger;
  metrics?: MessagingMetrics;
  /**
   * Put before every topic and consumer group name on the wire (KAFKA_TOPIC_PREFIX):
   * several environments, test runs or benchmarks share one cluster without sharing
   * messages or groups. Contracts and group ids keep their names; only this class knows
   * the prefix.
   */
  topicPrefix?: string;
}

/** How a service creates its topics (and what the commands for missing ones say). */
export interface TopicOptions {
  partitions: number;
  replicationFactor: number;
}

export interface PublishOptions {
  correlationId?: string;
  eventId?: string;
  headers?: Record<string, string>;
}

export interface PublishManyOptions extends Omit<PublishOptions, 'eventId'> {
  /**
   * One correlation id per payload (in order), for a send that coalesces messages of
   * different requests; where one is undefined, `correlationId` applies.
   */
  correlationIds?: readonly (string | undefined)[];
}

export interface MessageMeta {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  envelope: Envelope;
  correlationId: string | undefined;
  /** 1 on first delivery to this process, then 2, 3... on in-process retries. */
  attempt: number;
}

export interface ConsumedMessage<P> {
  payload: P;
  meta: MessageMeta;
}

export interface ConsumerCommon {
  groupId: string;
  fromBeginning?: boolean;
  /** Attempts for retriable errors before a message is dead-lettered. */
  maxAttempts?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Long-poll wait of an idle fetch; also bounds how long a stop waits for it. */
  maxWaitTimeMs?: number;
  /** Bytes fetched per partition at most (kafkajs default 1 MiB): bounds memory per fetch. */
  maxBytesPerPartition?: number;
  /**
   * Commit offsets as batches are handled (default true). A group of one process that reads
   * a topic for live notifications commits nothing: each start reads from `fromBeginning`
   * or the end, and the broker forgets the group once it is empty.
   */
  commitOffsets?: boolean;
}

export interface MessageConsumerOptions<S extends z.ZodType> extends ConsumerCommon {
  contract: TopicContract<S>;
  handle: (message: ConsumedMessage<z.output<S>>) => Promise<void>;
}

export interface BatchConsumerOptions<S extends z.ZodType> extends ConsumerCommon {
  contract: TopicContract<S>;
  /**
   * Valid messages of one fetched batch, in partition order (invalid ones are already
   * dead-lettered). Call `heartbeat` during long work. When it resolves, the batch's
   * offsets are committed; when it throws, the decision table applies to the whole batch.
   */
  handleBatch: (
    messages: ConsumedMessage<z.output<S>>[],
    heartbeat: () => Promise<void>,
  ) => Promise<void>;
  /** Cap on messages handed to one `handleBatch` call (a fetched batch is split). */
  maxBatchSize?: number;
}

export interface RunningConsumer {
  readonly groupId: string;
  /** Stops fetching, waits for the in-flight handler (drain), commits and leaves the group. */
  stop(): Promise<void>;
  /**
   * Stops fetching while staying in the group (heartbeats go on, partitions stay
   * assigned); a batch already handed to the handler still finishes and commits.
   */
  pause(): void;
  /** Fetches again after `pause`, from the first offset not handled. */
  resume(): void;
  healthy(): boolean;
}
