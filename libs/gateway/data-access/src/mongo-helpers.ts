import type { Model } from 'mongoose';
import type { ListRequest, ListResult } from '@toolkit/gateway-domain';
import { toStorageError } from '@toolkit/mongo';

/** Lean, paged reads shared by the repositories; errors become AppErrors once, here. */
export async function listDocuments<D, E>(
  model: Model<D>,
  query: ListRequest,
  toEntity: (doc: D) => E,
  what: string,
): Promise<ListResult<E>> {
  try {
    const [count, docs] = await Promise.all([
      model.countDocuments(query.filter as never),
      model
        .find(query.filter as never)
        .sort(Object.fromEntries(query.sort))
        .skip(query.offset)
        .limit(query.limit)
        .lean<D[]>(),
    ]);
    return { count, results: docs.map(toEntity) };
  } catch (error) {
    throw toStorageError(error, what);
  }
}

export async function findOneDocument<D, E>(
  model: Model<D>,
  filter: Record<string, unknown>,
  toEntity: (doc: D) => E,
  what: string,
): Promise<E | undefined> {
  try {
    const doc = await model.findOne(filter as never).lean<D>();
    return doc ? toEntity(doc) : undefined;
  } catch (error) {
    throw toStorageError(error, what);
  }
}

/** Drops undefined values so a partial update never unsets a field by accident. */
export function defined(changes: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
}
