import { AppError } from '@toolkit/errors';
import type { Filter, ListQuery, ListSpec } from '@toolkit/netbox-list';
import type { ObjectChangeDoc } from './entities';
import type { Repository, RequestContext } from './ports';
import { allOf, constraintFilterOf } from './resource-service';

/**
 * The change log (`/api/core/object-changes/`) as its readers may see it: records of
 * objects private to their owner (credential sets: name, owner, device login) are visible
 * to that owner only, as the objects themselves; the caller's permission constraints on
 * `core.objectchange` are AND-ed in as on every other list.
 */
export class ObjectChangeLog {
  constructor(
    private readonly repository: Repository<ObjectChangeDoc>,
    private readonly spec: ListSpec,
    /** Object types whose objects only their owner sees (`toolkit.credentialset`). */
    private readonly privateTypes: readonly string[],
  ) {}

  async list(
    query: Pick<ListQuery, 'filter' | 'sort' | 'offset' | 'limit'>,
    ctx: RequestContext,
  ): Promise<{ docs: ObjectChangeDoc[]; count: number }> {
    const filter = allOf(query.filter, this.visibility(ctx));
    const [docs, count] = await Promise.all([
      this.repository.find(filter, { sort: query.sort, skip: query.offset, limit: query.limit }),
      this.repository.count(filter),
    ]);
    return { docs, count };
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
    const ownRecords = principal
      ? this.privateTypes.map((type) => ({ changed_object_type: type, owner_id: principal.id }))
      : [];
    const records =
      this.privateTypes.length === 0
        ? undefined
        : { $or: [{ changed_object_type: { $nin: [...this.privateTypes] } }, ...ownRecords] };
    return allOf(records, constraintFilterOf(this.spec, ctx, 'object changes'));
  }
}
