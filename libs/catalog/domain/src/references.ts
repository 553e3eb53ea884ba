import { AppError } from '@toolkit/errors';
import type { Batch } from './resource-service';
import type { Repository } from './ports';

/** Resolves a written id to the referenced object, looking at the batch being written first. */
export async function resolveRef<D extends { _id: number }>(
  entity: string,
  repository: Repository<D>,
  batch: Batch,
  id: number,
  field: string,
): Promise<D> {
  const doc = batch.get<D>(entity, id) ?? (await repository.findById(id));
  if (!doc) throw AppError.validation({ [field]: [`Invalid pk "${id}" - object does not exist.`] });
  return doc;
}

export async function resolveRefs<D extends { _id: number }>(
  entity: string,
  repository: Repository<D>,
  batch: Batch,
  ids: readonly number[],
  field: string,
): Promise<D[]> {
  const unique = [...new Set(ids)];
  const stored = new Map((await repository.findByIds(unique)).map((d) => [d._id, d]));
  const missing: number[] = [];
  const docs: D[] = [];
  for (const id of unique) {
    const doc = batch.get<D>(entity, id) ?? stored.get(id);
    if (doc) docs.push(doc);
    else missing.push(id);
  }
  if (missing.length > 0)
    throw AppError.validation({
      [field]: missing.map((id) => `Invalid pk "${id}" - object does not exist.`),
    });
  return docs;
}
