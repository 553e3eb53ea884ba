import { optionsMetadata } from '@toolkit/api-contracts';
import type { Express, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { AppError, throwIfInvalid, unknownFieldErrors, writableFieldsOf } from '@toolkit/errors';
import { asyncHandler, pathId, searchParamsOf } from '@toolkit/http';
import type { Logger } from '@toolkit/logger';
import type { Filter, ListSpec } from '@toolkit/netbox-list';
import {
  allOf,
  bulkItems,
  createBodies,
  objectBody,
  parseFilterObject,
  parseListQuery,
  selectFields,
  toPage,
} from '@toolkit/netbox-list';
import type {
  Action,
  AuthContext,
  ListRequest,
  ListResult,
  ObjectType,
} from '@toolkit/gateway-domain';
import { authOf, forbidden, permit } from '../auth/auth.middleware';
import type { GatewayMetrics } from '../gateway-metrics';
import { publicOrigin } from '../http/public-origin';

/** A resource the gateway stores itself (users, groups, permissions, tokens). */
export interface OwnResource<E extends { id: number }> {
  path: string;
  objectType: ObjectType;
  spec: ListSpec;
  /** DRF view name (`User`): OPTIONS answers `<name> List`. */
  name: string;
  /** The create schema: the field metadata OPTIONS describes under `actions.POST`. */
  writeSchema: z.ZodType;
  /** The representation: its read-only fields may come back in a body; others are refused. */
  representation: z.ZodType;
  briefFields: readonly string[];
  list(query: ListRequest): Promise<ListResult<E>>;
  findOne(filter: Record<string, unknown>): Promise<E | undefined>;
  represent(items: E[], origin: string): Promise<Record<string, unknown>[]>;
  create(
    input: unknown,
    auth: AuthContext,
    scope: Filter | null,
  ): Promise<{ entity: E; extra?: Record<string, unknown> }>;
  update(existing: E, input: unknown, partial: boolean, auth: AuthContext): Promise<E>;
  /** Deletes the object; `call` says who deletes it, for what the deletion carries along. */
  remove(entity: E, call: RemoveCall): Promise<void>;
  /**
   * Captures the stored state of an object before it is updated; the function returned
   * writes it back (an update refused afterwards, e.g. outside the caller's constraints).
   */
  checkpoint(entity: E): Promise<() => Promise<void>>;
  /** Objects the caller may always manage (their own tokens), whatever their permissions. */
  implicit?: (auth: AuthContext) => Filter;
}

export interface RemoveCall {
  auth: AuthContext;
  /** The public origin and the request id, for calls to other services. */
  origin: string;
  requestId: string | undefined;
}

export interface OwnResourceDeps {
  metrics: GatewayMetrics;
  publicUrl: string | undefined;
  /** Compensations that fail (an all-or-nothing write left half done) are logged here. */
  logger: Logger;
}

function requestUrl(req: Request, publicUrl: string | undefined): string {
  // req.url: the path as routed (with its trailing slash) and the query as given.
  return `${publicOrigin(req, publicUrl)}${req.url}`;
}

/**
 * The objects the caller may act on: null when denied outright, `{}` when every object,
 * else a filter built from the permission constraints (OR-ed) and the implicit scope.
 */
function scope<E extends { id: number }>(
  res: Response,
  resource: OwnResource<E>,
  deps: OwnResourceDeps,
  action: Action,
): Filter | null {
  const auth = authOf(res);
  const implicit = resource.implicit?.(auth);
  let constraints;
  try {
    constraints = permit(res, deps.metrics, resource.objectType, action);
  } catch (error) {
    if (implicit) return implicit;
    if (error instanceof AppError && error.category === 'forbidden') return null;
    throw error;
  }
  const granted = constraints === null ? {} : parseFilterObject(resource.spec, constraints);
  if (!implicit || Object.keys(granted).length === 0) return granted;
  return { $or: [implicit, granted] };
}

function requireScope(filter: Filter | null, whenDenied: 'forbidden' | 'not_found'): Filter {
  if (filter === null) throw whenDenied === 'forbidden' ? forbidden() : AppError.notFound();
  return filter;
}

export function mountOwnResource<E extends { id: number }>(
  app: Express,
  resource: OwnResource<E>,
  deps: OwnResourceDeps,
): void {
  const detail = `${resource.path}:id/`;
  // Only integer ids are objects: `tokens/provision/` and the like fall through to their
  // own route, or to the 405/404 answers, instead of "object not found".
  const integerId: RequestHandler = (req, _res, next) => {
    next(/^\d+$/.test(String(req.params['id'])) ? undefined : 'route');
  };
  const removeCall = (req: Request, res: Response): RemoveCall => ({
    auth: authOf(res),
    origin: publicOrigin(req, deps.publicUrl),
    requestId: res.locals['requestId'] as string | undefined,
  });
  const refuseUnknownFields = (bodies: readonly unknown[], bulk: boolean) => {
    throwIfInvalid(
      bodies.map((body) => unknownFieldErrors(body, resource.writeSchema, resource.representation)),
      bulk,
    );
  };
  const one = async (id: number, filter: Filter) => {
    const found = await resource.findOne(allOf({ _id: id }, filter));
    if (!found) throw AppError.notFound();
    return found;
  };
  /** An updated object must still fall inside what the caller may change (NetBox: 403). */
  const requireStillInScope = async (
    entity: E,
    filter: Filter,
    restores: readonly (() => Promise<void>)[],
  ) => {
    if (Object.keys(filter).length === 0) return;
    if (await resource.findOne(allOf({ _id: entity.id }, filter))) return;
    await undo(restores, deps.logger, resource);
    throw forbidden();
  };
  const representOne = async (req: Request, entity: E) =>
    (await resource.represent([entity], publicOrigin(req, deps.publicUrl)))[0];

  app.get(
    resource.path,
    asyncHandler(async (req, res) => {
      const filter = requireScope(scope(res, resource, deps, 'view'), 'forbidden');
      const query = parseListQuery(resource.spec, searchParamsOf(req));
      const page = await resource.list({
        filter: allOf(query.filter, filter),
        sort: query.sort,
        limit: query.limit,
        offset: query.offset,
      });
      const represented = await resource.represent(page.results, publicOrigin(req, deps.publicUrl));
      const results = represented.map((r) => selectFields(r, query, resource.briefFields));
      res.json(
        toPage(requestUrl(req, deps.publicUrl), page.count, query.limit, query.offset, results),
      );
    }),
  );

  app.options(resource.path, (_req, res) => {
    requireScope(scope(res, resource, deps, 'view'), 'forbidden');
    res.set('Allow', 'GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS');
    res.json(optionsMetadata(`${resource.name} List`, resource.writeSchema));
  });
  app.options(detail, integerId, (_req, res) => {
    requireScope(scope(res, resource, deps, 'view'), 'forbidden');
    res.set('Allow', 'GET, PUT, PATCH, DELETE, HEAD, OPTIONS');
    res.json(optionsMetadata(resource.name, resource.writeSchema, {}, 'PUT'));
  });

  app.get(
    detail,
    integerId,
    asyncHandler(async (req, res) => {
      const filter = requireScope(scope(res, resource, deps, 'view'), 'not_found');
      res.json(await representOne(req, await one(pathId(req.params['id']), filter)));
    }),
  );

  app.post(
    resource.path,
    asyncHandler(async (req, res) => {
      const filter = requireScope(scope(res, resource, deps, 'add'), 'forbidden');
      const auth = authOf(res);
      const { items, bulk } = createBodies(req.body);
      refuseUnknownFields(items, bulk);
      const created: { entity: E; extra?: Record<string, unknown> }[] = [];
      try {
        for (const item of items) {
          const result = await resource.create(
            writableFieldsOf(item, resource.writeSchema),
            auth,
            filter,
          );
          created.push(result);
          // The new object must fall inside what the caller may add.
          if (
            Object.keys(filter).length > 0 &&
            !(await resource.findOne(allOf({ _id: result.entity.id }, filter)))
          ) {
            throw forbidden();
          }
        }
      } catch (error) {
        // All or nothing: undo what this request created.
        for (const done of created)
          await resource
            .remove(done.entity, removeCall(req, res))
            .catch((e: unknown) => compensationFailed(deps.logger, resource, e));
        throw error;
      }
      const represented = await resource.represent(
        created.map((c) => c.entity),
        publicOrigin(req, deps.publicUrl),
      );
      const body = represented.map((r, i) => ({ ...r, ...created[i]?.extra }));
      res.status(201).json(bulk ? body : body[0]);
    }),
  );

  for (const method of ['put', 'patch'] as const) {
    app[method](
      detail,
      integerId,
      asyncHandler(async (req, res) => {
        const filter = requireScope(scope(res, resource, deps, 'change'), 'forbidden');
        const body = objectBody(req.body);
        refuseUnknownFields([body], false);
        const existing = await one(pathId(req.params['id']), filter);
        const restore = await resource.checkpoint(existing);
        const updated = await resource.update(
          existing,
          writableFieldsOf(body, resource.writeSchema),
          method === 'patch',
          authOf(res),
        );
        await requireStillInScope(updated, filter, [restore]);
        res.json(await representOne(req, updated));
      }),
    );
    app[method](
      resource.path,
      asyncHandler(async (req, res) => {
        const filter = requireScope(scope(res, resource, deps, 'change'), 'forbidden');
        const items = bulkItems(req.body);
        refuseUnknownFields(
          items.map((item) => item.body),
          true,
        );
        const targets = await Promise.all(items.map((item) => one(item.id, filter)));
        const restores = await Promise.all(targets.map((t) => resource.checkpoint(t)));
        const updated: E[] = [];
        try {
          for (const [index, item] of items.entries()) {
            const changes = writableFieldsOf(item.body, resource.writeSchema);
            updated.push(
              await resource.update(targets[index] as E, changes, method === 'patch', authOf(res)),
            );
          }
          for (const entity of updated) await requireStillInScope(entity, filter, []);
        } catch (error) {
          // All or nothing: put back every object this request changed (last change first).
          await undo(restores.slice(0, updated.length + 1), deps.logger, resource);
          throw error;
        }
        res.json(await resource.represent(updated, publicOrigin(req, deps.publicUrl)));
      }),
    );
  }

  app.delete(
    detail,
    integerId,
    asyncHandler(async (req, res) => {
      const filter = requireScope(scope(res, resource, deps, 'delete'), 'forbidden');
      await resource.remove(await one(pathId(req.params['id']), filter), removeCall(req, res));
      res.status(204).end();
    }),
  );

  app.delete(
    resource.path,
    asyncHandler(async (req, res) => {
      const filter = requireScope(scope(res, resource, deps, 'delete'), 'forbidden');
      const targets = await Promise.all(bulkItems(req.body).map((item) => one(item.id, filter)));
      for (const target of targets) await resource.remove(target, removeCall(req, res));
      res.status(204).end();
    }),
  );
}

async function undo(
  restores: readonly (() => Promise<void>)[],
  logger: Logger,
  resource: { path: string },
): Promise<void> {
  for (const restore of [...restores].reverse())
    await restore().catch((e: unknown) => compensationFailed(logger, resource, e));
}

/** An all-or-nothing write that could not be undone: said loudly, the original error stands. */
function compensationFailed(logger: Logger, resource: { path: string }, error: unknown): void {
  logger.error({ err: error, resource: resource.path }, 'compensation failed');
}
