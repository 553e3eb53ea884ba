import express from 'express';
import request from 'supertest';
import { decodeHeaderJson, constraintsSchema, principalSchema } from '@toolkit/contracts';
import { UpstreamClient } from '../src/forwarding/upstream-client';
import type { GatewayHarness } from './support/gateway-harness';
import {
  INTERNAL_TOKEN,
  closedPortUrl,
  listen,
  startGatewayHarness,
} from './support/gateway-harness';

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** A stand-in for a service: records what it receives, answers like the real ones. */
function recordingUpstream(seen: Seen[], name: string) {
  const app = express();
  app.use(express.json());
  app.use((req, _res, next) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers, body: req.body });
    next();
  });
  const origin = (req: express.Request) =>
    `${String(req.headers['x-forwarded-proto'])}://${String(req.headers['x-forwarded-host'])}`;
  app.get('/api/dcim/devices/', (req, res) => {
    res.json({
      count: 1,
      next: `${origin(req)}${req.url}&offset=50`,
      previous: null,
      results: [{ id: 1, url: `${origin(req)}/api/dcim/devices/1/`, name: `from-${name}` }],
    });
  });
  app.get('/api/dcim/devices/:id/', (req, res) => {
    // Leaks its own origin: the gateway's safety net rewrites it.
    res.json({
      id: Number(req.params.id),
      url: `http://${String(req.headers.host)}/api/dcim/devices/${req.params.id}/`,
    });
  });
  app.post('/api/dcim/devices/', (req, res) => {
    res.status(201).json(req.body);
  });
  app.options('/api/dcim/devices/:id/', (_req, res) => {
    res.json({ name: 'Device', actions: { PUT: {} } });
  });
  app.delete('/api/dcim/devices/', (_req, res) => {
    res.status(204).end();
  });
  app.get('/api/plugins/toolkit/command-logs/export/', (_req, res) => {
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', 'attachment; filename="command_logs.csv"');
    res.write('ID,Command\n');
    let i = 0;
    const timer = setInterval(() => {
      res.write(`${i},show version\n`);
      i += 1;
      if (i === 100) {
        clearInterval(timer);
        res.end();
      }
    }, 1);
  });
  app.get('/api/plugins/toolkit/executions/', (_req, res) => {
    res.json({ count: 0, next: null, previous: null, results: [] });
  });
  app.get('/api/plugins/toolkit/commands/slow/', () => undefined);
  app.get('/api/plugins/toolkit/commands/:id/', (_req) => undefined);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  return app;
}

const header = (seen: Seen | undefined, name: string) => seen?.headers[name] as string | undefined;

describe('gateway forwarding to the catalog and analytics services', () => {
  let h: GatewayHarness;
  const seen: Seen[] = [];
  let catalog: Awaited<ReturnType<typeof listen>>;
  let analytics: Awaited<ReturnType<typeof listen>>;

  beforeAll(async () => {
    catalog = await listen(recordingUpstream(seen, 'catalog'));
    analytics = await listen(recordingUpstream(seen, 'analytics'));
    h = await startGatewayHarness({
      catalogUrl: catalog.url,
      analyticsUrl: analytics.url,
      responseTimeoutMs: 500,
    });
  });

  beforeEach(() => {
    seen.length = 0;
  });

  afterAll(async () => {
    await h.close();
    await catalog.close();
    await analytics.close();
  });

  it('when a superuser lists devices, then path and query go unchanged with the internal headers, and links are public', async () => {
    const admin = await h.user({ superuser: true });

    const response = await request(h.app)
      .get('/api/dcim/devices/?name__ic=core&site=a&site=b')
      .set('Authorization', `Token ${admin.key}`)
      .set('Host', 'netbox.example.com')
      .set('X-Request-Id', 'req-12345');

    expect(response.status).toBe(200);
    expect(response.headers['x-request-id']).toBe('req-12345');
    expect(response.headers['api-version']).toBe('4.2');
    expect(response.body.results[0].url).toBe('http://netbox.example.com/api/dcim/devices/1/');
    expect(response.body.next).toBe(
      'http://netbox.example.com/api/dcim/devices/?name__ic=core&site=a&site=b&offset=50',
    );
    const got = seen[0];
    expect(got?.url).toBe('/api/dcim/devices/?name__ic=core&site=a&site=b');
    expect(header(got, 'x-toolkit-internal-token')).toBe(INTERNAL_TOKEN);
    expect(header(got, 'x-request-id')).toBe('req-12345');
    expect(header(got, 'x-forwarded-host')).toBe('netbox.example.com');
    expect(header(got, 'x-forwarded-proto')).toBe('http');
    expect(header(got, 'authorization')).toBeUndefined();
    expect(decodeHeaderJson(principalSchema, header(got, 'x-toolkit-principal'))).toEqual({
      id: admin.id,
      username: admin.username,
      isSuperuser: true,
    });
    expect(decodeHeaderJson(constraintsSchema, header(got, 'x-toolkit-constraints'))).toBeNull();
  });

  it('when a request is forwarded, then its time is measured by upstream, apart from the service label scrapes set', async () => {
    const admin = await h.user({ superuser: true });

    await request(h.app).get('/api/dcim/devices/').set('Authorization', `Token ${admin.key}`);
    await request(h.app)
      .get('/api/plugins/toolkit/executions/')
      .set('Authorization', `Token ${admin.key}`);
    const text = await h.infra.registry.getSingleMetricAsString(
      'toolkit_gateway_upstream_request_duration_seconds',
    );

    for (const upstream of ['catalog', 'analytics'])
      expect(text).toMatch(
        new RegExp(
          `_count\\{[^}]*upstream="${upstream}"[^}]*method="GET"[^}]*outcome="ok"[^}]*\\} [1-9]`,
        ),
      );
    expect(text).not.toMatch(/service="(catalog|analytics)"/);
  });

  it('when the caller holds constrained permissions, then their constraints are sent OR-ed to the service', async () => {
    const user = await h.user();
    await h.grant({
      userIds: [user.id],
      objectTypes: ['dcim.device'],
      actions: ['view'],
      constraints: { site: 'a' },
    });
    await h.grant({
      userIds: [user.id],
      objectTypes: ['dcim.device'],
      actions: ['view'],
      constraints: [{ name__ic: 'core' }, { status: 'active' }],
    });

    const response = await request(h.app)
      .get('/api/dcim/devices/?limit=5')
      .set('Authorization', `Token ${user.key}`);

    expect(response.status).toBe(200);
    expect(decodeHeaderJson(constraintsSchema, header(seen[0], 'x-toolkit-constraints'))).toEqual([
      { site: 'a' },
      { name__ic: 'core' },
      { status: 'active' },
    ]);
  });

  it('when the caller has no permission, then a list is 403, an object 404, and the service is not called', async () => {
    const user = await h.user();

    const list = await request(h.app)
      .get('/api/dcim/devices/')
      .set('Authorization', `Token ${user.key}`);
    const one = await request(h.app)
      .get('/api/dcim/devices/1/')
      .set('Authorization', `Token ${user.key}`);
    const write = await request(h.app)
      .post('/api/dcim/devices/')
      .set('Authorization', `Token ${user.key}`)
      .send({ name: 'x' });

    expect(list.status).toBe(403);
    expect(list.body).toEqual({ detail: 'You do not have permission to perform this action.' });
    expect(one.status).toBe(404);
    expect(one.body).toEqual({ detail: 'Not found.' });
    expect(write.status).toBe(403);
    expect(seen).toHaveLength(0);
  });

  it('when a service leaks its internal origin, then the gateway rewrites it to the public one', async () => {
    const admin = await h.user({ superuser: true });

    const response = await request(h.app)
      .get('/api/dcim/devices/7/')
      .set('Authorization', `Token ${admin.key}`)
      .set('Host', 'gw.example.com:8443');

    expect(response.body).toEqual({ id: 7, url: 'http://gw.example.com:8443/api/dcim/devices/7/' });
  });

  it('when OPTIONS is asked on a detail, then it is forwarded like a list OPTIONS and answers metadata', async () => {
    const admin = await h.user({ superuser: true });

    const response = await request(h.app)
      .options('/api/dcim/devices/7/')
      .set('Authorization', `Token ${admin.key}`);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ name: 'Device', actions: { PUT: {} } });
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['OPTIONS /api/dcim/devices/7/']);
  });

  it('when a path lacks its trailing slash, then it works the same', async () => {
    const admin = await h.user({ superuser: true });

    const response = await request(h.app)
      .get('/api/dcim/devices/7')
      .set('Authorization', `Token ${admin.key}`);

    expect(response.status).toBe(200);
    expect(seen[0]?.url).toBe('/api/dcim/devices/7/');
  });

  it('when bulk bodies are sent, then they reach the service intact', async () => {
    const admin = await h.user({ superuser: true });
    const devices = [
      { name: 'd1', site: 1 },
      { name: 'd2', site: 1 },
    ];

    const created = await request(h.app)
      .post('/api/dcim/devices/')
      .set('Authorization', `Token ${admin.key}`)
      .send(devices);
    const deleted = await request(h.app)
      .delete('/api/dcim/devices/')
      .set('Authorization', `Token ${admin.key}`)
      .send([{ id: 1 }, { id: 2 }]);

    expect(created.status).toBe(201);
    expect(created.body).toEqual(devices);
    expect(deleted.status).toBe(204);
    expect(seen.map((s) => s.body)).toEqual([devices, [{ id: 1 }, { id: 2 }]]);
  });

  it('when an export streams, then it is passed through with its headers', async () => {
    const admin = await h.user({ superuser: true });

    const response = await request(h.app)
      .get('/api/plugins/toolkit/command-logs/export/?format=csv')
      .set('Authorization', `Token ${admin.key}`);

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe('attachment; filename="command_logs.csv"');
    expect(response.text.split('\n')).toHaveLength(102);
  });

  it('when someone without permission lists executions, then only their own are asked for', async () => {
    const user = await h.user();

    const response = await request(h.app)
      .get('/api/plugins/toolkit/executions/')
      .set('Authorization', `Token ${user.key}`);

    expect(response.status).toBe(200);
    expect(decodeHeaderJson(constraintsSchema, header(seen[0], 'x-toolkit-constraints'))).toEqual([
      { user_id: user.id },
    ]);
  });

  it('when the service does not answer in time, then 503 names it', async () => {
    const admin = await h.user({ superuser: true });

    const response = await request(h.app)
      .get('/api/plugins/toolkit/commands/5/')
      .set('Authorization', `Token ${admin.key}`);

    expect(response.status).toBe(503);
    expect(response.body).toEqual({ detail: 'The catalog service is unavailable.' });
  });

  it('when the service is down, then 503 names it', async () => {
    const admin = await h.user({ superuser: true });
    const down = await closedPortUrl();
    const app = h.rebuild({
      upstreams: {
        ...h.deps.upstreams,
        catalog: new UpstreamClient({
          name: 'catalog',
          baseUrl: down,
          internalToken: INTERNAL_TOKEN,
          connectTimeoutMs: 500,
          responseTimeoutMs: 500,
          logger: h.infra.logger,
        }),
      },
    });

    const response = await request(app)
      .get('/api/dcim/devices/')
      .set('Authorization', `Token ${admin.key}`);

    expect(response.status).toBe(503);
    expect(response.body).toEqual({ detail: 'The catalog service is unavailable.' });
  });

  it('when the body is not JSON or too large, then 415 and 413', async () => {
    const admin = await h.user({ superuser: true });

    const wrongType = await request(h.app)
      .post('/api/dcim/devices/')
      .set('Authorization', `Token ${admin.key}`)
      .set('Content-Type', 'text/plain')
      .send('name=x');
    const tooLarge = await request(h.app)
      .post('/api/dcim/devices/')
      .set('Authorization', `Token ${admin.key}`)
      .send({ name: 'x'.repeat(70 * 1024) });

    expect(wrongType.status).toBe(415);
    expect(tooLarge.status).toBe(413);
    expect(seen).toHaveLength(0);
  });

  it('when validating variables for a device the caller may not see, then the catalog is not asked to validate', async () => {
    const user = await h.user();
    await h.grant({ userIds: [user.id], objectTypes: ['toolkit.command'], actions: ['view'] });

    const response = await request(h.app)
      .post('/api/plugins/toolkit/commands/3/validate-variables/')
      .set('Authorization', `Token ${user.key}`)
      .send({ device_id: 9, variables: {} });

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ device_id: ['Invalid pk "9" - object does not exist.'] });
    expect(seen).toHaveLength(0);
  });

  it.each([0, -1, 1.5, 2 ** 53, '0', '1e3', '12345678901234567890'])(
    'when validating variables for device_id %p, not an id the catalog reads, then no device is looked up and the catalog answers for the field',
    async (deviceId) => {
      // Arrange
      const user = await h.user();
      await h.grant({ userIds: [user.id], objectTypes: ['toolkit.command'], actions: ['view'] });

      // Act
      await request(h.app)
        .post('/api/plugins/toolkit/commands/3/validate-variables/')
        .set('Authorization', `Token ${user.key}`)
        .send({ device_id: deviceId, variables: {} });

      // Assert
      expect(seen.map((s) => [s.method, s.url, s.body])).toEqual([
        [
          'POST',
          '/api/plugins/toolkit/commands/3/validate-variables/',
          { device_id: deviceId, variables: {} },
        ],
      ]);
    },
  );
});
