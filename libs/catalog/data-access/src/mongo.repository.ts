import type { Model, mongo } from 'mongoose';
import type { Repository } from '@toolkit/catalog-domain';
import type { Filter, SortDirection } from '@toolkit/netbox-list';
import { AppError } from '@toolkit/errors';
import { isDuplicateKey, isServerUnavailable, toStorageError } from '@toolkit/mongo';
import type { SequenceAllocator } from '@toolkit/mongo';
import { ListCache } from './list-cache';
import type { ListCacheOptions } from './list-cache';

const INSERT_CHUNK = 50;

/**
 * A catalog collection behind the domain's Repository port: lean driver reads (plain
 * objects, no hydration), integer ids from a SequenceAllocator (safe on FerretDB, where
 * findOneAndUpdate $inc is not atomic).
 */
export class MongoRepository<D extends { _id: number }> implements Repository<D> {
  private readonly collection: mongo.Collection<mongo.Document>;

  private readonly cache: ListCache;

  constructor(
    model: Model<never>,
    private readonly sequences: SequenceAllocator,
    private readonly sequence: string,
    cache: ListCacheOptions = { ttlMs: 0 },
  ) {
    this.collection = model.collection as unknown as mongo.Collection<mongo.Document>;
    this.cache = new ListCache(
      `${this.collection.dbName}.${this.collection.collectionName}`,
      cache,
    );
  }

  /**
   * A page and the total: from the collection's read model when the list cache is on (see
   * ListCache), else (or for collections and filters it does not cover) the sorted page
   * query and a count.
   */
  async findPage(
    filter: Filter,
    options: { sort: [string, SortDirection][]; skip: number; limit: number },
  ): Promise<{ docs: D[]; count: number }> {
    const cached = this.cache.enabled
      ? await this.cache.page<D>(filter, options.sort, options, (maxDocs) => this.all(maxDocs))
      : undefined;
    if (cached) return cached;
    const [docs, count] = await Promise.all([this.find(filter, options), this.count(filter)]);
    return { docs, count };
  }

  /** Every document (one scan), or undefined when there are more than `maxDocs`. */
  private async all(maxDocs: number): Promise<D[] | undefined> {
    const docs = await this.find({}, { limit: maxDocs + 1 });
    return docs.length > maxDocs ? undefined : docs;
  }

  async find(
    filter: Filter,
    options: { sort?: [string, SortDirection][]; skip?: number; limit?: number } = {},
  ): Promise<D[]> {
    try {
      let cursor = this.collection.find(filter as mongo.Filter<mongo.Document>);
      if (options.sort && options.sort.length > 0) cursor = cursor.sort(options.sort);
      if (options.skip) cursor = cursor.skip(options.skip);
      if (options.limit) cursor = cursor.limit(options.limit);
      return (await cursor.toArray()) as unknown as D[];
    } catch (error) {
      throw toStorageError(error);
    }
  }

  async count(filter: Filter): Promise<number> {
    try {
      return await this.collection.countDocuments(filter as mongo.Filter<mongo.Document>);
    } catch (error) {
      throw toStorageError(error);
    }
  }

  async findById(id: number): Promise<D | null> {
    const [doc] = await this.find({ _id: id }, { limit: 1 });
    return doc ?? null;
  }

  async findByIds(ids: readonly number[]): Promise<D[]> {
    if (ids.length === 0) return [];
    return this.find({ _id: { $in: [...ids] } });
  }

  /**
   * Ordered: stops at the first failure, which is rethrown as is (the caller compensates).
   * Sent in statements of at most INSERT_CHUNK documents (FerretDB stalls on very large ones).
   */
  async insertMany(docs: readonly D[]): Promise<void> {
    try {
      for (let start = 0; start < docs.length; start += INSERT_CHUNK)
        await this.collection.insertMany(
          docs.slice(start, start + INSERT_CHUNK).map((d) => ({ ...d })) as mongo.Document[],
          { ordered: true },
        );
    } catch (error) {
      throw asWriteError(error);
    } finally {
      if (docs.length > 0) this.cache.invalidate();
    }
  }

  async replace(doc: D): Promise<void> {
    try {
      await this.collection.replaceOne(
        { _id: doc._id } as unknown as mongo.Filter<mongo.Document>,
        { ...doc } as mongo.Document,
      );
    } catch (error) {
      throw asWriteError(error);
    } finally {
      this.cache.invalidate();
    }
  }

  async deleteMany(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    try {
      await this.collection.deleteMany({
        _id: { $in: [...ids] },
      } as unknown as mongo.Filter<mongo.Document>);
    } finally {
      this.cache.invalidate();
    }
  }

  async setWhere(filter: Filter, set: Record<string, unknown>): Promise<void> {
    try {
      await this.collection.updateMany(filter as mongo.Filter<mongo.Document>, { $set: set });
    } catch (error) {
      throw toStorageError(error);
    } finally {
      this.cache.invalidate();
    }
  }

  async replaceIf(doc: D, filter: Filter): Promise<boolean> {
    try {
      const { matchedCount } = await this.collection.replaceOne(
        { ...filter, _id: doc._id } as unknown as mongo.Filter<mongo.Document>,
        { ...doc } as mongo.Document,
      );
      return matchedCount === 1;
    } finally {
      this.cache.invalidate();
    }
  }

  async deleteIf(ids: readonly number[], filter: Filter): Promise<void> {
    if (ids.length === 0) return;
    try {
      await this.collection.deleteMany({
        ...filter,
        _id: { $in: [...ids] },
      } as unknown as mongo.Filter<mongo.Document>);
    } finally {
      this.cache.invalidate();
    }
  }

  allocateIds(count: number): Promise<number[]> {
    return count === 0 ? Promise.resolve([]) : this.sequences.take(this.sequence, count);
  }
}

/**
 * The services read a unique index violation as `code: 11000`. MongoDB answers so; FerretDB
 * 1.24 does for inserts but not for updates (a replace that takes another object's unique
 * key fails with PostgreSQL's SQLSTATE 23505 in the message): those get the code too.
 */
/**
 * A failed write as the domain compensates for it: MongoDB unreachable as `unavailable`
 * (a 503, not a storage bug), a duplicate key with the code 11000 (FerretDB's may have
 * none), anything else as it is.
 */
function asWriteError(error: unknown): unknown {
  if (isServerUnavailable(error)) return AppError.unavailable('MongoDB', error);
  if (!isDuplicateKey(error) || (error as { code?: unknown }).code === 11000) return error;
  return Object.assign(new Error((error as Error).message, { cause: error }), { code: 11000 });
}
