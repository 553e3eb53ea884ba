import mongoose from 'mongoose';
import type { Connection, Model } from 'mongoose';
import { AppError } from '@toolkit/errors';
import type { Logger } from '@toolkit/logger';

export type { Connection, Model } from 'mongoose';

export interface MongoOptions {
  uri: string;
  /** Each service owns its database; overrides the URI's path when set. */
  dbName?: string;
  logger: Logger;
  serverSelectionTimeoutMs?: number;
}

/**
 * One mongoose connection per service, created and awaited at boot (mongoose would
 * otherwise buffer commands and hang), pinged for readiness, closed last on shutdown.
 * Commands are never buffered: when the server is down, calls fail fast as `unavailable`.
 */
export class MongoDatabase {
  readonly connection: Connection;
  private readonly logger: Logger;

  constructor(private readonly options: MongoOptions) {
    this.logger = options.logger.child({ module: 'mongo' });
    this.connection = mongoose.createConnection();
    this.connection.set('bufferCommands', false);
    this.connection.on('disconnected', () => this.logger.warn('MongoDB disconnected'));
    this.connection.on('reconnected', () => this.logger.info('MongoDB reconnected'));
  }

  async connect(): Promise<void> {
    try {
      await this.connection.openUri(this.options.uri, {
        dbName: this.options.dbName,
        serverSelectionTimeoutMS: this.options.serverSelectionTimeoutMs ?? 5_000,
        autoIndex: false,
        autoCreate: false,
        maxPoolSize: 20,
      });
    } catch (error) {
      throw AppError.unavailable('MongoDB', error);
    }
  }

  /** Creates the indexes declared on the models (idempotent), as production boot does. */
  async ensureIndexes(models: readonly Model<never>[]): Promise<void> {
    for (const model of models) {
      await model.createCollection().catch((error: { code?: number }) => {
        if (error.code !== 48) throw error; // NamespaceExists
      });
      await model.createIndexes();
    }
  }

  async ping(timeoutMs = 2_000): Promise<void> {
    const db = this.connection.db;
    if (this.connection.readyState !== 1 || !db) throw AppError.unavailable('MongoDB');
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        db.command({ ping: 1 }),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('MongoDB did not answer in time')), timeoutMs);
        }),
      ]);
    } catch (error) {
      throw AppError.unavailable('MongoDB', error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Idempotent. */
  async disconnect(): Promise<void> {
    if (this.connection.readyState === 0) return;
    await this.connection.close();
  }
}

/**
 * Duplicate keys become a conflict naming the fields; lost connections `unavailable`.
 * MongoDB names the violated index (keyPattern); FerretDB does not, so callers pass the
 * unique fields they expect (`uniqueFields`) to name them on both.
 */
/**
 * A unique index refused the write: MongoDB's E11000 (also per item of a bulk write), or
 * FerretDB 1.24's answer to a findAndModify or upsert that collides, PostgreSQL's SQLSTATE
 * 23505 without a code.
 */
export function isDuplicateKey(error: unknown): boolean {
  const e = error as { code?: number; message?: unknown; writeErrors?: { code?: number }[] };
  if (e?.code === 11000) return true;
  if ((e?.writeErrors ?? []).some((w) => w.code === 11000)) return true;
  return (
    typeof e?.message === 'string' && /\(SQLSTATE 23505\)|E11000 duplicate key/.test(e.message)
  );
}

export function toStorageError(
  error: unknown,
  what = 'object',
  uniqueFields: readonly string[] = [],
): AppError {
  if (error instanceof AppError) return error;
  const e = error as {
    code?: number;
    keyPattern?: Record<string, unknown>;
    name?: string;
    message?: unknown;
  };
  if (isDuplicateKey(e)) {
    const fields = e.keyPattern ? Object.keys(e.keyPattern) : [...uniqueFields];
    return AppError.conflict(
      fields.length > 0
        ? `A ${what} with this ${fields.join(', ')} already exists.`
        : `This ${what} already exists.`,
      { uniqueFields: fields },
    );
  }
  if (isServerUnavailable(error)) return AppError.unavailable('MongoDB', error);
  return AppError.internal('Storage error.', error);
}

/** Driver errors that mean the server cannot be reached, or is shutting down. */
const UNREACHABLE = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoServerClosedError',
  'MongoPoolClearedError',
  'MongoStalePrimaryError',
]);

/**
 * Server codes of a member that cannot serve for now (the driver's retryable codes: a
 * replica set electing a primary, a server shutting down, a network failure between
 * members), and labels the driver or server put on such errors.
 */
const TRANSIENT_CODES = new Set([6, 7, 89, 91, 189, 9001, 10107, 11600, 11602, 13435, 13436]);
const TRANSIENT_LABELS = ['RetryableWriteError', 'ResetPool', 'TransientTransactionError'];

/**
 * Whether `error` says MongoDB is unreachable or between primaries: worth retrying later,
 * not the operation's fault. Looks through the driver's wrappers: a bulk write (insertMany,
 * bulkWrite) that lost its connection throws a MongoBulkWriteError holding the network
 * error in `errorResponse` (probed: a FerretDB killed under analytics' log inserts).
 */
export function isServerUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const e = current as Error & {
      code?: unknown;
      hasErrorLabel?: (label: string) => boolean;
      errorResponse?: unknown;
    };
    if (UNREACHABLE.has(e.name)) return true;
    if (typeof e.code === 'number' && TRANSIENT_CODES.has(e.code)) return true;
    if (typeof e.hasErrorLabel === 'function' && TRANSIENT_LABELS.some((l) => e.hasErrorLabel?.(l)))
      return true;
    current = e.errorResponse instanceof Error ? e.errorResponse : e.cause;
  }
  return false;
}
