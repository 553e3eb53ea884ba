import { optionsMetadata } from '@toolkit/api-contracts';
import type { Request, Router } from 'express';
import type { Choice } from '@toolkit/api-contracts';
import type {
  Presented,
  RequestContext,
  ResourceService,
  StoredBase,
} from '@toolkit/catalog-domain';
import { AppError } from '@toolkit/errors';
import type { FieldErrors } from '@toolkit/errors';
import { asyncHandler, internalRequest, pathId, searchParamsOf } from '@toolkit/http';

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
      const ctx = internalRequest(req, res);
      const body: unknown = req.body ?? {};
      if (Array.isArray(body)) {
        if (body.length === 0)
          throw AppError.validation({
            non_field_errors: ['Expected a non-empty list of objects.'],
          });
        res.status(201).json(await create(body, ctx, true));
      } else {
        const [created] = await create([body], ctx, false);
        res.status(201).json(created);
      }
    }),
  );
  for (const method of ['put', 'patch'] as const) {
    router[method](
      path,
      asyncHandler(async (req, res) => {
        const items = bulkItems(req);
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
        const body: unknown = req.body ?? {};
        if (typeof body !== 'object' || Array.isArray(body) || body === null)
          throw AppError.validation({ non_field_errors: ['Expected an object.'] });
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
      const items = bulkItems(req);
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

/** A bulk body: a non-empty list of `{id, ...}` (DRF answers per item). */
function bulkItems(req: Request): { id: number; body: Record<string, unknown> }[] {
  const body: unknown = req.body;
  if (!Array.isArray(body) || body.length === 0)
    throw AppError.validation({
      non_field_errors: ['Expected a non-empty list of objects with an "id".'],
    });
  const errors: FieldErrors[] = body.map(() => ({}));
  const items = body.map((item: unknown, i) => {
    const record = (typeof item === 'object' && item !== null ? item : {}) as Record<
      string,
      unknown
    >;
    const id = record['id'];
    if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0)
      (errors[i] as FieldErrors)['id'] = [
        id === undefined ? 'This field is required.' : 'A valid integer is required.',
      ];
    const { id: _id, ...rest } = record;
    return { id: id as number, body: rest };
  });
  if (errors.some((e) => Object.keys(e).length > 0))
    throw new AppError({
      code: 'invalid-input',
      category: 'validation',
      message: 'Invalid bulk request.',
      details: { body: errors },
    });
  return items;
}
