import { z } from 'zod';
import { defineTopic } from './envelope.contract';

/** A message that could not be handled: the original bytes plus why. */
export const deadLetterSchema = z.object({
  sourceTopic: z.string().min(1),
  partition: z.number().int().min(0),
  offset: z.string().min(1),
  key: z.string().nullable(),
  consumerGroup: z.string().min(1),
  reason: z.enum([
    'invalid-json',
    'invalid-envelope',
    'invalid-payload',
    'unknown-type',
    'handler-failed',
    'retries-exhausted',
  ]),
  errorCode: z.string().max(100),
  errorMessage: z.string().max(4_096),
  /** The original value, base64: it may not be valid UTF-8. */
  value: z.string().nullable(),
  failedAt: z.iso.datetime({ offset: true }),
});
export type DeadLetter = z.output<typeof deadLetterSchema>;

export const deadLetterTopic = defineTopic({
  topic: 'toolkit.deadletter.v1',
  type: 'message.dead-lettered',
  schemaVersion: 1,
  payload: deadLetterSchema,
  keyOf: (p) => p.sourceTopic,
});
