import { Partitioners } from 'kafkajs';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { z } from 'zod';
import { deadLetterTopic, onTopic } from '@toolkit/contracts';
import type { Envelope, TopicContract } from '@toolkit/contracts';
import { AppError } from '@toolkit/errors';
import type { Logger } from '@toolkit/logger';
import { createKafka } from './client';
import { toDeadLetter } from './codec';
import { countResponseBytes } from './instrumentation';
import type {
  BatchConsumerOptions,
  MessageConsumerOptions,
  Messaging,
  MessagingOptions,
  PublishManyOptions,
  PublishOptions,
  RunningConsumer,
  TopicOptions,
} from './messaging';
import { lastOffsets } from './offsets';
import { EnvelopeProducer } from './producer';
import { ConsumerRunner } from './runner';
import { TopicAdmin } from './topic-admin';

/**
 * The only place that knows kafkajs (frozen at 2.2.4): typed publish and subscribe over
 * schema-validated envelopes, topic creation, dead-lettering, readiness and draining
 * shutdown. Moving to another client changes this folder only.
 *
 * This class is the facade over the library's parts, split along kafkajs' own seams:
 * `client` (the kafkajs client, its logs and errors), `topic-admin` (topics, limits,
 * metadata), `producer` (sizing and batching), `runner` (the consume loops),
 * `handling-policy` (decode, retry and dead-letter; shared with the in-memory bus),
 * `offsets` and `instrumentation` (metrics from kafkajs events). It adds the topic prefix,
 * the connection state and the boot-time calls (`connect`, `checkTopics`) that only
 * composition roots make; everything else is the `Messaging` port.
 */
export class KafkaMessaging implements Messaging {
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly topics: TopicAdmin;
  private readonly envelopes: EnvelopeProducer;
  private readonly runner: ConsumerRunner;
  private connected = false;
  private readonly logger: Logger;
  /** Contracts renamed with the topic prefix, made once per contract. */
  private readonly prefixed = new WeakMap<TopicContract, TopicContract>();

  constructor(private readonly options: MessagingOptions) {
    this.logger = options.logger.child({ module: 'messaging' });
    this.kafka = createKafka(options, this.logger);
    this.producer = this.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      idempotent: false,
    });
    countResponseBytes(this.producer, options.metrics);
    this.admin = this.kafka.admin();
    countResponseBytes(this.admin, options.metrics);
    this.topics = new TopicAdmin(this.admin, options.brokers, this.logger);
    this.envelopes = new EnvelopeProducer(
      this.producer,
      options.service,
      this.topics,
      options.metrics,
    );
    this.runner = new ConsumerRunner(this.kafka, {
      logger: this.logger,
      metrics: options.metrics,
      sendToDeadLetter: (input) => this.sendToDeadLetter(input),
    });
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
  async ensureTopics(declared: readonly TopicContract[], options: TopicOptions): Promise<void> {
    await this.topics.ensureTopics(
      declared.map((c) => this.wire(c)),
      options,
    );
  }

  /**
   * For topics operators own (nothing is created or changed): fails when one is missing
   * (the boot stops with the commands that create them), and warns, with the command that
   * fixes it, about each topic that accepts smaller messages than its contract needs.
   */
  async checkTopics(
    declared: readonly TopicContract[],
    /** What the commands that create a missing topic say (as `ensureTopics` would create it). */
    options: TopicOptions,
  ): Promise<void> {
    await this.topics.checkTopics(
      declared.map((c) => this.wire(c)),
      options,
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
   * kept per key); one larger than its topic accepts is refused before anything is sent.
   */
  async publishMany<S extends z.ZodType>(
    declared: TopicContract<S>,
    payloads: readonly z.input<S>[],
    options: PublishManyOptions = {},
  ): Promise<Envelope<z.output<S>>[]> {
    if (payloads.length === 0) return [];
    return this.envelopes.publishMany(this.wire(declared), payloads, options);
  }

  /**
   * Readiness: the cluster answers a metadata request within `timeoutMs`, about this
   * service's declared topics only (a missing topic is an answer too): a probe every few
   * seconds must not fetch every partition of a shared cluster.
   */
  async ping(timeoutMs = 2_000): Promise<void> {
    if (!this.connected) throw AppError.unavailable('Kafka');
    await this.topics.answers(timeoutMs);
    const crashed = this.runner.running().filter((c) => !c.healthy());
    if (crashed.length > 0)
      throw AppError.unavailable(`Kafka consumer ${crashed.map((c) => c.groupId).join(', ')}`);
  }

  /**
   * The last offset of each partition of a topic that holds a message (a partition with
   * none is left out): what a reader must have handled to be caught up with it.
   */
  async lastOffsets(contract: TopicContract, timeoutMs = 10_000): Promise<Map<number, bigint>> {
    if (!this.connected) throw AppError.unavailable('Kafka');
    return lastOffsets(this.admin, this.topicOf(contract), timeoutMs);
  }

  /**
   * Members of a consumer group (e.g. how many executors are running), or undefined when
   * the group is unknown or empty. Read-only admin call.
   */
  async countGroupMembers(groupId: string): Promise<number | undefined> {
    if (!this.connected) throw AppError.unavailable('Kafka');
    return this.topics.countGroupMembers(this.groupOf(groupId));
  }

  async consume<S extends z.ZodType>(options: MessageConsumerOptions<S>): Promise<RunningConsumer> {
    return this.runner.consume({
      ...options,
      contract: this.wire(options.contract),
      groupId: this.groupOf(options.groupId),
    });
  }

  async consumeBatches<S extends z.ZodType>(
    options: BatchConsumerOptions<S>,
  ): Promise<RunningConsumer> {
    return this.runner.consumeBatches({
      ...options,
      contract: this.wire(options.contract),
      groupId: this.groupOf(options.groupId),
    });
  }

  /** Drains every consumer, then flushes and disconnects the producer and admin. Idempotent. */
  async disconnect(): Promise<void> {
    await Promise.all(this.runner.running().map((c) => c.stop()));
    if (!this.connected) return;
    this.connected = false;
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
  }

  /** @internal used by the consume loops' handling policy */
  async sendToDeadLetter(input: Parameters<typeof toDeadLetter>[0]): Promise<void> {
    await this.publish(deadLetterTopic, toDeadLetter(input));
  }
}
