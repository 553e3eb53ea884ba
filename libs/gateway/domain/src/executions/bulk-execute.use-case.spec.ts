import type { BulkRenderRequest, BulkRenderResponse, RenderResponse } from '@toolkit/api-contracts';
import type { ExecutionBatch, ExecutionRequest } from '@toolkit/contracts';
import { AppError } from '@toolkit/errors';
import { anExecutionRequest } from '@toolkit/testing';
import { BulkExecutionService, devicesBatches, rejectedResultOf } from './bulk-execute.use-case';
import { CompletionWaiters } from './completion-waiters';
import { RateLimiter } from './rate-limit';
import type { RateLimitPolicy } from './rate-limit';
import { MemoryKeys, MemoryStore } from './test-doubles';

const PRINCIPAL = { id: 7, username: 'alice', isSuperuser: false };
const CONTEXT = { origin: 'https://netbox.example.com' };
const GRANTS = { execute_show: null, execute_config: null, view_command: null, view_device: null };
const LOGIN = { username: 'netops', password: 'pw' };

/** Command 4 is parsed with its inline template; the others are not parsed. */
const INLINE = { template: 'inline', texts: ['Value V (\\S+)\n\nStart\n  ^${V} -> Record\n'] };

function rendered(item: BulkRenderRequest['items'][number]): RenderResponse {
  return {
    rendered_command: `show thing ${item.command_id}`,
    variables: {},
    command: {
      id: item.command_id,
      name: `c${item.command_id}`,
      command_type: 'show',
    },
    parsing: item.command_id === 4 ? INLINE : null,
    device: {
      id: item.device_id,
      name: `d${item.device_id}`,
      host: '10.0.0.1',
      port: 22,
      platform: 'cisco_ios',
    },
    credentials: { alg: 'A256GCM', kid: 'k1', iv: 'AA==', tag: 'AA==', ct: 'AA==' },
    username: 'username' in item.credentials ? item.credentials.username : 'token-user',
    credential_set: null,
  };
}

/**
 * The catalog: device 404 is missing (400 naming device_id), command 404 is missing or
 * hidden (404, as /internal/render answers one execute), the rest renders.
 */
async function renderMany(request: BulkRenderRequest): Promise<BulkRenderResponse> {
  return {
    results: request.items.map((item) =>
      item.device_id === 404
        ? {
            error: { status: 400, body: { device_id: ['Device with ID 404 not found.'] } },
            command: { id: item.command_id, name: `c${item.command_id}` },
          }
        : item.command_id === 404
          ? { error: { status: 404, body: { detail: 'Not found.' } } }
          : { rendered: rendered(item) },
    ),
  };
}

function setup(options: { policy?: Partial<RateLimitPolicy>; failPublish?: boolean } = {}) {
  const published: ExecutionBatch[][] = [];
  const rates = new MemoryStore();
  const waiters = new CompletionWaiters();
  let ids = 0;
  const service = new BulkExecutionService({
    renderer: { renderMany },
    bus: {
      publishBatches: async (batches) => {
        if (options.failPublish) throw new Error('broker down');
        published.push([...batches]);
      },
      publishCancellation: async () => undefined,
    },
    jobs: { get: async () => undefined },
    tickets: { record: async () => undefined, find: async () => undefined },
    rateLimiter: new RateLimiter({
      store: rates,
      policy: {
        enabled: false,
        limit: 10,
        windowMs: 300_000,
        bypassUsers: [],
        bypassGroups: [],
        authFailureLimit: 5,
        authFailureWindowMs: 900_000,
        ...options.policy,
      },
      clock: { now: () => new Date() },
    }),
    idempotency: new MemoryKeys(),
    fingerprints: { keyId: (u, k) => `${u}:${k}`, of: (v) => JSON.stringify(v) },
    waiters,
    clock: { now: () => new Date() },
    newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
    deriveId: (namespace, name) => `${namespace.slice(0, 24)}${name.padStart(12, '0')}`,
    settings: {
      waitGraceMs: 0,
      maxWaitMs: 1_000,
      pollIntervalsMs: [50],
      maxBatchBytes: 512 * 1024,
      limitConcurrency: 4,
    },
    warn: () => undefined,
  });
  const submit = (executions: unknown[], extra: Record<string, unknown> = {}) =>
    service.submit({
      requester: PRINCIPAL,
      groupNames: [],
      body: { executions, timeout: 30, async: true, ...LOGIN, ...extra },
      permissions: GRANTS,
      context: CONTEXT,
    });
  return { service, published, rates, submit };
}

describe('bulk execution', () => {
  it('when items are mixed, then refused ones are reported with their position and the rest go as one message per device in the order given', async () => {
    const { published, submit } = setup();

    const outcome = await submit([
      { command_id: 1, device_id: 10 },
      { command_id: 2, device_id: 20 },
      { command_id: 'x', device_id: 10 },
      { command_id: 3, device_id: 404 },
      { command_id: 4, device_id: 10, timeout: 60, notes: 'own' },
      { command_id: 404, device_id: 10 },
    ]);

    expect(outcome.kind).toBe('accepted');
    expect(outcome.rejected.map((r) => [r.position, r.status])).toEqual([
      [2, 400],
      [3, 400],
      [5, 400],
    ]);
    expect(outcome.rejected[0]?.body).toHaveProperty('command_id');
    expect(rejectedResultOf(outcome.rejected[1]!).error_message).toBe(
      'device_id: Device with ID 404 not found.',
    );
    // The command is a field of the item here, not the URL's: named, like the device.
    expect(outcome.rejected[2]?.body).toEqual({ command_id: ['Command with ID 404 not found.'] });
    // Names where the catalog gave them: the missing device's item names its command only.
    expect(outcome.rejected.map((r) => [r.commandName, r.deviceName])).toEqual([
      [undefined, undefined],
      ['c3', undefined],
      [undefined, undefined],
    ]);
    const batches = published[0] ?? [];
    expect(batches.map((b) => [b.device.id, b.items.map((i) => i.position)])).toEqual([
      [10, [0, 4]],
      [20, [1]],
    ]);
    const device10 = batches[0]!;
    expect(device10.job).toMatchObject({ total: 6, accepted: 3, rejected: 3 });
    expect(device10.items.map((i) => [i.timeoutMs, i.notes])).toEqual([
      [30_000, undefined],
      [60_000, 'own'],
    ]);
    expect(new Set(device10.items.map((i) => i.executionId)).size).toBe(2);
    expect(device10.items.every((i) => i.bulkJobId === outcome.jobId)).toBe(true);
    expect(device10.items.map((i) => i.parsing ?? null)).toEqual([null, INLINE]);
  });

  it('when an item has no login and the request none to share, then that item is refused naming credential_token', async () => {
    const { submit } = setup();

    const outcome = await submit(
      [
        { command_id: 1, device_id: 10, credential_token: 'tok' },
        { command_id: 1, device_id: 10 },
      ],
      { username: undefined, password: undefined },
    );

    expect(outcome.accepted).toHaveLength(1);
    expect(outcome.rejected[0]).toMatchObject({ position: 1, status: 400 });
    expect(outcome.rejected[0]?.body).toHaveProperty('credential_token');
  });

  it('when a device has more items than its rate limit allows, then the items beyond it are refused with 429 and the device never goes over', async () => {
    const { published, rates, submit } = setup({ policy: { enabled: true, limit: 2 } });

    const outcome = await submit([
      { command_id: 1, device_id: 10 },
      { command_id: 2, device_id: 10 },
      { command_id: 3, device_id: 20 },
      { command_id: 4, device_id: 10 },
      { command_id: 5, device_id: 10 },
    ]);

    expect(outcome.rejected.map((r) => [r.position, r.status])).toEqual([
      [3, 429],
      [4, 429],
    ]);
    expect(outcome.rejected[0]?.body).toMatchObject({ error: 'Rate limit exceeded' });
    // Rendered before they were refused: reported by name.
    expect(
      outcome.rejected.map((r) => [
        rejectedResultOf(r).command.name,
        rejectedResultOf(r).device.name,
      ]),
    ).toEqual([
      ['c4', 'd10'],
      ['c5', 'd10'],
    ]);
    expect(published[0]?.map((b) => b.items.length)).toEqual([2, 1]);
    const slots = [...rates.slots.values()].filter((s) => s.deviceId === 10);
    expect(slots).toHaveLength(2);
    // The second item starts after the first: its reservation outlasts the first's by its timeout.
    const [a, b] = slots.map((slot) => slot.expiresAt.getTime()).sort((x, y) => x - y);
    expect((b ?? 0) - (a ?? 0)).toBeGreaterThanOrEqual(30_000 - 1_000);
  });

  it('when no item can run, then the request is refused with one entry per item', async () => {
    const { published, submit } = setup();

    const refused = await submit([{ command_id: 1, device_id: 404 }, { device_id: 1 }]).catch(
      (e: unknown) => e,
    );

    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).details?.items).toHaveLength(2);
    expect(published).toHaveLength(0);
  });

  it('when the broker refuses the job, then 503 and every reservation taken for it is released', async () => {
    const { rates, submit } = setup({ policy: { enabled: true, limit: 5 }, failPublish: true });

    const refused = await submit([
      { command_id: 1, device_id: 10 },
      { command_id: 2, device_id: 10 },
    ]).catch((e: unknown) => e);

    expect((refused as AppError).category).toBe('unavailable');
    expect([...rates.slots.values()].every((s) => s.state === 'released')).toBe(true);
  });

  it('when a synchronous job is waited on, then it finishes once every item has been announced complete', async () => {
    const { service } = setup();
    const waiting = service.submit({
      requester: PRINCIPAL,
      groupNames: [],
      body: {
        executions: [
          { command_id: 1, device_id: 10 },
          { command_id: 2, device_id: 20 },
        ],
        timeout: 30,
        async: false,
        ...LOGIN,
      },
      permissions: GRANTS,
      context: CONTEXT,
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    const jobId = '00000000-0000-4000-8000-000000000001';
    const complete = (executionId: string) =>
      service.wake({
        executionId,
        outcome: 'succeeded',
        success: true,
        errorClass: null,
        commandLogId: 1,
        commandType: 'show',
        device: { id: 10, name: 'd10' },
        username: 'netops',
        requestedBy: { userId: 7, username: 'alice' },
        finishedAt: new Date().toISOString(),
        bulkJobId: jobId,
      });
    complete(`${jobId.slice(0, 24)}000000000000`);
    complete(`${jobId.slice(0, 24)}000000000001`);

    const outcome = await waiting;

    expect(outcome.kind).toBe('finished');
    expect(outcome.accepted.map((a) => a.position)).toEqual([0, 1]);
  });
});

describe('bulk job messages', () => {
  const request = (device: number, timeoutMs: number, bytes = 0): ExecutionRequest =>
    anExecutionRequest({
      device: { id: device, name: `d${device}`, host: 'h', port: 22, platform: 'cisco_ios' },
      timeoutMs,
      renderedCommand: `show x ${'y'.repeat(bytes)}`,
    });
  const job = {
    total: 4,
    accepted: 4,
    rejected: 0,
    requestedBy: { username: 'alice' },
    requestedAt: new Date().toISOString(),
  };

  it("when a device's items do not fit one message, then they are cut in order and each message knows how long the earlier ones may take", () => {
    const items = [
      request(1, 10_000, 600),
      request(1, 20_000, 600),
      request(1, 30_000, 600),
      request(2, 5_000),
    ];

    const size = Buffer.byteLength(JSON.stringify(items[0]));

    const batches = devicesBatches(
      '00000000-0000-4000-8000-000000000009',
      job,
      items,
      2 * size + 10,
    );

    expect(batches.map((b) => [b.device.id, b.items.length, b.queuedBehindMs])).toEqual([
      [1, 2, 0],
      [1, 1, 30_000],
      [2, 1, 0],
    ]);
  });
});
