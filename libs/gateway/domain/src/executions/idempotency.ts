import { AppError } from '@toolkit/errors';

/** How long a key is remembered (a retry within it gets the first answer). */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

/**
 * A key whose first request has not published its execution yet is waited for this long
 * by a concurrent retry; after it, the first request is taken as gone (crashed between
 * publishing and recording it) and its execution id answers.
 */
export const PENDING_CLAIM_MS = 30_000;

/**
 * One use of an `Idempotency-Key` by one user: the request it was first given with (a
 * fingerprint, never the body: it may carry a password) and the execution it started.
 */
export interface IdempotencyRecord {
  /** A hash of the user id and the key. */
  id: string;
  userId: number;
  fingerprint: string;
  executionId: string;
  /**
   * `pending` until the execution is published, then `accepted`; `failed` when publishing
   * failed (the broker may have it: a retry publishes again under the same id).
   */
  state: 'pending' | 'accepted' | 'failed';
  created: Date;
  expiresAt: Date;
}

/** Port: the keys, shared by every gateway replica (a unique id makes a claim atomic). */
export interface IdempotencyStore {
  /** Inserts the record unless one with its id exists; then answers the existing one. */
  claim(
    record: IdempotencyRecord,
  ): Promise<{ claimed: true } | { claimed: false; existing: IdempotencyRecord | undefined }>;
  accept(id: string): Promise<void>;
  /** Forgets a claim whose request was refused before anything ran (a fixed retry may run). */
  release(id: string, executionId: string): Promise<void>;
  /** Publishing failed: keep the execution id, for a retry to publish again under it. */
  markFailed(id: string, executionId: string): Promise<void>;
  /** A retry takes a failed or abandoned claim over (same execution id, pending again). */
  retake(record: IdempotencyRecord): Promise<void>;
  /** Deletes a record that expired (so that the key can be claimed again). */
  expire(id: string, executionId: string): Promise<void>;
}

/** Port: keyed hashes (HMAC), so that stored fingerprints reveal nothing of a body. */
export interface Fingerprints {
  keyId(userId: number, key: string): string;
  of(value: unknown): string;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** A key is 1-255 printable ASCII characters without spaces (a UUID, typically). */
export function checkIdempotencyKey(key: string): string {
  if (!KEY_PATTERN.test(key))
    throw AppError.validation(
      {
        'Idempotency-Key': [
          'Must be 1 to 255 printable ASCII characters without spaces (a UUID, for example).',
        ],
      },
      'invalid-idempotency-key',
    );
  return key;
}

/** The same key with another request: refused (400 naming the header), never run. */
export function keyReusedError(): AppError {
  return AppError.validation(
    {
      'Idempotency-Key': [
        'This key was already used with another request (command or body) in the last 24 hours: use a new key.',
      ],
    },
    'idempotency-key-reused',
  );
}
