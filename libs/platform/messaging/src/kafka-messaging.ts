import { promisify } from 'node:util';
import { gzip, unzip } from 'node:zlib';
import {
  CompressionCodecs,
  CompressionTypes,
  ConfigResourceTypes,
  ConfigSource,
  Kafka,
  Partitioners,
  logLevel as KafkaLogLevel,
} from 'kafkajs';
import type {
  Admin,
  Consumer,
  IHeaders,
  KafkaMessage,
  LogEntry,
  Producer,
  RequestEvent,
} from 'kafkajs';
import type { z } from 'zod';
import { KAFKA_DEFAULT_MAX_MESSAGE_BYTES, deadLetterTopic, onTopic } from '@toolkit/contracts';
import type { Envelope, TopicContract } from '@toolkit/contracts';
import { AppError } from '@toolkit/errors';
import type { Logger } from '@toolkit/logger';
import { runWithLogContext } from '@toolkit/logger';
import type { MessagingMetrics } from '@toolkit/metrics';
import { backoffMs, decideOnFailure, decodeEnvelope, encodeEnvelope, toDeadLetter } from './codec';
import type { DecodeFailureReason } from './codec';

/**
 * The only place that knows kafkajs (frozen at 2.2.4): typed publish and subscribe over
 * schema-validated envelopes, topic creation, dead-lettering, readiness and draining
 * shutdown. Moving to another client changes this folder only.
 */

export const CORRELATION_HEADER = 'x-correlation-id';

export interface MessagingOptions {
  /** Service name: the envelope's `producer` and the Kafka client id prefix. */
  service: string;
  brokers: readonly string[];
  clientId?: string;
  ssl?: boolean;
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

export interface PublishOptions {
  correlationId?: string;
  eventId?: string;
  headers?: Record<string, string>;
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

interface ConsumerCommon {
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

/**
 * Bytes per produce request (uncompressed): under Kafka's default 1 MiB record batch limit;
 * compressed topics send more at once (the broker's limit applies after compression).
 */
const PRODUCE_REQUEST_BYTES = 900 * 1024;
const COMPRESSED_PRODUCE_REQUEST_BYTES = 4 * 1024 * 1024;
/** Room kept for the record batch and record headers around one message's value. */
const RECORD_OVERHEAD_BYTES = 16 * 1024;
/** A record's framing besides key, value and headers (attributes, varints, deltas). */
const RECORD_FRAMING_BYTES = 70;

interface Sized {
  bytes: number;
}

/** Consecutive runs of `items` of at most `budget` bytes each (a larger item alone). */
function bySize<T extends Sized>(items: readonly T[], budget: number): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && bytes + item.bytes > budget) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.bytes;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * `bytes`: the message's value; `valueLimit`: the largest value the topic takes (its
 * `max.message.bytes` less the record batch's room), what a producer must shrink below.
 */
function messageTooLarge(topic: string, bytes: number, limit: number): AppError {
  return new AppError({
    code: 'message-too-large',
    category: 'validation',
    retriable: false,
    message: `A ${bytes}-byte message is larger than topic ${topic} accepts (${limit} bytes).`,
    details: { topic, bytes, limit, valueLimit: limit - RECORD_OVERHEAD_BYTES },
  });
}

/** The Kafka protocol error type kafkajs reports, looked for in its error's causes. */
function kafkaErrorType(error: unknown): string | undefined {
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

const TOO_LARGE_TYPES = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

/** The topic-level settings a contract asks for, as a service creates its topic. */
function topicConfig(contract: TopicContract): { name: string; value: string }[] {
  const entries: { name: string; value: string }[] = [];
  if (contract.maxMessageBytes !== undefined)
    entries.push({ name: 'max.message.bytes', value: String(contract.maxMessageBytes) });
  if (contract.retentionMs !== undefined)
    entries.push({ name: 'retention.ms', value: String(contract.retentionMs) });
  return entries;
}

/** The kafka-topics.sh command that creates a contract's topic as a service would. */
function createCommand(
  contract: TopicContract,
  brokers: string,
  options: { partitions: number; replicationFactor: number },
): string {
  const configs = topicConfig(contract)
    .map((e) => ` --config ${e.name}=${e.value}`)
    .join('');
  return (
    `kafka-topics.sh --bootstrap-server ${brokers} --create --topic ${contract.topic} ` +
    `--partitions ${options.partitions} ` +
    `--replication-factor ${options.replicationFactor}${configs}`
  );
}

/** The broker answered that a topic does not exist. */
const isUnknownTopic = (error: unknown): boolean =>
  kafkaErrorType(error) === 'UNKNOWN_TOPIC_OR_PARTITION';

export class KafkaMessaging {
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly consumers = new Set<RunningConsumer>();
  /**
   * Message limits read from existing topics that are smaller than their contracts say
   * (operator-owned topics): publishing measures against these.
   */
  private readonly smallerTopicLimits = new Map<string, number>();
  /**
   * The topics this service declared (`ensureTopics`, `checkTopics`): what readiness asks
   * the cluster about. kafkajs' `listTopics` and `describeCluster` fetch (and keep) the
   * metadata of every partition in the cluster; its `createTopics` and `describeConfigs`
   * still do at boot.
   */
  private readonly declaredTopics = new Set<string>();
  private connected = false;
  private readonly logger: Logger;
  /** Contracts renamed with the topic prefix, made once per contract. */
  private readonly prefixed = new WeakMap<TopicContract, TopicContract>();

  constructor(private readonly options: MessagingOptions) {
    this.logger = options.logger.child({ module: 'messaging' });
    this.kafka = new Kafka({
      clientId: options.clientId ?? options.service,
      brokers: [...options.brokers],
      ssl: options.ssl ?? false,
      connectionTimeout: options.connectionTimeoutMs ?? 3_000,
      logLevel: KafkaLogLevel.WARN,
      logCreator: () => (entry: LogEntry) => this.logKafka(entry),
      retry: { initialRetryTime: 200, retries: 5 },
    });
    this.producer = this.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      idempotent: false,
    });
    this.countResponseBytes(this.producer);
    this.admin = this.kafka.admin();
    this.countResponseBytes(this.admin);
  }

  /** The contract as it travels: its topic with the prefix (the contract itself without one). */
  private wire<S extends z.ZodType>(contract: TopicContract<S>): TopicContract<S> {
    const prefix = this.options.topicPrefix ?? '';
    if (prefix === '') return contract;
    let renamed = this.prefixed.get(contract);
    if (!renamed) {
      renamed = onTopic(contract, `${prefix}${contract.topic}`);
      this.prefixed.set(contract, renamed);
    }
    return renamed as TopicContract<S>;
  }

  /**
   * A consumer group's name on the cluster: with the prefix too, so that environments
   * sharing a cluster never share a group (kafkajs would split one group's partitions
   * across both, and each would leave the other's topics unread).
   */
  groupOf(groupId: string): string {
    return `${this.options.topicPrefix ?? ''}${groupId}`;
  }

  /** The topic name a contract's messages travel on (with the prefix). */
  topicOf(contract: TopicContract): string {
    return this.wire(contract).topic;
  }

  /** Connects the producer and the admin client; throws (boot fails) when Kafka is down. */
  async connect(): Promise<void> {
    try {
      await Promise.all([this.producer.connect(), this.admin.connect()]);
      this.connected = true;
    } catch (error) {
      throw AppError.unavailable('Kafka', error);
    }
  }

  /**
   * Creates missing topics (idempotent), and raises an existing one's `max.message.bytes`
   * to what its contract needs: the service owns its topics (`KAFKA_CREATE_TOPICS`).
   * Production may own topics instead: then `checkTopics`.
   */
  async ensureTopics(
    declared: readonly TopicContract[],
    options: { partitions: number; replicationFactor: number },
  ): Promise<void> {
    const contracts = declared.map((c) => this.wire(c));
    const existing = await this.existingTopics(contracts);
    await this.raiseMessageLimits(contracts.filter((c) => existing.has(c.topic)));
    const missing = contracts.filter((c) => !existing.has(c.topic));
    if (missing.length === 0) return;
    await this.admin.createTopics({
      // Waited for below: kafkajs' own wait gives up when the broker does not know a topic
      // it has just created yet (seen under load, right after many other creations).
      waitForLeaders: false,
      topics: missing.map((c) => ({
        topic: c.topic,
        numPartitions: options.partitions,
        replicationFactor: options.replicationFactor,
        configEntries: topicConfig(c),
      })),
    });
    await this.untilLed(missing.map((c) => c.topic));
    this.logger.info({ topics: missing.map((c) => c.topic) }, 'created topics');
  }

  /**
   * Waits until every partition of `topics` has a leader (new topics take a moment). Every
   * failure is asked again until the deadline (unknown topic, no leader yet, and kafkajs'
   * TypeError when its second metadata request of a call fails); a kafkajs call that
   * retries inside can overrun the deadline by its own retries (~6 s).
   */
  private async untilLed(topics: string[], timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let failure: unknown = new Error(`topics ${topics.join(', ')} have no leader yet`);
      try {
        const { topics: found } = await this.admin.fetchTopicMetadata({ topics });
        if (found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)))
          return;
      } catch (error) {
        failure = error;
      }
      if (Date.now() > deadline) throw AppError.unavailable('Kafka', failure);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * For topics operators own (nothing is created or changed): fails when one is missing
   * (the boot stops with the commands that create them), and warns, with the command that
   * fixes it, about each topic that accepts smaller messages than its contract needs.
   */
  async checkTopics(
    declared: readonly TopicContract[],
    /** What the commands that create a missing topic say (as `ensureTopics` would create it). */
    options: { partitions: number; replicationFactor: number },
  ): Promise<void> {
    const contracts = declared.map((c) => this.wire(c));
    const existing = await this.existingTopics(contracts);
    const missing = contracts.filter((c) => !existing.has(c.topic));
    const brokers = this.options.brokers.join(',');
    if (missing.length > 0)
      throw new AppError({
        code: 'kafka-topics-missing',
        category: 'unavailable',
        retriable: false,
        message:
          `Kafka topics missing: ${missing.map((c) => c.topic).join(', ')}. Operators own the ` +
          'topics (KAFKA_CREATE_TOPICS=false): create them, or let services create theirs ' +
          `(KAFKA_CREATE_TOPICS=true). ${missing.map((c) => createCommand(c, brokers, options)).join('; ')}`,
        details: { topics: missing.map((c) => c.topic) },
      });
    for (const { contract, limit } of await this.smallTopics(
      contracts.filter((c) => existing.has(c.topic)),
    ))
      this.warnSmall(contract, limit);
  }

  /**
   * Which of `contracts`' topics exist, asking about those topics only (one metadata
   * request each, at boot), and remembers them as this service's for `ping`.
   */
  private async existingTopics(contracts: readonly TopicContract[]): Promise<Set<string>> {
    const existing = new Set<string>();
    for (const { topic } of contracts) {
      this.declaredTopics.add(topic);
      try {
        await this.admin.fetchTopicMetadata({ topics: [topic] });
        existing.add(topic);
      } catch (error) {
        if (!isUnknownTopic(error)) throw AppError.unavailable('Kafka', error);
      }
    }
    return existing;
  }

  /**
   * Gives topics this service owns the `max.message.bytes` their contracts need. The admin
   * API replaces a topic's whole set of overrides, so the others are sent again as they
   * are; where that cannot be done (not allowed, a sensitive override), it warns instead.
   */
  private async raiseMessageLimits(contracts: readonly TopicContract[]): Promise<void> {
    for (const { contract, limit } of await this.smallTopics(contracts)) {
      const needed = String(contract.maxMessageBytes);
      try {
        const { resources } = await this.admin.describeConfigs({
          includeSynonyms: false,
          resources: [{ type: ConfigResourceTypes.TOPIC, name: contract.topic }],
        });
        const overrides = (resources[0]?.configEntries ?? []).filter(
          (e) =>
            e.configSource === ConfigSource.TOPIC_CONFIG && e.configName !== 'max.message.bytes',
        );
        if (overrides.some((e) => e.isSensitive || e.configValue === null))
          throw new Error('the topic has a sensitive override that cannot be sent again');
        await this.admin.alterConfigs({
          validateOnly: false,
          resources: [
            {
              type: ConfigResourceTypes.TOPIC,
              name: contract.topic,
              configEntries: [
                ...overrides.map((e) => ({ name: e.configName, value: e.configValue })),
                { name: 'max.message.bytes', value: needed },
              ],
            },
          ],
        });
        this.smallerTopicLimits.delete(contract.topic);
        this.logger.info(
          { topic: contract.topic, from: limit, to: contract.maxMessageBytes },
          `raised max.message.bytes of topic ${contract.topic} to what its contract needs`,
        );
      } catch (error) {
        this.logger.warn(
          { err: error, topic: contract.topic },
          'could not raise max.message.bytes',
        );
        this.warnSmall(contract, limit);
      }
    }
  }

  /** The message limit publishing measures against: a smaller one learned, or the contract's. */
  private limitOf(contract: TopicContract): number {
    return (
      this.smallerTopicLimits.get(contract.topic) ??
      contract.maxMessageBytes ??
      KAFKA_DEFAULT_MAX_MESSAGE_BYTES
    );
  }

  /**
   * Reads each topic's `max.message.bytes` (undefined for a topic that could not be read:
   * the cluster may not grant DescribeConfigs, and a check must not stop a service).
   */
  private async readMessageLimits(
    contracts: readonly TopicContract[],
  ): Promise<Map<string, number>> {
    const limits = new Map<string, number>();
    try {
      const { resources } = await this.admin.describeConfigs({
        includeSynonyms: false,
        resources: contracts.map((c) => ({
          type: ConfigResourceTypes.TOPIC,
          name: c.topic,
          configNames: ['max.message.bytes'],
        })),
      });
      for (const r of resources) {
        const entry = r.configEntries.find((e) => e.configName === 'max.message.bytes');
        limits.set(r.resourceName, Number(entry?.configValue ?? KAFKA_DEFAULT_MAX_MESSAGE_BYTES));
      }
    } catch (error) {
      this.logger.warn(
        { err: error, topics: contracts.map((c) => c.topic) },
        "could not read the topics' max.message.bytes: measuring against their contracts",
      );
    }
    return limits;
  }

  /** After the broker refused a message as too large: what the topic accepts now. */
  private async learnTopicLimit(contract: TopicContract): Promise<void> {
    const limit = (await this.readMessageLimits([contract])).get(contract.topic);
    if (
      limit !== undefined &&
      limit < (contract.maxMessageBytes ?? KAFKA_DEFAULT_MAX_MESSAGE_BYTES)
    )
      this.smallerTopicLimits.set(contract.topic, limit);
  }

  /**
   * Existing topics that accept smaller messages than their contracts need, with their
   * limits; publishing measures against those limits from now on.
   */
  private async smallTopics(
    contracts: readonly TopicContract[],
  ): Promise<{ contract: TopicContract; limit: number }[]> {
    const needing = contracts.filter((c) => c.maxMessageBytes !== undefined);
    if (needing.length === 0) return [];
    const limits = await this.readMessageLimits(needing);
    const small: { contract: TopicContract; limit: number }[] = [];
    for (const contract of needing) {
      const limit = limits.get(contract.topic);
      if (limit === undefined) continue;
      if (limit >= (contract.maxMessageBytes ?? 0)) {
        this.smallerTopicLimits.delete(contract.topic);
        continue;
      }
      this.smallerTopicLimits.set(contract.topic, limit);
      small.push({ contract, limit });
    }
    return small;
  }

  /** A topic accepting less than its contract needs, reported with the command that fixes it. */
  private warnSmall(contract: TopicContract, limit: number): void {
    this.logger.warn(
      { topic: contract.topic, limit, needed: contract.maxMessageBytes },
      `topic ${contract.topic} accepts messages up to ${limit} bytes, its contract needs ` +
        `${contract.maxMessageBytes}: larger messages will be refused. Fix: kafka-configs.sh ` +
        `--bootstrap-server ${this.options.brokers.join(',')} ` +
        `--alter --entity-type topics --entity-name ${contract.topic} --add-config ` +
        `max.message.bytes=${contract.maxMessageBytes}`,
    );
  }

  async publish<S extends z.ZodType>(
    contract: TopicContract<S>,
    payload: z.input<S>,
    options: PublishOptions = {},
  ): Promise<Envelope<z.output<S>>> {
    const [envelope] = await this.publishMany(contract, [payload], options);
    return envelope as Envelope<z.output<S>>;
  }

  /**
   * Many payloads in as few produce requests as their size allows (in order, so order is
   * kept per key). A request carries at most PRODUCE_REQUEST_BYTES of messages, so that no
   * partition's record batch outgrows Kafka's default limit; a larger message goes alone,
   * and one larger than its topic accepts is refused before anything is sent.
   */
  async publishMany<S extends z.ZodType>(
    declared: TopicContract<S>,
    payloads: readonly z.input<S>[],
    options: Omit<PublishOptions, 'eventId'> = {},
  ): Promise<Envelope<z.output<S>>[]> {
    if (payloads.length === 0) return [];
    const contract = this.wire(declared);
    const headers: IHeaders = { ...options.headers };
    if (options.correlationId) headers[CORRELATION_HEADER] = options.correlationId;
    const headerBytes = Object.entries(headers).reduce(
      (sum, [name, value]) => sum + name.length + String(value ?? '').length,
      0,
    );
    const encoded = payloads.map((p) => {
      const e = encodeEnvelope(contract, p, {
        producer: this.options.service,
        correlationId: options.correlationId,
      });
      // As bytes once here: sizes are exact, and kafkajs sends a Buffer as it is.
      const value = Buffer.from(e.value);
      const bytes = value.length + e.key.length + headerBytes + RECORD_FRAMING_BYTES;
      return { key: e.key, value, envelope: e.envelope, bytes };
    });
    const limit = this.limitOf(contract);
    const tooLarge = encoded.find((e) => e.value.length > limit - RECORD_OVERHEAD_BYTES);
    if (tooLarge) throw messageTooLarge(contract.topic, tooLarge.value.length, limit);
    const budget = Math.min(
      contract.compression === 'gzip' ? COMPRESSED_PRODUCE_REQUEST_BYTES : PRODUCE_REQUEST_BYTES,
      limit - RECORD_OVERHEAD_BYTES,
    );
    // Requests go one after another (order per key); a failure rejects the whole call,
    // so a retry may publish again what earlier requests of the call delivered.
    for (const group of bySize(encoded, budget)) {
      try {
        await this.producer.send({
          topic: contract.topic,
          acks: -1,
          compression:
            contract.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
          messages: group.map((e) => ({ key: e.key, value: e.value, headers })),
        });
      } catch (error) {
        if (!TOO_LARGE_TYPES.has(kafkaErrorType(error) ?? ''))
          throw AppError.unavailable('Kafka', error);
        // The broker takes less than we measured against (a limit lowered since boot):
        // learn it, and say so as the non-retriable error it is.
        await this.learnTopicLimit(contract);
        throw messageTooLarge(
          contract.topic,
          Math.max(...group.map((e) => e.value.length)),
          this.limitOf(contract),
        );
      }
      this.options.metrics?.produced.inc({ topic: contract.topic }, group.length);
    }
    return encoded.map((e) => e.envelope);
  }

  /**
   * Readiness: the cluster answers a metadata request within `timeoutMs`, about this
   * service's declared topics only (a missing topic is an answer too): a probe every few
   * seconds must not fetch every partition of a shared cluster.
   */
  async ping(timeoutMs = 2_000): Promise<void> {
    if (!this.connected) throw AppError.unavailable('Kafka');
    const topics = [...this.declaredTopics];
    const ask =
      topics.length === 0
        ? this.admin.describeCluster()
        : this.admin.fetchTopicMetadata({ topics }).catch((error: unknown) => {
            if (!isUnknownTopic(error)) throw error;
          });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        ask,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('Kafka did not answer in time')), timeoutMs);
        }),
      ]);
    } catch (error) {
      throw AppError.unavailable('Kafka', error);
    } finally {
      clearTimeout(timer);
    }
    const crashed = [...this.consumers].filter((c) => !c.healthy());
    if (crashed.length > 0)
      throw AppError.unavailable(`Kafka consumer ${crashed.map((c) => c.groupId).join(', ')}`);
  }

  /**
   * The last offset of each partition of a topic that holds a message (a partition with
   * none is left out): what a reader must have handled to be caught up with it.
   */
  async lastOffsets(contract: TopicContract, timeoutMs = 10_000): Promise<Map<number, bigint>> {
    if (!this.connected) throw AppError.unavailable('Kafka');
    const topic = this.topicOf(contract);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const offsets = await this.admin.fetchTopicOffsets(topic);
        const last = new Map<number, bigint>();
        for (const o of offsets)
          if (BigInt(o.high) > BigInt(o.low)) last.set(o.partition, BigInt(o.high) - 1n);
        return last;
      } catch (error) {
        // A leader moved or is being elected (a topic just created elsewhere): kafkajs'
        // admin answers from metadata it does not refresh by itself here.
        if (Date.now() > deadline) throw AppError.unavailable('Kafka', error);
        await this.admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /**
   * Members of a consumer group (e.g. how many executors are running), or undefined when
   * the group is unknown or empty. Read-only admin call.
   */
  async countGroupMembers(groupId: string): Promise<number | undefined> {
    if (!this.connected) throw AppError.unavailable('Kafka');
    try {
      const { groups } = await this.admin.describeGroups([this.groupOf(groupId)]);
      const group = groups[0];
      if (!group || group.state === 'Dead') return undefined;
      return group.members.length;
    } catch (error) {
      throw AppError.unavailable('Kafka', error);
    }
  }

  async consume<S extends z.ZodType>(options: MessageConsumerOptions<S>): Promise<RunningConsumer> {
    return this.startConsumer(options, async (consumer, helper) => {
      await consumer.run({
        autoCommit: options.commitOffsets ?? true,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
        eachMessage: async ({ topic, partition, message, heartbeat }) => {
          const decoded = await helper.decodeOrDeadLetter(topic, partition, message);
          if (!decoded) return;
          await helper.withRetries([decoded], heartbeat, () => options.handle(decoded));
        },
      });
    });
  }

  async consumeBatches<S extends z.ZodType>(
    options: BatchConsumerOptions<S>,
  ): Promise<RunningConsumer> {
    const maxBatch = options.maxBatchSize ?? 500;
    return this.startConsumer(options, async (consumer, helper) => {
      await consumer.run({
        eachBatchAutoResolve: false,
        autoCommit: options.commitOffsets ?? true,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
        eachBatch: async ({
          batch,
          resolveOffset,
          heartbeat,
          isRunning,
          isStale,
          commitOffsetsIfNecessary,
        }) => {
          for (let start = 0; start < batch.messages.length; start += maxBatch) {
            if (!isRunning() || isStale()) return;
            const slice = batch.messages.slice(start, start + maxBatch);
            const valid: ConsumedMessage<z.output<S>>[] = [];
            for (const message of slice) {
              const decoded = await helper.decodeOrDeadLetter(
                batch.topic,
                batch.partition,
                message,
              );
              if (decoded) valid.push(decoded);
            }
            if (valid.length > 0)
              await helper.withRetries(valid, heartbeat, () =>
                options.handleBatch(valid, heartbeat),
              );
            const last = slice[slice.length - 1];
            if (last) resolveOffset(last.offset);
            if (options.commitOffsets ?? true) await commitOffsetsIfNecessary();
            await heartbeat();
          }
        },
      });
    });
  }

  /** Drains every consumer, then flushes and disconnects the producer and admin. Idempotent. */
  async disconnect(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.stop()));
    if (!this.connected) return;
    this.connected = false;
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
  }

  /** `toolkit_kafka_response_bytes_total` from kafkajs' request events (response sizes). */
  private countResponseBytes(client: Producer | Consumer | Admin): void {
    const counter = this.options.metrics?.responseBytes;
    if (!counter) return;
    const count = ({ payload }: RequestEvent) =>
      counter.inc({ api: payload.apiName }, payload.size);
    // The same call three times: each client type has its own overload of `on`.
    if ('send' in client) client.on(client.events.REQUEST, count);
    else if ('subscribe' in client) client.on(client.events.REQUEST, count);
    else client.on(client.events.REQUEST, count);
  }

  /**
   * Keeps `toolkit_kafka_consumer_lag` for the partitions this member holds: set after each
   * batch from the fetch's high watermark, dropped for partitions a rebalance moved away
   * (their new owner reports them) and when the consumer stops. Returns the clean-up.
   */
  private trackLag(consumer: Consumer, group: string): () => void {
    const gauge = this.options.metrics?.consumerLag;
    if (!gauge) return () => undefined;
    const reported = new Map<string, { topic: string; partition: string }>();
    const drop = (keep: (key: string) => boolean) => {
      for (const [key, labels] of reported)
        if (!keep(key)) {
          gauge.remove({ group, ...labels });
          reported.delete(key);
        }
    };
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const labels = { topic: payload.topic, partition: String(payload.partition) };
      reported.set(`${labels.topic}/${labels.partition}`, labels);
      gauge.set({ group, ...labels }, Number(payload.offsetLag));
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = new Set(
        Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
          partitions.map((p) => `${topic}/${p}`),
        ),
      );
      drop((key) => assigned.has(key));
    });
    return () => drop(() => false);
  }

  private async startConsumer<S extends z.ZodType>(
    declared: ConsumerCommon & { contract: TopicContract<S> },
    run: (consumer: Consumer, helper: ConsumerHelper<S>) => Promise<void>,
  ): Promise<RunningConsumer> {
    const options = {
      ...declared,
      contract: this.wire(declared.contract),
      groupId: this.groupOf(declared.groupId),
    };
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: options.heartbeatIntervalMs ?? 3_000,
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 1_000,
      ...(options.maxBytesPerPartition === undefined
        ? {}
        : { maxBytesPerPartition: options.maxBytesPerPartition }),
    });
    const untrackLag = this.trackLag(consumer, options.groupId);
    this.countResponseBytes(consumer);
    let crashed = false;
    consumer.on(consumer.events.CRASH, (event) => {
      const restart = (event.payload as { restart?: boolean }).restart ?? false;
      this.logger.error(
        { err: event.payload.error, groupId: options.groupId, restart },
        'consumer crashed',
      );
      if (!restart) crashed = true;
    });
    const helper = new ConsumerHelper<S>(this, options, this.logger, this.options.metrics);
    try {
      await consumer.connect();
      await consumer.subscribe({
        topic: options.contract.topic,
        fromBeginning: options.fromBeginning ?? false,
      });
      await run(consumer, helper);
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw AppError.unavailable('Kafka', error);
    }
    let stopping: Promise<void> | undefined;
    const running: RunningConsumer = {
      groupId: options.groupId,
      healthy: () => !crashed,
      pause: () => consumer.pause([{ topic: options.contract.topic }]),
      resume: () => consumer.resume([{ topic: options.contract.topic }]),
      stop: () => {
        stopping ??= consumer.disconnect().finally(() => {
          untrackLag();
          this.consumers.delete(running);
        });
        return stopping;
      },
    };
    this.consumers.add(running);
    return running;
  }

  /** @internal used by ConsumerHelper */
  async sendToDeadLetter(input: Parameters<typeof toDeadLetter>[0]): Promise<void> {
    await this.publish(deadLetterTopic, toDeadLetter(input));
  }

  private logKafka(entry: LogEntry): void {
    const { message, ...rest } = entry.log;
    const fields = { kafka: { namespace: entry.namespace, ...rest } };
    // kafkajs logs every failed retry as an error; what matters is reported once, by us.
    if (entry.level <= KafkaLogLevel.WARN) this.logger.warn(fields, message);
    else this.logger.debug(fields, message);
  }
}

class ConsumerHelper<S extends z.ZodType> {
  private readonly maxAttempts: number;

  constructor(
    private readonly messaging: KafkaMessaging,
    private readonly options: ConsumerCommon & { contract: TopicContract<S> },
    private readonly logger: Logger,
    private readonly metrics: MessagingMetrics | undefined,
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  async decodeOrDeadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
  ): Promise<ConsumedMessage<z.output<S>> | undefined> {
    const decoded = decodeEnvelope(this.options.contract, message.value);
    if (decoded.ok) {
      const header = message.headers?.[CORRELATION_HEADER];
      return {
        payload: decoded.envelope.payload,
        meta: {
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? null,
          envelope: decoded.envelope,
          correlationId: decoded.envelope.correlationId ?? (header ? header.toString() : undefined),
          attempt: 1,
        },
      };
    }
    await this.deadLetter(topic, partition, message, decoded.reason, new Error(decoded.message));
    return undefined;
  }

  /** Runs `work` with the retry policy; dead-letters `messages` when it gives up. */
  async withRetries(
    messages: ConsumedMessage<unknown>[],
    heartbeat: () => Promise<void>,
    work: () => Promise<void>,
  ): Promise<void> {
    const first = messages[0];
    if (!first) return;
    const { topic, partition, offset, correlationId, envelope } = first.meta;
    const startedAt = process.hrtime.bigint();
    for (let attempt = 1; ; attempt++) {
      for (const m of messages) m.meta.attempt = attempt;
      try {
        await runWithLogContext(
          {
            correlationId,
            eventId: envelope.eventId,
            topic,
            partition,
            offset,
            groupId: this.options.groupId,
          },
          work,
        );
        this.metrics?.consumed.inc({ topic, outcome: 'ok' }, messages.length);
        break;
      } catch (error) {
        const decision = decideOnFailure(error, attempt, this.maxAttempts);
        if (decision === 'dead-letter') {
          this.logger.error(
            { err: error, topic, partition, offset, attempt },
            'message handling failed: dead-lettering',
          );
          const reason = attempt >= this.maxAttempts ? 'retries-exhausted' : 'handler-failed';
          for (const m of messages) await this.deadLetterDecoded(m, reason, error);
          break;
        }
        this.metrics?.consumed.inc({ topic, outcome: 'retry' }, messages.length);
        const wait = backoffMs(
          attempt,
          this.options.retryBaseMs ?? 200,
          this.options.retryMaxMs ?? 10_000,
        );
        this.logger.warn(
          { err: error, topic, partition, offset, attempt, retryInMs: wait },
          'message handling failed: retrying',
        );
        await sleepWithHeartbeat(wait, heartbeat);
      }
    }
    const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
    this.metrics?.handleDuration.observe({ topic }, seconds);
  }

  private async deadLetterDecoded(
    m: ConsumedMessage<unknown>,
    reason: 'handler-failed' | 'retries-exhausted',
    error: unknown,
  ) {
    await this.messaging.sendToDeadLetter({
      topic: m.meta.topic,
      partition: m.meta.partition,
      offset: m.meta.offset,
      key: m.meta.key,
      value: JSON.stringify(m.meta.envelope),
      consumerGroup: this.options.groupId,
      reason,
      error,
    });
    this.metrics?.consumed.inc({ topic: m.meta.topic, outcome: 'dlq' });
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    reason: DecodeFailureReason,
    error: Error,
  ) {
    this.logger.warn(
      { topic, partition, offset: message.offset, reason, detail: error.message },
      'invalid message: dead-lettering',
    );
    await this.messaging.sendToDeadLetter({
      topic,
      partition,
      offset: message.offset,
      key: message.key,
      value: message.value,
      consumerGroup: this.options.groupId,
      reason,
      error,
    });
    this.metrics?.consumed.inc({ topic, outcome: 'dlq' });
  }
}

async function sleepWithHeartbeat(ms: number, heartbeat: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, Math.min(1_000, deadline - Date.now())));
    await heartbeat().catch(() => undefined);
  }
}
