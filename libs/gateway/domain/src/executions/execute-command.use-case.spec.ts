import type {
  ExecutionRepresentation,
  RenderRequest,
  RenderResponse,
} from '@toolkit/api-contracts';
import type { ExecutionRequest } from '@toolkit/contracts';
import { AppError } from '@toolkit/errors';
import { CompletionWaiters } from './completion-waiters';
import { ExecutionService } from './execute-command.use-case';
import type { ExecutionTicket } from './execute-command.use-case';
import { executeAnswer } from './execution-answer';
import { RateLimiter } from './rate-limit';
import type { RateLimitStore } from './rate-limit';
import type { IdempotencyRecord } from './idempotency';
import { MemoryKeys } from './test-doubles';

const PRINCIPAL = { id: 7, username: 'alice', isSuperuser: false };
const CONTEXT = { origin: 'https://netbox.example.com' };
const RENDERED: RenderResponse = {
  rendered_command: 'show version',
  variables: {},
  command: { id: 1, name: 'Show version', command_type: 'show' },
  parsing: null,
  device: { id: 3, name: 'r3', host: '10.0.0.3', port: 22, platform: 'cisco_ios' },
  credentials: { alg: 'A256GCM', kid: 'k1', iv: 'AA==', tag: 'AA==', ct: 'AA==' },
  username: 'netops',
  credential_set: null,
};

function execution(id: string, status: ExecutionRepresentation['status']): ExecutionRepresentation {
  return {
    id,
    url: `https://netbox.example.com/api/plugins/toolkit/executions/${id}/`,
    display: 'Show version on r3',
    status,
    command: { id: 1, name: 'Show version' },
    command_type: 'show',
    device: { id: 3, name: 'r3' },
    platform: 'cisco_ios',
    user: { id: 7, username: 'alice' },
    bulk_job: null,
    bulk_position: null,
    rendered_command: 'show version',
    notes: '',
    attempts: 1,
    requested_at: null,
    started_at: null,
    finished_at: null,
    result:
      status === 'succeeded'
        ? {
            success: true,
            output: 'Cisco IOS Software',
            error_message: '',
            error_class: null,
            execution_duration: 0.2,
            syntax_error: { detected: false },
            parsed_output: {
              success: false,
              method: null,
              template: null,
              data: [],
              error: null,
            },
            command_log_id: 11,
          }
        : null,
    created: '2026-12-01T10:00:00.000Z',
    last_updated: '2026-12-01T10:00:00.000Z',
  };
}

const noLimits: RateLimitStore = {
  slotsOf: async () => [],
  claim: async () => true,
  settle: async () => undefined,
  settleExecution: async () => undefined,
  trim: async () => undefined,
  recordAuthFailure: async () => undefined,
  authFailuresOf: async () => [],
};

function setup(
  options: {
    render?: (r: RenderRequest) => Promise<RenderResponse>;
    /** Makes the next publishes fail (the broker unreachable, or its acknowledgement lost). */
    failPublishes?: () => boolean;
  } = {},
) {
  const published: ExecutionRequest[] = [];
  const executions = new Map<string, ExecutionRepresentation>();
  const waiters = new CompletionWaiters();
  const keys = new MemoryKeys();
  const tickets: ExecutionTicket[] = [];
  let ids = 0;
  const service = new ExecutionService({
    renderer: { render: options.render ?? (async () => RENDERED) },
    bus: {
      publishRequest: async (request) => {
        if (options.failPublishes?.()) throw AppError.unavailable('Kafka');
        published.push(request);
        executions.set(request.executionId, execution(request.executionId, 'queued'));
      },
      publishCancellation: async () => undefined,
    },
    reader: { get: async (id) => executions.get(id) },
    tickets: {
      record: async (t) => {
        tickets.push(t);
      },
      find: async (id) => tickets.find((t) => t.executionId === id),
    },
    rateLimiter: new RateLimiter({
      store: noLimits,
      policy: {
        enabled: true,
        limit: 10,
        windowMs: 300_000,
        bypassUsers: [],
        bypassGroups: [],
        authFailureLimit: 3,
        authFailureWindowMs: 900_000,
      },
      clock: { now: () => new Date() },
    }),
    idempotency: keys,
    fingerprints: { keyId: (u, k) => `${u}:${k}`, of: (v) => JSON.stringify(v) },
    waiters,
    clock: { now: () => new Date() },
    newExecutionId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
    settings: { waitGraceMs: 1_000, cancelWaitMs: 100, pollIntervalsMs: [60_000] },
    warn: () => undefined,
    sleep: () => new Promise((resolve) => setImmediate(resolve)),
  });
  /** The executor ran it and analytics announced it. */
  const finish = (id: string) => {
    executions.set(id, execution(id, 'succeeded'));
    waiters.notify(id);
  };
  return { service, published, executions, finish, keys, tickets, waiters };
}

const body = {
  device_id: 3,
  username: 'netops',
  password: 'pw',
  timeout: 30,
  async: false,
};
const permissions = {
  execute_show: null,
  execute_config: false as const,
  view_command: null,
  view_device: null,
};
const submit = (
  service: ExecutionService,
  overrides: Partial<Parameters<ExecutionService['submit']>[0]> = {},
) =>
  service.submit({
    requester: PRINCIPAL,
    groupNames: [],
    commandId: 1,
    body,
    permissions,
    context: CONTEXT,
    ...overrides,
  });

describe('execution service', () => {
  it('when a synchronous execute is published, then it waits for the completion and answers from the recorded execution', async () => {
    const { service, published, finish, tickets } = setup();

    const pending = submit(service);
    await new Promise((resolve) => setImmediate(resolve));
    finish(published[0]?.executionId ?? '');
    const outcome = await pending;

    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      renderedCommand: 'show version',
      timeoutMs: 30_000,
      requestedBy: { userId: 7, username: 'alice' },
    });
    expect(outcome.kind).toBe('finished');
    // Its id reaches the client only once analytics knows it: no ticket needed.
    expect(tickets).toEqual([]);
    if (outcome.kind === 'finished')
      expect(executeAnswer(outcome.execution)).toMatchObject({
        success: true,
        output: 'Cisco IOS Software',
        execution_time: 0.2,
        command_log_id: 11,
        error_message: null,
      });
  });

  it('when the catalog resolves a template, then the request carries it as parsing; without one, no parsing at all', async () => {
    // Arrange
    const parsing = {
      template: 'cisco_ios_show_version.textfsm',
      texts: ['Value V (\\S+)\n\nStart\n'],
    };
    const { service, published } = setup({
      render: async (r) => (r.device_id === 3 ? { ...RENDERED, parsing } : RENDERED),
    });

    // Act
    await submit(service, { body: { ...body, async: true } });
    await submit(service, { body: { ...body, device_id: 4, async: true } });

    // Assert
    expect(published[0]?.parsing).toEqual(parsing);
    expect(published[1]).not.toHaveProperty('parsing');
    expect(published[1]).not.toHaveProperty('parsingTemplate');
  });

  it('when requests with one key arrive together, then one publishes and the others wait for it, then share its execution', async () => {
    const { service, published, finish } = setup();

    const answers = Promise.all(
      Array.from({ length: 5 }, () => submit(service, { idempotencyKey: 'k-1' })),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    finish(published[0]?.executionId ?? '');
    const outcomes = await answers;

    expect(published).toHaveLength(1);
    expect(new Set(outcomes.map((o) => o.executionId)).size).toBe(1);
    expect(outcomes.filter((o) => o.replayed)).toHaveLength(4);
    expect(outcomes.every((o) => o.kind === 'finished')).toBe(true);
  });

  it('when the first request with a key is refused before publishing, then the key is released for a corrected retry', async () => {
    let refuse = true;
    const { service, published, keys, tickets } = setup({
      render: async () => {
        if (refuse) throw AppError.validation({ device_id: ['Device with ID 3 not found.'] });
        return RENDERED;
      },
    });

    await expect(
      submit(service, { idempotencyKey: 'k-2', body: { ...body, async: true } }),
    ).rejects.toThrow();
    const afterRefusal = keys.records.size;
    refuse = false;
    const retried = await submit(service, {
      idempotencyKey: 'k-2',
      body: { ...body, async: true },
    });

    expect(afterRefusal).toBe(0);
    expect(retried).toMatchObject({ kind: 'accepted', replayed: false });
    expect(published).toHaveLength(1);
    expect(tickets.map((t) => t.executionId)).toEqual([retried.executionId]);
  });

  it('when a key comes back with another body, then it is refused naming the header', async () => {
    const { service } = setup();
    await submit(service, { idempotencyKey: 'k-3', body: { ...body, async: true } });

    const other = submit(service, {
      idempotencyKey: 'k-3',
      body: { ...body, async: true, notes: 'x' },
    });

    await expect(other).rejects.toMatchObject({
      category: 'validation',
      fieldErrors: { 'Idempotency-Key': [expect.stringContaining('another request')] },
    });
  });

  it('when the wait is released (shutdown) or the client goes away, then the outcome says interrupted and no wait is left', async () => {
    const { service, waiters } = setup();
    const aborter = new AbortController();

    const gone = submit(service, { signal: aborter.signal });
    const stopped = submit(service);
    await new Promise((resolve) => setImmediate(resolve));
    aborter.abort();
    service.releaseWaits();

    expect((await gone).kind).toBe('interrupted');
    expect((await stopped).kind).toBe('interrupted');
    expect(waiters.size).toBe(0);
  });
});

describe('idempotency after failures', () => {
  it('when publishing failed with a key, then a retry publishes again under the same execution id', async () => {
    let failing = true;
    const { service, published, keys } = setup({ failPublishes: () => failing });
    const asyncBody = { ...body, async: true };

    const first = submit(service, { idempotencyKey: 'k-9', body: asyncBody });
    await expect(first).rejects.toMatchObject({ code: 'execution-not-queued' });
    const kept = { ...[...keys.records.values()][0] };
    failing = false;
    const retried = await submit(service, { idempotencyKey: 'k-9', body: asyncBody });

    expect(kept).toMatchObject({ state: 'failed' });
    expect(retried).toMatchObject({ kind: 'accepted', replayed: false });
    expect(retried.executionId).toBe(kept?.executionId);
    expect(published.map((r) => r.executionId)).toEqual([kept?.executionId]);
    expect([...keys.records.values()][0]?.state).toBe('accepted');
  });

  it('when a key was left pending by a request that died, then a retry replays it if analytics knows it, else publishes it under the same id', async () => {
    const { service, published, keys, executions } = setup();
    const old = new Date(Date.now() - 60_000);
    const orphan = (id: string, executionId: string): IdempotencyRecord => ({
      id,
      userId: PRINCIPAL.id,
      fingerprint: JSON.stringify({ command: 1, body: { ...body, async: true } }),
      executionId,
      state: 'pending',
      created: old,
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    keys.records.set('7:published', orphan('7:published', 'e-published'));
    keys.records.set('7:lost', orphan('7:lost', 'e-lost'));
    executions.set('e-published', execution('e-published', 'running'));

    const known = await submit(service, {
      idempotencyKey: 'published',
      body: { ...body, async: true },
    });
    const lost = await submit(service, { idempotencyKey: 'lost', body: { ...body, async: true } });

    expect(known).toMatchObject({ replayed: true, executionId: 'e-published', status: 'running' });
    expect(lost).toMatchObject({ replayed: false, executionId: 'e-lost' });
    expect(published.map((r) => r.executionId)).toEqual(['e-lost']);
  });

  it('when the gateway is shutting down, then a new execute is refused before anything is claimed or published', async () => {
    const { service, published, keys } = setup();
    service.releaseWaits();

    const refused = submit(service, { idempotencyKey: 'k-late' });

    await expect(refused).rejects.toMatchObject({
      category: 'unavailable',
      code: 'gateway-shutting-down',
    });
    expect(published).toEqual([]);
    expect(keys.records.size).toBe(0);
  });
});

describe('completion waiters', () => {
  it('when a completion comes before the waiter asks, then its next wait returns at once; otherwise at the interval', async () => {
    const waiters = new CompletionWaiters();
    const early = waiters.register('a');
    const late = waiters.register('b');
    waiters.notify('a');

    const started = Date.now();
    const reasons = [await early.next(10_000), await late.next(20)];

    expect(reasons).toEqual(['completed', 'tick']);
    expect(Date.now() - started).toBeLessThan(1_000);
    early.dispose();
    late.dispose();
    expect(waiters.size).toBe(0);
  });
});
