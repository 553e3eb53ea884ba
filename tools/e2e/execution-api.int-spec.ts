import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { KafkaMessaging } from '@toolkit/messaging';
import { eventually, testInfra } from '@toolkit/testing';
import { wireExecutions } from '../../apps/gateway/src/executions/execution-wiring';
import { testExecutionConfig } from '../../apps/gateway/test/support/gateway-harness';
import type { ExecutionStack } from './test/execution-stack';
import { DEVICE_LOGIN, startExecutionStack } from './test/execution-stack';

/**
 * The execution API through the gateway, with the four services over the real Kafka and
 * MongoDB-wire servers and simulated devices over SSH.
 */
let stack: ExecutionStack;
const login = {
  username: DEVICE_LOGIN.username,
  password: DEVICE_LOGIN.password,
  enable_secret: DEVICE_LOGIN.enableSecret,
};
const EXECUTE = (id: number) => `/api/plugins/toolkit/commands/${id}/execute/`;
const EXECUTION = (id: string) => `/api/plugins/toolkit/executions/${id}/`;

beforeAll(async () => {
  stack = await startExecutionStack({
    devices: [
      { name: 'r1', platform: 'ios' },
      { name: 'r2', platform: 'ios' },
      { name: 'sw1', platform: 'eos' },
      { name: 'sw2', platform: 'eos' },
      { name: 'nx1', platform: 'nxos' },
      { name: 'jn1', platform: 'junos' },
      // `show version` streams at 2 ms per byte (a few seconds); set-up is instant.
      { name: 'slow1', platform: 'ios', faults: { latencyPerByteMs: 2 } },
      { name: 'hang1', platform: 'ios', faults: { hang: '^show clock' } },
      { name: 'cfg-hang', platform: 'ios', faults: { hang: '^hostname' } },
      { name: 'dead1', platform: 'ios', faults: { refuseConnections: true } },
      { name: 'dead2', platform: 'ios', faults: { refuseConnections: true } },
    ],
    // The limit itself is tested elsewhere: here it must not get in the way.
    executionConfig: { RATE_LIMIT_DEVICE_LIMIT: 10_000 },
  });
}, 180_000);

afterAll(async () => {
  await stack?.close();
});

const admin = () => stack.api(stack.admin.key);

async function command(body: Record<string, unknown>): Promise<{ id: number; name: string }> {
  const name = `${String(body['name'] ?? 'cmd')}-${randomUUID().slice(0, 6)}`;
  const created = await admin().post('/api/plugins/toolkit/commands/', {
    platforms: [stack.platforms['ios'], stack.platforms['eos']],
    ...body,
    name,
  });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  return { id: created.body.id as number, name };
}

async function untilStatus(executionId: string, status: string) {
  return eventually(async () => {
    const got = await admin().get(EXECUTION(executionId));
    expect(got.body.status).toBe(status);
    return got.body;
  }, 30_000);
}

describe('running a command through the API', () => {
  it('when a show command is run synchronously, then the answer has the output, the original shape, and a log readable at once', async () => {
    const { id } = await command({ name: 'version', command: 'show version' });

    const res = await admin().post(EXECUTE(id), {
      device_id: stack.devices['r1'],
      ...login,
      notes: 'change CHG-42',
    });
    const log = await admin().get(
      `/api/plugins/toolkit/command-logs/${String(res.body.command_log_id)}/`,
    );

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      success: true,
      error_message: null,
      command: { id, command_type: 'show' },
      device: { id: stack.devices['r1'], name: 'r1' },
      syntax_error: { detected: false },
      parsed_output: {
        success: true,
        method: 'textfsm',
        template: 'cisco_ios_show_version.textfsm',
        error: null,
      },
      rendered_command: 'show version',
      error_class: null,
      notes: 'change CHG-42',
      status: 'succeeded',
    });
    expect(res.body.output).toContain('Cisco IOS');
    expect(res.body.execution_time).toBeGreaterThan(0);
    expect(res.body.url).toMatch(
      new RegExp(`/api/plugins/toolkit/executions/${String(res.body.execution_id)}/$`),
    );
    expect(res.headers['x-ratelimit-limit']).toBe('10000');
    expect(res.headers['x-ratelimit-remaining']).toMatch(/^\d+$/);
    expect(log.status).toBe(200);
    expect(log.body).toMatchObject({
      execution_id: res.body.execution_id,
      success: true,
      notes: 'change CHG-42',
      username: DEVICE_LOGIN.username,
      rendered_command: 'show version',
    });
    expect(JSON.stringify(log.body)).not.toContain(DEVICE_LOGIN.password);
  });

  it.each([
    ['r1', 'ios', 'cisco_ios_show_version.textfsm', 'VERSION'],
    ['sw2', 'eos', 'arista_eos_show_version.textfsm', 'IMAGE'],
    ['nx1', 'nxos', 'cisco_nxos_show_version.textfsm', 'OS'],
    ['jn1', 'junos', 'juniper_junos_show_version.textfsm', 'JUNOS_VERSION'],
  ])(
    'when "show version" runs on %s (%s) with no template configured, then the library template the index selects parses it, in the answer, the execution and the log',
    async (device, platform, template, versionField) => {
      const created = await admin().post('/api/plugins/toolkit/commands/', {
        name: `version-${platform}-${randomUUID().slice(0, 6)}`,
        command: 'show version',
        platforms: [stack.platforms[platform]],
      });

      const res = await admin().post(EXECUTE(created.body.id), {
        device_id: stack.devices[device],
        ...login,
      });
      const execution = await admin().get(EXECUTION(res.body.execution_id));
      const log = await admin().get(
        `/api/plugins/toolkit/command-logs/${String(res.body.command_log_id)}/`,
      );

      expect(created.body.parsing_template).toBe('auto');
      expect(res.status).toBe(200);
      expect(res.body.parsed_output).toMatchObject({
        success: true,
        method: 'textfsm',
        template,
        error: null,
      });
      const [record] = res.body.parsed_output.data as Record<string, unknown>[];
      expect(record?.[versionField]).toMatch(/\d+\.\d+/);
      expect(execution.body.result.parsed_output).toEqual(res.body.parsed_output);
      expect(log.body.parsed_output).toBe(true);
    },
  );

  it('when a show command has no library template, then parsed_output says no template applied, which is not a failure', async () => {
    const { id } = await command({ name: 'running', command: 'show running-config' });

    const res = await admin().post(EXECUTE(id), { device_id: stack.devices['sw2'], ...login });

    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    expect(res.body.parsed_output).toEqual({
      success: false,
      method: null,
      template: null,
      data: [],
      error: null,
    });
  });

  it('when the command has a TextFSM template, then the answer carries the parsed records', async () => {
    const template = readFileSync(
      path.join(
        __dirname,
        '../../libs/textfsm/test/fixtures/cisco_ios_show_ip_interface_brief/template.textfsm',
      ),
      'utf8',
    );
    const { id } = await command({
      name: 'ip brief',
      command: 'show ip interface brief',
      parsing_template: template,
    });

    const res = await admin().post(EXECUTE(id), { device_id: stack.devices['r1'], ...login });

    expect(res.status).toBe(200);
    expect(res.body.parsed_output).toMatchObject({ success: true, method: 'textfsm', error: null });
    expect(res.body.parsed_output.data.length).toBeGreaterThan(0);
    expect(Object.keys(res.body.parsed_output.data[0])).toContain('INTF');
  });

  it('when the command is run asynchronously, then 202 names the execution, which moves to succeeded with its result', async () => {
    const { id } = await command({ name: 'clock', command: 'show clock' });

    const res = await admin().post(EXECUTE(id), {
      device_id: stack.devices['r2'],
      ...login,
      async: true,
    });
    const execution = await untilStatus(res.body.execution_id, 'succeeded');

    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      execution_id: expect.any(String),
      url: expect.stringMatching(/\/api\/plugins\/toolkit\/executions\/[0-9a-f-]{36}\/$/),
      stream_url: `${String(res.body.url)}stream/`,
      status: 'queued',
    });
    expect(res.headers['location']).toBe(res.body.url);
    expect(execution.result.success).toBe(true);
    expect(execution.result.output.length).toBeGreaterThan(0);
  });

  it('when the device rejects the command, then 400 carries the vendor syntax error and guidance, and the log says so', async () => {
    const { id } = await command({ name: 'typo', command: 'show verzion' });

    const res = await admin().post(EXECUTE(id), { device_id: stack.devices['r1'], ...login });
    const log = await admin().get(
      `/api/plugins/toolkit/command-logs/${String(res.body.command_log_id)}/`,
    );

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      success: false,
      error_class: 'syntax_error',
      syntax_error: { detected: true, vendor: expect.any(String), guidance_provided: true },
      status: 'failed',
    });
    expect(res.body.syntax_error.guidance.length).toBeGreaterThan(0);
    expect(res.body.error_message).toMatch(/rejected the command/);
    expect(log.body).toMatchObject({ success: false, error_class: 'syntax_error' });
  });

  it('when a device refuses connections, then 400 says unreachable; once its breaker opens, the answer says so without trying', async () => {
    const { id } = await command({ name: 'unreachable', command: 'show version' });
    const run = () => admin().post(EXECUTE(id), { device_id: stack.devices['dead2'], ...login });

    const first = await run();
    await run();
    const third = await run();

    expect(first.status).toBe(400);
    expect(first.body).toMatchObject({ success: false, error_class: 'unreachable' });
    expect(third.status).toBe(400);
    expect(third.body).toMatchObject({ success: false, error_class: 'circuit_open' });
  });

  it('when the device password is wrong, then 400 says the authentication failed, without the password', async () => {
    const { id } = await command({ name: 'badpw', command: 'show version' });

    const res = await admin().post(EXECUTE(id), {
      device_id: stack.devices['sw1'],
      username: DEVICE_LOGIN.username,
      password: 'not-the-password',
    });

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, error_class: 'auth_failed' });
    expect(JSON.stringify(res.body)).not.toContain('not-the-password');
  });

  it('when the device does not answer within the timeout, then the wait answers 504 naming the execution, whose result appears later', async () => {
    const strict = await stack.addGateway({ EXECUTION_WAIT_GRACE_MS: 0 });
    const { id } = await command({ name: 'hangs', command: 'show clock' });

    const started = Date.now();
    const res = await stack
      .api(stack.admin.key, strict.app)
      .post(EXECUTE(id), { device_id: stack.devices['hang1'], ...login, timeout: 5 });
    const waited = Date.now() - started;
    const finished = await untilStatus(res.body.execution_id, 'failed');

    expect(res.status).toBe(504);
    expect(res.body).toEqual({
      detail: expect.stringContaining('goes on'),
      execution_id: expect.any(String),
      url: expect.stringContaining(`/api/plugins/toolkit/executions/${res.body.execution_id}/`),
      stream_url: `${String(res.body.url)}stream/`,
      status: 'running',
    });
    expect(waited).toBeGreaterThanOrEqual(5_000);
    expect(finished.result.error_class).toBe('command_timeout');
  });

  it('when the device platform is not among the command platforms, then 400 names the device', async () => {
    const { id } = await command({
      name: 'eos-only',
      command: 'show version',
      platforms: [stack.platforms['eos']],
    });

    const res = await admin().post(EXECUTE(id), { device_id: stack.devices['r1'], ...login });

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      device_id: [expect.stringContaining("does not apply to platform 'Cisco IOS'")],
    });
  });

  it('when variables are invalid, then 400 names each with suggestions; control characters and pipes are refused', async () => {
    const { id } = await command({
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
    const { id: textId } = await command({
      name: 'desc',
      command: 'show run | include <text>',
      variables: [{ name: 'text', display_name: 'Text', variable_type: 'text', required: true }],
    });

    const wrong = await admin().post(EXECUTE(id), {
      device_id: stack.devices['r1'],
      ...login,
      variables: { iface: 'GigabitEthernet9/9' },
    });
    const missing = await admin().post(EXECUTE(id), { device_id: stack.devices['r1'], ...login });
    const injected = await admin().post(EXECUTE(textId), {
      device_id: stack.devices['r1'],
      ...login,
      variables: { text: 'x\nreload' },
    });
    const redirected = await admin().post(EXECUTE(textId), {
      device_id: stack.devices['r1'],
      ...login,
      variables: { text: 'x | redirect tftp://10.0.0.9/out' },
    });

    expect(wrong.status).toBe(400);
    expect(wrong.body.variables.iface[0]).toMatch(/GigabitEthernet9\/9/);
    expect(wrong.body.validation_details.iface).toMatchObject({
      variable_type: 'netbox_interface',
      provided_value: 'GigabitEthernet9/9',
      suggestions: expect.any(Array),
    });
    expect(wrong.body.validation_details.iface.suggestions.length).toBeGreaterThan(0);
    expect(missing.status).toBe(400);
    expect(Object.keys(missing.body.variables)).toEqual(['iface']);
    expect(injected.status).toBe(400);
    expect(injected.body.variables.text[0]).toMatch(/line breaks or control characters/);
    expect(redirected.status).toBe(400);
    expect(redirected.body.variables.text[0]).toMatch(
      /must not contain \| on this device's platform/,
    );
  });

  it('when the body is malformed, then 400 names each field and nothing runs', async () => {
    const { id } = await command({ name: 'body', command: 'show version' });
    const post = (body: unknown) => admin().post(EXECUTE(id), body);

    const cases = await Promise.all([
      post({ device_id: stack.devices['r1'], ...login, timeout: 3 }),
      post({ device_id: stack.devices['r1'], ...login, timout: 60 }),
      post({ device_id: stack.devices['r1'] }),
      post({ device_id: stack.devices['r1'], ...login, credential_token: 'x'.repeat(40) }),
      post({ device_id: 'abc', ...login }),
      post({ device_id: stack.devices['r1'], ...login, notes: 'n'.repeat(1_001) }),
      post({ device_id: 99_999_999, ...login }),
      admin().post(EXECUTE(99_999_999), { device_id: stack.devices['r1'], ...login }),
    ]);

    expect(cases.map((c) => c.status)).toEqual([400, 400, 400, 400, 400, 400, 400, 404]);
    expect(Object.keys(cases[0]?.body ?? {})).toEqual(['timeout']);
    expect(cases[1]?.body).toEqual({ timout: ['Unknown field. Did you mean "timeout"?'] });
    expect(Object.keys(cases[2]?.body ?? {})).toEqual(['credential_token']);
    expect(Object.keys(cases[3]?.body ?? {})).toEqual(['non_field_errors']);
    expect(Object.keys(cases[4]?.body ?? {})).toEqual(['device_id']);
    expect(Object.keys(cases[5]?.body ?? {})).toEqual(['notes']);
    expect(cases[6]?.body).toEqual({ device_id: ['Device with ID 99999999 not found.'] });
    expect(cases[7]?.body).toEqual({ detail: 'Not found.' });
  });
});

describe('when Kafka cannot take the request', () => {
  it('then 503 with Retry-After and a clear body, nothing is accepted, and the rate-limit reservation is released', async () => {
    const { id } = await command({ name: 'nokafka', command: 'show version' });
    const g = stack.gateway;
    const down = new KafkaMessaging({
      service: 'gateway',
      brokers: testInfra().brokers,
      logger: g.infra.logger,
    });
    await down.connect();
    await down.disconnect();
    const broken = wireExecutions({
      config: testExecutionConfig({ RATE_LIMIT_DEVICE_LIMIT: 2 }),
      store: g.store,
      messaging: down,
      upstreams: g.deps.upstreams,
      logger: g.infra.logger,
      topics: { ...stack.topics },
    });
    const app = g.rebuild({ executions: broken.service });
    const notes = `nokafka-${randomUUID().slice(0, 6)}`;
    const run = () =>
      stack
        .api(stack.admin.key, app)
        .post(EXECUTE(id), { device_id: stack.devices['sw1'], ...login, notes });

    const answers = [await run(), await run(), await run()];
    const status = await stack
      .api(stack.admin.key, app)
      .get(`/api/plugins/toolkit/rate-limit/?device_id=${String(stack.devices['sw1'])}`);
    const listed = await admin().get(`/api/plugins/toolkit/executions/?q=${notes}`);

    expect(answers.map((a) => a.status)).toEqual([503, 503, 503]);
    expect(answers[0]?.headers['retry-after']).toBe('5');
    expect(answers[0]?.body).toEqual({
      detail:
        'The execution could not be queued: the message broker is unavailable. Try again shortly; with the same Idempotency-Key a retry never runs it twice.',
    });
    expect(status.body.current_count).toBe(0);
    expect(listed.body.count).toBe(0);
  });
});

describe('who may run what', () => {
  it('when users hold execute_show, execute_config, constraints, device view or read-only tokens, then each is answered as NetBox would', async () => {
    const show = await command({ name: 'allowed-show', command: 'show clock' });
    const other = await command({ name: 'other-show', command: 'show clock' });
    const config = await command({
      name: 'cfg',
      command: 'hostname <name>',
      command_type: 'config',
      variables: [{ name: 'name', display_name: 'Name', variable_type: 'text', required: true }],
    });
    const g = stack.gateway;
    const viewer = await g.user();
    await g.grant({
      userIds: [viewer.id],
      objectTypes: ['toolkit.command'],
      actions: ['view', 'execute_show'],
    });
    await g.grant({ userIds: [viewer.id], objectTypes: ['dcim.device'], actions: ['view'] });
    const constrained = await g.user();
    await g.grant({
      userIds: [constrained.id],
      objectTypes: ['toolkit.command'],
      actions: ['execute_show'],
      constraints: { name__isw: 'allowed-' },
    });
    await g.grant({ userIds: [constrained.id], objectTypes: ['dcim.device'], actions: ['view'] });
    const blind = await g.user();
    await g.grant({
      userIds: [blind.id],
      objectTypes: ['toolkit.command'],
      actions: ['execute_show'],
    });
    const nothing = await g.user();
    const readOnly = await g.user({ superuser: true, writeEnabled: false });
    const body = { device_id: stack.devices['r2'], ...login };
    const as = (key: string) => stack.api(key);

    const viewerShow = await as(viewer.key).post(EXECUTE(show.id), body);
    const viewerConfig = await as(viewer.key).post(EXECUTE(config.id), {
      ...body,
      variables: { name: 'core-1' },
    });
    // Without view on commands, a config command's existence stays hidden: 404.
    const constrainedConfig = await as(constrained.key).post(EXECUTE(config.id), {
      ...body,
      variables: { name: 'core-1' },
    });
    const constrainedOk = await as(constrained.key).post(EXECUTE(show.id), body);
    const constrainedOther = await as(constrained.key).post(EXECUTE(other.id), body);
    const blindShow = await as(blind.key).post(EXECUTE(show.id), body);
    const nothingShow = await as(nothing.key).post(EXECUTE(show.id), body);
    const readOnlyShow = await as(readOnly.key).post(EXECUTE(show.id), body);
    const adminConfig = await admin().post(EXECUTE(config.id), {
      ...body,
      variables: { name: 'core-1' },
    });

    expect(viewerShow.status).toBe(200);
    expect(viewerConfig.status).toBe(403);
    expect(viewerConfig.body).toEqual({
      detail: 'You do not have permission to execute configuration commands.',
    });
    expect(constrainedConfig.status).toBe(404);
    expect(constrainedOk.status).toBe(200);
    expect(constrainedOther.status).toBe(404);
    expect(blindShow.status).toBe(400);
    expect(blindShow.body).toEqual({ device_id: [`Device with ID ${body.device_id} not found.`] });
    expect(nothingShow.status).toBe(403);
    expect(nothingShow.body).toEqual({
      detail: 'You do not have permission to perform this action.',
    });
    expect(readOnlyShow.status).toBe(403);
    expect(adminConfig.status).toBe(200);
    expect(adminConfig.body).toMatchObject({
      success: true,
      command: { command_type: 'config' },
      rendered_command: 'hostname core-1',
    });
  });
});

describe('cancelling executions', () => {
  it('when a queued execution is cancelled, then the executor that takes it reports it cancelled without touching the device', async () => {
    const { id } = await command({ name: 'queued', command: 'show version' });
    const executor = stack.executor;
    if (!executor) throw new Error('no executor');
    const connections = stack.fleet.device('r2').connections;
    const known = executor.executor.status().cancellations;
    executor.executor.pause();

    const queued = await admin().post(EXECUTE(id), {
      device_id: stack.devices['r2'],
      ...login,
      async: true,
    });
    // Sent now (a supertest request starts when it is awaited or then-ed).
    const cancel = admin()
      .post(`${EXECUTION(queued.body.execution_id)}cancel/`)
      .then((r) => r);
    await eventually(() => expect(executor.executor.status().cancellations).toBeGreaterThan(known));
    executor.executor.resume();
    const cancelled = await cancel;
    const execution = await admin().get(EXECUTION(queued.body.execution_id));

    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({
      execution_id: queued.body.execution_id,
      status: 'cancelled',
    });
    expect(execution.body).toMatchObject({
      status: 'cancelled',
      result: { success: false, error_class: 'cancelled' },
    });
    expect(execution.body.result.error_message).toBe(
      `Cancelled by ${stack.admin.username} before it ran.`,
    );
    expect(stack.fleet.device('r2').connections).toBe(connections);
  });

  it('when a running show is cancelled, then it stops at once, long before its output would have ended', async () => {
    const { id } = await command({ name: 'slow', command: 'show version' });
    const started = await admin().post(EXECUTE(id), {
      device_id: stack.devices['slow1'],
      ...login,
      async: true,
    });
    await untilStatus(started.body.execution_id, 'running');
    const cancelledAt = Date.now();

    const cancelled = await admin().post(`${EXECUTION(started.body.execution_id)}cancel/`);
    const answeredIn = Date.now() - cancelledAt;
    const execution = await admin().get(EXECUTION(started.body.execution_id));

    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(execution.body.result).toMatchObject({ success: false, error_class: 'cancelled' });
    // Before the command was sent or while it ran, depending on how far the session got.
    expect(execution.body.result.error_message).toMatch(/^Cancelled by /);
    // The whole `show version` takes seconds at 2 ms per byte.
    expect(answeredIn).toBeLessThan(2_000);
  });

  it('when a running config is cancelled, then 409: it is left to finish', async () => {
    const { id } = await command({
      name: 'cfg-stuck',
      command: 'hostname stuck',
      command_type: 'config',
    });
    const started = await admin().post(EXECUTE(id), {
      device_id: stack.devices['cfg-hang'],
      ...login,
      async: true,
      timeout: 5,
    });
    await untilStatus(started.body.execution_id, 'running');

    const refused = await admin().post(`${EXECUTION(started.body.execution_id)}cancel/`);
    const finished = await untilStatus(started.body.execution_id, 'unknown');

    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({
      detail: 'A running configuration command cannot be stopped safely: it is left to finish.',
    });
    expect(finished.result.error_class).toBe('command_timeout');
  });

  it('when someone else cancels a running execution, then 403 if they may view it, 404 if not, and it goes on', async () => {
    const { id } = await command({ name: 'others', command: 'show clock' });
    const running = await admin().post(EXECUTE(id), {
      device_id: stack.devices['hang1'],
      ...login,
      async: true,
      timeout: 5,
    });
    await untilStatus(running.body.execution_id, 'running');
    const watcher = await stack.gateway.user();
    await stack.gateway.grant({
      userIds: [watcher.id],
      objectTypes: ['toolkit.execution'],
      actions: ['view'],
    });
    const narrow = await stack.gateway.user();
    await stack.gateway.grant({
      userIds: [narrow.id],
      objectTypes: ['toolkit.execution'],
      actions: ['view'],
      constraints: { device_name: 'some-other-device' },
    });
    const stranger = await stack.gateway.user();
    const cancel = (key: string) =>
      stack.api(key).post(`${EXECUTION(running.body.execution_id)}cancel/`);

    const byWatcher = await cancel(watcher.key);
    const byNarrow = await cancel(narrow.key);
    const byStranger = await cancel(stranger.key);
    const finished = await untilStatus(running.body.execution_id, 'failed');

    expect(byWatcher.status).toBe(403);
    expect(byWatcher.body).toEqual({
      detail: 'Only the requester of an execution, or a superuser, may cancel it.',
    });
    expect(byNarrow.status).toBe(404);
    expect(byStranger.status).toBe(404);
    expect(finished.result.error_class).toBe('command_timeout');
  });

  it('when someone else cancels, or the execution has finished, then the cancel is refused', async () => {
    const { id } = await command({ name: 'mine', command: 'show clock' });
    const done = await admin().post(EXECUTE(id), { device_id: stack.devices['r1'], ...login });
    const watcher = await stack.gateway.user();
    await stack.gateway.grant({
      userIds: [watcher.id],
      objectTypes: ['toolkit.execution'],
      actions: ['view'],
    });
    const stranger = await stack.gateway.user();
    const cancel = (key: string) =>
      stack.api(key).post(`${EXECUTION(done.body.execution_id)}cancel/`);

    const byWatcher = await cancel(watcher.key);
    const byStranger = await cancel(stranger.key);
    const finished = await cancel(stack.admin.key);
    const unknown = await admin().post(`${EXECUTION(randomUUID())}cancel/`);

    expect(byWatcher.status).toBe(403);
    expect(byStranger.status).toBe(404);
    expect(finished.status).toBe(409);
    expect(finished.body).toEqual({ detail: 'The execution has already finished (succeeded).' });
    expect(unknown.status).toBe(404);
  });
});

describe('observability and documentation', () => {
  it('when executions ran, then the metrics count them and the OpenAPI document describes the new endpoints', async () => {
    const metrics = await stack.api(stack.admin.key).get('/metrics');
    const schema = await stack.api(stack.admin.key).get('/api/schema/');
    const execute = schema.body.paths['/api/plugins/toolkit/commands/{id}/execute/'].post;

    expect(metrics.text).toMatch(
      /toolkit_gateway_executions_submitted_total\{[^}]*mode="sync"[^}]*\} \d+/,
    );
    expect(metrics.text).toMatch(
      /toolkit_gateway_executions_completed_total\{[^}]*mode="sync",outcome="succeeded"[^}]*\} \d+/,
    );
    expect(metrics.text).toMatch(
      /toolkit_gateway_execution_wait_seconds_count\{[^}]*outcome="succeeded"/,
    );
    expect(metrics.text).toMatch(/toolkit_gateway_execution_waits_in_flight\{[^}]*\} 0/);
    expect(execute.requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/ExecuteRequest',
    );
    expect(Object.keys(execute.responses)).toEqual(
      expect.arrayContaining(['200', '202', '400', '403', '404', '429', '503', '504']),
    );
    expect(execute.parameters.map((p: { name: string }) => p.name)).toContain('Idempotency-Key');
    expect(schema.body.components.schemas.ExecuteRequest.properties.timeout).toMatchObject({
      minimum: 5,
      maximum: 300,
    });
    expect(schema.body.paths['/api/plugins/toolkit/executions/{id}/cancel/'].post).toBeDefined();
    expect(schema.body.paths['/api/plugins/toolkit/rate-limit/'].get.parameters[0]).toMatchObject({
      name: 'device_id',
      required: true,
    });
  });
});
