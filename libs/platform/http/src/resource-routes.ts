import type { Request, RequestHandler, Response, Router } from 'express';
import { bulkItems, createBodies, objectBody } from '@toolkit/netbox-list';
import { asyncHandler } from './http-app';
import { pathId, searchParamsOf } from './path-params';

export type ResourceAction = 'view' | 'add' | 'change' | 'delete';

/** Which URL of a resource a request names: its list, or one of its objects. */
export type ResourceUrl = 'list' | 'object';

/**
 * One NetBox resource as a service declares it: how a request becomes its context, and
 * the operations it offers. `mountResourceRoutes` gives every resource of every service the
 * same HTTP shape (routes, bodies, statuses, bulk forms, OPTIONS).
 */
export interface ResourceRoutes<C> {
  /** The list URL, with its trailing slash (`/api/dcim/devices/`). */
  path: string;
  /** The request's context (who asks, what they may do); may refuse the request. */
  context(req: Request, res: Response, action: ResourceAction): C;
  /** DRF's OPTIONS metadata of the list or of one object. */
  metadata?(context: C, url: ResourceUrl): object;
  /** The page body (`{count, next, previous, results}`). */
  list(context: C, query: URLSearchParams): Promise<object>;
  get?(context: C, id: number): Promise<object>;
  /** Creates every item or none; answers their representations in order. */
  create?(context: C, items: unknown[], bulk: boolean): Promise<object[]>;
  /** Updates every item or none. */
  update?(
    context: C,
    items: { id: number; body: Record<string, unknown> }[],
    options: { partial: boolean; bulk: boolean },
  ): Promise<object[]>;
  /** Deletes every object or none. */
  delete?(context: C, ids: number[]): Promise<void>;
  /** Most items of a bulk update or delete (default: no limit beyond the body size). */
  maxBulk?: number;
}

/** The `Allow` header of the list URL or of an object's URL. */
function allow(resource: ResourceRoutes<unknown>, url: ResourceUrl): string {
  const methods =
    url === 'object'
      ? [resource.get && 'GET', resource.update && 'PUT, PATCH', resource.delete && 'DELETE']
      : [
          'GET',
          resource.create && 'POST',
          resource.update && 'PUT, PATCH',
          resource.delete && 'DELETE',
        ];
  const served = methods.filter(Boolean);
  return [...served, served.includes('GET') ? 'HEAD' : undefined, 'OPTIONS']
    .filter(Boolean)
    .join(', ');
}

/**
 * NetBox's routes for one resource: list, detail, create (one object or a list), update
 * (PUT/PATCH, one or a list of `{id, ...}`), delete (one or a list) and OPTIONS, each
 * mounted when the resource offers the operation. A bulk PUT
 * merges like PATCH, as the original's documentation uses it (`[{"id": 1, "status":
 * "active"}]`). Only integer ids are objects: other paths under the list URL
 * (`tokens/provision/`) fall through to their own routes or the 404.
 */
export function mountResourceRoutes<C>(router: Router, resource: ResourceRoutes<C>): void {
  const { path } = resource;
  const detail = `${path}:id/`;
  const integerId: RequestHandler = (req, _res, next) => {
    next(/^\d+$/.test(String(req.params['id'])) ? undefined : 'route');
  };
  const idOf = (req: Request) => pathId(req.params['id']);

  const { metadata, get, create, update } = resource;
  const remove = resource.delete?.bind(resource);
  const bulk = (body: unknown) => bulkItems(body, resource.maxBulk);

  if (metadata) {
    router.options(path, (req, res) => {
      const context = resource.context(req, res, 'view');
      res.set('Allow', allow(resource, 'list')).json(metadata(context, 'list'));
    });
    router.options(detail, integerId, (req, res) => {
      const context = resource.context(req, res, 'view');
      res.set('Allow', allow(resource, 'object')).json(metadata(context, 'object'));
    });
  }
  router.get(
    path,
    asyncHandler(async (req, res) => {
      const context = resource.context(req, res, 'view');
      res.json(await resource.list(context, searchParamsOf(req)));
    }),
  );
  if (get)
    router.get(
      detail,
      integerId,
      asyncHandler(async (req, res) => {
        const context = resource.context(req, res, 'view');
        res.json(await get(context, idOf(req)));
      }),
    );
  if (create)
    router.post(
      path,
      asyncHandler(async (req, res) => {
        const context = resource.context(req, res, 'add');
        const { items, bulk: many } = createBodies(req.body);
        const created = await create(context, items, many);
        res.status(201).json(many ? created : created[0]);
      }),
    );
  if (update)
    for (const method of ['put', 'patch'] as const) {
      router[method](
        path,
        asyncHandler(async (req, res) => {
          const context = resource.context(req, res, 'change');
          res.json(await update(context, bulk(req.body), { partial: true, bulk: true }));
        }),
      );
      router[method](
        detail,
        integerId,
        asyncHandler(async (req, res) => {
          const context = resource.context(req, res, 'change');
          const item = { id: idOf(req), body: objectBody(req.body) };
          const [updated] = await update(context, [item], {
            partial: method === 'patch',
            bulk: false,
          });
          res.json(updated);
        }),
      );
    }
  if (remove) {
    router.delete(
      path,
      asyncHandler(async (req, res) => {
        const context = resource.context(req, res, 'delete');
        await remove(
          context,
          bulk(req.body).map((item) => item.id),
        );
        res.status(204).end();
      }),
    );
    router.delete(
      detail,
      integerId,
      asyncHandler(async (req, res) => {
        const context = resource.context(req, res, 'delete');
        await remove(context, [idOf(req)]);
        res.status(204).end();
      }),
    );
  }
}
