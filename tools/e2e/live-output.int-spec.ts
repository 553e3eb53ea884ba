import { randomUUID } from 'node:crypto';
import { listen } from '../../apps/gateway/test/support/gateway-harness';
import type { ExecutionStack } from './test/execution-stack';
import { DEVICE_LOGIN, startExecutionStack } from './test/execution-stack';

/**
 * Live output (`/executions/{id}/stream/`) through a listening gateway, with the four
 * services over the real Kafka and MongoDB-wire servers and simulated devices over SSH.
 */
let stack: ExecutionStack;
let gateway: { url: string; close: () => Promise<void> };
const login = {
  username: DEVICE_LOGIN.username,
  password: DEVICE_LOGIN.password,
  enable_secret: DEVICE_LOGIN.enableSecret,
};

beforeAll(async () => {
  stack = await startExecutionStack({
    devices: [
      { name: 'r1', platform: 'ios' },
      // `show version` streams at 2 ms per byte: seconds for the whole output.
      { name: 'slow1', platform: 'ios', faults: { latencyPerByteMs: 2 } },
      { name: 'lx1', platform: 'linux' },
    ],
    executionConfig: { RATE_LIMIT_DEVICE_LIMIT: 10_000 },
  });
  gateway = await listen(stack.gateway.app);
}, 180_000);

afterAll(async () => {
  await gateway?.close();
  await stack?.close();
});

interface ReceivedEvent {
  id: string;
  event: string;
  data: Record<string, unknown>;
  /** ms since the stream was opened. */
  at: number;
}

/** Opens a stream and collects its events until it ends (or `stopAfter` says stop). */
async function follow(
  executionId: string | { bulkJob: string },
  options: {
    key?: string;
    lastEventId?: string;
    stopAfter?: (event: ReceivedEvent) => boolean;
  } = {},
): Promise<{
  status: number;
  contentType: string | null;
  events: ReceivedEvent[];
  body?: unknown;
}> {
  const started = performance.now();
  const controller = new AbortController();
  const path =
    typeof executionId === 'string'
      ? `executions/${executionId}`
      : `bulk-jobs/${executionId.bulkJob}`;
  const res = await fetch(`${gateway.url}/api/plugins/toolkit/${path}/stream/`, {
    headers: {
      Authorization: `Token ${options.key ?? stack.admin.key}`,
      Accept: 'text/event-stream',
      ...(options.lastEventId ? { 'Last-Event-ID': options.lastEventId } : {}),
    },
    signal: controller.signal,
  });
  const contentType = res.headers.get('content-type');
  if (!contentType?.startsWith('text/event-stream'))
    return { status: res.status, contentType, events: [], body: await res.json() };
  const events: ReceivedEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = res.body?.getReader();
  try {
    for (;;) {
      const { value, done } = (await reader?.read()) ?? { done: true, value: undefined };
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let boundary = buffer.indexOf('\n\n');
      while (boundary >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        boundary = buffer.indexOf('\n\n');
        const fields = Object.fromEntries(
          block
            .split('\n')
            .filter((line) => !line.startsWith(':') && line.includes(': '))
            .map((line) => [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)]),
        );
        if (fields['event'] === undefined) continue;
        const event: ReceivedEvent = {
          id: fields['id'] ?? '',
          event: fields['event'],
          data: JSON.parse(fields['data'] ?? '{}') as Record<string, unknown>,
          at: performance.now() - started,
        };
        events.push(event);
        if (options.stopAfter?.(event)) {
          controller.abort();
          return { status: res.status, contentType, events };
        }
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  }
  return { status: res.status, contentType, events };
}

async function command(name: string, text: string, platform = 'ios'): Promise<number> {
  const created = await stack.api(stack.admin.key).post('/api/plugins/toolkit/commands/', {
    name: `${name}-${randomUUID().slice(0, 6)}`,
    command: text,
    platforms: [stack.platforms[platform]],
    parsing_template: 'none',
  });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  return created.body.id as number;
}

async function runAsync(commandId: number, device: string, stream: boolean): Promise<string> {
  const res = await stack
    .api(stack.admin.key)
    .post(`/api/plugins/toolkit/commands/${commandId}/execute/`, {
      device_id: stack.devices[device],
      ...login,
      async: true,
      ...(stream ? { stream: true } : {}),
    });
  if (res.status !== 202) throw new Error(JSON.stringify(res.body));
  expect(res.body.stream_url).toBe(`${String(res.body.url)}stream/`);
  return res.body.execution_id as string;
}

const outputOf = (events: readonly ReceivedEvent[]) =>
  events
    .filter((e) => e.event === 'output')
    .map((e) => String(e.data['text']))
    .join('');

describe('following an execution live', () => {
  it('when a slow command streams, then its first line arrives well before the command ends, the pieces make exactly the result output, and the stream ends', async () => {
    const id = await command('version', 'show version');
    const executionId = await runAsync(id, 'slow1', true);

    const { status, contentType, events } = await follow(executionId);

    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/event-stream/);
    const result = events.find((e) => e.event === 'result');
    const firstOutput = events.find((e) => e.event === 'output');
    expect(result?.data['status']).toBe('succeeded');
    expect(firstOutput).toBeDefined();
    // Seconds of output at 2 ms per byte: the first piece comes long before the result.
    expect((result?.at ?? 0) - (firstOutput?.at ?? 0)).toBeGreaterThan(1_000);
    const resultOutput = (result?.data['result'] as { output: string }).output;
    expect(outputOf(events)).toBe(resultOutput);
    expect(events.at(-1)).toMatchObject({ event: 'end', data: { reason: 'finished' } });
  });

  it('when a client disconnects mid-output and reconnects with Last-Event-ID, then it gets the rest exactly once', async () => {
    const id = await command('version', 'show version');
    const executionId = await runAsync(id, 'slow1', true);

    const first = await follow(executionId, {
      stopAfter: (e) => e.event === 'output' && e.id.endsWith(':0') === false,
    });
    const lastId = first.events.at(-1)?.id ?? '';
    const rest = await follow(executionId, { lastEventId: lastId });

    const result = rest.events.find((e) => e.event === 'result');
    const resultOutput = (result?.data['result'] as { output: string }).output;
    expect(lastId).toMatch(/^\d+:\d+$/);
    expect(outputOf(first.events) + outputOf(rest.events)).toBe(resultOutput);
    expect(outputOf(first.events).length).toBeGreaterThan(0);
    expect(outputOf(first.events).length).toBeLessThan(resultOutput.length);
  });

  it('when an execution was not asked to stream, then its stream gives status and the result (no pieces of output beyond the result)', async () => {
    const id = await command('clock', 'show clock');
    const executionId = await runAsync(id, 'r1', false);

    const { events } = await follow(executionId);

    expect(events.map((e) => e.event)).toContain('result');
    expect(events.at(-1)?.event).toBe('end');
    const result = events.find((e) => e.event === 'result');
    expect(outputOf(events)).toBe((result?.data['result'] as { output: string }).output);
  });

  it('when a finished execution is followed, then it is replayed and the stream closes; from a Last-Event-ID, only the rest', async () => {
    const id = await command('version', 'show version');
    const executionId = await runAsync(id, 'r1', false);
    await follow(executionId);

    const replay = await follow(executionId);
    const partial = await follow(executionId, { lastEventId: '0:100' });

    const output = (
      replay.events.find((e) => e.event === 'result')?.data['result'] as {
        output: string;
      }
    ).output;
    expect(replay.events.map((e) => e.event)).toEqual([
      'status',
      ...replay.events.filter((e) => e.event === 'output').map(() => 'output'),
      'result',
      'end',
    ]);
    expect(outputOf(replay.events)).toBe(output);
    expect(outputOf(partial.events)).toBe(output.slice(100));
  });

  it('when the execution does not exist, is not visible, or the id is malformed, then 404 or 403 with a NetBox body, never a stream', async () => {
    const id = await command('clock', 'show clock');
    const executionId = await runAsync(id, 'r1', false);
    const stranger = await stack.gateway.user();
    const viewer = await stack.gateway.user();
    await stack.gateway.grant({
      userIds: [viewer.id],
      objectTypes: ['toolkit.execution'],
      actions: ['view'],
      constraints: { user_id: 999_999 },
    });

    const [missing, malformed, noPermission, notVisible] = await Promise.all([
      follow(randomUUID()),
      fetch(`${gateway.url}/api/plugins/toolkit/executions/not-a-uuid/stream/`, {
        headers: { Authorization: `Token ${stack.admin.key}` },
      }),
      follow(executionId, { key: stranger.key }),
      follow(executionId, { key: viewer.key }),
    ]);

    expect([missing.status, missing.body]).toEqual([404, { detail: 'Not found.' }]);
    expect(malformed.status).toBe(404);
    expect(noPermission.status).toBe(403);
    expect([notVisible.status, notVisible.body]).toEqual([404, { detail: 'Not found.' }]);
  });

  it('when a bulk job is followed, then every item is reported once with its outcome, progress counts follow, and the job ends the stream', async () => {
    const clock = await command('clock', 'show clock');
    const version = await command('version', 'show version');
    const submitted = await stack
      .api(stack.admin.key)
      .post('/api/plugins/toolkit/commands/bulk-execute/', {
        ...login,
        async: true,
        executions: [
          { command_id: clock, device_id: stack.devices['r1'] },
          { command_id: version, device_id: stack.devices['r1'] },
          { command_id: clock, device_id: stack.devices['slow1'] },
          { command_id: clock, device_id: stack.devices['r1'] },
        ],
      });
    expect(submitted.status).toBe(202);
    const jobId = String(submitted.body.id);

    const { events } = await follow({ bulkJob: jobId });

    const finals = events
      .filter(
        (e) => e.event === 'item' && !['queued', 'running'].includes(String(e.data['status'])),
      )
      .map((e) => e.data);
    expect(finals).toHaveLength(4);
    expect(new Set(finals.map((f) => f['execution_id'])).size).toBe(4);
    expect(finals.every((f) => f['status'] === 'succeeded')).toBe(true);
    const progress = events.filter((e) => e.event === 'progress');
    expect(progress.length).toBeGreaterThanOrEqual(1);
    const job = events.find((e) => e.event === 'job');
    expect(job?.data).toMatchObject({ id: jobId, status: 'completed', done: 4 });
    expect(events.at(-1)).toMatchObject({ event: 'end', data: { reason: 'finished' } });
  });

  it('when 2 MB of output streams, then it arrives whole with the gateway holding at most its bound, and a client that does not read stalls no other stream', async () => {
    const id = await command('seq', 'seq 1 310000', 'linux');
    const executionId = await runAsync(id, 'lx1', true);
    const hub = stack.gateway.executions.streams;
    let maxHeld = 0;
    const sampler = setInterval(() => {
      maxHeld = Math.max(maxHeld, hub.heldChars);
    }, 20);
    // A client that never reads its stream.
    const stalled = new AbortController();
    const idle = await fetch(
      `${gateway.url}/api/plugins/toolkit/executions/${executionId}/stream/`,
      { headers: { Authorization: `Token ${stack.admin.key}` }, signal: stalled.signal },
    );

    const { events } = await follow(executionId);
    clearInterval(sampler);
    stalled.abort();

    const result = events.find((e) => e.event === 'result');
    const output = (result?.data['result'] as { output: string }).output;
    expect(idle.status).toBe(200);
    expect(output.length).toBeGreaterThan(2_000_000);
    expect(outputOf(events)).toBe(output);
    expect(events.filter((e) => e.event === 'output').length).toBeGreaterThan(10);
    expect(maxHeld).toBeLessThanOrEqual(4 * 1024 * 1024);
  });

  it('when a followed execution is cancelled mid-output, then the stream ends saying so', async () => {
    const id = await command('version', 'show version');
    const executionId = await runAsync(id, 'slow1', true);

    const following = follow(executionId);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const cancel = await stack
      .api(stack.admin.key)
      .post(`/api/plugins/toolkit/executions/${executionId}/cancel/`);
    const { events } = await following;

    expect([200, 202]).toContain(cancel.status);
    expect(events.find((e) => e.event === 'result')?.data['status']).toBe('cancelled');
    expect(events.at(-1)).toMatchObject({
      event: 'end',
      data: { reason: 'cancelled', status: 'cancelled' },
    });
  });

  it('when a user has as many streams open as allowed, then one more is refused with 429 until one closes', async () => {
    const id = await command('version', 'show version');
    const executionId = await runAsync(id, 'slow1', false);
    const url = `${gateway.url}/api/plugins/toolkit/executions/${executionId}/stream/`;
    const headers = { Authorization: `Token ${stack.admin.key}` };
    const controllers = Array.from({ length: 20 }, () => new AbortController());

    const open = await Promise.all(
      controllers.map((c) => fetch(url, { headers, signal: c.signal })),
    );
    const refused = await fetch(url, { headers });
    const refusedBody: unknown = await refused.json();
    controllers[0]?.abort();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const again = new AbortController();
    const accepted = await fetch(url, { headers, signal: again.signal });
    again.abort();
    controllers.forEach((c) => c.abort());

    expect(open.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(refused.status).toBe(429);
    expect(refusedBody).toEqual({ detail: 'At most 20 live streams per user: close one first.' });
    expect(accepted.status).toBe(200);
  });
});
