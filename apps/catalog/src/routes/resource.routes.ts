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
  /** Replace the plain list and detail (parsing templates: library and custom together). */
  list?: (ctx: RequestContext, query: URLSearchParams) => Promise<object>;
  get?: (ctx: RequestContext, id: number) => Promise<object>;
  /** Runs after every successful create, update and delete of this process. */
  afterWrite?: () => void;
  /** Throws for objects that cannot be changed or deleted, before anything is read. */
  assertWritable?: (ids: readonly number[]) => void;
}

/** A catalog resource on the one NetBox route layer (`mountResourceRoutes`). */
export function mountResource<D extends StoredBase, I>(
  router: Router,
  service: ResourceService<D, I>,
  options: ResourceRouteOptions,
): void {
  const create = options.create ?? ((bodies, ctx, bulk) => service.create(bodies, ctx, bulk));
  const schema = service.def.createSchema;
  const after = async <T>(write: Promise<T>): Promise<T> => {
    const result = await write;
    options.afterWrite?.();
    return result;
  };
  mountResourceRoutes<RequestContext>(router, {
    path: service.def.path,
    context: (req, res) => internalRequest(req, res),
    metadata: (_ctx, url) =>
      url === 'object'
        ? optionsMetadata(options.name, schema, options.choices ?? {}, 'PUT')
        : optionsMetadata(`${options.name} List`, schema, options.choices ?? {}),
    list: options.list ?? ((ctx, query) => service.list(query, ctx)),
    get: options.get ?? ((ctx, id) => service.get(id, ctx)),
    create: (ctx, items, bulk) => after(create(items, ctx, bulk)),
    update: (ctx, items, updateOptions) => {
      options.assertWritable?.(items.map((item) => item.id));
      return after(service.update(items, ctx, updateOptions));
    },
    delete: (ctx, ids) => {
      options.assertWritable?.(ids);
      return after(service.delete(ids, ctx));
    },
  });
}
