import type { Action, ObjectType } from '@toolkit/gateway-domain';
import type { ServiceName } from '../forwarding/upstream-client';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'options';

/** What an operation answers, for the OpenAPI document. */
export type ResponseKind =
  | 'object'
  | 'created'
  | 'list'
  | 'no-content'
  | 'stream'
  | 'event-stream'
  | 'options'
  | 'json'
  | 'yaml-or-json'
  | 'html';

/**
 * One public operation. The express router and the OpenAPI document are both built from
 * this table, so a route cannot exist without its documentation or the other way round.
 */
export interface RouteSpec {
  method: HttpMethod;
  /** OpenAPI style: `/api/dcim/devices/{id}/`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /** Public routes need no token. */
  auth: 'public' | 'token';
  response: ResponseKind;
  /** Resource key for schema discovery in @toolkit/api-contracts (`device` -> deviceSchema). */
  resource?: string;
  /** Accepts a list body too (bulk create/update/delete). */
  bulk?: boolean;
  requestSchema?: 'create' | 'update' | 'bulk-delete' | string;
  /** Export name of the answer's schema when it is not the resource's own. */
  responseSchema?: string;
  /** Path parameter type (`{id}`): integers, except execution and bulk job UUIDs. */
  idType?: 'integer' | 'string';
  /** More answers than the kind implies (202, 409, 429, 503, 504...), with their schemas. */
  otherResponses?: { status: number; description: string; schema?: string }[];
  /** Query parameters of operations that are not lists. */
  query?: { name: string; type: 'integer' | 'string'; required: boolean; description: string }[];
  /** Request headers the operation reads. */
  headers?: { name: string; description: string }[];
  /** Forwarded routes: the owning service and the permission checked. */
  forward?: {
    service: ServiceName;
    objectType: ObjectType;
    action: Action;
    /** Asking for one object you may not see answers 404, not 403. */
    single: boolean;
  };
}

interface ForwardedResource {
  service: ServiceName;
  path: string;
  objectType: ObjectType;
  resource: string;
  tag: string;
  label: string;
  readOnly?: boolean;
  /** Read-only resources that still allow deletion (command logs). */
  deletable?: boolean;
  /** No list endpoint (bulk jobs are looked up by id). */
  detailOnly?: boolean;
  extras?: {
    method: HttpMethod;
    suffix: string;
    action: Action;
    summary: string;
    response: ResponseKind;
    operation: string;
    requestSchema?: string;
    /** Export name in @toolkit/api-contracts of the answer's schema. */
    responseSchema?: string;
    query?: RouteSpec['query'];
  }[];
}

/** Resources owned by the catalog and analytics services, forwarded path + query unchanged. */
export const FORWARDED_RESOURCES: readonly ForwardedResource[] = [
  {
    service: 'catalog',
    path: '/api/plugins/toolkit/commands/',
    objectType: 'toolkit.command',
    resource: 'command',
    tag: 'toolkit',
    label: 'commands',
    extras: [
      {
        method: 'post',
        suffix: '{id}/validate-variables/',
        action: 'view',
        summary: "Check variables against a device's data, without executing",
        response: 'json',
        operation: 'validate_variables',
        requestSchema: 'validateVariablesRequestSchema',
        responseSchema: 'validateVariablesResponseSchema',
      },
      {
        method: 'get',
        suffix: '{id}/variable-choices/',
        action: 'view',
        summary: 'Choices for every variable of the command on a device',
        response: 'json',
        operation: 'variable_choices',
        responseSchema: 'variableChoicesResponseSchema',
        query: [{ name: 'device_id', type: 'integer', required: true, description: 'The device.' }],
      },
    ],
  },
  {
    service: 'catalog',
    path: '/api/plugins/toolkit/credential-sets/',
    objectType: 'toolkit.credentialset',
    resource: 'credentialSet',
    tag: 'toolkit',
    label: 'credential sets',
    extras: [
      {
        method: 'post',
        suffix: '{id}/regenerate-token/',
        action: 'change',
        summary: 'Issue a new credential token (shown once)',
        response: 'json',
        operation: 'regenerate_token',
        responseSchema: 'regenerateTokenResponseSchema',
      },
    ],
  },
  {
    service: 'catalog',
    path: '/api/plugins/toolkit/parsing-templates/',
    objectType: 'toolkit.parsingtemplate',
    resource: 'parsingTemplate',
    tag: 'toolkit',
    label: 'parsing templates',
    extras: [
      {
        method: 'post',
        suffix: 'parse/',
        action: 'view',
        summary:
          'Parse pasted output with a template, a template name, or the index pick for a platform and command',
        response: 'json',
        operation: 'parse',
        requestSchema: 'parseRequestSchema',
        responseSchema: 'parseResponseSchema',
      },
    ],
  },
  {
    service: 'catalog',
    path: '/api/dcim/devices/',
    objectType: 'dcim.device',
    resource: 'device',
    tag: 'dcim',
    label: 'devices',
  },
  {
    service: 'catalog',
    path: '/api/dcim/platforms/',
    objectType: 'dcim.platform',
    resource: 'platform',
    tag: 'dcim',
    label: 'platforms',
  },
  {
    service: 'catalog',
    path: '/api/dcim/sites/',
    objectType: 'dcim.site',
    resource: 'site',
    tag: 'dcim',
    label: 'sites',
  },
  {
    service: 'catalog',
    path: '/api/dcim/interfaces/',
    objectType: 'dcim.interface',
    resource: 'interface',
    tag: 'dcim',
    label: 'interfaces',
  },
  {
    service: 'catalog',
    path: '/api/ipam/vlans/',
    objectType: 'ipam.vlan',
    resource: 'vlan',
    tag: 'ipam',
    label: 'VLANs',
  },
  {
    service: 'catalog',
    path: '/api/ipam/ip-addresses/',
    objectType: 'ipam.ipaddress',
    resource: 'ipAddress',
    tag: 'ipam',
    label: 'IP addresses',
  },
  {
    service: 'catalog',
    path: '/api/core/object-changes/',
    objectType: 'core.objectchange',
    resource: 'objectChange',
    tag: 'core',
    label: 'object changes',
    readOnly: true,
  },
  {
    service: 'analytics',
    path: '/api/plugins/toolkit/command-logs/',
    objectType: 'toolkit.commandlog',
    resource: 'commandLog',
    tag: 'toolkit',
    label: 'command logs',
    readOnly: true,
    deletable: true,
    extras: [
      {
        method: 'get',
        suffix: 'statistics/',
        action: 'view',
        summary: 'Statistics of the command logs matching the list filters',
        response: 'json',
        operation: 'statistics',
        responseSchema: 'commandLogStatisticsSchema',
      },
      {
        method: 'get',
        suffix: 'export/',
        action: 'view',
        summary: 'Export the command logs as CSV, JSON or NDJSON (streamed)',
        response: 'stream',
        operation: 'export',
      },
    ],
  },
  {
    service: 'analytics',
    path: '/api/plugins/toolkit/executions/',
    objectType: 'toolkit.execution',
    resource: 'execution',
    tag: 'toolkit',
    label: 'executions',
    readOnly: true,
  },
  {
    service: 'analytics',
    path: '/api/plugins/toolkit/bulk-jobs/',
    objectType: 'toolkit.bulkjob',
    resource: 'bulkJob',
    tag: 'toolkit',
    label: 'bulk jobs',
    readOnly: true,
  },
];

function opId(path: string, suffix: string): string {
  return `${path
    .replace(/^\/api\//, '')
    .replace(/[{}]/g, '')
    .replace(/[^a-zA-Z0-9]+/g, '_')
    .replace(/_+$/, '')}_${suffix}`;
}

/** Every forwarded operation. Fixed paths (`statistics/`) precede `{id}/` so they match first. */
export function forwardedRoutes(): RouteSpec[] {
  const routes: RouteSpec[] = [];
  for (const r of FORWARDED_RESOURCES) {
    const base = {
      tag: r.tag,
      auth: 'token' as const,
      resource: r.resource,
      idType:
        r.service === 'analytics' && r.resource !== 'commandLog'
          ? ('string' as const)
          : ('integer' as const),
    };
    const fwd = (action: Action, { single }: { single: boolean }) => ({
      service: r.service,
      objectType: r.objectType,
      action,
      single,
    });
    const detail = `${r.path}{id}/`;
    for (const extra of (r.extras ?? []).filter((e) => !e.suffix.startsWith('{id}'))) {
      routes.push({
        ...base,
        method: extra.method,
        path: `${r.path}${extra.suffix}`,
        operationId: opId(r.path, extra.operation),
        summary: extra.summary,
        response: extra.response,
        requestSchema: extra.requestSchema,
        responseSchema: extra.responseSchema,
        forward: fwd(extra.action, { single: false }),
      });
    }
    if (!r.detailOnly) {
      routes.push(
        {
          ...base,
          method: 'get',
          path: r.path,
          operationId: opId(r.path, 'list'),
          summary: `List ${r.label}`,
          response: 'list',
          forward: fwd('view', { single: false }),
        },
        {
          ...base,
          method: 'options',
          path: r.path,
          operationId: opId(r.path, 'options'),
          summary: `Field metadata of ${r.label}`,
          response: 'options',
          forward: fwd('view', { single: false }),
        },
      );
      if (!r.readOnly) {
        routes.push(
          {
            ...base,
            method: 'post',
            path: r.path,
            operationId: opId(r.path, 'create'),
            summary: `Create one or more ${r.label}`,
            response: 'created',
            bulk: true,
            requestSchema: 'create',
            forward: fwd('add', { single: false }),
          },
          {
            ...base,
            method: 'put',
            path: r.path,
            operationId: opId(r.path, 'bulk_update'),
            summary: `Update ${r.label} in bulk (list of {id, ...})`,
            response: 'list',
            bulk: true,
            requestSchema: 'update',
            forward: fwd('change', { single: false }),
          },
          {
            ...base,
            method: 'patch',
            path: r.path,
            operationId: opId(r.path, 'bulk_partial_update'),
            summary: `Partially update ${r.label} in bulk`,
            response: 'list',
            bulk: true,
            requestSchema: 'update',
            forward: fwd('change', { single: false }),
          },
        );
      }
      if (!r.readOnly || r.deletable) {
        routes.push({
          ...base,
          method: 'delete',
          path: r.path,
          operationId: opId(r.path, 'bulk_delete'),
          summary: `Delete ${r.label} in bulk (list of {id})`,
          response: 'no-content',
          requestSchema: 'bulk-delete',
          forward: fwd('delete', { single: false }),
        });
      }
    }
    routes.push({
      ...base,
      method: 'get',
      path: detail,
      operationId: opId(r.path, 'retrieve'),
      summary: `Get one of the ${r.label}`,
      response: 'object',
      forward: fwd('view', { single: true }),
    });
    if (!r.readOnly) {
      routes.push(
        {
          ...base,
          method: 'options',
          path: detail,
          operationId: opId(r.path, 'detail_options'),
          summary: `Field metadata of one of the ${r.label}`,
          response: 'options',
          forward: fwd('view', { single: false }),
        },
        {
          ...base,
          method: 'put',
          path: detail,
          operationId: opId(r.path, 'update'),
          summary: `Replace one of the ${r.label}`,
          response: 'object',
          requestSchema: 'create',
          forward: fwd('change', { single: true }),
        },
        {
          ...base,
          method: 'patch',
          path: detail,
          operationId: opId(r.path, 'partial_update'),
          summary: `Update one of the ${r.label}`,
          response: 'object',
          requestSchema: 'update',
          forward: fwd('change', { single: true }),
        },
      );
    }
    if (!r.readOnly || r.deletable) {
      routes.push({
        ...base,
        method: 'delete',
        path: detail,
        operationId: opId(r.path, 'destroy'),
        summary: `Delete one of the ${r.label}`,
        response: 'no-content',
        forward: fwd('delete', { single: true }),
      });
    }
    for (const extra of (r.extras ?? []).filter((e) => e.suffix.startsWith('{id}'))) {
      routes.push({
        ...base,
        method: extra.method,
        path: `${r.path}${extra.suffix}`,
        operationId: opId(r.path, extra.operation),
        summary: extra.summary,
        response: extra.response,
        requestSchema: extra.requestSchema,
        responseSchema: extra.responseSchema,
        ...(extra.query && { query: extra.query }),
        forward: fwd(extra.action, { single: true }),
      });
    }
  }
  return routes;
}

/** `/api/dcim/devices/{id}/` -> `/api/dcim/devices/:id/` */
export function toExpressPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

const OWN_RESOURCES = [
  { path: '/api/users/users/', resource: 'user', label: 'users' },
  { path: '/api/users/groups/', resource: 'group', label: 'groups' },
  { path: '/api/users/permissions/', resource: 'objectPermission', label: 'object permissions' },
  { path: '/api/users/tokens/', resource: 'token', label: 'API tokens' },
] as const;

/** Routes the gateway answers itself. */
export function ownRoutes(): RouteSpec[] {
  const routes: RouteSpec[] = [
    {
      method: 'get',
      path: '/api/',
      operationId: 'api_root',
      summary: 'API root: the applications',
      tag: 'root',
      auth: 'public',
      response: 'json',
    },
    {
      method: 'get',
      path: '/api/plugins/',
      operationId: 'plugins_root',
      summary: 'Installed plugins',
      tag: 'root',
      auth: 'token',
      response: 'json',
    },
    {
      method: 'get',
      path: '/api/plugins/toolkit/',
      operationId: 'toolkit_root',
      summary: 'Toolkit resources',
      tag: 'root',
      auth: 'token',
      response: 'json',
    },
    {
      method: 'get',
      path: '/api/dcim/',
      operationId: 'dcim_root',
      summary: 'DCIM resources',
      tag: 'root',
      auth: 'token',
      response: 'json',
    },
    {
      method: 'get',
      path: '/api/ipam/',
      operationId: 'ipam_root',
      summary: 'IPAM resources',
      tag: 'root',
      auth: 'token',
      response: 'json',
    },
    {
      method: 'get',
      path: '/api/core/',
      operationId: 'core_root',
      summary: 'Core resources',
      tag: 'root',
      auth: 'token',
      response: 'json',
    },
    {
      method: 'get',
      path: '/api/users/',
      operationId: 'users_root',
      summary: 'Users resources',
      tag: 'root',
      auth: 'token',
      response: 'json',
    },
    {
      method: 'get',
      path: '/api/status/',
      operationId: 'status',
      summary: 'Versions of the services, Kafka and MongoDB reachability, executor count',
      tag: 'status',
      auth: 'token',
      response: 'json',
    },
    {
      method: 'get',
      path: '/api/schema/',
      operationId: 'schema',
      summary: 'This OpenAPI document (JSON; YAML with ?format=yaml)',
      tag: 'schema',
      auth: 'public',
      response: 'yaml-or-json',
    },
    {
      method: 'get',
      path: '/api/docs/',
      operationId: 'docs_swagger_ui',
      summary: 'Swagger UI',
      tag: 'schema',
      auth: 'public',
      response: 'html',
    },
    {
      method: 'get',
      path: '/api/redoc/',
      operationId: 'docs_redoc',
      summary: 'ReDoc',
      tag: 'schema',
      auth: 'public',
      response: 'html',
    },
    {
      method: 'post',
      path: '/api/users/tokens/provision/',
      operationId: 'users_tokens_provision',
      summary: 'Exchange a username and password for a new API token (shown once)',
      tag: 'users',
      auth: 'public',
      response: 'created',
      resource: 'token',
      requestSchema: 'tokenProvisionSchema',
    },
  ];
  for (const r of OWN_RESOURCES) {
    const base = {
      tag: 'users',
      auth: 'token' as const,
      resource: r.resource,
      idType: 'integer' as const,
    };
    const detail = `${r.path}{id}/`;
    routes.push(
      {
        ...base,
        method: 'get',
        path: r.path,
        operationId: opId(r.path, 'list'),
        summary: `List ${r.label}`,
        response: 'list',
      },
      {
        ...base,
        method: 'options',
        path: r.path,
        operationId: opId(r.path, 'options'),
        summary: `Field metadata of ${r.label}`,
        response: 'options',
      },
      {
        ...base,
        method: 'post',
        path: r.path,
        operationId: opId(r.path, 'create'),
        summary: `Create one or more ${r.label}`,
        response: 'created',
        bulk: true,
        requestSchema: 'write',
      },
      {
        ...base,
        method: 'put',
        path: r.path,
        operationId: opId(r.path, 'bulk_update'),
        summary: `Update ${r.label} in bulk`,
        response: 'list',
        bulk: true,
        requestSchema: 'write',
      },
      {
        ...base,
        method: 'patch',
        path: r.path,
        operationId: opId(r.path, 'bulk_partial_update'),
        summary: `Partially update ${r.label} in bulk`,
        response: 'list',
        bulk: true,
        requestSchema: 'write',
      },
      {
        ...base,
        method: 'delete',
        path: r.path,
        operationId: opId(r.path, 'bulk_delete'),
        summary: `Delete ${r.label} in bulk`,
        response: 'no-content',
        requestSchema: 'bulk-delete',
      },
      {
        ...base,
        method: 'get',
        path: detail,
        operationId: opId(r.path, 'retrieve'),
        summary: `Get one of the ${r.label}`,
        response: 'object',
      },
      {
        ...base,
        method: 'options',
        path: detail,
        operationId: opId(r.path, 'detail_options'),
        summary: `Field metadata of one of the ${r.label}`,
        response: 'options',
      },
      {
        ...base,
        method: 'put',
        path: detail,
        operationId: opId(r.path, 'update'),
        summary: `Replace one of the ${r.label}`,
        response: 'object',
        requestSchema: 'write',
      },
      {
        ...base,
        method: 'patch',
        path: detail,
        operationId: opId(r.path, 'partial_update'),
        summary: `Update one of the ${r.label}`,
        response: 'object',
        requestSchema: 'write',
      },
      {
        ...base,
        method: 'delete',
        path: detail,
        operationId: opId(r.path, 'destroy'),
        summary: `Delete one of the ${r.label}`,
        response: 'no-content',
      },
    );
  }
  return routes;
}

/** Running commands: the gateway's own operations on commands and executions. */
export function executionRoutes(): RouteSpec[] {
  const queued = 'executionAcceptedSchema';
  return [
    {
      method: 'post',
      path: '/api/plugins/toolkit/commands/{id}/execute/',
      operationId: 'plugins_toolkit_commands_execute',
      summary:
        'Run the command on a device: waits for the result (200 succeeded, 400 failed), or 202 with `async`',
      tag: 'toolkit',
      auth: 'token',
      response: 'json',
      idType: 'integer',
      requestSchema: 'executeRequestSchema',
      responseSchema: 'executeResponseSchema',
      otherResponses: [
        {
          status: 202,
          description: 'Accepted (async): follow the execution at its URL',
          schema: queued,
        },
        {
          status: 400,
          description:
            'Invalid input (field errors, variables with suggestions), or the execution failed (the 200 body, with success false)',
          schema: 'executeResponseSchema',
        },
        {
          status: 429,
          description:
            'Device rate limit, or a device login blocked after authentication failures (Retry-After)',
          schema: 'rateLimitExceededSchema',
        },
        {
          status: 503,
          description:
            'The message broker or a service is unavailable: nothing was run (Retry-After)',
        },
        {
          status: 504,
          description: 'The wait ran out: the execution goes on (follow its URL)',
          schema: queued,
        },
      ],
      headers: [
        {
          name: 'Idempotency-Key',
          description:
            'The same key, user and body within 24 h returns the first answer (or waits on the same execution) and never runs the command twice; another body with it is refused.',
        },
      ],
    },
    {
      method: 'post',
      path: '/api/plugins/toolkit/commands/bulk-execute/',
      operationId: 'plugins_toolkit_commands_bulk_execute',
      summary:
        'Run up to 1,000 commands on devices: every item checked first, refused ones reported with their position, the rest run (per device in order on one session); waits for every result, or 202 with a bulk job with `async`',
      tag: 'toolkit',
      auth: 'token',
      response: 'json',
      requestSchema: 'bulkExecuteRequestDocumentSchema',
      responseSchema: 'bulkExecuteResponseSchema',
      otherResponses: [
        {
          status: 202,
          description: 'Accepted (async): follow the bulk job at its URL',
          schema: 'bulkExecuteAcceptedSchema',
        },
        {
          status: 400,
          description:
            'Invalid request (`executions` empty or over 1,000 items, a shared field invalid), or no item can run (one error per item, aligned with the list)',
        },
        {
          status: 503,
          description:
            'The message broker or a service is unavailable: nothing was run (Retry-After)',
        },
      ],
      headers: [
        {
          name: 'Idempotency-Key',
          description:
            'The same key, user and body within 24 h answers with the same bulk job and never runs its items twice.',
        },
      ],
    },
    {
      method: 'post',
      path: '/api/plugins/toolkit/bulk-jobs/{id}/cancel/',
      operationId: 'plugins_toolkit_bulk_jobs_cancel',
      summary:
        "Cancel a bulk job's items not started yet (requester or superuser); running items finish",
      tag: 'toolkit',
      auth: 'token',
      response: 'json',
      idType: 'string',
      otherResponses: [
        { status: 202, description: 'Cancellation requested; the executors report the items' },
        { status: 409, description: 'Every item has a result already' },
        { status: 503, description: 'The message broker is unavailable' },
      ],
    },
    {
      method: 'post',
      path: '/api/plugins/toolkit/executions/{id}/cancel/',
      operationId: 'plugins_toolkit_executions_cancel',
      summary: 'Cancel a queued execution or abort a running show (requester or superuser)',
      tag: 'toolkit',
      auth: 'token',
      response: 'json',
      idType: 'string',
      responseSchema: 'executionCancelResponseSchema',
      otherResponses: [
        {
          status: 202,
          description: 'Cancellation requested; the executor reports it',
          schema: 'executionCancelResponseSchema',
        },
        { status: 409, description: 'Finished already, or a running configuration command' },
        { status: 503, description: 'The message broker is unavailable' },
      ],
    },
    {
      method: 'get',
      path: '/api/plugins/toolkit/executions/{id}/stream/',
      operationId: 'plugins_toolkit_executions_stream',
      summary:
        'Follow an execution as Server-Sent Events: status changes, its output as the device sends it (executions run with `stream`), the result, then `end`; a finished one is replayed',
      tag: 'toolkit',
      auth: 'token',
      response: 'event-stream',
      idType: 'string',
      query: [
        {
          name: 'last_event_id',
          type: 'string',
          required: false,
          description: 'Resume after this event id (as the Last-Event-ID header).',
        },
      ],
      headers: [
        {
          name: 'Last-Event-ID',
          description:
            'Resume after this event (`<attempt>:<offset>`): the output continues from there, without repeats.',
        },
      ],
      otherResponses: [
        { status: 404, description: 'No such execution, or not one the caller may read' },
        { status: 429, description: 'Too many live streams open for this user' },
        { status: 503, description: 'Too many live streams open on this gateway' },
      ],
    },
    {
      method: 'get',
      path: '/api/plugins/toolkit/bulk-jobs/{id}/stream/',
      operationId: 'plugins_toolkit_bulk_jobs_stream',
      summary:
        "Follow a bulk job as Server-Sent Events: `progress` (its counts), each item's status changes once (`item`), the job when it completes (`job`), then `end`",
      tag: 'toolkit',
      auth: 'token',
      response: 'event-stream',
      idType: 'string',
      otherResponses: [
        { status: 404, description: 'No such bulk job, or not one the caller may read' },
        { status: 429, description: 'Too many live streams open for this user' },
        { status: 503, description: 'Too many live streams open on this gateway' },
      ],
    },
    {
      method: 'get',
      path: '/api/plugins/toolkit/rate-limit/',
      operationId: 'plugins_toolkit_rate_limit',
      summary: "A device's rate-limit status (the original's GUI status object)",
      tag: 'toolkit',
      auth: 'token',
      response: 'json',
      responseSchema: 'rateLimitStatusSchema',
      query: [{ name: 'device_id', type: 'integer', required: true, description: 'The device.' }],
      otherResponses: [
        { status: 400, description: 'device_id missing, malformed or not a visible device' },
      ],
    },
  ];
}

/** Every public route: the router and the OpenAPI document are built from this list. */
export function allRoutes(): RouteSpec[] {
  return [...ownRoutes(), ...executionRoutes(), ...forwardedRoutes()];
}
