import { AppError } from '@toolkit/errors';
import type { Clock } from '../ports';

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

export type KeyClaim =
  { replay: false; record: IdempotencyRecord } | { replay: true; executionId: string };

/**
 * The key protocol of single and bulk execution: a request with a key claims it for the
 * id it will publish under (an execution or a bulk job), or finds the id an earlier
 * request with the same key and body started, waiting while that one is still being
 * checked. A key whose request failed to publish, or never said it published and whose
 * id nobody knows (`published`), is taken over: this request publishes under the same id.
 */
export class IdempotencyKeys {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly deps: {
      idempotency: IdempotencyStore;
      fingerprints: Fingerprints;
      clock: Clock;
      warn: (error: unknown, message: string) => void;
      sleep?: ((ms: number) => Promise<void>) | undefined;
    },
  ) {
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async claim(input: {
    userId: number;
    key: string;
    /** What makes two requests the same (hashed, never stored). */
    request: unknown;
    /** The id this request publishes under if the key is new. */
    id: string;
    /** Whether an id was published after all (its execution or job is known). */
    published: (id: string) => Promise<boolean>;
  }): Promise<KeyClaim> {
    const { fingerprints, idempotency: store, clock } = this.deps;
    const id = fingerprints.keyId(input.userId, input.key);
    const fingerprint = fingerprints.of(input.request);
    const started = clock.now().getTime();
    for (let attempt = 0; ; attempt++) {
      const now = clock.now();
      const record: IdempotencyRecord = {
        id,
        userId: input.userId,
        fingerprint,
        executionId: input.id,
        state: 'pending',
        created: now,
        expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
      };
      const answer = await store.claim(record);
      if (answer.claimed) return { replay: false, record };
      const existing = answer.existing;
      if (!existing) continue; // freed meanwhile: claim it
      if (existing.expiresAt <= now) {
        await store.expire(id, existing.executionId);
        continue;
      }
      if (existing.fingerprint !== fingerprint) throw keyReusedError();
      if (existing.state === 'accepted') return { replay: true, executionId: existing.executionId };
      const stale =
        existing.created.getTime() + PENDING_CLAIM_MS <= now.getTime() ||
        now.getTime() - started >= PENDING_CLAIM_MS;
      if (existing.state === 'failed' || stale) {
        // Published after all (a lost acknowledgement, a crash after publishing)?
        if (stale && (await input.published(existing.executionId)))
          return { replay: true, executionId: existing.executionId };
        const taken = { ...record, executionId: existing.executionId };
        await store.retake(taken);
        return { replay: false, record: taken };
      }
      if (attempt > PENDING_CLAIM_MS / 25)
        throw AppError.unavailable('Idempotency-Key records (the first request never settled)');
      // The first request with this key is still being checked, or just gave up.
      await this.sleep(25);
    }
  }

  /** The request published: a retry replays it. */
  async accepted(claim: IdempotencyRecord): Promise<void> {
    await this.deps.idempotency
      .accept(claim.id)
      .catch((e: unknown) => this.deps.warn(e, 'idempotency key not marked accepted'));
  }

  /**
   * A request with a key failed. Refused before publishing (a 4xx): nothing ran, the key
   * is freed for a corrected retry. Failed while publishing (`mayHavePublished`): the
   * broker may still have the request (an acknowledgement lost), so the key keeps its id,
   * marked `failed`: a retry publishes again under the same id, which executors
   * deduplicate (a `config` never runs twice).
   */
  async settleAfterFailure(claim: IdempotencyRecord, mayHavePublished: boolean): Promise<void> {
    await (
      mayHavePublished
        ? this.deps.idempotency.markFailed(claim.id, claim.executionId)
        : this.deps.idempotency.release(claim.id, claim.executionId)
    ).catch((e: unknown) => this.deps.warn(e, 'idempotency key not settled after a failure'));
  }
}
