import { randomUUID } from 'node:crypto';
import type { DeviceSpec } from '@toolkit/device-sim';
import { eventually } from '@toolkit/testing';
import type { ExecutionStack } from './test/execution-stack';
import { DEVICE_LOGIN, startExecutionStack } from './test/execution-stack';

/**
 * Bulk execution through the gateway, with the four services over the real Kafka and
 * MongoDB-wire servers and simulated devices of mixed platforms over SSH.
 */
let stack: ExecutionStack;
const login = {
  username: DEVICE_LOGIN.username,
  password: DEVICE_LOGIN.password,
  enable_secret: DEVICE_LOGIN.enableSecret,
};
const BULK = '/api/plugins/toolkit/commands/bulk-execute/';
const JOB = (id: string) => `/api/plugins/toolkit/bulk-jobs/${id}/`;

const PLATFORMS = ['ios', 'eos', 'junos'] as const;
const healthy = Array.from({ length: 40 }, (_, i) => ({
  name: `ok-${i}`,
  platform: PLATFORMS[i % 3] as DeviceSpec['platform'],
}));
const dead = Array.from({ length: 4 }, (_, i) => ({
  name: `dead-${i}`,
  platform: 'ios' as const,
  faults: { refuseConnections: true },
}));
const badLogin = Array.from({ length: 4 }, (_, i) => ({
  name: `badpw-${i}`,
  platform: 'eos' as const,
}));
const badVariable = Array.from({ length: 2 }, (_, i) => ({
  name: `var-${i}`,
  platform: 'ios' as const,
}));

beforeAll(async () => {
  stack = await startExecutionStack({
    devices: [
      ...healthy,
      ...dead,
      ...badLogin,
      ...badVariable,
      // `show version` streams at 2 ms per byte (several seconds): a job to cancel.
      { name: 'slow-bulk', platform: 'ios', faults: { latencyPerByteMs: 2 } },
    ],
    executionConfig: { RATE_LIMIT_DEVICE_LIMIT: 10_000 },
  });
}, 180_000);

afterAll(async () => {
  await stack?.close();
});

const admin = () => stack.api(stack.admin.key);

async function command(body: Record<string, unknown>): Promise<number> {
  const created = await admin().post('/api/plugins/toolkit/commands/', {
    platforms: PLATFORMS.map((p) => stack.platforms[p]),
    ...body,
    name: `${String(body['name'])}-${randomUUID().slice(0, 6)}`,
  });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  return created.body.id as number;
}

describe('bulk execution', () => {
  it('when 200 items over 50 devices of mixed platforms have mixed outcomes, then each has one result with the right error, in the order given per device, one session per device', async () => {
    const commands = ['show version', 'show lldp neighbors', 'show bogus-thing', 'show arp'];
    const ids = await Promise.all(commands.map((c) => command({ name: c, command: c })));
    const intf = await command({
      name: 'intf',
      command: 'show interfaces <iface>',
      variables: [
        {
          name: 'iface',
          display_name: 'Interface',
          variable_type: 'netbox_interface',
          required: true,
        },
      ],
    });
    const executions: Record<string, unknown>[] = [];
    const expected: { position: number; device: string; expect: string }[] = [];
    const add = (device: string, item: Record<string, unknown>, expect: string) => {
      expected.push({ position: executions.length, device, expect });
      executions.push({ device_id: stack.devices[device], ...item });
    };
    // Interleaved across devices: each device's items are still run in the order given.
    for (let round = 0; round < 4; round++) {
      const id = ids[round] as number;
      const outcome = round === 2 ? 'syntax_error' : 'success';
      for (const d of healthy) add(d.name, { command_id: id }, outcome);
      for (const d of dead) add(d.name, { command_id: id }, 'unreachable-or-open');
      for (const d of badLogin)
        add(
          d.name,
          { command_id: id, username: DEVICE_LOGIN.username, password: 'wrong-pw' },
          'auth_failed',
        );
      for (const d of badVariable)
        if (round < 2) add(d.name, { command_id: ids[0] }, 'success');
        else add(d.name, { command_id: intf, variables: { iface: 'Gi9/9/9' } }, 'rejected');
    }
    expect(executions).toHaveLength(200);

    const res = await admin().post(BULK, { executions, ...login, notes: 'bulk-200' });

    expect(res.status).toBe(200);
    const results = res.body.results as Record<string, unknown>[];
    expect(results.map((r) => r['position'])).toEqual(expected.map((e) => e.position));
    for (const e of expected) {
      const r = results[e.position] as Record<string, unknown>;
      if (e.expect === 'success')
        expect([e.device, r['status'], r['success']]).toEqual([e.device, 'succeeded', true]);
      else if (e.expect === 'rejected') {
        expect(r).toMatchObject({ status: 'rejected', execution_id: null, status_code: 400 });
        expect(r['errors']).toHaveProperty('variables.iface');
      } else if (e.expect === 'unreachable-or-open')
        expect(['unreachable', 'circuit_open']).toContain(r['error_class']);
      else expect([e.device, r['error_class']]).toEqual([e.device, e.expect]);
      if (e.expect !== 'rejected') expect(r['command_log_id']).toEqual(expect.any(Number));
    }
    expect(res.body.summary).toEqual({
      total: 200,
      successful: 124,
      failed: 72,
      rejected: 4,
      pending: 0,
    });
    // The breaker of a dead device opened partway through its items.
    expect(results.some((r) => r['error_class'] === 'circuit_open')).toBe(true);
    for (const d of healthy) {
      const received = stack.fleet
        .device(d.name)
        .receivedCommands.filter((l) => commands.includes(l));
      expect([d.name, received]).toEqual([d.name, commands]);
      expect([d.name, stack.fleet.device(d.name).connections]).toEqual([d.name, 1]);
    }
    expect(JSON.stringify(res.body)).not.toContain(DEVICE_LOGIN.password);
    expect(JSON.stringify(res.body)).not.toContain('wrong-pw');
    // Every item that ran has exactly one log.
    const logs = await admin().get('/api/plugins/toolkit/command-logs/?notes=bulk-200&limit=1');
    expect(logs.body.count).toBe(196);
    const job = await admin().get(JOB(res.body.bulk_job.id));
    expect(job.body).toMatchObject({
      status: 'completed',
      total: 200,
      accepted: 196,
      rejected: 4,
      done: 196,
      summary: { total: 200, successful: 124, failed: 72, rejected: 4, pending: 0 },
    });
  }, 180_000);

  it('when a job is asynchronous, then 202 names the job, whose progress reaches completed and whose executions are listed by position', async () => {
    const id = await command({ name: 'async', command: 'show version' });
    const executions = healthy
      .slice(0, 5)
      .flatMap((d) =>
        Array.from({ length: 4 }, () => ({ command_id: id, device_id: stack.devices[d.name] })),
      );

    const res = await admin().post(BULK, { executions, ...login, async: true });
    const job = await eventually(async () => {
      const got = await admin().get(JOB(res.body.id));
      expect(got.body.status).toBe('completed');
      return got.body;
    }, 60_000);
    const page = await admin().get(
      `/api/plugins/toolkit/executions/?bulk_job=${String(res.body.id)}&ordering=bulk_position&limit=7`,
    );
    const list = await admin().get(`/api/plugins/toolkit/bulk-jobs/?id=${String(res.body.id)}`);

    expect(res.status).toBe(202);
    expect(res.headers['location']).toBe(res.body.url);
    expect(res.body).toMatchObject({
      status: 'queued',
      summary: { total: 20, rejected: 0, pending: 20 },
      rejected: [],
    });
    expect(job).toMatchObject({ total: 20, accepted: 20, done: 20, counts: { succeeded: 20 } });
    expect(job.started_at).toEqual(expect.any(String));
    expect(job.finished_at).toEqual(expect.any(String));
    expect(page.body.count).toBe(20);
    expect(page.body.results.map((e: { bulk_position: number }) => e.bulk_position)).toEqual([
      0, 1, 2, 3, 4, 5, 6,
    ]);
    expect(list.body.count).toBe(1);
    expect(list.body.results[0]).toMatchObject({ id: res.body.id, status: 'completed' });
  }, 90_000);

  it('when a job is cancelled mid-way, then its items not started are cancelled and the running one finishes', async () => {
    const id = await command({ name: 'slow', command: 'show version' });
    const device = stack.devices['slow-bulk'];
    const executions = Array.from({ length: 4 }, () => ({
      command_id: id,
      device_id: device,
      timeout: 120,
    }));

    const res = await admin().post(BULK, { executions, ...login, async: true });
    await eventually(async () => {
      const got = await admin().get(JOB(res.body.id));
      expect(got.body.counts.running).toBe(1);
    }, 30_000);
    const cancel = await admin().post(`${JOB(res.body.id)}cancel/`);
    const job = await eventually(async () => {
      const got = await admin().get(JOB(res.body.id));
      expect(got.body.status).toBe('completed');
      return got.body;
    }, 60_000);
    const again = await admin().post(`${JOB(res.body.id)}cancel/`);

    expect(cancel.status).toBe(202);
    expect(job.counts).toMatchObject({ succeeded: 1, cancelled: 3 });
    expect(again.status).toBe(409);
  }, 120_000);

  it('when the list is empty or longer than 1,000 items, then 400 names executions and nothing runs', async () => {
    const id = await command({ name: 'limit', command: 'show version' });
    const item = { command_id: id, device_id: stack.devices['ok-0'] };

    const empty = await admin().post(BULK, { executions: [], ...login });
    const tooMany = await admin().post(BULK, { executions: Array(1_001).fill(item), ...login });
    const notAList = await admin().post(BULK, { executions: 'all', ...login });

    for (const res of [empty, tooMany, notAList]) {
      expect(res.status).toBe(400);
      expect(res.body).toHaveProperty('executions');
    }
    expect(tooMany.body.executions[0]).toContain('1000');
  });

  it('when no item can run, then 400 has one entry per item in order', async () => {
    const res = await admin().post(BULK, {
      executions: [{ command_id: 999_999, device_id: stack.devices['ok-0'] }, { device_id: 1 }],
      ...login,
    });

    expect(res.status).toBe(400);
    expect(Array.isArray(res.body)).toBe(true);
    expect(res.body).toHaveLength(2);
    expect(res.body[1]).toHaveProperty('command_id');
  });

  it('when the same Idempotency-Key is sent again, then the same job answers and nothing runs twice', async () => {
    const id = await command({ name: 'idem', command: 'show version' });
    const notes = `idem-${randomUUID().slice(0, 6)}`;
    const body = {
      executions: [{ command_id: id, device_id: stack.devices['ok-1'] }],
      ...login,
      async: true,
      notes,
    };
    const key = randomUUID();

    const first = await admin().post(BULK, body, { 'Idempotency-Key': key });
    const second = await admin().post(BULK, body, { 'Idempotency-Key': key });
    await eventually(async () => {
      const got = await admin().get(JOB(first.body.id));
      expect(got.body.status).toBe('completed');
    }, 30_000);
    const logs = await admin().get(`/api/plugins/toolkit/command-logs/?notes=${notes}`);

    expect(second.body.id).toBe(first.body.id);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(logs.body.count).toBe(1);
  });
});
