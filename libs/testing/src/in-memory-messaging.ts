import { Writable } from 'node:stream';
import type { z } from 'zod';
import { deadLetterTopic } from '@toolkit/contracts';
import type { DeadLetter, Envelope, TopicContract } from '@toolkit/contracts';
import { AppError } from '@toolkit/errors';
import { createLogger } from '@toolkit/logger';
import type { Logger } from '@toolkit/logger';
import {
  CORRELATION_HEADER,
  HandlingPolicy,
  encodeEnvelope,
  toDeadLetter,
} from '@toolkit/messaging';
import type {
  BatchConsumerOptions,
  ConsumedMessage,
  ConsumerCommon,
  DeadLetterInput,
  MessageConsumerOptions,
  Messaging,
  PublishManyOptions,
  PublishOptions,
  RawMessage,
  RunningConsumer,
  TopicOptions,
} from '@toolkit/messaging';

/**
 * The `Messaging` port in memory, for fast tests of domain flows without a broker.
 *
 * Like Kafka (as `KafkaMessaging` uses it): topics exist once created (`ensureTopics`, or
 * `topics` at construction; publishing to or consuming from another one fails as
 * `unavailable`), with partitions chosen from the message key as Kafka's default
 * partitioner does (murmur2), so one key keeps one partition and its order. Each consumer
 * group gets every message once; within a group each partition has one consumer at a time
 * (range-like assignment by join order, reassigned when a consumer joins or stops), and a
 * partition's next message or batch is handed over only when the previous one is done.
 * Envelopes are encoded and validated by the messaging library's codec, and received
 * messages decoded, retried and dead-lettered by its `HandlingPolicy`: the same code as
 * on Kafka, so invalid messages and failed handlers end on `deadLetterTopic` as they would.
 *
 * Not modelled: message size limits and compression, sessions and heartbeats (a handler
 * is never evicted), the topic prefix, offsets of a non-committing group surviving only
 * while the group has members (as the broker forgets it) but not a rebalance inside it.
 */

export interface InMemoryMessagingOptions {
  /** The envelope's `producer`. */
  service?: string;
  /** Topics created at once, with `partitions` each. */
  topics?: readonly TopicContract[];
  /** Partitions of the topics created at construction (default 3). */
  partitions?: number;
  logger?: Logger;
  /**
   * Backoff between in-process retries when a consumer does not set its own (default as
   * on Kafka: 200 ms doubling to 10 s); tests of retries pass a few milliseconds.
   */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

/** One stored record, as a broker keeps it. */
export interface StoredRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/** What happened to a message on the bus (tests await or assert these). */
export type BusOutcome =
  | { kind: 'handled'; topic: string; groupId: string; count: number }
  | {
      kind: 'failed';
      topic: string;
      groupId: string;
      count: number;
      attempt: number;
      error: unknown;
    }
  | { kind: 'dead-lettered'; topic: string; groupId: string; reason: DeadLetter['reason'] };

interface TopicLog {
  name: string;
  partitions: StoredRecord[][];
}

interface Member {
  readonly group: Group;
  readonly options: ConsumerCommon & { contract: TopicContract };
  readonly deliver: (
    partition: number,
    records: StoredRecord[],
    advance: (offset: number) => void,
    /** False once the member stops or loses the partition: hand back, do not advance. */
    keepTrying: () => boolean,
  ) => Promise<void>;
  readonly concurrency: number;
  active: number;
  paused: boolean;
  stopped: boolean;
  crashed: boolean;
  assigned: Set<number>;
  inFlight: Set<Promise<void>>;
}

interface Group {
  id: string;
  topic: TopicLog;
  members: Member[];
  /** Next offset to hand over, per partition. */
  offsets: Map<number, number>;
  /** Partitions with a message or batch being handled. */
  busy: Set<number>;
}

const noHeartbeat = async (): Promise<void> => undefined;

/** Kafka's murmur2 (as its Java client and kafkajs' default partitioner compute it). */
function murmur2(data: Buffer): number {
  const m = 0x5bd1e995;
  let h = 0x9747b28c ^ data.length;
  const whole = data.length - (data.length % 4);
  for (let i = 0; i < whole; i += 4) {
    let k = data.readInt32LE(i);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const rest = data.length % 4;
  if (rest === 3) h ^= (data[whole + 2] ?? 0) << 16;
  if (rest >= 2) h ^= (data[whole + 1] ?? 0) << 8;
  if (rest >= 1) {
    h ^= data[whole] ?? 0;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h;
}

/** The partition Kafka's default partitioner picks for a key. */
export function partitionOfKey(key: string, partitions: number): number {
  return (murmur2(Buffer.from(key)) & 0x7fffffff) % partitions;
}

export class InMemoryMessaging implements Messaging {
  private readonly topics = new Map<string, TopicLog>();
  private readonly groups = new Map<string, Group>();
  private readonly logger: Logger;
  private readonly service: string;
  private closed = false;
  private scheduled = false;
  private readonly listeners = new Set<(outcome: BusOutcome) => void>();
  private readonly consumers = new Set<RunningConsumer>();
  /** Every outcome so far, in order. */
  readonly outcomes: BusOutcome[] = [];

  constructor(private readonly options: InMemoryMessagingOptions = {}) {
    this.service = options.service ?? 'test';
    this.logger =
      options.logger ??
      createLogger({
        service: this.service,
        level: 'silent',
        destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
      });
    for (const contract of options.topics ?? [])
      this.createTopic(contract.topic, options.partitions ?? 3);
  }

  async ensureTopics(declared: readonly TopicContract[], options: TopicOptions): Promise<void> {
    for (const contract of declared) this.createTopic(contract.topic, options.partitions);
  }

  private createTopic(name: string, partitions: number): void {
    if (this.topics.has(name)) return;
    this.topics.set(name, { name, partitions: Array.from({ length: partitions }, () => []) });
  }

  private topic(name: string): TopicLog {
    const log = this.topics.get(name);
    if (!log)
      throw AppError.unavailable(
        'Kafka (in memory)',
        new Error(`topic ${name} does not exist: create it first (no auto-creation)`),
      );
    return log;
  }

  async publish<S extends z.ZodType>(
    contract: TopicContract<S>,
    payload: z.input<S>,
    options: PublishOptions = {},
  ): Promise<Envelope<z.output<S>>> {
    return this.append(contract, [payload], options)[0] as Envelope<z.output<S>>;
  }

  async publishMany<S extends z.ZodType>(
    contract: TopicContract<S>,
    payloads: readonly z.input<S>[],
    options: PublishManyOptions = {},
  ): Promise<Envelope<z.output<S>>[]> {
    return this.append(contract, payloads, options);
  }

  /** Validates every payload first (nothing is stored when one is invalid), then appends. */
  private append<S extends z.ZodType>(
    contract: TopicContract<S>,
    payloads: readonly z.input<S>[],
    options: PublishOptions & PublishManyOptions,
  ): Envelope<z.output<S>>[] {
    if (payloads.length === 0) return [];
    if (this.closed) throw AppError.unavailable('Kafka (in memory, disconnected)');
    const log = this.topic(contract.topic);
    const encoded = payloads.map((p, i) => {
      const correlationId = options.correlationIds?.[i] ?? options.correlationId;
      const headers: Record<string, string> = { ...options.headers };
      if (correlationId) headers[CORRELATION_HEADER] = correlationId;
      const e = encodeEnvelope(contract, p, {
        producer: this.service,
        correlationId,
        eventId: options.eventId,
      });
      return { ...e, headers };
    });
    for (const e of encoded) this.store(log, e.key, e.value, e.headers);
    this.schedule();
    return encoded.map((e) => e.envelope);
  }

  /** Appends a message as it is, unvalidated (a poison message from another producer). */
  produceRaw(
    contract: TopicContract,
    message: { key: string | null; value: string | null; headers?: Record<string, string> },
  ): StoredRecord {
    const record = this.store(
      this.topic(contract.topic),
      message.key,
      message.value,
      message.headers ?? {},
    );
    this.schedule();
    return record;
  }

  private store(
    log: TopicLog,
    key: string | null,
    value: string | null,
    headers: Record<string, string>,
  ): StoredRecord {
    // Kafka's default partitioner spreads keyless messages; these go round the partitions.
    const total = log.partitions.reduce((n, p) => n + p.length, 0);
    const partition =
      key === null ? total % log.partitions.length : partitionOfKey(key, log.partitions.length);
    const records = log.partitions[partition] as StoredRecord[];
    const record: StoredRecord = {
      topic: log.name,
      partition,
      offset: records.length,
      key,
      value,
      headers: { ...headers },
    };
    records.push(record);
    return record;
  }

  /** A topic's records, partition by partition, in offset order. */
  records(contract: TopicContract): StoredRecord[] {
    return this.topic(contract.topic).partitions.flat();
  }

  /** A topic's envelopes as published (their JSON parsed, not validated). */
  envelopes<P = unknown>(contract: TopicContract): Envelope<P>[] {
    return this.records(contract)
      .filter((r) => r.value !== null)
      .map((r) => JSON.parse(r.value as string) as Envelope<P>);
  }

  /** The dead letters so far (the dead-letter topic must exist). */
  deadLetters(): DeadLetter[] {
    return this.envelopes<DeadLetter>(deadLetterTopic).map((e) => e.payload);
  }

  /** Calls `listener` with every outcome from now on; returns the unsubscribe. */
  onOutcome(listener: (outcome: BusOutcome) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private report(outcome: BusOutcome): void {
    this.outcomes.push(outcome);
    for (const listener of this.listeners) listener(outcome);
  }

  async consume<S extends z.ZodType>(options: MessageConsumerOptions<S>): Promise<RunningConsumer> {
    return this.join(options, (policy) => async (partition, records, advance, keepTrying) => {
      for (const record of records) {
        const decoded = await policy.decodeOrDeadLetter(record.topic, partition, raw(record));
        const settled =
          !decoded ||
          (await policy.withRetries(
            [decoded],
            noHeartbeat,
            () => this.observed(options, [decoded], () => options.handle(decoded)),
            keepTrying,
          ));
        if (!settled) return;
        advance(record.offset + 1);
      }
    });
  }

  async consumeBatches<S extends z.ZodType>(
    options: BatchConsumerOptions<S>,
  ): Promise<RunningConsumer> {
    const maxBatch = options.maxBatchSize ?? 500;
    return this.join(options, (policy) => async (partition, records, advance, keepTrying) => {
      for (let start = 0; start < records.length; start += maxBatch) {
        const slice = records.slice(start, start + maxBatch);
        const valid: ConsumedMessage<z.output<S>>[] = [];
        for (const record of slice) {
          const decoded = await policy.decodeOrDeadLetter(record.topic, partition, raw(record));
          if (decoded) valid.push(decoded);
        }
        const settled =
          valid.length === 0 ||
          (await policy.withRetries(
            valid,
            noHeartbeat,
            () => this.observed(options, valid, () => options.handleBatch(valid, noHeartbeat)),
            keepTrying,
          ));
        if (!settled) return;
        const last = slice[slice.length - 1];
        if (last) advance(last.offset + 1);
      }
    });
  }

  /** Runs a handler, reporting its outcome (the policy decides what follows a failure). */
  private async observed(
    options: ConsumerCommon & { contract: TopicContract },
    messages: ConsumedMessage<unknown>[],
    work: () => Promise<void>,
  ): Promise<void> {
    const base = {
      topic: options.contract.topic,
      groupId: options.groupId,
      count: messages.length,
    };
    try {
      await work();
    } catch (error) {
      this.report({ kind: 'failed', ...base, attempt: messages[0]?.meta.attempt ?? 1, error });
      throw error;
    }
    this.report({ kind: 'handled', ...base });
  }

  private async join<S extends z.ZodType>(
    options: ConsumerCommon & { contract: TopicContract<S> },
    deliverWith: (policy: HandlingPolicy<S>) => Member['deliver'],
  ): Promise<RunningConsumer> {
    if (this.closed) throw AppError.unavailable('Kafka (in memory, disconnected)');
    const log = this.topic(options.contract.topic);
    const policy = new HandlingPolicy<S>({
      consumer: {
        ...options,
        retryBaseMs: options.retryBaseMs ?? this.options.retryBaseMs,
        retryMaxMs: options.retryMaxMs ?? this.options.retryMaxMs,
      },
      sendToDeadLetter: (input) => this.sendToDeadLetter(input),
      logger: this.logger.child({ module: 'in-memory-messaging' }),
    });
    const groupKey = `${options.groupId}\u0000${log.name}`;
    let group = this.groups.get(groupKey);
    if (!group) {
      group = { id: options.groupId, topic: log, members: [], offsets: new Map(), busy: new Set() };
      this.groups.set(groupKey, group);
    }
    // A partition without an offset starts at the beginning or at the end (as of joining).
    log.partitions.forEach((records, partition) => {
      if (!group.offsets.has(partition))
        group.offsets.set(partition, options.fromBeginning ? 0 : records.length);
    });
    const member: Member = {
      group,
      options,
      deliver: deliverWith(policy),
      concurrency: Math.max(1, options.partitionsConsumedConcurrently ?? 1),
      active: 0,
      paused: false,
      stopped: false,
      crashed: false,
      assigned: new Set(),
      inFlight: new Set(),
    };
    group.members.push(member);
    this.rebalance(group);
    let stopping: Promise<void> | undefined;
    const running: RunningConsumer = {
      groupId: options.groupId,
      healthy: () => !member.crashed,
      pause: () => {
        member.paused = true;
      },
      resume: () => {
        member.paused = false;
        this.schedule();
      },
      stop: () => {
        stopping ??= (async () => {
          member.stopped = true;
          // Drain: the message or batch in hand finishes (and its offset advances).
          while (member.inFlight.size > 0) await Promise.allSettled([...member.inFlight]);
          group.members = group.members.filter((m) => m !== member);
          // A group that commits nothing is forgotten once empty, as the broker does.
          if (group.members.length === 0 && options.commitOffsets === false)
            this.groups.delete(groupKey);
          this.consumers.delete(running);
          this.rebalance(group);
        })();
        return stopping;
      },
    };
    this.consumers.add(running);
    return running;
  }

  private async sendToDeadLetter(input: DeadLetterInput): Promise<void> {
    this.report({
      kind: 'dead-lettered',
      topic: input.topic,
      groupId: input.consumerGroup,
      reason: input.reason,
    });
    await this.publish(deadLetterTopic, toDeadLetter(input));
  }

  /** Partitions dealt to the members by join order: partition p to member p mod n. */
  private rebalance(group: Group): void {
    const members = group.members.filter((m) => !m.stopped);
    for (const m of group.members) m.assigned.clear();
    group.topic.partitions.forEach((_, partition) => {
      members[partition % Math.max(1, members.length)]?.assigned.add(partition);
    });
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  /** Hands every idle partition with messages to its member. */
  private pump(): void {
    for (const group of this.groups.values())
      group.topic.partitions.forEach((records, partition) => {
        if (group.busy.has(partition)) return;
        const member = group.members.find((m) => m.assigned.has(partition));
        if (!member || member.paused || member.stopped || member.crashed) return;
        if (member.active >= member.concurrency) return;
        const from = group.offsets.get(partition) ?? 0;
        if (from >= records.length) return;
        group.busy.add(partition);
        member.active++;
        const handed = member
          .deliver(
            partition,
            records.slice(from),
            (next) => group.offsets.set(partition, next),
            () => !member.stopped && !this.closed && member.assigned.has(partition),
          )
          .catch((error: unknown) => {
            // As a kafkajs consumer that crashed (e.g. the dead-letter topic is missing).
            member.crashed = true;
            this.logger.error({ err: error, groupId: group.id }, 'in-memory consumer crashed');
          })
          .finally(() => {
            group.busy.delete(partition);
            member.active--;
            member.inFlight.delete(handed);
            this.schedule();
          });
        member.inFlight.add(handed);
      });
  }

  /** Nothing being handled and nothing left that a running consumer would be handed. */
  private quiet(): boolean {
    if (this.scheduled) return false;
    for (const group of this.groups.values()) {
      if (group.busy.size > 0) return false;
      for (const [partition, records] of group.topic.partitions.entries()) {
        const member = group.members.find((m) => m.assigned.has(partition));
        if (!member || member.paused || member.stopped || member.crashed) continue;
        if ((group.offsets.get(partition) ?? 0) < records.length) return false;
      }
    }
    return true;
  }

  /**
   * Resolves once every running consumer has handled everything published so far,
   * including what their handlers published in turn; rejects after `timeoutMs`.
   */
  async idle(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let quietTurns = 0;
    while (quietTurns < 3) {
      if (Date.now() > deadline) throw new Error(`in-memory bus not idle after ${timeoutMs} ms`);
      await new Promise((resolve) => setImmediate(resolve));
      quietTurns = this.quiet() ? quietTurns + 1 : 0;
    }
  }

  async ping(): Promise<void> {
    if (this.closed) throw AppError.unavailable('Kafka (in memory, disconnected)');
    const crashed = [...this.consumers].filter((c) => !c.healthy());
    if (crashed.length > 0)
      throw AppError.unavailable(`Kafka consumer ${crashed.map((c) => c.groupId).join(', ')}`);
  }

  async lastOffsets(contract: TopicContract): Promise<Map<number, bigint>> {
    if (this.closed) throw AppError.unavailable('Kafka (in memory, disconnected)');
    const last = new Map<number, bigint>();
    this.topic(contract.topic).partitions.forEach((records, partition) => {
      if (records.length > 0) last.set(partition, BigInt(records.length - 1));
    });
    return last;
  }

  async countGroupMembers(groupId: string): Promise<number | undefined> {
    if (this.closed) throw AppError.unavailable('Kafka (in memory, disconnected)');
    let members = 0;
    for (const group of this.groups.values())
      if (group.id === groupId) members += group.members.length;
    return members === 0 ? undefined : members;
  }

  /** Drains and stops every consumer, then refuses further use. Idempotent. */
  async disconnect(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.stop()));
    this.closed = true;
  }
}

function raw(record: StoredRecord): RawMessage {
  return {
    offset: String(record.offset),
    key: record.key,
    value: record.value,
    headers: record.headers,
  };
}
