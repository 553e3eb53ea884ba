import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { envelopeSchema } from '@toolkit/contracts';
import type { DeadLetter, Envelope, TopicContract } from '@toolkit/contracts';
import { AppError, isAppError } from '@toolkit/errors';

/**
 * Pure encoding and decoding of envelopes, and the one table that says what happens to a
 * message whose handling failed. No kafkajs here: this is tested without a broker.
 */

export interface EncodeOptions {
  producer: string;
  correlationId?: string;
  eventId?: string;
  now?: Date;
}

export function encodeEnvelope<S extends z.ZodType>(
  contract: TopicContract<S>,
  payload: z.input<S>,
  options: EncodeOptions,
): { key: string; value: string; envelope: Envelope<z.output<S>> } {
  const parsed = contract.payload.safeParse(payload);
  if (!parsed.success) {
    // A producer bug, not the caller's input: never publish what readers would dead-letter.
    throw new AppError({
      code: 'invalid-message',
      category: 'internal',
      message: `Refusing to publish an invalid ${contract.type} message: ${parsed.error.issues
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ')}`,
    });
  }
  const envelope: Envelope<z.output<S>> = {
    eventId: options.eventId ?? randomUUID(),
    type: contract.type,
    schemaVersion: contract.schemaVersion,
    occurredAt: (options.now ?? new Date()).toISOString(),
    producer: options.producer,
    ...(options.correlationId ? { correlationId: options.correlationId } : {}),
    payload: parsed.data,
  };
  return { key: contract.keyOf(parsed.data), value: JSON.stringify(envelope), envelope };
}

export type DecodeFailureReason =
  'invalid-json' | 'invalid-envelope' | 'invalid-payload' | 'unknown-type';

export type Decoded<P> =
  { ok: true; envelope: Envelope<P> } | { ok: false; reason: DecodeFailureReason; message: string };

export function decodeEnvelope<S extends z.ZodType>(
  contract: TopicContract<S>,
  value: Buffer | string | null,
): Decoded<z.output<S>> {
  if (value === null)
    return { ok: false, reason: 'invalid-json', message: 'empty message (tombstone)' };
  let json: unknown;
  try {
    json = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid-json', message: 'value is not JSON' };
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success)
    return { ok: false, reason: 'invalid-envelope', message: describe(envelope.error) };
  if (
    envelope.data.type !== contract.type ||
    envelope.data.schemaVersion !== contract.schemaVersion
  ) {
    return {
      ok: false,
      reason: 'unknown-type',
      message: `expected ${contract.type} v${contract.schemaVersion}, got ${envelope.data.type} v${envelope.data.schemaVersion}`,
    };
  }
  const payload = contract.payload.safeParse(envelope.data.payload);
  if (!payload.success)
    return { ok: false, reason: 'invalid-payload', message: describe(payload.error) };
  return { ok: true, envelope: { ...envelope.data, payload: payload.data } };
}

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

export type FailureDecision = 'retry' | 'dead-letter';

/**
 * Permanent errors (validation, not found, conflict, forbidden, internal bugs) go to the
 * dead-letter topic at once: retrying cannot help. A dependency that is down (an
 * `unavailable` AppError: Kafka, MongoDB) is retried for as long as it takes: the message
 * is fine, and dead-lettering it would lose every message handled during an outage longer
 * than a few backoffs (the partition waits instead; its lag shows it). Other retriable
 * errors, unknown errors included, are retried up to `maxAttempts`, then dead-lettered so
 * the partition moves on.
 */
export function decideOnFailure(
  error: unknown,
  attempt: number,
  maxAttempts: number,
): FailureDecision {
  if (isAppError(error) && error.category === 'unavailable' && error.retriable) return 'retry';
  const retriable = isAppError(error) ? error.retriable : true;
  return retriable && attempt < maxAttempts ? 'retry' : 'dead-letter';
}

/** Exponential backoff with full jitter, capped. */
export function backoffMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export interface DeadLetterInput {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | string | null;
  value: Buffer | string | null;
  consumerGroup: string;
  reason: DeadLetter['reason'];
  error: unknown;
  now?: Date;
}

export function toDeadLetter(input: DeadLetterInput): DeadLetter {
  const error = input.error;
  const code = isAppError(error) ? error.code : input.reason;
  const message =
    error instanceof Error ? error.message : typeof error === 'string' ? error : 'unknown error';
  return {
    sourceTopic: input.topic,
    partition: input.partition,
    offset: input.offset,
    key: input.key === null ? null : input.key.toString(),
    consumerGroup: input.consumerGroup,
    reason: input.reason,
    errorCode: code.slice(0, 100),
    errorMessage: message.slice(0, 4_096),
    value: input.value === null ? null : Buffer.from(input.value).toString('base64'),
    failedAt: (input.now ?? new Date()).toISOString(),
  };
}
