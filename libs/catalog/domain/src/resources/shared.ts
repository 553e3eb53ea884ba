import { AppError } from '@toolkit/errors';
import type { NamedRef, Taggable, VlanDoc } from '../entities';
import type { Repository, RequestContext } from '../ports';
import { iso, normaliseTags, presentTags } from '../presenters';
import type { VlanRef } from '../variable-rendering';
import type { CatalogDeps, CatalogRepositories, CatalogServices } from '../resources';

/**
 * What a resource declaration reaches: the repositories, its sibling services (for
 * cascades, filled once all exist) and the catalog's dependencies.
 */
export interface ResourceEnv {
  repos: CatalogRepositories;
  services: CatalogServices;
  deps: CatalogDeps;
}

export const NOTHING = { _id: { $in: [] } };

/** For cascades: dependents are removed whatever the caller's constraints on the parent type. */
export function unconstrained(ctx: RequestContext): RequestContext {
  return { ...ctx, constraints: null };
}

export function taggable(doc: Taggable) {
  return { tags: presentTags(doc.tags), custom_fields: doc.custom_fields };
}

export function taggableInput(doc: Taggable) {
  return {
    tags: doc.tags.map((t) => ({ name: t.name, slug: t.slug })),
    custom_fields: doc.custom_fields,
  };
}

export function timestamps(doc: { created: Date; last_updated: Date }) {
  return { created: iso(doc.created), last_updated: iso(doc.last_updated) };
}

export function namedRef(doc: { _id: number; name: string; slug: string }): NamedRef {
  return { id: doc._id, name: doc.name, slug: doc.slug };
}

export function vlanRef(doc: VlanDoc): VlanRef {
  return { id: doc._id, vid: doc.vid, name: doc.name };
}

export function blocked(label: string, name: string, users: [number, string][]): AppError {
  const parts = users
    .filter(([n]) => n > 0)
    .map(([n, what]) => `${n} ${what}${n === 1 ? '' : 's'}`);
  return AppError.conflict(
    `Cannot delete ${label} '${name}': still used by ${parts.join(' and ')}.`,
  );
}

/** Rewrites an array of denormalised references in every document that holds one. */
export async function rewriteRefs<D extends { _id: number }>(
  repository: Repository<D>,
  filter: Record<string, unknown>,
  rewrite: (doc: D) => D,
): Promise<void> {
  for (const doc of await repository.find(filter)) await repository.replace(rewrite(doc));
}

/** The fields every stored object carries from its input (NetBox id, tags, custom fields, times). */
export function storedFields(
  input: {
    netbox_id?: number | null;
    tags?: Parameters<typeof normaliseTags>[0];
    custom_fields?: Record<string, unknown>;
  },
  now: Date,
) {
  return {
    netbox_id: input.netbox_id ?? null,
    tags: normaliseTags(input.tags),
    custom_fields: input.custom_fields ?? {},
    created: now,
    last_updated: now,
  };
}

/** Names and slugs are unique (platforms, sites), each with its own index. */
export const NAME_AND_SLUG_KEYS = [
  { field: 'name', key: (d: { name: string }) => ({ name: d.name }), indexed: true },
  { field: 'slug', key: (d: { slug: string }) => ({ slug: d.slug }), indexed: true },
] as const;
