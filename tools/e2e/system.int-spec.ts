import { parseCsv } from '@toolkit/analytics-domain';
import type { Json } from '../stack/process-stack';
import type { System } from './test/process-system';
import {
  BULK,
  DEVICE_PASSWORD,
  EXECUTIONS,
  LOGS,
  executeUrl,
  startSystem,
} from './test/process-system';

/**
 * The whole system as its users run it, through the REST API only: every service as its
 * own process (real Kafka, real MongoDB-wire server), 106 simulated devices of five
 * platforms. The tests share one ledger of what ran, which the statistics and exports must
 * reflect exactly.
 */
let system: System;
const RATE_LIMIT = 3;
/** Every execution that ran (a log each): device name and error class (null = success). */
const ran: { device: string; errorClass: string | null }[] = [];
let rateLimitedAt = 0;

// Devices: the first 100 (round-robin ios, nxos, eos, junos, linux) for the bulk job;
// sim-0100 (ios) for single executions, sim-0101 (nxos) for configuration, sim-0105 (ios)
// for the rate limit.
const name = (i: number) => system.sim[i]?.name as string;
const id = (i: number) => system.devices[name(i)] as number;
const cred = () => ({ credential_token: system.credential });

beforeAll(async () => {
  system = await startSystem({
    devices: 106,
    gateway: { RATE_LIMIT_DEVICE_LIMIT: String(RATE_LIMIT), RATE_LIMIT_WINDOW_MINUTES: '1' },
  });
}, 180_000);

afterAll(async () => {
  await system?.close();
}, 60_000);

describe('the system through its public API', () => {
  it('when the rate limit of a device is reached, then the next execution is refused with 429 and Retry-After', async () => {
    const clock = await system.command({ name: 'clock', command: 'show clock' }, ['ios']);
    for (let i = 0; i < RATE_LIMIT; i++) {
      const res = await system.api('POST', executeUrl(clock), { device_id: id(105), ...cred() });
      expect([i, res.status, res.body.success]).toEqual([i, 200, true]);
      ran.push({ device: name(105), errorClass: null });
    }
    rateLimitedAt = Date.now();

    const refused = await system.api('POST', executeUrl(clock), {
      device_id: id(105),
      ...cred(),
    });
    const status = await system.api('GET', `/api/plugins/toolkit/rate-limit/?device_id=${id(105)}`);

    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({
      error: 'Rate limit exceeded',
      details: { current_count: RATE_LIMIT, limit: RATE_LIMIT, time_window_minutes: 1 },
    });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(status.body).toMatchObject({ remaining: 0, limit: RATE_LIMIT });
  }, 60_000);

  it('when a show command with a variable runs synchronously, then the answer has the output, parsed records and a log', async () => {
    const version = await system.command({ name: 'version', command: 'show version' }, [
      'ios',
      'nxos',
      'eos',
      'junos',
    ]);
    const iface = await system.api('POST', '/api/dcim/interfaces/', {
      device: id(100),
      name: 'GigabitEthernet1/0/1',
      type: '1000base-t',
    });
    const interfaces = await system.command(
      {
        name: 'interface',
        command: 'show interfaces <iface>',
        variables: [
          { name: 'iface', display_name: 'Interface', variable_type: 'netbox_interface' },
        ],
      },
      ['ios'],
    );

    const shown = await system.api('POST', executeUrl(version), { device_id: id(100), ...cred() });
    ran.push({ device: name(100), errorClass: null });
    const withVariable = await system.api('POST', executeUrl(interfaces), {
      device_id: id(100),
      variables: { iface: 'GigabitEthernet1/0/1' },
      ...cred(),
    });
    ran.push({ device: name(100), errorClass: null });
    const badVariable = await system.api('POST', executeUrl(interfaces), {
      device_id: id(100),
      variables: { iface: 'Gi1/0/1 | redirect tftp://x' },
      ...cred(),
    });
    const log = await system.api('GET', `${LOGS}${shown.body.command_log_id}/`);

    expect(iface.status).toBe(201);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({
      success: true,
      status: 'succeeded',
      rendered_command: 'show version',
      parsed_output: { success: true, template: 'cisco_ios_show_version.textfsm' },
    });
    expect(shown.body.output).toContain('Cisco IOS');
    expect(shown.body.parsed_output.data[0]).toMatchObject({ HOSTNAME: expect.any(String) });
    expect(withVariable.status).toBe(200);
    expect(withVariable.body).toMatchObject({
      success: true,
      rendered_command: 'show interfaces GigabitEthernet1/0/1',
      parsed_output: { success: true, template: 'cisco_ios_show_interfaces.textfsm' },
    });
    expect(withVariable.body.parsed_output.data).toHaveLength(1);
    expect(badVariable.status).toBe(400);
    expect(badVariable.body).toHaveProperty('variables');
    expect(log.status).toBe(200);
    expect(log.body).toMatchObject({
      execution_id: shown.body.execution_id,
      success: true,
      device: expect.objectContaining({ name: name(100) }),
    });
  }, 60_000);

  it('when a configuration command is run without, then with the permission, then 403 first and the change after', async () => {
    const hostname = await system.command(
      {
        name: 'set-hostname',
        command: 'hostname <name>',
        command_type: 'config',
        variables: [{ name: 'name', display_name: 'Name', variable_type: 'text', required: true }],
      },
      ['nxos'],
    );
    const user = await system.api('POST', '/api/users/users/', {
      username: 'operator',
      password: 'operator-Pa55word!',
    });
    const token = await system.api('POST', '/api/users/tokens/provision/', {
      username: 'operator',
      password: 'operator-Pa55word!',
    });
    const grant = (actions: string[], objectTypes: string[], label: string) =>
      system.api('POST', '/api/users/permissions/', {
        name: `operator-${label}`,
        object_types: objectTypes,
        actions,
        users: [user.body.id],
      });
    await grant(['view', 'execute_show'], ['toolkit.command'], 'show');
    await grant(['view'], ['dcim.device'], 'devices');
    const asOperator = { Authorization: `Token ${token.body.key}` };
    // A credential set's token is its owner's: the operator gives the login itself.
    const login = system.sim[101]?.credentials ?? {};
    const body = {
      device_id: id(101),
      variables: { name: 'core-9' },
      username: login['username'],
      password: login['password'],
      enable_secret: login['enableSecret'],
    };

    const refused = await system.api('POST', executeUrl(hostname), body, asOperator);
    await grant(['execute_config'], ['toolkit.command'], 'config');
    const allowed = await system.api('POST', executeUrl(hostname), body, asOperator);
    ran.push({ device: name(101), errorClass: null });
    const check = await system.api(
      'POST',
      executeUrl(await system.command({ name: 'nx-host', command: 'show hostname' }, ['nxos'])),
      { device_id: id(101), ...cred() },
    );
    ran.push({ device: name(101), errorClass: null });

    expect([user.status, token.status]).toEqual([201, 201]);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ detail: expect.any(String) });
    expect([allowed.status, allowed.body]).toMatchObject([
      200,
      { success: true, rendered_command: 'hostname core-9' },
    ]);
    const execution = await system.api('GET', `${EXECUTIONS}${allowed.body.execution_id}/`);
    expect(execution.body.user).toMatchObject({ username: 'operator' });
    expect(check.body.output).toContain('core-9');
  }, 60_000);

  it('when a bulk job runs over 100 devices of five platforms with dead devices and bad commands, then each item has one result with the right error', async () => {
    const version = await system.command({ name: 'bulk-version', command: 'show version' }, [
      'ios',
      'nxos',
      'eos',
      'junos',
    ]);
    const uname = await system.command({ name: 'bulk-uname', command: 'uname -a' }, ['linux']);
    const bogus = await system.command({ name: 'bulk-bogus', command: 'show bogus-thing' }, [
      'ios',
    ]);
    const dead = new Set([1, 2, 3, 6, 7]);
    const bad = new Set([10, 15]);
    for (const i of dead) await system.faults(name(i), { refuseConnections: true });
    const executions = Array.from({ length: 100 }, (_, i) => ({
      device_id: id(i),
      command_id: system.sim[i]?.platform === 'linux' ? uname : bad.has(i) ? bogus : version,
    }));
    const expected = (i: number) =>
      dead.has(i) ? 'unreachable' : bad.has(i) ? 'syntax_error' : null;

    const submitted = await system.api('POST', BULK, { executions, ...cred(), async: true });
    const job = await system.job(submitted.body.id);
    const items = await system.api(
      'GET',
      `/api/plugins/toolkit/executions/?bulk_job=${submitted.body.id}&ordering=bulk_position&limit=100`,
    );
    for (let i = 0; i < 100; i++) ran.push({ device: name(i), errorClass: expected(i) });
    for (const i of dead) await system.faults(name(i), {});

    expect(submitted.status).toBe(202);
    expect(job).toMatchObject({
      total: 100,
      accepted: 100,
      done: 100,
      summary: { total: 100, successful: 93, failed: 7, rejected: 0, pending: 0 },
    });
    expect(items.body.count).toBe(100);
    const results = items.body.results as Json[];
    const outcomes = results.map((e) => [
      e.bulk_position,
      e.device?.name,
      e.result?.error_class ?? null,
    ]);
    expect(outcomes).toEqual(executions.map((_, i) => [i, name(i), expected(i)]));
    const linux = results.find((e) => e.platform === 'linux');
    expect(linux?.result?.output).toContain('Linux');
  }, 180_000);

  it('when the statistics and exports are read, then they count exactly the executions that ran', async () => {
    const total = ran.length;
    const successful = ran.filter((r) => r.errorClass === null).length;
    const classes = new Map<string, number>();
    for (const r of ran)
      if (r.errorClass) classes.set(r.errorClass, (classes.get(r.errorClass) ?? 0) + 1);

    const stats = await system.api('GET', `${LOGS}statistics/`);
    const perDevice = await system.api('GET', `${LOGS}statistics/?device_id=${id(100)}`);
    const failed = await system.api('GET', `${LOGS}?success=false&limit=50`);
    const csv = await fetch(`${system.stack.gatewayUrl}${LOGS}export/?format=csv`, {
      headers: { Authorization: `Token ${system.stack.token}` },
    });
    const csvRows = parseCsv(await csv.text());
    const json = await system.api('GET', `${LOGS}export/?format=json`);

    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({
      total_logs: total,
      success_rate: Math.round((successful / total) * 10_000) / 100,
      last_24h: { total, successful, failed: total - successful },
    });
    expect(
      Object.fromEntries(
        (stats.body.by_error_class as { error_class: string; count: number }[]).map((e) => [
          e.error_class,
          e.count,
        ]),
      ),
    ).toEqual(Object.fromEntries(classes));
    expect(perDevice.body).toMatchObject({ total_logs: 2, success_rate: 100 });
    expect(perDevice.body.by_device).toEqual([
      expect.objectContaining({ device_name: name(100), total: 2, successful: 2 }),
    ]);
    const platforms = Object.fromEntries(
      (stats.body.by_platform as { platform: string; total: number }[]).map((p) => [
        p.platform,
        p.total,
      ]),
    );
    const ranOn = (platform: string) =>
      ran.filter((r) => system.sim.find((d) => d.name === r.device)?.platform === platform).length;
    expect(Object.values(platforms).reduce((a, b) => a + b, 0)).toBe(total);
    expect(platforms['linux'] ?? platforms['Linux']).toBe(ranOn('linux'));
    expect(failed.body.count).toBe(total - successful);
    expect(csv.status).toBe(200);
    expect(csvRows).toHaveLength(total + 1);
    expect(csvRows.slice(1).filter((row) => row[4] === 'true')).toHaveLength(successful);
    expect(json.body.count).toBe(total);
    expect(json.body.results).toHaveLength(total);
    expect(JSON.stringify(json.body)).not.toContain(DEVICE_PASSWORD);
  }, 60_000);

  it('when the rate-limit window has passed, then the device runs again', async () => {
    const wait = rateLimitedAt + 61_000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const clock = await system.api('GET', '/api/plugins/toolkit/commands/?name=clock');

    const res = await system.api('POST', executeUrl(clock.body.results[0].id), {
      device_id: id(105),
      ...cred(),
    });

    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    expect(Number(res.headers.get('x-ratelimit-remaining'))).toBe(RATE_LIMIT - 1);
  }, 120_000);
});
