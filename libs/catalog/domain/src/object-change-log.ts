import type { ExternalChangeRecord } from '@toolkit/api-contracts';
import { AppError } from '@toolkit/errors';
import { allOf, constraintsFilter } from '@toolkit/netbox-list';
import type { Filter, ListQuery, ListSpec } from '@toolkit/netbox-list';
import type { ObjectChangeDoc } from './entities';
import type { Repository, RequestContext } from './ports';
import type { ConcurrencyLimit } from './concurrency-limit';

export interface ObjectChangeLogOptions {
  /** Object types whose objects only their owner sees (`toolkit.credentialset`). */
  privateTypes: readonly string[];
  /** Bounds concurrent list scans (a list sorts and counts its whole match). */
  scans?: ConcurrencyLimit;
  /** Time of records written through `recordExternal`. */
  clock?: { now(): Date };
}

/** A change of an object another service stores (the gateway's users, groups, ...). */
export type ExternalChangeInput = ExternalChangeRecord;

/**
 * The change log (`/api/core/object-changes/`) as its readers may see it: records of
 * objects private to their owner (credential sets: name, owner, device login) are visible
 * to that owner only, as the objects themselves; the caller's permission constraints on
 * `core.objectchange` are AND-ed in as on every other list. The log is bounded by age
 * (`purgeOlderThan`, run periodically) and its list scans by a concurrency limit.
 */
export class ObjectChangeLog {
  constructor(
    private readonly repository: Repository<ObjectChangeDoc>,
    private readonly spec: ListSpec,
    private readonly options: ObjectChangeLogOptions,
  ) {}

  async list(
    query: Pick<ListQuery, 'filter' | 'sort' | 'offset' | 'limit'>,
    ctx: RequestContext,
  ): Promise<{ docs: ObjectChangeDoc[]; count: number }> {
    const filter = allOf(query.filter, this.visibility(ctx));
    const scan = async () => {
      const [docs, count] = await Promise.all([
        this.repository.find(filter, { sort: query.sort, skip: query.offset, limit: query.limit }),
        this.repository.count(filter),
      ]);
      return { docs, count };
    };
    return this.options.scans ? this.options.scans.run(scan) : scan();
  }

  /**
   * Records changes of objects another service stores, under the caller, in the one change
   * log (the gateway's users, groups, permissions and tokens). Returns how many.
   */
  async recordExternal(
    changes: readonly ExternalChangeInput[],
    ctx: RequestContext,
  ): Promise<number> {
    if (changes.length === 0) return 0;
    const time = (this.options.clock ?? { now: () => new Date() }).now();
    const ids = await this.repository.allocateIds(changes.length);
    await this.repository.insertMany(
      changes.map((change, i) => ({
        _id: ids[i] as number,
        time,
        user: ctx.principal ? { id: ctx.principal.id, username: ctx.principal.username } : null,
        user_name: ctx.principal?.username ?? '',
        request_id: ctx.requestId ?? null,
        ...change,
      })),
    );
    return changes.length;
  }

  /**
   * Deletes the records older than `cutoff`, oldest first, `chunk` at a time and at most
   * `maxDocs` in one call (a bounded delete: FerretDB has no TTL index); returns how many.
   */
  async purgeOlderThan(cutoff: Date, limits: { chunk: number; maxDocs: number }): Promise<number> {
    let deleted = 0;
    while (deleted < limits.maxDocs) {
      const batch = await this.repository.find(
        { time: { $lt: cutoff } },
        { sort: [['_id', 1]], limit: Math.min(limits.chunk, limits.maxDocs - deleted) },
      );
      if (batch.length === 0) break;
      await this.repository.deleteMany(batch.map((doc) => doc._id));
      deleted += batch.length;
    }
    return deleted;
  }

  async get(id: number, ctx: RequestContext): Promise<ObjectChangeDoc> {
    const [doc] = await this.repository.find(allOf({ _id: id }, this.visibility(ctx)), {
      limit: 1,
    });
    if (!doc) throw AppError.notFound('object change');
    return doc;
  }

  visibility(ctx: RequestContext): Filter {
    const principal = ctx.principal;
    const privateTypes = this.options.privateTypes;
    const ownRecords = principal
      ? privateTypes.map((type) => ({ changed_object_type: type, owner_id: principal.id }))
      : [];
    const records =
      privateTypes.length === 0
        ? undefined
        : { $or: [{ changed_object_type: { $nin: [...privateTypes] } }, ...ownRecords] };
    return allOf(records, constraintsFilter(this.spec, ctx.constraints, 'object changes'));
  }
}
