import { optionsMetadata } from '@toolkit/api-contracts';
import type { Router } from 'express';
import type { Choice } from '@toolkit/api-contracts';
import type {
  Presented,
  RequestContext,
  ResourceService,
  StoredBase,
} from '@toolkit/catalog-domain';
import { asyncHandler, internalRequest, pathId, searchParamsOf } from '@toolkit/http';
import { bulkItems, createBodies, objectBody } from '@toolkit/netbox-list';

export interface ResourceRouteOptions {
  /** "Device" -> OPTIONS name "Device List". */
  name: string;
  /** Labels of choice fields, for OPTIONS. */
  choices?: Readonly<Record<string, readonly Choice[]>>;
  /** Replaces the plain create (devices: nested interfaces and addresses). */
  create?: (bodies: readonly unknown[], ctx: RequestContext, bulk: boolean) => Promise<Presented[]>;
}

/**
 * NetBox's routes for one resource: list, detail, create, update (PUT/PATCH), delete and
 * their bulk forms on the list URL (a JSON list body), and OPTIONS metadata.
 */
export function mountResource<D extends StoredBase, I>(
  router: Router,
  service: ResourceService<D, I>,
  options: ResourceRouteOptions,
): void {
  const path = service.def.path;
  const detail = `${path}:id/`;
  const create = options.create ?? ((bodies, ctx, bulk) => service.create(bodies, ctx, bulk));

  router.options(path, (_req, res) => {
    res.set('Allow', 'GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS');
    res.json(
      optionsMetadata(`${options.name} List`, service.def.createSchema, options.choices ?? {}),
    );
  });
  router.options(detail, (_req, res) => {
    res.set('Allow', 'GET, PUT, PATCH, DELETE, HEAD, OPTIONS');
    res.json(optionsMetadata(options.name, service.def.createSchema, options.choices ?? {}, 'PUT'));
  });

  router.get(
    path,
    asyncHandler(async (req, res) => {
      res.json(await service.list(searchParamsOf(req), internalRequest(req, res)));
    }),
  );
  router.post(
    path,
    asyncHandler(async (req, res) => {
      const { items, bulk } = createBodies(req.body);
      const created = await create(items, internalRequest(req, res), bulk);
      res.status(201).json(bulk ? created : created[0]);
    }),
  );
  for (const method of ['put', 'patch'] as const) {
    router[method](
      path,
      asyncHandler(async (req, res) => {
        const items = bulkItems(req.body);
        res.json(
          // The original's documentation bulk-updates with PUT and partial objects
          // (`[{"id": 1, "status": "active"}]`), so a bulk PUT merges like PATCH.
          await service.update(items, internalRequest(req, res), { partial: true, bulk: true }),
        );
      }),
    );
    router[method](
      detail,
      asyncHandler(async (req, res) => {
        const id = pathId(req.params['id']);
        const body = objectBody(req.body);
        const [updated] = await service.update([{ id, body }], internalRequest(req, res), {
          partial: method === 'patch',
          bulk: false,
        });
        res.json(updated);
      }),
    );
  }
  router.delete(
    path,
    asyncHandler(async (req, res) => {
      const items = bulkItems(req.body);
      await service.delete(
        items.map((i) => i.id),
        internalRequest(req, res),
      );
      res.status(204).end();
    }),
  );
  router.get(
    detail,
    asyncHandler(async (req, res) => {
      res.json(await service.get(pathId(req.params['id']), internalRequest(req, res)));
    }),
  );
  router.delete(
    detail,
    asyncHandler(async (req, res) => {
      await service.delete([pathId(req.params['id'])], internalRequest(req, res));
      res.status(204).end();
    }),
  );
}
