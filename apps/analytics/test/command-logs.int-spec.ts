import request from 'supertest';
import type { ExecutionResult } from '@toolkit/contracts';
import { anExecutionResult } from '@toolkit/testing';
import { appOnly, internalHeaders } from './support';

const at = (iso: string) => ({
  requestedAt: iso,
  startedAt: iso,
  finishedAt: iso,
  connectMs: 5,
  durationMs: 1500,
});

describe('command logs API (list, filters, detail, delete, internal token)', () => {
  let ctx: Awaited<ReturnType<typeof appOnly>>;
  let seeded: ExecutionResult[];

  beforeAll(async () => {
    ctx = await appOnly();
    seeded = [
      anExecutionResult({
        command: { id: 11, name: 'Show version' },
        device: { id: 21, name: 'core-sw-01', platform: 'cisco_ios' },
        username: 'netops',
        requestedBy: { userId: 5, username: 'alice' },
        timings: at('2026-03-01T10:00:00.000Z'),
      }),
      anExecutionResult({
        command: { id: 12, name: 'Show interfaces' },
        device: { id: 22, name: 'edge-rtr-02', platform: 'juniper_junos' },
        username: 'admin',
        requestedBy: { userId: 6, username: 'bob' },
        success: false,
        outcome: 'failed',
        errorClass: 'auth_failed',
        errorMessage: 'Authentication failed',
        timings: at('2026-03-02T10:00:00.000Z'),
      }),
      anExecutionResult({
        command: { id: 11, name: 'Show version' },
        device: { id: 22, name: 'edge-rtr-02', platform: 'juniper_junos' },
        username: 'netops',
        requestedBy: { userId: 5, username: 'alice' },
        success: false,
        outcome: 'failed',
        errorClass: 'syntax_error',
        errorMessage: 'Syntax error detected: syntax',
        timings: at('2026-03-03T10:00:00.000Z'),
      }),
    ];
    await ctx.logs.ingest(seeded);
  });

  afterAll(async () => {
    await ctx.infra.close();
  });

  const list = (query: string, headers = internalHeaders()) =>
    request(ctx.app).get(`/api/plugins/toolkit/command-logs/${query}`).set(headers);
  const ids = (body: { results: { execution_id: string }[] }) =>
    body.results.map((r) => seeded.findIndex((s) => s.executionId === r.execution_id)).sort();

  it.each([
    ['', [0, 1, 2]],
    ['?command=11', [0, 2]],
    ['?command_id=11&command_id=12', [0, 1, 2]],
    ['?device=22', [1, 2]],
    ['?device_id=21', [0]],
    ['?username=netops', [0, 2]],
    ['?username_icontains=NET', [0, 2]],
    ['?username__nic=net', [1]],
    ['?success=false', [1, 2]],
    ['?success=true', [0]],
    ['?execution_time_after=2026-03-02T00:00:00Z', [1, 2]],
    ['?execution_time_before=2026-03-02T10:00:00Z', [0, 1]],
    ['?execution_time__gte=2026-03-02T10:00:01Z', [2]],
    ['?execution_time__lte=2026-03-01T10:00:00Z', [0]],
    ['?device_name_icontains=EDGE', [1, 2]],
    ['?device__name__icontains=core', [0]],
    ['?command_name_icontains=interfaces', [1]],
    ['?command__name__icontains=version', [0, 2]],
    ['?q=edge-rtr', [1, 2]],
    ['?q=netops', [0, 2]],
    ['?user_id=6', [1]],
    ['?platform=juniper_junos', [1, 2]],
    ['?error_class=auth_failed', [1]],
    ['?error_class__n=auth_failed&success=false', [2]],
    ['?execution_duration__gte=1.5', [0, 1, 2]],
  ])('when filtered by %s, then exactly the matching logs are listed', async (query, expected) => {
    const response = await list(query);

    expect(response.status).toBe(200);
    expect(response.body.count).toBe(expected.length);
    expect(ids(response.body)).toEqual(expected);
  });

  it('when a filter is unknown or malformed, then 400 names it', async () => {
    const unknown = await list('?comand=1');
    const bad = await list('?success=maybe&platform=nokia');

    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ comand: ['Unknown filter parameter.'] });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body).sort()).toEqual(['platform', 'success']);
  });

  it('when listing with limit and ordering, then the page links are public URLs keeping the filters', async () => {
    const response = await list('?ordering=execution_time&limit=1&offset=1&success=false');

    expect(response.body.count).toBe(2);
    expect(response.body.next).toBeNull();
    expect(response.body.previous).toBe(
      'https://netbox.example.com/api/plugins/toolkit/command-logs/?ordering=execution_time&limit=1&success=false',
    );
    expect(ids(response.body)).toEqual([2]);
  });

  it('when reading one log, then it has the original fields plus ours and no secret-looking field', async () => {
    const first = (await list('?device_id=21')).body.results[0];
    const response = await request(ctx.app)
      .get(`/api/plugins/toolkit/command-logs/${first.id}/`)
      .set(internalHeaders());

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id: first.id,
      url: `https://netbox.example.com/api/plugins/toolkit/command-logs/${first.id}/`,
      display: 'Show version on core-sw-01',
      command: {
        id: 11,
        name: 'Show version',
        url: 'https://netbox.example.com/api/plugins/toolkit/commands/11/',
      },
      device: {
        id: 21,
        name: 'core-sw-01',
        url: 'https://netbox.example.com/api/dcim/devices/21/',
      },
      username: 'netops',
      execution_time: '2026-03-01T10:00:00.000Z',
      success: true,
      error_message: '',
      execution_duration: 1.5,
      user: { id: 5, username: 'alice' },
      rendered_command: 'show version',
      platform: 'cisco_ios',
      error_class: null,
      parsed_output: false,
      execution_id: seeded[0]?.executionId,
      bulk_job: null,
      attempts: 1,
    });
    expect(Object.keys(response.body).join(',')).not.toMatch(/password|secret|credential|token/i);
  });

  it('when the permission constraints restrict the caller, then lists, details and deletes honour them', async () => {
    const constrained = internalHeaders({ constraints: [{ platform: 'cisco_ios' }] });
    const listed = await list('', constrained);
    const other = (await list('?device_id=22')).body.results[0];
    const detail = await request(ctx.app)
      .get(`/api/plugins/toolkit/command-logs/${other.id}/`)
      .set(constrained);
    const deleted = await request(ctx.app)
      .delete(`/api/plugins/toolkit/command-logs/${other.id}/`)
      .set(constrained);

    expect(listed.body.count).toBe(1);
    expect(detail.status).toBe(404);
    expect(detail.body).toEqual({ detail: 'Not found.' });
    expect(deleted.status).toBe(404);
  });

  it('when the internal token is missing or wrong, then 401, except health and metrics', async () => {
    const missing = await request(ctx.app).get('/api/plugins/toolkit/command-logs/');
    const wrong = await request(ctx.app)
      .get('/api/plugins/toolkit/command-logs/')
      .set('x-toolkit-internal-token', 'wrong-token-wrong-token-wrong');
    const health = await request(ctx.app).get('/healthz');

    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ detail: 'Authentication credentials were not provided.' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ detail: 'Invalid token.' });
    expect(health.status).toBe(200);
  });

  it('when logs are deleted singly and in bulk, then they are gone and statistics no longer count them', async () => {
    const extra = [
      anExecutionResult({ device: { id: 31, name: 'del-a', platform: 'linux' } }),
      anExecutionResult({ device: { id: 31, name: 'del-a', platform: 'linux' } }),
      anExecutionResult({ device: { id: 31, name: 'del-a', platform: 'linux' } }),
    ];
    await ctx.logs.ingest(extra);
    const rows = (await list('?device_id=31')).body.results as { id: number }[];
    const [a, b, c] = rows.map((r) => r.id) as [number, number, number];

    const single = await request(ctx.app)
      .delete(`/api/plugins/toolkit/command-logs/${a}/`)
      .set(internalHeaders());
    const partial = await request(ctx.app)
      .delete('/api/plugins/toolkit/command-logs/')
      .set(internalHeaders())
      .send([{ id: b }, { id: 999_999_999 }]);
    const afterPartial = await list('?device_id=31');
    const bulk = await request(ctx.app)
      .delete('/api/plugins/toolkit/command-logs/')
      .set(internalHeaders())
      .send([{ id: b }, { id: c }]);
    const after = await list('?device_id=31');
    const stats = await request(ctx.app)
      .get('/api/plugins/toolkit/command-logs/statistics/?device_id=31')
      .set(internalHeaders());
    const tooMany = await request(ctx.app)
      .delete('/api/plugins/toolkit/command-logs/')
      .set(internalHeaders())
      .send(Array.from({ length: 10_001 }, (_, i) => ({ id: i + 1 })));

    expect([tooMany.status, tooMany.body]).toEqual([
      400,
      { non_field_errors: ['Ensure this list has no more than 10000 items (it has 10001).'] },
    ]);
    expect(single.status).toBe(204);
    expect(partial.status).toBe(404);
    expect(afterPartial.body.count).toBe(2);
    expect(bulk.status).toBe(204);
    expect(after.body.count).toBe(0);
    expect(stats.body.total_logs).toBe(0);
    expect(stats.body.source).toBe('rollups');
  });
});
