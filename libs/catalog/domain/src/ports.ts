import type { CatalogEvent, Constraints, Principal, SealedBox } from '@toolkit/contracts';
import type { Filter, SortDirection } from '@toolkit/netbox-list';
import type { ObjectChangeDoc } from './entities';

/** What the domain needs from storage, per collection (implemented in data-access). */
export interface Repository<D extends { _id: number }> {
  find(
    filter: Filter,
    options?: { sort?: [string, SortDirection][]; skip?: number; limit?: number },
  ): Promise<D[]>;
  count(filter: Filter): Promise<number>;
  /**
   * One list page and the total count, as `find` + `count` answer them; an implementation
   * may answer from a bounded, invalidated snapshot of the ordered ids (see data-access).
   */
  findPage?(
    filter: Filter,
    options: { sort: [string, SortDirection][]; skip: number; limit: number },
  ): Promise<{ docs: D[]; count: number }>;
  findById(id: number): Promise<D | null>;
  findByIds(ids: readonly number[]): Promise<D[]>;
  /** Ordered; throws on the first failure (e.g. a duplicate key). */
  insertMany(docs: readonly D[]): Promise<void>;
  replace(doc: D): Promise<void>;
  deleteMany(ids: readonly number[]): Promise<void>;
  /** `$set` on every matching document (cascading renames of denormalised references). */
  setWhere(filter: Filter, set: Record<string, unknown>): Promise<void>;
  /** Replaces the document only if it still matches `filter`; whether it did. */
  replaceIf(doc: D, filter: Filter): Promise<boolean>;
  /** Deletes those of `ids` that still match `filter`. */
  deleteIf(ids: readonly number[], filter: Filter): Promise<void>;
  allocateIds(count: number): Promise<number[]>;
}

export interface EventPublisher {
  publish(events: CatalogEvent[], correlationId?: string): Promise<void>;
}

/**
 * Change records and the events that announce them, stored together before a write is
 * answered: the stored events are the outbox that `OutboxRelay` publishes, so a change
 * committed while Kafka is down is published once it is back.
 */
export interface ChangeLog {
  /** `txn`: the write transaction they belong to; its events wait until it commits. */
  record(
    changes: Omit<ObjectChangeDoc, '_id'>[],
    outbox: { events: CatalogEvent[]; correlationId?: string; txn?: string },
  ): Promise<void>;
  /** Removes the change records and events of a transaction being rolled back. */
  discard(txn: string): Promise<void>;
}

/** An event waiting in the outbox; `_id` orders the outbox as the changes were recorded. */
export interface OutboxEntry {
  _id: number;
  event: CatalogEvent;
  correlation_id: string | null;
  txn?: string | null;
}

export interface Outbox {
  /** The oldest entries first, of committed writes only (an open transaction's wait). */
  pending(limit: number): Promise<OutboxEntry[]>;
  remove(ids: readonly number[]): Promise<void>;
}

/**
 * One storage step of a write transaction, journaled before it is taken: what to undo if
 * the process dies before the transaction commits. `befores`: the documents a replace
 * overwrites or a delete removes.
 */
export interface JournalPart {
  entity: string;
  action: 'insert' | 'replace' | 'delete';
  ids: number[];
  befores?: unknown[];
}

/**
 * The write-ahead journal of catalog writes (bulk writes are all or nothing without
 * transactions in the store). A transaction is open until `commit` (its one-document
 * commit point) or `abort`; one left open by a dead process is rolled back by recovery.
 */
export interface WriteJournal {
  /**
   * Journals steps: `first` opens the transaction with them; later ones are refused (throw)
   * once the transaction is no longer open (recovery took it for dead).
   */
  append(
    txn: string,
    parts: readonly JournalPart[],
    position: { first: boolean; index: number },
  ): Promise<void>;
  /** Keeps an open transaction from being taken for dead while a long step runs. */
  touch(txn: string): Promise<void>;
  /** The commit point; false when the transaction was no longer open (it was rolled back). */
  commit(txn: string): Promise<boolean>;
  /** Takes an open (or interrupted rolling-back) transaction for rollback; false otherwise. */
  beginRollback(txn: string): Promise<boolean>;
  abort(txn: string): Promise<void>;
  parts(txn: string): Promise<JournalPart[]>;
  /** Open or rolling-back transactions whose last sign of life is older than `before`. */
  abandoned(before: Date, limit: number): Promise<string[]>;
  /** Forgets finished transactions older than `before`; returns how many. */
  purgeFinished(before: Date): Promise<number>;
}

/** One holder among replicas (see EpochLease in @toolkit/mongo). */
export interface Lease {
  held(): Promise<boolean>;
}

/** Seals and opens secrets under the configured keyring (AES-256-GCM). */
export interface SecretBox {
  seal(value: unknown, aad: string): SealedBox;
  /** Throws a validation AppError when the box is tampered with or its key is unknown. */
  open(box: SealedBox, aad: string): unknown;
  /** The key new boxes are sealed with (to tell whether a box needs re-sealing). */
  currentKeyId(): string;
}

export interface TokenIssuer {
  issue(): { token: string; lookupId: string; secretHash: string };
  parse(token: string): { lookupId: string; secret: string } | undefined;
  matches(secret: string, hash: string): boolean;
}

export interface Clock {
  now(): Date;
}

export interface Logger {
  warn(object: Record<string, unknown>, message: string): void;
  error(object: Record<string, unknown>, message: string): void;
}

/** Who asks, what they may see, and how to write public URLs; one per request. */
export interface RequestContext {
  principal: Principal | undefined;
  /** Permission constraints of the request's action (OR-ed filter objects); null/undefined = none. */
  constraints: Constraints | undefined;
  requestId: string | undefined;
  /** `https://netbox.example.com`: prefix of every `url`. */
  baseUrl: string;
  /** Absolute URL of this request, for `next`/`previous`. */
  requestUrl: string;
}
