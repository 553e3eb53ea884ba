import { gzipSync } from 'node:zlib';
import request from 'supertest';
import type { ExecutionStack } from './test/execution-stack';
import { INTERNAL_HEADERS, encodeHeaderJson } from '@toolkit/contracts';
import { INTERNAL_TOKEN } from '../../apps/gateway/test/support/gateway-harness';
import { DEVICE_LOGIN, startExecutionStack } from './test/execution-stack';

/**
 * Bad input as attackers and careless clients send it, through the gateway to every
 * service behind it: always a 4xx naming what is wrong, never a 500, a hang or a trace.
 */
let stack: ExecutionStack;

beforeAll(async () => {
  stack = await startExecutionStack({ devices: [{ name: 'fd1', platform: 'ios' }] });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const auth = () => ({ Authorization: `Token ${stack.admin.key}` });

describe('the front door', () => {
  const paths = [
    '/api/dcim/devices/',
    '/api/plugins/toolkit/commands/',
    '/api/users/users/',
    '/api/plugins/toolkit/command-logs/',
    '/api/plugins/toolkit/executions/',
    '/api/core/object-changes/',
  ];

  it.each(paths)(
    'when %s is listed with hostile query parameters, then 400 naming the parameter',
    async (path) => {
      const queries: [string, number, string?][] = [
        ['__proto__=1', 400, '__proto__'],
        ['constructor=1', 400, 'constructor'],
        ['toString=1', 400, 'toString'],
        ['hasOwnProperty=x', 400, 'hasOwnProperty'],
        ['name__ic=a%00b', 400, 'name__ic'],
        ['q=%00', 400, 'q'],
        ['offset=-1', 400, 'offset'],
        ['ordering=__proto__', 400, 'ordering'],
        ['ordering=constructor', 400, 'ordering'],
        ['limit=abc', 400, 'limit'],
        // As NetBox: more than the maximum page size is the maximum page size.
        ['limit=1000000000000000000000', 200],
      ];
      const answers = await Promise.all(
        queries.map(([q]) => request(stack.gateway.app).get(`${path}?${q}`).set(auth())),
      );

      const wrong = queries
        .map(([q, status, field], i) => {
          const answer = answers[i];
          const named = field === undefined || Object.hasOwn(answer?.body ?? {}, field);
          return answer?.status === status && named ? undefined : [q, answer?.status, answer?.body];
        })
        .filter(Boolean);
      expect(wrong).toEqual([]);
    },
  );

  it('when docs asset paths are missing, traverse or do not decode, then 404 or 400, never 500', async () => {
    const notFound = [404, { detail: 'Not found.' }];
    const malformed = [400, { detail: 'Malformed request.' }];
    const cases: [string, unknown[]][] = [
      ['/api/docs/static/nope.js', notFound],
      ['/api/docs/static/..%2f..%2fpackage.json', notFound],
      ['/api/docs/static/%2e%2e/%2e%2e/package.json', notFound],
      ['/api/redoc/static/..%5c..%5cpackage.json', notFound],
      ['/api/docs/static/a%00b.js', malformed],
      ['/api/docs/static/%E0%A4%A', malformed],
    ];
    const answers = await Promise.all(cases.map(([p]) => request(stack.gateway.app).get(p)));

    expect(answers.map((a) => [a.status, a.body])).toEqual(cases.map(([, expected]) => expected));
  });

  it('when a device is given twice to variable choices, then 400, not the first one unchecked', async () => {
    const command = await stack
      .api(stack.admin.key)
      .post('/api/plugins/toolkit/commands/', {
        name: 'fd-choices',
        command: 'show interfaces',
        command_type: 'show',
        platforms: [stack.platforms['ios']],
      })
      .expect(201);
    const id = command.body.id as number;
    const deviceId = stack.devices['fd1'];

    const answer = await request(stack.gateway.app)
      .get(
        `/api/plugins/toolkit/commands/${id}/variable-choices/?device_id=${deviceId}&device_id=${deviceId}`,
      )
      .set(auth());

    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ device_id: ['Give a single device.'] });
  });

  it('when bodies are hostile (NUL, lone surrogate, not an object, deep nesting, fake gzip), then 400 naming the field', async () => {
    const post = (path: string, body: string, headers: Record<string, string> = {}) =>
      request(stack.gateway.app)
        .post(path)
        .set({ ...auth(), 'Content-Type': 'application/json', ...headers })
        .send(body);
    const deep = `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
    const cases: [string, string, Record<string, string>?][] = [
      ['/api/dcim/sites/', JSON.stringify({ name: 'a\u0000b', slug: 'ab' })],
      ['/api/dcim/sites/', JSON.stringify({ name: 'a\ud800b', slug: 'ab2' })],
      ['/api/dcim/sites/', JSON.stringify({ name: 'a\nforged log line', slug: 'ab3' })],
      ['/api/users/groups/', JSON.stringify({ name: '\u001b[2Jg' })],
      ['/api/dcim/sites/', '"just a string"'],
      ['/api/dcim/sites/', '42'],
      ['/api/dcim/sites/', deep],
      ['/api/users/groups/', JSON.stringify({ name: 'g\u0000' })],
      ['/api/users/tokens/provision/', JSON.stringify({ username: 'a\u0000', password: 'x' })],
      ['/api/dcim/sites/', 'not gzip at all', { 'Content-Encoding': 'gzip' }],
      ['/api/dcim/sites/', 'x', { 'Content-Encoding': 'br' }],
      ['/api/dcim/sites/', gzipSync('{"name":').toString('latin1'), { 'Content-Encoding': 'gzip' }],
    ];

    const answers = [];
    for (const [path, body, headers] of cases) answers.push(await post(path, body, headers));

    expect(answers.map((a) => [a.status, a.body])).toEqual([
      [400, { name: ['Null characters are not allowed.'] }],
      [400, { name: ['Enter valid Unicode text (an unpaired surrogate was sent).'] }],
      [400, { name: ['Control characters are not allowed.'] }],
      [400, { name: ['Control characters are not allowed.'] }],
      [400, { non_field_errors: ['Invalid data. Expected a dictionary, but got str.'] }],
      [400, { non_field_errors: ['Invalid data. Expected a dictionary, but got int.'] }],
      [400, { [Array(32).fill('0').join('.')]: ['Nested deeper than 32 levels.'] }],
      [400, { name: ['Null characters are not allowed.'] }],
      [400, { username: ['Null characters are not allowed.'] }],
      ...Array(3).fill([
        400,
        { detail: 'The request body does not decode with its Content-Encoding.' },
      ]),
    ]);
  });

  it('when a body misspells a field, then every service names it the same way; read-only fields sent back pass', async () => {
    const admin = stack.api(stack.admin.key);
    const group = await admin.post('/api/users/groups/', { name: 'fd-group' }).expect(201);

    const answers = await Promise.all([
      admin.post('/api/users/groups/', { name: 'fd-group-2', nmae: 'x' }),
      admin.post('/api/dcim/sites/', { name: 'fd-site', slug: 'fd-site', stauts: 'active' }),
      request(stack.gateway.app)
        .put(`/api/users/groups/${group.body.id as number}/`)
        .set(auth())
        .send({ ...group.body, description: 'put back whole' }),
    ]);

    expect(answers.map((a) => [a.status, a.status === 200 ? a.body.description : a.body])).toEqual([
      [400, { nmae: ['Unknown field. Did you mean "name"?'] }],
      [400, { stauts: ['Unknown field. Did you mean "status"?'] }],
      [200, 'put back whole'],
    ]);
  });

  it('when a bulk write body is malformed, then /api/users/ and /api/dcim/ answer the same body', async () => {
    const mistakes: [string, unknown][] = [
      ['PATCH', [{ name: 'x' }, { id: 0 }]],
      ['DELETE', { id: 1 }],
      ['POST', []],
    ];
    const answer = async (path: string, [method, body]: [string, unknown]) => {
      const res = await request(stack.gateway.app)
        [method.toLowerCase() as 'patch' | 'delete' | 'post'](path)
        .set(auth())
        .send(body as object);
      return [res.status, res.body];
    };

    const users = await Promise.all(mistakes.map((m) => answer('/api/users/groups/', m)));
    const dcim = await Promise.all(mistakes.map((m) => answer('/api/dcim/sites/', m)));

    expect(users).toEqual(dcim);
    expect(users).toEqual([
      [400, [{ id: ['This field is required.'] }, { id: ['A valid integer is required.'] }]],
      [400, { non_field_errors: ['Expected a non-empty list of objects with an "id".'] }],
      [400, { non_field_errors: ['Expected a non-empty list of objects.'] }],
    ]);
  });

  it('when objects are bulk-updated with PUT and partial objects, then both services merge them as PATCH', async () => {
    const admin = stack.api(stack.admin.key);
    const group = await admin.post('/api/users/groups/', { name: 'fd-bulk-put' }).expect(201);
    const site = await admin
      .post('/api/dcim/sites/', { name: 'fd-bulk-put', slug: 'fd-bulk-put' })
      .expect(201);

    const answers = await Promise.all([
      request(stack.gateway.app)
        .put('/api/users/groups/')
        .set(auth())
        .send([{ id: group.body.id, description: 'merged' }]),
      request(stack.gateway.app)
        .put('/api/dcim/sites/')
        .set(auth())
        .send([{ id: site.body.id, description: 'merged' }]),
    ]);

    expect(answers.map((a) => [a.status, a.body[0]?.name, a.body[0]?.description])).toEqual([
      [200, 'fd-bulk-put', 'merged'],
      [200, 'fd-bulk-put', 'merged'],
    ]);
  });

  it('when users, groups and tokens change, then the one change log records them, without secrets', async () => {
    const admin = stack.api(stack.admin.key);
    const group = await admin.post('/api/users/groups/', { name: 'fd-logged' }).expect(201);
    await request(stack.gateway.app)
      .patch(`/api/users/groups/${group.body.id as number}/`)
      .set(auth())
      .send({ description: 'v2' })
      .expect(200);
    await request(stack.gateway.app)
      .delete(`/api/users/groups/${group.body.id as number}/`)
      .set(auth())
      .expect(204);
    const password = 'a long enough password 42';
    const user = await admin
      .post('/api/users/users/', { username: 'fd-logged-user', password })
      .expect(201);
    const token = await admin
      .post('/api/users/tokens/', { description: 'fd-logged-token' })
      .expect(201);
    const provisioned = await request(stack.gateway.app)
      .post('/api/users/tokens/provision/')
      .send({ username: 'fd-logged-user', password })
      .expect(201);

    const groupLog = await admin
      .get(
        `/api/core/object-changes/?changed_object_type=users.group&changed_object_id=${group.body.id as number}&ordering=id`,
      )
      .expect(200);
    const userLog = await admin
      .get(
        `/api/core/object-changes/?changed_object_type=users.user&changed_object_id=${user.body.id as number}`,
      )
      .expect(200);
    const tokenLog = await admin
      .get(
        `/api/core/object-changes/?changed_object_type=users.token&changed_object_id=${token.body.id as number}`,
      )
      .expect(200);

    expect(
      groupLog.body.results.map((r: { action: { value: string }; user_name: string }) => [
        r.action.value,
        r.user_name,
      ]),
    ).toEqual([
      ['create', stack.admin.username],
      ['update', stack.admin.username],
      ['delete', stack.admin.username],
    ]);
    expect(groupLog.body.results[1].prechange_data.description).toBe('');
    expect(groupLog.body.results[1].postchange_data.description).toBe('v2');
    expect(userLog.body.results[0].postchange_data.username).toBe('fd-logged-user');
    const provisionLog = await admin
      .get(
        `/api/core/object-changes/?changed_object_type=users.token&changed_object_id=${provisioned.body.id as number}`,
      )
      .expect(200);
    expect(tokenLog.body.count).toBe(1);
    expect(provisionLog.body.results.map((r: { user_name: string }) => r.user_name)).toEqual([
      'fd-logged-user',
    ]);
    expect(JSON.stringify(provisionLog.body)).not.toContain(provisioned.body.key as string);
    const everything = JSON.stringify([userLog.body, tokenLog.body]);
    expect(everything).not.toContain(password);
    expect(everything).not.toContain(token.body.key as string);
  });

  it('when a user is deleted, then their credential sets are deleted with them, not left stored', async () => {
    const admin = stack.api(stack.admin.key);
    const password = 'correct horse battery staple';
    const user = await admin
      .post('/api/users/users/', { username: 'fd-leaver', password, is_superuser: true })
      .expect(201);
    const provisioned = await request(stack.gateway.app)
      .post('/api/users/tokens/provision/')
      .send({ username: 'fd-leaver', password })
      .expect(201);
    await stack
      .api(provisioned.body.key as string)
      .post('/api/plugins/toolkit/credential-sets/', {
        name: 'lab',
        username: DEVICE_LOGIN.username,
        password: DEVICE_LOGIN.password,
      })
      .expect(201);
    // The catalog as the gateway would ask it on the user's behalf.
    const storedSets = async () => {
      const answer = await request(stack.catalogUrl)
        .get('/api/plugins/toolkit/credential-sets/')
        .set(INTERNAL_HEADERS.token, INTERNAL_TOKEN)
        .set(
          INTERNAL_HEADERS.principal,
          encodeHeaderJson({ id: user.body.id, username: 'fd-leaver', isSuperuser: true }),
        )
        .expect(200);
      return answer.body.count as number;
    };

    const before = await storedSets();
    await request(stack.gateway.app)
      .delete(`/api/users/users/${user.body.id as number}/`)
      .set(auth())
      .expect(204);
    const after = await storedSets();

    expect([before, after]).toEqual([1, 0]);
  });
});
