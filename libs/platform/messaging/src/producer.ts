import { CompressionTypes } from 'kafkajs';
import type { IHeaders, Producer } from 'kafkajs';
import type { z } from 'zod';
import type { Envelope, TopicContract } from '@toolkit/contracts';
import { AppError } from '@toolkit/errors';
import type { MessagingMetrics } from '@toolkit/metrics';
import { kafkaErrorType } from './client';
import { encodeEnvelope } from './codec';
import { CORRELATION_HEADER } from './messaging';
import type { PublishManyOptions } from './messaging';

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

const TOO_LARGE_TYPES = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

/**
 * Refusals of the records themselves, which sending again cannot change: not `unavailable`
 * (a consumer would retry them forever, its partition stuck), but permanent. Anything else
 * (connection, leadership, authorization an operator can fix) is Kafka being unavailable.
 */
const REFUSED_TYPES = new Set([
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TOPIC_EXCEPTION',
  'UNSUPPORTED_COMPRESSION_TYPE',
  'INVALID_REQUIRED_ACKS',
  'INVALID_TIMESTAMP',
]);

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

/** A failed send other than "too large": permanent when the records were refused. */
export function sendError(error: unknown, topic: string): AppError {
  const type = kafkaErrorType(error) ?? '';
  if (!REFUSED_TYPES.has(type)) return AppError.unavailable('Kafka', error);
  return new AppError({
    code: 'message-refused',
    category: 'internal',
    retriable: false,
    message: `Kafka refused the messages for topic ${topic} (${type}).`,
    cause: error,
  });
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

/** The topic limits publishing measures against (kept by the topic administration). */
export interface TopicLimits {
  limitOf(contract: TopicContract): number;
  learnTopicLimit(contract: TopicContract): Promise<void>;
}

/** Producer sizing and batching: validated envelopes in as few produce requests as fit. */
export class EnvelopeProducer {
  constructor(
    private readonly producer: Producer,
    private readonly service: string,
    private readonly limits: TopicLimits,
    private readonly metrics: MessagingMetrics | undefined,
  ) {}

  /**
   * Many payloads in as few produce requests as their size allows (in order, so order is
   * kept per key). A request carries at most PRODUCE_REQUEST_BYTES of messages, so that no
   * partition's record batch outgrows Kafka's default limit; a larger message goes alone,
   * and one larger than its topic accepts is refused before anything is sent. `contract`
   * carries its topic as it travels (with the prefix).
   */
  async publishMany<S extends z.ZodType>(
    contract: TopicContract<S>,
    payloads: readonly z.input<S>[],
    options: PublishManyOptions,
  ): Promise<Envelope<z.output<S>>[]> {
    if (payloads.length === 0) return [];
    // Headers (and their size) once per correlation id of the call, not per message.
    const headersOf = new Map<string | undefined, { headers: IHeaders; headerBytes: number }>();
    const headersFor = (correlationId: string | undefined) => {
      let found = headersOf.get(correlationId);
      if (!found) {
        const headers: IHeaders = { ...options.headers };
        if (correlationId) headers[CORRELATION_HEADER] = correlationId;
        const headerBytes = Object.entries(headers).reduce(
          (sum, [name, value]) => sum + name.length + String(value ?? '').length,
          0,
        );
        found = { headers, headerBytes };
        headersOf.set(correlationId, found);
      }
      return found;
    };
    const encoded = payloads.map((p, i) => {
      const correlationId = options.correlationIds?.[i] ?? options.correlationId;
      const { headers, headerBytes } = headersFor(correlationId);
      const e = encodeEnvelope(contract, p, { producer: this.service, correlationId });
      // As bytes once here: sizes are exact, and kafkajs sends a Buffer as it is.
      const value = Buffer.from(e.value);
      const bytes = value.length + e.key.length + headerBytes + RECORD_FRAMING_BYTES;
      return { key: e.key, value, headers, envelope: e.envelope, bytes };
    });
    const limit = this.limits.limitOf(contract);
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
          messages: group.map((e) => ({ key: e.key, value: e.value, headers: e.headers })),
        });
      } catch (error) {
        if (!TOO_LARGE_TYPES.has(kafkaErrorType(error) ?? ''))
          throw sendError(error, contract.topic);
        // The broker takes less than we measured against (a limit lowered since boot):
        // learn it, and say so as the non-retriable error it is.
        await this.limits.learnTopicLimit(contract);
        throw messageTooLarge(
          contract.topic,
          Math.max(...group.map((e) => e.value.length)),
          this.limits.limitOf(contract),
        );
      }
      this.metrics?.produced.inc({ topic: contract.topic }, group.length);
    }
    return encoded.map((e) => e.envelope);
  }
}
