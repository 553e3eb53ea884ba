import { z } from 'zod';
import type { ListSpec } from '@toolkit/netbox-list';
import { RESERVED_PARAMETERS, defaultLookups, escapeRegex } from '@toolkit/netbox-list';
import type { RouteSpec } from '../routes/route-table';
import { contractSchema, resourceContracts } from './contract-discovery';

type Json = Record<string, unknown>;

export interface OpenApiOptions {
  title: string;
  version: string;
  description: string;
}

const ERROR = { $ref: '#/components/schemas/Error' };

/**
 * The OpenAPI 3.1 document, built from the route table (every operation the gateway
 * serves) and the zod schemas of @toolkit/api-contracts (JSON Schema 2020-12, which 3.1
 * uses as is), so that it cannot drift from the code.
 */
export function buildOpenApiDocument(routes: readonly RouteSpec[], options: OpenApiOptions): Json {
  const components = new ComponentRegistry();
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    const item = (paths[route.path] ??= {});
    item[route.method] = operation(route, components);
  }
  return {
    openapi: '3.1.0',
    info: { title: options.title, version: options.version, description: options.description },
    servers: [{ url: '/' }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        tokenAuth: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description: '`Token <key>` or `Bearer <key>`',
        },
      },
      schemas: {
        Error: {
          type: 'object',
          description: '`{"detail": "..."}`, or field errors `{"field": ["message"]}` for 400.',
          properties: { detail: { type: 'string' } },
          additionalProperties: { type: 'array', items: { type: 'string' } },
        },
        ...components.schemas,
      },
    },
  };
}

function operation(route: RouteSpec, components: ComponentRegistry): Json {
  const contracts = route.resource ? resourceContracts(route.resource) : {};
  const read = components.ref(contracts.read, `${pascal(route.resource ?? 'Object')}`, 'output');
  const parameters: Json[] = [];
  if (route.path.includes('{id}')) {
    parameters.push({
      name: 'id',
      in: 'path',
      required: true,
      schema: { type: route.idType === 'string' ? 'string' : 'integer' },
    });
  }
  if (route.response === 'list' && route.method === 'get')
    parameters.push(...listParameters(contracts.listSpec));
  if (route.response === 'stream' || route.operationId.endsWith('statistics')) {
    parameters.push(...listParameters(contracts.listSpec, { paging: false }));
  }
  for (const q of route.query ?? [])
    parameters.push({
      name: q.name,
      in: 'query',
      required: q.required,
      schema: { type: q.type },
      description: q.description,
    });
  for (const h of route.headers ?? [])
    parameters.push({
      name: h.name,
      in: 'header',
      schema: { type: 'string' },
      description: h.description,
    });
  if (route.path === '/api/schema/') {
    parameters.push({
      name: 'format',
      in: 'query',
      schema: { type: 'string', enum: ['json', 'yaml'] },
    });
  }
  const op: Json = {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    security: route.auth === 'public' ? [] : [{ tokenAuth: [] }],
    responses: responses(route, read, components),
  };
  if (route.forward) {
    op['description'] =
      `Permission: \`${route.forward.action}\` on \`${route.forward.objectType}\`. Served by the ${route.forward.service} service.`;
  }
  if (parameters.length > 0) op['parameters'] = parameters;
  const body = requestBody(route, contracts, components);
  if (body) op['requestBody'] = body;
  return op;
}

/** An object id in a body, as `parseObjectId` (@toolkit/http) reads it: a positive safe integer. */
const OBJECT_ID = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;

function requestBody(
  route: RouteSpec,
  contracts: ReturnType<typeof resourceContracts>,
  components: ComponentRegistry,
): Json | undefined {
  if (!route.requestSchema) return undefined;
  let schema: Json;
  if (route.requestSchema === 'bulk-delete') {
    schema = {
      type: 'array',
      items: {
        type: 'object',
        required: ['id'],
        properties: { id: route.idType === 'string' ? { type: 'string' } : OBJECT_ID },
      },
    };
  } else {
    const base =
      route.requestSchema === 'create' || route.requestSchema === 'write'
        ? components.ref(contracts.create, `Writable${pascal(route.resource ?? 'Object')}`, 'input')
        : route.requestSchema === 'update'
          ? components.ref(
              contracts.update ?? contracts.create,
              `Patched${pascal(route.resource ?? 'Object')}`,
              'input',
            )
          : components.ref(
              contractSchema(route.requestSchema),
              pascal(route.requestSchema.replace(/Schema$/, '')),
              'input',
            );
    const withId =
      route.bulk && route.method !== 'post'
        ? {
            allOf: [
              { type: 'object', required: ['id'], properties: { id: OBJECT_ID } },
              base,
            ],
          }
        : base;
    schema = route.bulk ? { oneOf: [base, { type: 'array', items: withId }] } : base;
    if (route.bulk && route.method !== 'post') schema = { type: 'array', items: withId };
  }
  return { required: true, content: { 'application/json': { schema } } };
}

function responses(route: RouteSpec, read: Json, components: ComponentRegistry): Json {
  const json = (schema: Json, description: string) => ({
    description,
    content: { 'application/json': { schema } },
  });
  const out: Json = {};
  switch (route.response) {
    case 'list':
      out['200'] =
        route.method === 'get'
          ? json(
              {
                type: 'object',
                required: ['count', 'next', 'previous', 'results'],
                properties: {
                  count: { type: 'integer' },
                  next: { type: ['string', 'null'], format: 'uri' },
                  previous: { type: ['string', 'null'], format: 'uri' },
                  results: { type: 'array', items: read },
                },
              },
              'A page of results',
            )
          : json({ type: 'array', items: read }, 'The updated objects');
      break;
    case 'object':
      out['200'] = json(read, 'The object');
      break;
    case 'created':
      out['201'] = json(
        route.bulk ? { oneOf: [read, { type: 'array', items: read }] } : read,
        'Created',
      );
      break;
    case 'no-content':
      out['204'] = { description: 'Deleted' };
      break;
    case 'event-stream':
      out['200'] = {
        description:
          'Server-Sent Events: `status`, `output` ({offset, text}), `result` (the execution), `end` ({reason, status})',
        content: { 'text/event-stream': { schema: { type: 'string' } } },
      };
      break;
    case 'stream':
      out['200'] = {
        description: 'Streamed export',
        content: {
          'text/csv': { schema: { type: 'string' } },
          'application/json': { schema: { type: 'object' } },
          'application/x-ndjson': { schema: { type: 'string' } },
        },
      };
      break;
    case 'options':
      out['200'] = json(
        { type: 'object', description: 'DRF field metadata (actions.POST with choices).' },
        'Field metadata',
      );
      break;
    case 'html':
      out['200'] = {
        description: 'HTML page',
        content: { 'text/html': { schema: { type: 'string' } } },
      };
      break;
    case 'yaml-or-json':
      out['200'] = {
        description: 'The OpenAPI document',
        content: {
          'application/json': { schema: { type: 'object' } },
          'application/yaml': { schema: { type: 'string' } },
        },
      };
      break;
    default: {
      const schema = route.responseSchema
        ? components.ref(
            contractSchema(route.responseSchema),
            pascal(route.responseSchema.replace(/Schema$/, '')),
            'output',
          )
        : { type: 'object' };
      out['200'] = json(schema, 'OK');
    }
  }
  if (route.requestSchema || route.response === 'list')
    out['400'] = json(ERROR, 'Invalid input or unknown filter');
  if (route.auth === 'token') {
    out['401'] = json(
      ERROR,
      'Authentication credentials were not provided, or the token is invalid',
    );
    out['403'] = json(ERROR, 'Permission denied or read-only token');
  }
  if (route.path.includes('{id}')) out['404'] = json(ERROR, 'Not found (or not visible)');
  if (route.requestSchema) {
    out['413'] = json(ERROR, 'Request body too large');
    out['415'] = json(ERROR, 'Unsupported media type');
  }
  out['429'] = json(ERROR, 'Too many authentication failures');
  if (route.forward)
    out['503'] = json(ERROR, `The ${route.forward.service} service is unavailable`);
  for (const other of route.otherResponses ?? []) {
    const schema = other.schema
      ? components.ref(
          contractSchema(other.schema),
          pascal(other.schema.replace(/Schema$/, '')),
          'output',
        )
      : ERROR;
    out[String(other.status)] = json(
      other.status === 400 && other.schema ? { oneOf: [ERROR, schema] } : schema,
      other.description,
    );
  }
  return out;
}

function listParameters(
  spec: ListSpec | undefined,
  options: { paging: boolean } = { paging: true },
): Json[] {
  const params: Json[] = [];
  if (options.paging) {
    params.push(
      {
        name: 'limit',
        in: 'query',
        schema: { type: 'integer', minimum: 0 },
        description: 'Page size (default 50, max 1000; 0 = max).',
      },
      // As the list engine reads them (@toolkit/netbox-list): offsets of up to 12 digits,
      // ordering names the list's own fields only.
      {
        name: 'offset',
        in: 'query',
        schema: { type: 'integer', minimum: 0, maximum: 999_999_999_999 },
      },
      {
        name: 'ordering',
        in: 'query',
        schema: spec ? orderingSchema(Object.keys(spec.ordering)) : { type: 'string' },
        description: spec
          ? `One or more of: ${Object.keys(spec.ordering).join(', ')} (prefix - for descending), comma-separated.`
          : undefined,
      },
      { name: 'brief', in: 'query', schema: { type: 'boolean' } },
      { name: 'fields', in: 'query', schema: { type: 'string' } },
      { name: 'omit', in: 'query', schema: { type: 'string' } },
    );
  }
  params.push({
    name: 'q',
    in: 'query',
    schema: { type: 'string' },
    description: 'Free-text search.',
  });
  const seen = new Set<string>([...RESERVED_PARAMETERS]);
  const schemas = new Map<string, Json>();
  const add = (name: string, schema: Json, description?: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    schemas.set(name, schema);
    params.push({
      name,
      in: 'query',
      schema: { type: 'array', items: schema },
      style: 'form',
      explode: true,
      ...(description ? { description } : {}),
    });
  };
  for (const field of spec?.filters ?? []) {
    const schema: Json =
      field.type === 'enum'
        ? { type: 'string', enum: [...(field.choices ?? [])] }
        : field.type === 'datetime'
          ? { type: 'string', format: 'date-time' }
          : field.type === 'integer'
            ? // Whole numbers of up to 15 digits, as the list engine reads them.
              { type: 'integer', minimum: -999_999_999_999_999, maximum: 999_999_999_999_999 }
            : { type: field.type };
    add(field.name, schema, field.description);
    for (const lookup of field.lookups ?? defaultLookups(field.type)) {
      add(
        `${field.name}__${lookup}`,
        lookup === 'empty' || lookup === 'isnull' ? { type: 'boolean' } : schema,
      );
    }
  }
  // An alias takes what its target takes (`created_after`: a date-time, as `created__gte`).
  for (const [alias, target] of Object.entries(spec?.aliases ?? {}))
    add(alias, schemas.get(target) ?? { type: 'string' }, `Alias of ${target}.`);
  for (const name of spec?.passthrough ?? []) add(name, { type: 'string' });
  return params;
}

/** `ordering`: comma-separated names of the list's sortable fields, each optionally `-`. */
function orderingSchema(names: readonly string[]): Json {
  const one = `-?(?:${names.map(escapeRegex).join('|')})`;
  return { type: 'string', pattern: `^${one}(?:,${one})*$` };
}

function pascal(text: string): string {
  return text
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((part) => `${part[0]?.toUpperCase() ?? ''}${part.slice(1)}`)
    .join('');
}

/** zod -> JSON Schema components; nested schemas with a `meta({id})` become their own components. */
class ComponentRegistry {
  readonly schemas: Record<string, Json> = {};
  private readonly names = new Map<z.ZodType, Map<string, string>>();

  ref(schema: z.ZodType | undefined, fallbackName: string, io: 'input' | 'output'): Json {
    if (!schema) return { type: 'object', description: 'Schema not published yet.' };
    const known = this.names.get(schema)?.get(io);
    if (known) return { $ref: `#/components/schemas/${known}` };
    const converted = z.toJSONSchema(schema, {
      io,
      unrepresentable: 'any',
      target: 'draft-2020-12',
    }) as Json;
    const defs = (converted['$defs'] ?? {}) as Record<string, Json>;
    delete converted['$defs'];
    delete converted['$schema'];
    for (const [name, def] of Object.entries(defs)) this.put(name, def, io);
    let name: string;
    const topRef = converted['$ref'];
    if (
      typeof topRef === 'string' &&
      Object.keys(converted).length === 1 &&
      topRef.startsWith('#/$defs/')
    ) {
      name = this.finalName(
        topRef.slice('#/$defs/'.length),
        defs[topRef.slice('#/$defs/'.length)] ?? {},
        io,
      );
    } else {
      name = this.put(fallbackName, converted, io);
    }
    const perIo = this.names.get(schema) ?? new Map<string, string>();
    perIo.set(io, name);
    this.names.set(schema, perIo);
    return { $ref: `#/components/schemas/${name}` };
  }

  private finalName(name: string, def: Json, io: 'input' | 'output'): string {
    const existing = this.schemas[name];
    if (!existing || JSON.stringify(existing) === JSON.stringify(rewriteRefs(def))) return name;
    return io === 'input' ? `${name}Input` : name;
  }

  private put(name: string, def: Json, io: 'input' | 'output'): string {
    const rewritten = rewriteRefs(def) as Json;
    const existing = this.schemas[name];
    if (!existing) {
      this.schemas[name] = rewritten;
      return name;
    }
    if (JSON.stringify(existing) === JSON.stringify(rewritten)) return name;
    const alternative = io === 'input' ? `${name}Input` : `${name}Output`;
    this.schemas[alternative] ??= rewritten;
    return alternative;
  }
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string'
        ? v.replace('#/$defs/', '#/components/schemas/')
        : rewriteRefs(v),
    ]),
  );
}
