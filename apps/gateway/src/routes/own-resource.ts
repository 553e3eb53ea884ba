import { optionsMetadata } from '@toolkit/api-contracts';
import type { GatewayObjectType } from '@toolkit/api-contracts';
import { Router } from 'express';
import type { Express, Request, Response } from 'express';
import type { z } from 'zod';
import { AppError, throwIfInvalid, unknownFieldErrors, writableFieldsOf } from '@toolkit/errors';
import { mountResourceRoutes } from '@toolkit/http';
import type { Logger } from '@toolkit/logger';
import type { Filter, ListSpec } from '@toolkit/netbox-list';
import {
  allOf,
  constraintsFilter,
  parseListQuery,
  selectFields,
  toPage,
} from '@toolkit/netbox-list';
import type {
  Action,
  Administration,
  ChangeRecord,
  ChangeRecorder,
  AuthContext,
  RemoveCall,
  ListRequest,
  ListResult,
} from '@toolkit/gateway-domain';
import { authOf, forbidden, permit } from '../auth/auth.middleware';
import { principalOf } from '../forwarding/forward.routes';
import type { GatewayMetrics } from '../gateway-metrics';
import { publicOrigin } from '../http/public-origin';

/** A resource the gateway stores itself (users, groups, permissions, tokens). */
export interface OwnResource<E extends { id: number }> {
  path: string;
  objectType: GatewayObjectType;
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
  /** The business rules of its writes (gateway-domain). */
  admin: Administration<E>;
  /** Objects the caller may always manage (their own tokens), whatever their permissions. */
  implicit?: (auth: AuthContext) => Filter;
}

export interface OwnResourceDeps {
  metrics: GatewayMetrics;
  publicUrl: string | undefined;
  /** Compensations that fail (an all-or-nothing write left half done) are logged here. */
  logger: Logger;
  /** The change log; a write it cannot record stands and is logged. */
  changes?: ChangeRecorder;
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
  // Stored constraints that do not apply to the type refuse (403), never widen.
  const granted = constraintsFilter(resource.spec, constraints, `${resource.name}s`) ?? {};
  if (!implicit || Object.keys(granted).length === 0) return granted;
  return { $or: [implicit, granted] };
}

function requireScope(filter: Filter | null, whenDenied: 'forbidden' | 'not_found'): Filter {
  if (filter === null) throw whenDenied === 'forbidden' ? forbidden() : AppError.notFound();
  return filter;
}

interface OwnContext {
  req: Request;
  res: Response;
  /** What the caller may act on for this action (`{}`: everything). */
  filter: Filter;
}

/** A gateway resource on the one NetBox route layer (`mountResourceRoutes`). */
export function mountOwnResource<E extends { id: number }>(
  app: Express,
  resource: OwnResource<E>,
  deps: OwnResourceDeps,
): void {
  const removeCall = ({ req, res }: OwnContext): RemoveCall => ({
    auth: authOf(res),
    origin: publicOrigin(req, deps.publicUrl),
    requestId: res.locals['requestId'] as string | undefined,
  });
  const refuseUnknownFields = (bodies: readonly unknown[], bulk: boolean) => {
    throwIfInvalid(
      bodies.map((body) => unknownFieldErrors(body, resource.writeSchema, resource.representation)),
      { bulk },
    );
  };
  const one = async (id: number, filter: Filter) => {
    const found = await resource.findOne(allOf({ _id: id }, filter));
    if (!found) throw AppError.notFound();
    return found;
  };
  const represent = (ctx: OwnContext, entities: E[]) =>
    resource.represent(entities, publicOrigin(ctx.req, deps.publicUrl));
  /** Records the changes (snapshots are representations: no password, no token key). */
  const recordChanges = async (
    ctx: OwnContext,
    action: ChangeRecord['action'],
    changes: {
      entity: E;
      before: Record<string, unknown> | null;
      after: Record<string, unknown> | null;
    }[],
  ) => {
    if (!deps.changes || changes.length === 0) return;
    const records = changes.map(({ entity, before, after }) => ({
      action,
      changed_object_type: resource.objectType,
      changed_object_id: entity.id,
      object_repr: String((after ?? before)?.['display'] ?? entity.id).slice(0, 200),
      prechange_data: before,
      postchange_data: after,
    }));
    await deps.changes
      .record(records, principalOf(authOf(ctx.res)), removeCall(ctx))
      .catch((error: unknown) =>
        deps.logger.error(
          { err: error, resource: resource.path, action },
          'change not recorded (the write stands)',
        ),
      );
  };

  const router = Router();
  app.use(router);
  mountResourceRoutes<OwnContext>(router, {
    path: resource.path,
    context: (req, res, action) => {
      // An object the caller may not see does not exist for them (404); a list, and the
      // metadata of either, is 403.
      const detail =
        action === 'view' && req.params['id'] !== undefined && req.method !== 'OPTIONS';
      const filter = requireScope(
        scope(res, resource, deps, action),
        detail ? 'not_found' : 'forbidden',
      );
      return { req, res, filter };
    },
    metadata: (_ctx, url) =>
      url === 'object'
        ? optionsMetadata(resource.name, resource.writeSchema, {}, 'PUT')
        : optionsMetadata(`${resource.name} List`, resource.writeSchema),
    list: async (ctx, params) => {
      const query = parseListQuery(resource.spec, params);
      const page = await resource.list({
        filter: allOf(query.filter, ctx.filter),
        sort: query.sort,
        limit: query.limit,
        offset: query.offset,
      });
      const results = (await represent(ctx, page.results)).map((r) =>
        selectFields(r, query, resource.briefFields),
      );
      return toPage(
        requestUrl(ctx.req, deps.publicUrl),
        page.count,
        query.limit,
        query.offset,
        results,
      );
    },
    get: async (ctx, id) => (await represent(ctx, [await one(id, ctx.filter)]))[0] ?? {},
    create: async (ctx, items, bulk) => {
      refuseUnknownFields(items, bulk);
      const auth = authOf(ctx.res);
      const created: { entity: E; extra?: Record<string, unknown> }[] = [];
      try {
        for (const item of items) {
          const result = await resource.admin.create(
            writableFieldsOf(item, resource.writeSchema),
            auth,
            ctx.filter,
          );
          created.push(result);
          // The new object must fall inside what the caller may add.
          if (
            Object.keys(ctx.filter).length > 0 &&
            !(await resource.findOne(allOf({ _id: result.entity.id }, ctx.filter)))
          )
            throw forbidden();
        }
      } catch (error) {
        // All or nothing: undo what this request created.
        for (const done of created)
          await resource.admin
            .remove(done.entity, removeCall(ctx))
            .catch((e: unknown) => compensationFailed(deps.logger, resource, e));
        throw error;
      }
      const represented = await represent(
        ctx,
        created.map((c) => c.entity),
      );
      await recordChanges(
        ctx,
        'create',
        created.map((c, i) => ({ entity: c.entity, before: null, after: represented[i] ?? null })),
      );
      return represented.map((r, i) => ({ ...r, ...created[i]?.extra }));
    },
    update: async (ctx, items, options) => {
      refuseUnknownFields(
        items.map((item) => item.body),
        options.bulk,
      );
      const targets = await Promise.all(items.map((item) => one(item.id, ctx.filter)));
      const befores = await represent(ctx, targets);
      const restores = await Promise.all(targets.map((t) => resource.admin.checkpoint(t)));
      const updated: E[] = [];
      try {
        for (const [index, item] of items.entries())
          updated.push(
            await resource.admin.update(
              targets[index] as E,
              writableFieldsOf(item.body, resource.writeSchema),
              options.partial,
              authOf(ctx.res),
            ),
          );
        // An updated object must still fall inside what the caller may change (NetBox: 403).
        if (Object.keys(ctx.filter).length > 0)
          for (const entity of updated)
            if (!(await resource.findOne(allOf({ _id: entity.id }, ctx.filter)))) throw forbidden();
      } catch (error) {
        // All or nothing: put back every object this request changed (last change first).
        await undo(restores.slice(0, updated.length + 1), deps.logger, resource);
        throw error;
      }
      const afters = await represent(ctx, updated);
      await recordChanges(
        ctx,
        'update',
        updated.map((entity, i) => ({
          entity,
          before: befores[i] ?? null,
          after: afters[i] ?? null,
        })),
      );
      return afters;
    },
    delete: async (ctx, ids) => {
      const targets = await Promise.all(ids.map((id) => one(id, ctx.filter)));
      const befores = await represent(ctx, targets);
      const removed: { entity: E; before: Record<string, unknown> | null; after: null }[] = [];
      try {
        for (const [i, target] of targets.entries()) {
          await resource.admin.remove(target, removeCall(ctx));
          removed.push({ entity: target, before: befores[i] ?? null, after: null });
        }
      } finally {
        // What was deleted is recorded, also when a later deletion failed.
        await recordChanges(ctx, 'delete', removed);
      }
    },
  });
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
