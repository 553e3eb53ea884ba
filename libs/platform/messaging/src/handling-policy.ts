import type { z } from 'zod';
import { envelopeSchema } from '@toolkit/contracts';
import type { TopicContract } from '@toolkit/contracts';
import type { LogContext, Logger } from '@toolkit/logger';
import { runWithLogContext } from '@toolkit/logger';
import type { MessagingMetrics } from '@toolkit/metrics';
import { backoffMs, decideOnFailure, decodeEnvelope } from './codec';
import type { DeadLetterInput, DecodeFailureReason } from './codec';
import { CORRELATION_HEADER } from './messaging';
import type { ConsumedMessage, ConsumerCommon } from './messaging';

/**
 * What happens to each consumed message, whatever carries it: decoded against its
 * contract (an invalid one is dead-lettered, never handed over), handled with the retry
 * policy (`decideOnFailure`, `backoffMs`), and dead-lettered when the policy gives up. No
 * kafkajs here: the Kafka runner and the in-memory bus of `@toolkit/testing` share it.
 */

/** A message as a transport hands it over (kafkajs' `KafkaMessage` is one). */
export interface RawMessage {
  offset: string;
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

export interface HandlingPolicyOptions<S extends z.ZodType> {
  /** The consumer's options, with the contract and group id as they travel (prefixed). */
  consumer: ConsumerCommon & { contract: TopicContract<S> };
  /** Publishes a dead letter (to `deadLetterTopic`). */
  sendToDeadLetter: (input: DeadLetterInput) => Promise<void>;
  logger: Logger;
  metrics?: MessagingMetrics;
}

export class HandlingPolicy<S extends z.ZodType> {
  private readonly maxAttempts: number;
  private readonly options: ConsumerCommon & { contract: TopicContract<S> };
  private readonly logger: Logger;
  private readonly metrics: MessagingMetrics | undefined;

  constructor(private readonly deps: HandlingPolicyOptions<S>) {
    this.options = deps.consumer;
    this.logger = deps.logger;
    this.metrics = deps.metrics;
    this.maxAttempts = deps.consumer.maxAttempts ?? 5;
  }

  async decodeOrDeadLetter(
    topic: string,
    partition: number,
    message: RawMessage,
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
          correlationId: decoded.envelope.correlationId ?? correlationOfHeader(header),
          attempt: 1,
        },
      };
    }
    await this.deadLetter(topic, partition, message, decoded.reason, new Error(decoded.message));
    return undefined;
  }

  /**
   * Runs `work` with the retry policy; dead-letters `messages` when it gives up. Returns
   * whether the messages are settled (handled or dead-lettered): `false` when it stopped
   * retrying because `keepTrying` said so (the consumer stops, or lost the partition), and
   * the caller must hand them back: not mark them consumed.
   */
  async withRetries(
    messages: ConsumedMessage<unknown>[],
    heartbeat: () => Promise<void>,
    work: () => Promise<void>,
    keepTrying: () => boolean = () => true,
  ): Promise<boolean> {
    const first = messages[0];
    if (!first) return true;
    const { topic } = first.meta;
    const context = batchLogContext(messages, this.options.groupId);
    const startedAt = process.hrtime.bigint();
    for (let attempt = 1; ; attempt++) {
      for (const m of messages) m.meta.attempt = attempt;
      try {
        await runWithLogContext(context, work);
        this.metrics?.consumed.inc({ topic, outcome: 'ok' }, messages.length);
        break;
      } catch (error) {
        const decision = decideOnFailure(error, attempt, this.maxAttempts);
        if (decision === 'dead-letter') {
          this.logger.error(
            { ...context, err: error, attempt },
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
          { ...context, err: error, attempt, retryInMs: wait },
          'message handling failed: retrying',
        );
        await sleepWithHeartbeat(wait, heartbeat, keepTrying);
        if (!keepTrying()) {
          this.logger.warn(
            { ...context, attempt },
            'message handling failed: handed back unsettled (the consumer stops or lost the partition)',
          );
          return false;
        }
      }
    }
    const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
    this.metrics?.handleDuration.observe({ topic }, seconds);
    return true;
  }

  private async deadLetterDecoded(
    m: ConsumedMessage<unknown>,
    reason: 'handler-failed' | 'retries-exhausted',
    error: unknown,
  ) {
    await this.deps.sendToDeadLetter({
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
    message: RawMessage,
    reason: DecodeFailureReason,
    error: Error,
  ) {
    this.logger.warn(
      { topic, partition, offset: message.offset, reason, detail: error.message },
      'invalid message: dead-lettering',
    );
    await this.deps.sendToDeadLetter({
      topic,
      partition,
      offset: message.offset,
      key: message.key ?? null,
      value: message.value,
      consumerGroup: this.options.groupId,
      reason,
      error,
    });
    this.metrics?.consumed.inc({ topic, outcome: 'dlq' });
  }
}

/**
 * What every line logged while handling `messages` carries. A batch of many requests has
 * no single correlation id or event: one is named only when all its messages share it
 * (the first message's would send a reader after the wrong request).
 */
function batchLogContext(messages: ConsumedMessage<unknown>[], groupId: string): LogContext {
  const first = messages[0] as ConsumedMessage<unknown>;
  const { topic, partition, offset, correlationId, envelope } = first.meta;
  const shared = messages.every((m) => m.meta.correlationId === correlationId);
  const last = messages[messages.length - 1] as ConsumedMessage<unknown>;
  // Both keys always set: the context merges into the caller's, whose ids must not show.
  return {
    correlationId: shared ? correlationId : undefined,
    ...(messages.length === 1
      ? { eventId: envelope.eventId }
      : { eventId: undefined, messages: messages.length, lastOffset: last.meta.offset }),
    topic,
    partition,
    offset,
    groupId,
  };
}

async function sleepWithHeartbeat(
  ms: number,
  heartbeat: () => Promise<void>,
  keepTrying: () => boolean,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && keepTrying()) {
    await new Promise((r) => setTimeout(r, Math.min(1_000, deadline - Date.now())));
    await heartbeat().catch(() => undefined);
  }
}

/**
 * A correlation id from the message's header (a producer that set no envelope field), only
 * if the envelope would take it: it is published again on results and events, and an
 * unchecked one (any producer's header) would make those sends fail validation.
 */
function correlationOfHeader(
  header: Buffer | string | (Buffer | string)[] | undefined,
): string | undefined {
  if (header === undefined || Array.isArray(header)) return undefined;
  const parsed = envelopeSchema.shape.correlationId.safeParse(header.toString());
  return parsed.success ? parsed.data : undefined;
}
