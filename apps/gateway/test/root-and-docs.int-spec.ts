import request from 'supertest';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { parse } from 'yaml';
import type { GatewayHarness } from './support/gateway-harness';
import { closedPortUrl, startGatewayHarness } from './support/gateway-harness';
import { allRoutes } from '../src/routes/route-table';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- OpenAPI JSON, read loosely
type Json = Record<string, any>;

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  /** A router mounted with `app.use(router)` (resources): its own layers. */
  handle?: { stack?: Layer[] };
}

/** Route layers, those of routers mounted at the root included. */
function routeLayers(stack: readonly Layer[]): Layer[] {
  return stack.flatMap((layer) =>
    layer.route ? [layer] : layer.handle?.stack ? routeLayers(layer.handle.stack) : [],
  );
}

describe('gateway API root, status, headers and OpenAPI documentation', () => {
  let h: GatewayHarness;
  let admin: { key: string };

  beforeAll(async () => {
    const down = await closedPortUrl();
    h = await startGatewayHarness({ catalogUrl: down, analyticsUrl: down });
    admin = await h.user({ superuser: true });
  });

  afterAll(async () => {
    await h.close();
  });

  it('when the API root is read, then it lists the applications with absolute URLs, and plugins list the toolkit', async () => {
    const root = await request(h.app).get('/api/').set('Host', 'nb.example.com');
    const toolkit = await request(h.app)
      .get('/api/plugins/toolkit/')
      .set('Authorization', `Token ${admin.key}`)
      .set('Host', 'nb.example.com');

    expect(root.status).toBe(200);
    expect(root.body).toEqual({
      core: 'http://nb.example.com/api/core/',
      dcim: 'http://nb.example.com/api/dcim/',
      ipam: 'http://nb.example.com/api/ipam/',
      plugins: 'http://nb.example.com/api/plugins/',
      status: 'http://nb.example.com/api/status/',
      users: 'http://nb.example.com/api/users/',
    });
    expect(toolkit.body).toMatchObject({
      commands: 'http://nb.example.com/api/plugins/toolkit/commands/',
      'command-logs': expect.any(String),
    });
  });

  it('when /api/status/ is read with the catalog down, then it reports each dependency', async () => {
    const response = await request(h.app)
      .get('/api/status/')
      .set('Authorization', `Token ${admin.key}`);

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      'netbox-version': '4.2.0',
      services: {
        gateway: { status: 'ok' },
        catalog: { status: 'unavailable' },
        analytics: { status: 'unavailable' },
      },
      kafka: { reachable: true },
      mongodb: { reachable: true },
    });
    expect(response.body.executors === null || typeof response.body.executors === 'number').toBe(
      true,
    );
  });

  it('when any response is sent, then it carries API-Version, a request id and security headers', async () => {
    const response = await request(h.app).get('/api/');

    expect(response.headers).toMatchObject({
      'api-version': '4.2',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'same-origin',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    });
    expect(response.headers['x-request-id']).toBeDefined();
  });

  it('when the Host header is not a host (bad port, broken IPv6), then 400 names it before any work; good hosts build URLs', async () => {
    const hosts = ['x:99999', '[::1', 'a..b', 'example.com:0x10'];

    const bad = await Promise.all(
      hosts.map((host) => request(h.app).get('/api/').set('Host', host)),
    );
    const good = await request(h.app).get('/api/').set('Host', '[::1]:8443');

    expect(bad.map((r) => r.status)).toEqual([400, 400, 400, 400]);
    expect(bad[0]?.body).toEqual({ Host: ['Invalid Host header.'] });
    expect(good.status).toBe(200);
    expect(good.body.dcim).toBe('http://[::1]:8443/api/dcim/');
  });

  it('when a configured origin sends a preflight, then CORS allows it without a token; other origins get nothing', async () => {
    const allowed = await request(h.app)
      .options('/api/dcim/devices/')
      .set('Origin', 'https://ui.example.com')
      .set('Access-Control-Request-Method', 'POST');
    const other = await request(h.app).get('/api/').set('Origin', 'https://evil.example.com');

    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://ui.example.com');
    expect(allowed.headers['access-control-allow-headers']).toMatch(/Authorization/);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('when the schema is fetched as JSON and YAML, then both are the same valid OpenAPI 3.1 document', async () => {
    const json = await request(h.app).get('/api/schema/');
    const yaml = await request(h.app).get('/api/schema/?format=yaml');
    const config = await createConfig({
      rules: {
        struct: 'error',
        'no-unresolved-refs': 'error',
        'operation-operationId-unique': 'error',
        'path-parameters-defined': 'error',
      },
    });
    const problems = await lintFromString({ source: JSON.stringify(json.body), config });

    expect(json.status).toBe(200);
    expect(json.body.openapi).toBe('3.1.0');
    expect(yaml.headers['content-type']).toMatch(/^application\/yaml/);
    expect(parse(yaml.text)).toEqual(json.body);
    expect(
      problems.map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? ''}`),
    ).toEqual([]);
  });

  it('when the routes are compared, then every route the router serves is documented and every documented route is served', async () => {
    const document = (await request(h.app).get('/api/schema/')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const stack = (h.app as unknown as { router: { stack: Layer[] } }).router.stack;
    const served = new Set<string>();
    for (const layer of routeLayers(stack)) {
      if (!layer.route) continue;
      const path = layer.route.path.replace(/:(\w+)/g, '{$1}');
      if (!path.startsWith('/api/') || path.includes('/static/')) continue;
      for (const method of Object.keys(layer.route.methods))
        if (method !== '_all') served.add(`${method} ${path}`);
    }
    const documented = new Set(
      Object.entries(document.paths).flatMap(([path, item]) =>
        Object.keys(item).map((m) => `${m} ${path}`),
      ),
    );
    const table = new Set(allRoutes().map((r) => `${r.method} ${r.path}`));

    expect([...served].filter((r) => !documented.has(r))).toEqual([]);
    expect([...documented].filter((r) => !served.has(r))).toEqual([]);
    expect(table).toEqual(documented);
  });

  it('when a list is ordered or paged, then the documented parameters accept what the server accepts and refuse what it refuses', async () => {
    const document = (await request(h.app).get('/api/schema/')).body as {
      paths: Record<string, { get: { parameters: { name: string; schema: Json }[] } }>;
    };
    const params = document.paths['/api/users/users/']?.get.parameters ?? [];
    const schemaOf = (name: string) => params.find((p) => p.name === name)?.schema as Json;
    const ordering = new RegExp(schemaOf('ordering')['pattern'] as string, 'u');
    const offset = schemaOf('offset');
    const id = schemaOf('id')['items'];
    const cases: [string, boolean][] = [
      [`ordering=username`, ordering.test('username')],
      [`ordering=-username,id`, ordering.test('-username,id')],
      [`ordering=bogus`, ordering.test('bogus')],
      [`ordering=username,-nope`, ordering.test('username,-nope')],
      [`offset=999999999999`, 999_999_999_999 <= (offset['maximum'] as number)],
      [`offset=1000000000000`, 1_000_000_000_000 <= (offset['maximum'] as number)],
      [`id=999999999999999`, 999_999_999_999_999 <= (id['maximum'] as number)],
      [`id=1000000000000000`, 1_000_000_000_000_000 <= (id['maximum'] as number)],
    ];

    const answers = await Promise.all(
      cases.map(
        async ([query]) =>
          (
            await request(h.app)
              .get(`/api/users/users/?${query}`)
              .set('Authorization', `Token ${admin.key}`)
          ).status,
      ),
    );

    expect(answers).toEqual([200, 200, 400, 400, 200, 400, 200, 400]);
    expect(cases.map(([, documented]) => documented)).toEqual(answers.map((s) => s === 200));
  });

  it('when a filter has an alias or an action a required query parameter, then the document says so', async () => {
    const document = (await request(h.app).get('/api/schema/')).body as {
      paths: Record<string, { get: { parameters: { name: string; required?: boolean }[] } }>;
    };
    const param = (path: string, name: string) =>
      document.paths[path]?.get.parameters.find((p) => p.name === name);

    expect(param('/api/dcim/sites/', 'created_after')).toMatchObject({
      schema: { type: 'array', items: { type: 'string', format: 'date-time' } },
    });
    expect(
      param('/api/plugins/toolkit/commands/{id}/variable-choices/', 'device_id'),
    ).toMatchObject({ required: true, schema: { type: 'integer' } });
  });

  it('when the catalog publishes schemas, then resource operations reference them', async () => {
    const document = (await request(h.app).get('/api/schema/')).body as {
      paths: Record<
        string,
        Record<
          string,
          { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }
        >
      >;
    };
    const users =
      document.paths['/api/users/users/{id}/']?.['get']?.responses['200']?.content?.[
        'application/json'
      ]?.schema;

    expect(users).toEqual({ $ref: '#/components/schemas/User' });
  });

  it('when the docs pages are opened, then Swagger UI and ReDoc load from local assets under a CSP', async () => {
    const swagger = await request(h.app).get('/api/docs/');
    const bundle = await request(h.app).get('/api/docs/static/swagger-ui-bundle.js');
    const redoc = await request(h.app).get('/api/redoc/');
    const redocBundle = await request(h.app).head('/api/redoc/static/redoc.standalone.js');

    expect(swagger.status).toBe(200);
    expect(swagger.text).toContain('/api/docs/static/swagger-ui-bundle.js');
    expect(swagger.headers['content-security-policy']).toContain("script-src 'self'");
    expect(bundle.status).toBe(200);
    expect(redoc.text).toContain('spec-url="/api/schema/"');
    expect(redocBundle.status).toBe(200);
  });
  it('when a known path is asked with a method it does not serve, then 405 names the method and Allow lists the others', async () => {
    const token = { Authorization: `Token ${admin.key}` };

    const status = await request(h.app).delete('/api/status/').set(token);
    const detail = await request(h.app).post('/api/users/groups/1').set(token).send({});
    const forwarded = await request(h.app).put('/api/core/object-changes/').set(token).send([]);
    const unknown = await request(h.app).delete('/api/dcim/toasters/').set(token);
    const provision = await request(h.app).get('/api/users/tokens/provision/').set(token);
    const notAnId = await request(h.app).get('/api/users/tokens/abc/').set(token);

    expect(status.status).toBe(405);
    expect(status.headers['allow']).toBe('GET, HEAD');
    expect(status.body).toEqual({ detail: 'Method "DELETE" not allowed.' });
    expect(detail.status).toBe(405);
    expect(detail.headers['allow']).toBe('GET, PUT, PATCH, DELETE, HEAD, OPTIONS');
    expect(detail.body).toEqual({ detail: 'Method "POST" not allowed.' });
    expect(forwarded.status).toBe(405);
    expect(forwarded.headers['allow']).toBe('GET, HEAD, OPTIONS');
    expect(forwarded.body).toEqual({ detail: 'Method "PUT" not allowed.' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ detail: 'Not found.' });
    expect(provision.status).toBe(405);
    expect(provision.headers['allow']).toBe('POST');
    expect(provision.body).toEqual({ detail: 'Method "GET" not allowed.' });
    expect(notAnId.status).toBe(404);
  });
});
