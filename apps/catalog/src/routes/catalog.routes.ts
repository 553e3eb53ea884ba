import { Router } from 'express';
import {
  BULK_RENDER_PATH,
  bulkRenderRequestSchema,
  COMMAND_TYPE_CHOICES,
  DEVICE_STATUSES,
  INTERFACE_MODES,
  INTERFACE_TYPES,
  IP_ADDRESS_STATUSES,
  OBJECT_CHANGE_ACTIONS,
  OBJECT_CHANGE_BRIEF_FIELDS,
  OBJECT_CHANGE_PATH,
  OBJECT_CHANGES_INTERNAL_PATH,
  externalChangesRequestSchema,
  RENDER_PATH,
  SITE_STATUSES,
  USER_DELETED_ROUTE,
  VARIABLE_TYPE_CHOICES,
  VLAN_STATUSES,
  objectChangeListSpec,
  parseRequestSchema,
  renderRequestSchema,
  validateVariablesRequestSchema,
} from '@toolkit/api-contracts';
import type { BulkRenderResponse, UserDeletedResponse } from '@toolkit/api-contracts';
import { PLATFORM_DRIVERS } from '@toolkit/contracts';
import { createDevices, iso, objectUrl } from '@toolkit/catalog-domain';
import type { ObjectChangeDoc } from '@toolkit/catalog-domain';
import { AppError, parseInput } from '@toolkit/errors';
import {
  asyncHandler,
  internalRequest,
  parseObjectId,
  pathId,
  searchParamsOf,
  toProblem,
} from '@toolkit/http';
import { parseListQuery, selectFields, toPage } from '@toolkit/netbox-list';
import type { Catalog } from '../wiring';
import { mountResource } from './resource.routes';

/** Every catalog route: the public paths the gateway forwards unchanged, and /internal. */
export function catalogRouter(catalog: Catalog): Router {
  const router = Router({ strict: false });
  const { services } = catalog;

  mountResource(router, services.platforms, {
    name: 'Platform',
    choices: { driver: PLATFORM_DRIVERS.map((d) => ({ value: d, label: d })) },
  });
  mountResource(router, services.sites, { name: 'Site', choices: { status: SITE_STATUSES } });
  mountResource(router, services.devices, {
    name: 'Device',
    choices: { status: DEVICE_STATUSES },
    create: (bodies, ctx, bulk) => createDevices(services, bodies, ctx, bulk),
  });
  mountResource(router, services.interfaces, {
    name: 'Interface',
    choices: { type: INTERFACE_TYPES, mode: INTERFACE_MODES },
  });
  mountResource(router, services.vlans, { name: 'VLAN', choices: { status: VLAN_STATUSES } });
  mountResource(router, services.ipAddresses, {
    name: 'IP Address',
    choices: { status: IP_ADDRESS_STATUSES },
  });
  mountResource(router, services.commands, {
    name: 'Command',
    choices: { command_type: COMMAND_TYPE_CHOICES, variable_type: VARIABLE_TYPE_CHOICES },
  });
  mountResource(router, services.credentialSets, { name: 'Credential Set' });
  const templates = catalog.parsingTemplates;
  const templateService = services.parsingTemplates;
  // Before the resource's own `{id}/` routes, which would take `parse` for an id.
  router.post(
    `${templateService.def.path}parse/`,
    asyncHandler(async (req, res) => {
      const ctx = internalRequest(req, res);
      const body = parseInput(parseRequestSchema, req.body ?? {});
      res.json(await templates.parse(body, templateService.visibility(ctx)));
    }),
  );
  mountResource(router, templateService, {
    name: 'Parsing Template',
    choices: { platform: PLATFORM_DRIVERS.map((d) => ({ value: d, label: d })) },
    list: (ctx, query) => templates.list(query, templateService.visibility(ctx), ctx),
    get: (ctx, id) => templates.get(id, templateService.visibility(ctx), ctx),
    afterWrite: () => templates.invalidate(),
    assertWritable: (ids) => {
      if (ids.some((id) => templates.isLibraryId(id)))
        throw AppError.conflict(
          'Library templates are read-only: create a custom template for the same platform and command to take its place.',
        );
    },
  });

  const commandPath = services.commands.def.path;
  router.post(
    `${commandPath}:id/validate-variables/`,
    asyncHandler(async (req, res) => {
      const ctx = internalRequest(req, res);
      const id = pathId(req.params['id']);
      const body = parseInput(validateVariablesRequestSchema, req.body ?? {});
      res.json(await catalog.render.validate(id, body.device_id, body.variables ?? {}, ctx));
    }),
  );
  router.get(
    `${commandPath}:id/variable-choices/`,
    asyncHandler(async (req, res) => {
      const ctx = internalRequest(req, res);
      const id = pathId(req.params['id']);
      const given = searchParamsOf(req).getAll('device_id');
      if (given.length > 1) throw AppError.validation({ device_id: ['Give a single device.'] });
      if (given[0] === undefined || given[0] === '')
        throw AppError.validation({ device_id: ['This parameter is required.'] });
      const deviceId = parseObjectId(given[0]);
      if (deviceId === undefined)
        throw AppError.validation({ device_id: ['A valid integer is required.'] });
      res.json(await catalog.render.choices(id, deviceId, ctx));
    }),
  );
  router.post(
    `${services.credentialSets.def.path}:id/regenerate-token/`,
    asyncHandler(async (req, res) => {
      res.json(
        await catalog.tokens.regenerate(pathId(req.params['id']), internalRequest(req, res)),
      );
    }),
  );

  router.post(
    RENDER_PATH,
    asyncHandler(async (req, res) => {
      const body = parseInput(renderRequestSchema, req.body ?? {});
      res.json(await catalog.render.render(body, internalRequest(req, res)));
    }),
  );
  // Behind the same /internal token guard as RENDER_PATH (app.ts). A refused item is
  // answered in its place as RENDER_PATH would have answered it; a failure of the service
  // fails the whole call (503/500 through the error middleware).
  router.post(
    BULK_RENDER_PATH,
    asyncHandler(async (req, res) => {
      const body = parseInput(bulkRenderRequestSchema, req.body ?? {});
      const { results } = await catalog.render.renderMany(body, internalRequest(req, res));
      const answer: BulkRenderResponse = {
        results: results.map((r) => {
          if ('rendered' in r) return r;
          const { refused, ...names } = r;
          const { status, body: problem } = toProblem(refused);
          return { error: { status, body: problem as Record<string, unknown> }, ...names };
        }),
      };
      res.json(answer);
    }),
  );

  router.post(
    USER_DELETED_ROUTE,
    asyncHandler(async (req, res) => {
      const ownerId = pathId(req.params['id'], 'user');
      const credentialSets = await services.credentialSets.deleteWhere(
        { 'owner.id': ownerId },
        internalRequest(req, res),
      );
      const answer: UserDeletedResponse = { credential_sets: credentialSets };
      res.json(answer);
    }),
  );

  router.post(
    OBJECT_CHANGES_INTERNAL_PATH,
    asyncHandler(async (req, res) => {
      const body = parseInput(externalChangesRequestSchema, req.body ?? {});
      const recorded = await catalog.objectChanges.recordExternal(
        body.changes,
        internalRequest(req, res),
      );
      res.status(201).json({ recorded });
    }),
  );

  router.get(
    OBJECT_CHANGE_PATH,
    asyncHandler(async (req, res) => {
      const ctx = internalRequest(req, res);
      const query = parseListQuery(objectChangeListSpec, searchParamsOf(req));
      const { docs, count } = await catalog.objectChanges.list(query, ctx);
      const results = docs.map((d) =>
        selectFields(presentChange(d, ctx.baseUrl), query, OBJECT_CHANGE_BRIEF_FIELDS),
      );
      res.json(toPage(ctx.requestUrl, count, query.limit, query.offset, results));
    }),
  );
  router.get(
    `${OBJECT_CHANGE_PATH}:id/`,
    asyncHandler(async (req, res) => {
      const ctx = internalRequest(req, res);
      const doc = await catalog.objectChanges.get(pathId(req.params['id']), ctx);
      res.json(presentChange(doc, ctx.baseUrl));
    }),
  );
  return router;
}

function presentChange(d: ObjectChangeDoc, baseUrl: string): Record<string, unknown> {
  return {
    id: d._id,
    url: objectUrl(baseUrl, OBJECT_CHANGE_PATH, d._id),
    display: `${d.object_repr} ${d.action}d`,
    time: iso(d.time),
    user: d.user,
    user_name: d.user_name,
    request_id: d.request_id,
    action: {
      value: d.action,
      label: OBJECT_CHANGE_ACTIONS.find((a) => a.value === d.action)?.label ?? d.action,
    },
    changed_object_type: d.changed_object_type,
    changed_object_id: d.changed_object_id,
    object_repr: d.object_repr,
    prechange_data: d.prechange_data,
    postchange_data: d.postchange_data,
  };
}
