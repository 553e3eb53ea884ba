import { randomUUID } from 'node:crypto';
import { eventually } from '@toolkit/testing';
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

beforeAll(async () => {
  stack = await startExecutionStack({
    devices: [
      { name: 'r1', platform: 'ios' },
      { name: 'r2', platform: 'ios' },
      { name: 'sw1', platform: 'eos' },
      { name: 'slow1', platform: 'ios', faults: { latencyPerByteMs: 2 } },
      { name: 'dead1', platform: 'ios', faults: { refuseConnections: true } },
    ],
  });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const admin = () => stack.api(stack.admin.key);

async function command(body: Record<string, unknown>): Promise<number> {
  const created = await admin().post('/api/plugins/toolkit/commands/', {
    platforms: [stack.platforms['ios'], stack.platforms['eos']],
    ...body,
    name: `${String(body['name'] ?? 'cmd')}-${randomUUID().slice(0, 6)}`,
  });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  return created.body.id as number;
}

describe('running a command through the API', () => {
  it('when a show command is run synchronously, then the answer has the output, the original shape, and a log readable at once', async () => {
    const id = await command({ name: 'version', command: 'show version' });

    const res = await admin().post(`/api/plugins/toolkit/commands/${id}/execute/`, {
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
      parsed_output: { success: false, method: null, data: [] },
      rendered_command: 'show version',
      error_class: null,
      notes: 'change CHG-42',
      status: 'succeeded',
    });
    expect(res.body.output).toContain('Cisco IOS');
    expect(res.body.execution_time).toBeGreaterThan(0);
    expect(res.body.url).toBe(
      `${res.body.url.split('/api/')[0]}/api/plugins/toolkit/executions/${res.body.execution_id}/`,
    );
    expect(res.headers['x-ratelimit-limit']).toBe('10');
    expect(log.status).toBe(200);
    expect(log.body).toMatchObject({
      execution_id: res.body.execution_id,
      success: true,
      notes: 'change CHG-42',
      username: DEVICE_LOGIN.username,
    });
    expect(JSON.stringify(log.body)).not.toContain(DEVICE_LOGIN.password);
  });

  it('when the command is run asynchronously, then 202 names the execution, which moves to succeeded with its result', async () => {
    const id = await command({ name: 'clock', command: 'show clock' });

    const res = await admin().post(`/api/plugins/toolkit/commands/${id}/execute/`, {
      device_id: stack.devices['r2'],
      ...login,
      async: true,
    });
    const execution = await eventually(async () => {
      const got = await admin().get(`/api/plugins/toolkit/executions/${res.body.execution_id}/`);
      expect(got.body.status).toBe('succeeded');
      return got.body;
    });

    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      execution_id: expect.any(String),
      url: expect.stringMatching(/\/api\/plugins\/toolkit\/executions\/[0-9a-f-]{36}\/$/),
      status: 'queued',
    });
    expect(res.headers['location']).toBe(res.body.url);
    expect(execution.result.success).toBe(true);
    expect(execution.result.output.length).toBeGreaterThan(0);
  });

  it('when the device rejects the command, then 400 carries the vendor syntax error and the log says so', async () => {
    const id = await command({ name: 'typo', command: 'show verzion' });

    const res = await admin().post(`/api/plugins/toolkit/commands/${id}/execute/`, {
      device_id: stack.devices['r1'],
      ...login,
    });

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      success: false,
      error_class: 'syntax_error',
      syntax_error: { detected: true, guidance_provided: true },
      status: 'failed',
    });
    expect(res.body.error_message).toMatch(/rejected the command/);
    expect(typeof res.body.command_log_id).toBe('number');
  });

  it('when the device refuses connections, then 400 names the error class', async () => {
    const id = await command({ name: 'unreachable', command: 'show version' });

    const res = await admin().post(`/api/plugins/toolkit/commands/${id}/execute/`, {
      device_id: stack.devices['dead1'],
      ...login,
      timeout: 10,
    });

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, error_class: 'unreachable' });
  });
});
