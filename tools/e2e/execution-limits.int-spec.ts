import { randomUUID } from 'node:crypto';
import { eventually } from '@toolkit/testing';
import type { GatewayHarness } from '../../apps/gateway/test/support/gateway-harness';
import type { ExecutionStack } from './test/execution-stack';
import { DEVICE_LOGIN, startExecutionStack } from './test/execution-stack';

/**
 * Rate limits and idempotency keys across two gateway replicas (separate connections to
 * one database, as two processes have), with the four services over the real servers.
 * The gateways' clock can be moved forward past a rate-limit window.
 */
let stack: ExecutionStack;
let replica: GatewayHarness;
let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };
const LIMIT = 5;
const BYPASS_USER = `bypass-${randomUUID().slice(0, 6)}`;
const BYPASS_GROUP = `noc-${randomUUID().slice(0, 6)}`;
const login = {
  username: DEVICE_LOGIN.username,
  password: DEVICE_LOGIN.password,
  enable_secret: DEVICE_LOGIN.enableSecret,
};
const EXECUTE = (id: number) => `/api/plugins/toolkit/commands/${id}/execute/`;
let showClock: number;

beforeAll(async () => {
  stack = await startExecutionStack({
    devices: [
      { name: 'limited', platform: 'ios' },
      { name: 'refusing', platform: 'ios', faults: { refuseConnections: true } },
      { name: 'locked', platform: 'ios' },
      { name: 'idem', platform: 'ios' },
    ],
    executionConfig: {
      RATE_LIMIT_DEVICE_LIMIT: LIMIT,
      RATE_LIMIT_WINDOW_MINUTES: 5,
      RATE_LIMIT_BYPASS_USERS: [BYPASS_USER],
      RATE_LIMIT_BYPASS_GROUPS: [BYPASS_GROUP],
      DEVICE_AUTH_FAILURE_LIMIT: 3,
    },
    clock,
  });
  replica = await stack.addGateway();
  const created = await stack.api(stack.admin.key).post('/api/plugins/toolkit/commands/', {
    name: `clock-${randomUUID().slice(0, 6)}`,
    command: 'show clock',
    platforms: [stack.platforms['ios']],
  });
  showClock = created.body.id;
}, 180_000);

afterAll(async () => {
  await stack?.close();
});

const status = (deviceName: string, key = stack.admin.key) =>
  stack
    .api(key)
    .get(`/api/plugins/toolkit/rate-limit/?device_id=${String(stack.devices[deviceName])}`);

describe('the per-device rate limit', () => {
  it('when 20 requests race across two replicas, then exactly the limit runs and the rest get the original 429 with Retry-After', async () => {
    const device_id = stack.devices['limited'];
    const apps = [stack.gateway.app, replica.app];

    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        stack
          .api(stack.admin.key, apps[i % 2])
          .post(EXECUTE(showClock), { device_id, ...login })
          .then((r) => r),
      ),
    );
    const refused = answers.filter((a) => a.status === 429);
    const after = await status('limited');

    expect(answers.filter((a) => a.status === 200)).toHaveLength(LIMIT);
    expect(refused).toHaveLength(20 - LIMIT);
    expect(refused[0]?.body).toEqual({
      error: 'Rate limit exceeded',
      details: {
        reason: expect.stringMatching(
          /^Rate limit exceeded: 5\/5 successful commands in last 5 minutes$/,
        ),
        current_count: LIMIT,
        limit: LIMIT,
        time_window_minutes: 5,
      },
    });
    expect(Number(refused[0]?.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused[0]?.headers['x-ratelimit-limit']).toBe(String(LIMIT));
    expect(refused[0]?.headers['x-ratelimit-remaining']).toBe('0');
    expect(after.body).toMatchObject({
      device_id,
      enabled: true,
      bypassed: false,
      current_count: LIMIT,
      limit: LIMIT,
      remaining: 0,
      time_window_minutes: 5,
      status: 'exceeded',
      is_exceeded: true,
    });
    expect(after.body.time_until_reset).toBeGreaterThan(0);
  });

  it('when the limit is reached, then bypass users and groups still run, and the window lifts it for everyone', async () => {
    const device_id = stack.devices['limited'];
    const g = stack.gateway;
    const group = await g.store.groups.create({ name: BYPASS_GROUP, description: '' });
    const byName = await g.user({ username: BYPASS_USER });
    const byGroup = await g.user({ groups: [group.id] });
    const plain = await g.user();
    await g.grant({
      userIds: [byName.id, byGroup.id, plain.id],
      objectTypes: ['toolkit.command'],
      actions: ['execute_show'],
    });
    await g.grant({
      userIds: [byName.id, byGroup.id, plain.id],
      objectTypes: ['dcim.device'],
      actions: ['view'],
    });
    const run = (key: string) => stack.api(key).post(EXECUTE(showClock), { device_id, ...login });

    const blocked = await run(plain.key);
    const named = await run(byName.key);
    const grouped = await run(byGroup.key);
    const bypassStatus = await status('limited', byName.key);
    offsetMs = 7 * 60_000;
    const lifted = await run(plain.key);
    offsetMs = 0;

    expect(blocked.status).toBe(429);
    expect(named.status).toBe(200);
    expect(named.headers['x-ratelimit-limit']).toBeUndefined();
    expect(grouped.status).toBe(200);
    expect(bypassStatus.body).toMatchObject({ bypassed: true, status: 'normal' });
    expect(lifted.status).toBe(200);
  });

  it('when executions fail, then they do not count: their reservations are released', async () => {
    const device_id = stack.devices['refusing'];
    const codes: number[] = [];
    for (let i = 0; i < LIMIT + 3; i++) {
      const res = await stack
        .api(stack.admin.key)
        .post(EXECUTE(showClock), { device_id, ...login });
      codes.push(res.status);
      // Settled by the replicas' shared completions group (asynchronously).
      await eventually(async () => expect((await status('refusing')).body.current_count).toBe(0));
    }

    expect(codes).toEqual(Array.from({ length: LIMIT + 3 }, () => 400));
  });

  it('when one login keeps failing authentication on a device, then it is refused there (429) while another login still runs', async () => {
    const device_id = stack.devices['locked'];
    const wrong = { username: 'ghost', password: 'wrong-password' };
    const attempts: number[] = [];
    for (let i = 0; i < 3; i++)
      attempts.push(
        (await stack.api(stack.admin.key).post(EXECUTE(showClock), { device_id, ...wrong })).status,
      );
    await eventually(async () => expect((await status('locked')).body.blocked_logins).toBe(1));

    const blocked = await stack
      .api(stack.admin.key)
      .post(EXECUTE(showClock), { device_id, ...wrong });
    const other = await stack
      .api(stack.admin.key)
      .post(EXECUTE(showClock), { device_id, ...login });

    expect(attempts).toEqual([400, 400, 400]);
    expect(blocked.status).toBe(429);
    expect(blocked.body.details.reason).toMatch(
      /^Authentication to this device failed 3 times with this login in the last 15 minutes/,
    );
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(other.status).toBe(200);
  });

  it('when the status is asked badly, then 400 names the parameter', async () => {
    const blind = await stack.gateway.user();
    const answers = await Promise.all([
      stack.api(stack.admin.key).get('/api/plugins/toolkit/rate-limit/'),
      stack.api(stack.admin.key).get('/api/plugins/toolkit/rate-limit/?device_id=abc'),
      stack.api(stack.admin.key).get('/api/plugins/toolkit/rate-limit/?device_id=99999999'),
      stack.api(stack.admin.key).get('/api/plugins/toolkit/rate-limit/?device_id=1&x=1'),
      status('limited', blind.key),
      stack.api(stack.admin.key).get('/api/plugins/toolkit/rate-limit/?device_id=1&device_id=2'),
      stack.api(stack.admin.key).get('/api/plugins/toolkit/rate-limit/?device_id[a]=1'),
    ]);

    expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 400, 400, 400, 400]);
    expect(answers.map((a) => Object.keys(a.body).join(','))).toEqual([
      'device_id',
      'device_id',
      'device_id',
      'x',
      'device_id',
      'device_id',
      'device_id,device_id[a]',
    ]);
  });
});

describe('Idempotency-Key', () => {
  it('when ten requests with one key race across two replicas, then the command runs once and all get its answer', async () => {
    const device_id = stack.devices['idem'];
    const key = randomUUID();
    const notes = `idem-${randomUUID().slice(0, 6)}`;
    const apps = [stack.gateway.app, replica.app];

    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        stack
          .api(stack.admin.key, apps[i % 2])
          .post(EXECUTE(showClock), { device_id, ...login, notes }, { 'Idempotency-Key': key })
          .then((r) => r),
      ),
    );
    const logs = await stack
      .api(stack.admin.key)
      .get(`/api/plugins/toolkit/command-logs/?notes=${notes}`);
    const replay = await stack
      .api(stack.admin.key)
      .post(EXECUTE(showClock), { device_id, ...login, notes }, { 'Idempotency-Key': key });

    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 10 }, () => 200));
    expect(new Set(answers.map((a) => a.body.execution_id)).size).toBe(1);
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(9);
    expect(new Set(answers.map((a) => a.body.output)).size).toBe(1);
    expect(logs.body.count).toBe(1);
    expect(replay.body.execution_id).toBe(answers[0]?.body.execution_id);
  });

  it('when a key is reused with another body, or is malformed, then 400 names the header and nothing runs', async () => {
    const device_id = stack.devices['idem'];
    const key = randomUUID();
    const first = await stack
      .api(stack.admin.key)
      .post(EXECUTE(showClock), { device_id, ...login, async: true }, { 'Idempotency-Key': key });
    const again = await stack
      .api(stack.admin.key)
      .post(EXECUTE(showClock), { device_id, ...login, async: true }, { 'Idempotency-Key': key });
    const other = await stack
      .api(stack.admin.key)
      .post(EXECUTE(showClock), { device_id, ...login, notes: 'x' }, { 'Idempotency-Key': key });
    const malformed = await stack
      .api(stack.admin.key)
      .post(EXECUTE(showClock), { device_id, ...login }, { 'Idempotency-Key': 'has spaces' });

    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body.execution_id).toBe(first.body.execution_id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(other.status).toBe(400);
    expect(Object.keys(other.body)).toEqual(['Idempotency-Key']);
    expect(malformed.status).toBe(400);
    expect(Object.keys(malformed.body)).toEqual(['Idempotency-Key']);
  });

  it('when the first request with a key was refused, then a corrected retry with the same key runs', async () => {
    const key = randomUUID();
    const refused = await stack
      .api(stack.admin.key)
      .post(EXECUTE(showClock), { device_id: 99_999_999, ...login }, { 'Idempotency-Key': key });
    // Another body: the refused request left nothing behind that a retry could collide with.
    const fixed = await stack
      .api(stack.admin.key)
      .post(
        EXECUTE(showClock),
        { device_id: stack.devices['idem'], ...login },
        { 'Idempotency-Key': key },
      );

    expect(refused.status).toBe(400);
    expect(fixed.status).toBe(200);
  });
});
