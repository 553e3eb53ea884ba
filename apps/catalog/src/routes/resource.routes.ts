import { optionsMetadata } from '@toolkit/api-contracts';
import type { Router } from 'express';
import type { Choice } from '@toolkit/api-contracts';
import type {
  Presented,
  RequestContext,
  ResourceService,
  StoredBase,
} from '@toolkit/catalog-domain';
import { internalRequest, mountResourceRoutes } from '@toolkit/http';

export interface ResourceRouteOptions {
  /** "Device" -> OPTIONS name "Device List". */
  name: string;
  /** Labels of choice fields, for OPTIONS. */
  choices?: Readonly<Record<string, readonly Choice[]>>;
  /** Replaces the plain create (devices: nested interfaces and addresses). */
  create?: (bodies: readonly unknown[], ctx: RequestContext, bulk: boolean) => Promise<Presented[]>;
}

/** A catalog resource on the one NetBox route layer (`mountResourceRoutes`). */
export function mountResource<D extends StoredBase, I>(
  router: Router,
  service: ResourceService<D, I>,
  options: ResourceRouteOptions,
): void {
  const create = options.create ?? ((bodies, ctx, bulk) => service.create(bodies, ctx, bulk));
  const schema = service.def.createSchema;
  mountResourceRoutes<RequestContext>(router, {
    path: service.def.path,
    context: (req, res) => internalRequest(req, res),
    metadata: (_ctx, detail) =>
      detail
        ? optionsMetadata(options.name, schema, options.choices ?? {}, 'PUT')
        : optionsMetadata(`${options.name} List`, schema, options.choices ?? {}),
    list: (ctx, query) => service.list(query, ctx),
    get: (ctx, id) => service.get(id, ctx),
    create: (ctx, items, bulk) => create(items, ctx, bulk),
    update: (ctx, items, updateOptions) => service.update(items, ctx, updateOptions),
    delete: (ctx, ids) => service.delete(ids, ctx),
  });
}
