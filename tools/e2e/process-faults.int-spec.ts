import { randomUUID } from 'node:crypto';
import { eventually } from '@toolkit/testing';
import type { Json } from '../stack/process-stack';
import type { System } from './test/process-system';
import { BULK, EXECUTIONS, LOGS, executeUrl, startSystem } from './test/process-system';

/**
 * Processes of the system killed with SIGKILL mid-work, and devices that hang or refuse:
 * every test is bounded, stops by itself, and checks through the public API that nothing
 * was lost or doubled. Every service is its own process on the shared servers.
 */
const cred = (system: System) => ({ credential_token: system.credential });

/** Every execution of a bulk job, in position order. */
async function jobExecutions(system: System, jobId: string, total: number): Promise<Json[]> {
  const all: Json[] = [];
  for (let offset = 0; offset < total; offset += 1_000) {
    const page = await system.api(
      'GET',
      `${EXECUTIONS}?bulk_job=${jobId}&ordering=bulk_position&limit=1000&offset=${offset}`,
    );
    all.push(...(page.body.results as Json[]));
  }
  return all;
}

/** How many logs exist per execution id (a log is an execution's recorded result). */
async function logsPerExecution(system: System, query: string): Promise<Map<string, number>> {
  const res = await fetch(`${system.stack.gatewayUrl}${LOGS}export/?format=json&${query}`, {
    headers: { Authorization: `Token ${system.stack.token}` },
  });
  const body = (await res.json()) as { results: { execution_id: string }[] };
  const counts = new Map<string, number>();
  for (const log of body.results)
    counts.set(log.execution_id, (counts.get(log.execution_id) ?? 0) + 1);
  return counts;
}

describe('an executor killed with SIGKILL during a bulk job of 500 show commands over two executors', () => {
  let system: System;

  beforeAll(async () => {
    system = await startSystem({
      devices: 100,
      platforms: ['ios', 'eos'],
      executors: 2,
      // A dead member's partitions move to the survivor after the session timeout.
      executor: { EXECUTOR_SESSION_TIMEOUT_MS: '6000', EXECUTOR_FETCH_MAX_WAIT_MS: '500' },
    });
  }, 180_000);

  afterAll(async () => {
    await system?.close();
  }, 60_000);

  it('then every item ends with exactly one recorded result and one log', async () => {
    const version = await system.command({ name: 'version', command: 'show version' });
    // Five commands a device, 150 ms each: the job lasts seconds, long enough to kill in.
    await fetch(`${system.stack.simulatorControlUrl}/faults`, {
      method: 'PUT',
      body: JSON.stringify({ commandLatencyMs: 150 }),
    });
    const executions = Array.from({ length: 500 }, (_, i) => ({
      device_id: system.devices[system.sim[i % 100]?.name as string],
      command_id: version,
    }));

    const submitted = await system.api('POST', BULK, { executions, ...cred(system), async: true });
    await eventually(
      async () => {
        const job = await system.api('GET', `/api/plugins/toolkit/bulk-jobs/${submitted.body.id}/`);
        // A 404 (analytics has not read the job yet) has no `done`: not started either.
        if (job.status !== 200 || !(job.body.done >= 50))
          throw new Error(`${job.status} done ${job.body.done}`);
      },
      60_000,
      50,
    );
    await system.stack.kill('executor-1', 'SIGKILL');
    const job = await system.job(submitted.body.id, 150_000);
    const items = await jobExecutions(system, submitted.body.id, 500);
    const logs = await logsPerExecution(system, `bulk_job=${submitted.body.id}`);

    expect(submitted.status).toBe(202);
    expect(job).toMatchObject({
      total: 500,
      done: 500,
      summary: { total: 500, successful: 500, failed: 0, pending: 0 },
    });
    expect(items).toHaveLength(500);
    expect(items.filter((e) => e.status !== 'succeeded')).toEqual([]);
    expect(new Set(items.map((e) => e.id)).size).toBe(500);
    expect(logs.size).toBe(500);
    expect([...logs.values()].filter((n) => n !== 1)).toEqual([]);
    expect(items.every((e) => logs.has(e.id))).toBe(true);
  }, 240_000);
});

describe('a gateway killed with SIGKILL while 50 synchronous executions wait on it', () => {
  let system: System;

  beforeAll(async () => {
    system = await startSystem({ devices: 50, platforms: ['ios'] });
  }, 180_000);

  afterAll(async () => {
    await system?.close();
  }, 60_000);

  it('then each execution completes and is listed, and a client retrying with its idempotency key gets the result, not a second run', async () => {
    const clock = await system.command({ name: 'clock', command: 'show clock' });
    await fetch(`${system.stack.simulatorControlUrl}/faults`, {
      method: 'PUT',
      body: JSON.stringify({ commandLatencyMs: 3_000 }),
    });
    const requests = system.sim.map((d) => ({
      key: randomUUID(),
      body: { device_id: system.devices[d.name], ...cred(system), notes: 'gateway-kill' },
    }));
    const send = (r: (typeof requests)[number]) =>
      system.api('POST', executeUrl(clock), r.body, { 'Idempotency-Key': r.key });

    const waiting = requests.map((r) => send(r).catch((error: unknown) => error));
    await eventually(
      async () => {
        const queued = await system.api('GET', `${EXECUTIONS}?notes=gateway-kill&limit=1`);
        if (queued.body.count < 50) throw new Error(`${queued.body.count} accepted`);
      },
      30_000,
      50,
    );
    await system.stack.kill('gateway', 'SIGKILL');
    const cut = await Promise.all(waiting);
    await system.stack.restart('gateway');
    const retried = await Promise.all(requests.map(send));
    const listed = await eventually(async () => {
      const all = await system.api('GET', `${EXECUTIONS}?notes=gateway-kill&limit=100`);
      const unfinished = (all.body.results as Json[])
        .filter((e) => e.status !== 'succeeded')
        .map((e) => `${e.status} ${e.result?.error_class} ${e.result?.error_message}`);
      if (unfinished.length > 0) throw new Error(unfinished.slice(0, 5).join('\n'));
      return all.body;
    }, 60_000);
    const devices = await Promise.all(
      system.sim.map(async (d) => {
        const res = await fetch(`${system.stack.simulatorControlUrl}/devices/${d.name}`);
        return ((await res.json()) as { receivedCommands: string[] }).receivedCommands;
      }),
    );

    // Every first request was cut by the kill (the wait is longer than the window).
    // (fetch's errors come from another realm than Jest's: no instanceof Error)
    expect(
      cut.map((c) => (c && typeof c === 'object' && 'status' in c ? c.status : 'cut')),
    ).toEqual(requests.map(() => 'cut'));
    expect(retried.map((r) => r.status)).toEqual(requests.map(() => 200));
    expect(retried.map((r) => r.body.success)).toEqual(requests.map(() => true));
    expect(listed.count).toBe(50);
    expect(new Set(retried.map((r) => r.body.execution_id))).toEqual(
      new Set(listed.results.map((e: Json) => e.id)),
    );
    expect(devices.map((commands) => commands.filter((c) => c === 'show clock').length)).toEqual(
      requests.map(() => 1),
    );
    const logs = await system.api('GET', `${LOGS}?notes=gateway-kill&limit=1`);
    expect(logs.body.count).toBe(50);
  }, 180_000);
});

describe('analytics killed with SIGKILL mid-ingest', () => {
  let system: System;

  beforeAll(async () => {
    system = await startSystem({ devices: 100, platforms: ['ios', 'nxos'] });
  }, 180_000);

  afterAll(async () => {
    await system?.close();
  }, 60_000);

  it('then after its restart, logs and statistics agree with the results published: no gap, no double count', async () => {
    const version = await system.command({ name: 'version', command: 'show version' });
    const bogus = await system.command({ name: 'bogus', command: 'show bogus-thing' });
    const executions = Array.from({ length: 400 }, (_, i) => ({
      device_id: system.devices[system.sim[i % 100]?.name as string],
      command_id: i % 10 === 0 ? bogus : version,
    }));

    const submitted = await system.api('POST', BULK, { executions, ...cred(system), async: true });
    await eventually(
      async () => {
        const logs = await system.api('GET', `${LOGS}?bulk_job=${submitted.body.id}&limit=1`);
        if (logs.body.count < 40) throw new Error(`${logs.body.count} logs`);
      },
      60_000,
      20,
    );
    await system.stack.kill('analytics', 'SIGKILL');
    const whileDown = await system.api('GET', `${LOGS}?limit=1`);
    await system.stack.restart('analytics');
    const job = await system.job(submitted.body.id, 150_000);
    const logs = await logsPerExecution(system, `bulk_job=${submitted.body.id}`);
    const fromRollups = await system.api('GET', `${LOGS}statistics/`);
    const fromLogs = await system.api('GET', `${LOGS}statistics/?bulk_job=${submitted.body.id}`);

    expect(whileDown.status).toBe(503);
    expect(job).toMatchObject({
      total: 400,
      done: 400,
      summary: { total: 400, successful: 360, failed: 40, pending: 0 },
    });
    expect(logs.size).toBe(400);
    expect([...logs.values()].filter((n) => n !== 1)).toEqual([]);
    // Statistics read from the logs (a filter the rollups do not cover) are exact.
    expect(fromLogs.body).toMatchObject({ source: 'logs', total_logs: 400, success_rate: 90 });
    expect(fromLogs.body.by_error_class).toEqual([{ error_class: 'syntax_error', count: 40 }]);
    // So are the rollups: a batch killed mid-way is finished by the restarted consumer,
    // each cell taking it once (docs/decisions/0003-analytics-ingest.md).
    expect(fromRollups.body).toMatchObject({
      source: 'rollups',
      total_logs: 400,
      success_rate: 90,
    });
    expect(fromRollups.body.by_error_class).toEqual([{ error_class: 'syntax_error', count: 40 }]);
  }, 240_000);
});

describe('a quarter of the devices hang or refuse connections', () => {
  let system: System;

  beforeAll(async () => {
    system = await startSystem({
      devices: 100,
      platforms: ['ios', 'eos'],
      executor: { EXECUTOR_CONNECT_RETRIES: '0', EXECUTOR_BREAKER_VOLUME: '2' },
    });
  }, 180_000);

  afterAll(async () => {
    await system?.close();
  }, 60_000);

  it('then their breakers open, the rest of the job ends first, and every item has the right error', async () => {
    const version = await system.command({ name: 'version', command: 'show version' });
    const hanging = new Set(Array.from({ length: 13 }, (_, i) => i * 4));
    const refusing = new Set(Array.from({ length: 12 }, (_, i) => i * 4 + 1));
    for (const i of hanging) await system.faults(system.sim[i]?.name as string, { hang: true });
    for (const i of refusing)
      await system.faults(system.sim[i]?.name as string, { refuseConnections: true });
    // Four commands a device: the breaker of a failing device opens after its second.
    const executions = Array.from({ length: 400 }, (_, i) => ({
      device_id: system.devices[system.sim[i % 100]?.name as string],
      command_id: version,
    }));

    const submitted = await system.api('POST', BULK, {
      executions,
      ...cred(system),
      timeout: 5,
      async: true,
    });
    const job = await system.job(submitted.body.id, 150_000);
    const items = await jobExecutions(system, submitted.body.id, 400);
    const metrics = await (
      await fetch(`http://127.0.0.1:${system.stack.metricsPorts.get('executor') ?? 0}/metrics`)
    ).text();

    const healthyErrors = items
      .filter((e) => !hanging.has(e.bulk_position % 100) && !refusing.has(e.bulk_position % 100))
      .filter((e) => e.result?.error_class)
      .map((e) => `${e.bulk_position} ${e.result.error_class} ${e.result.error_message}`);
    expect(healthyErrors.slice(0, 10)).toEqual([]);
    expect(job.summary).toMatchObject({ total: 400, pending: 0, successful: 300, failed: 100 });
    const classes = (i: number) =>
      items.filter((e) => e.bulk_position % 100 === i).map((e) => e.result?.error_class ?? null);
    for (let i = 0; i < 100; i++) {
      const got = classes(i);
      if (hanging.has(i)) {
        expect([i, got.slice(0, 2)]).toEqual([i, ['connect_timeout', 'connect_timeout']]);
        expect([i, got.slice(2)]).toEqual([i, ['circuit_open', 'circuit_open']]);
      } else if (refusing.has(i)) {
        expect([i, got.slice(0, 2)]).toEqual([i, ['unreachable', 'unreachable']]);
        expect([i, got.slice(2)]).toEqual([i, ['circuit_open', 'circuit_open']]);
      } else expect([i, got]).toEqual([i, [null, null, null, null]]);
    }
    // The healthy devices did not wait on the dead ones: their last item ended before the
    // first timeout did.
    const finished = (e: Json) => Date.parse(e.finished_at as string);
    const healthyEnd = Math.max(
      ...items.filter((e) => e.result?.error_class == null).map(finished),
    );
    const firstTimeout = Math.min(
      ...items.filter((e) => e.result?.error_class === 'connect_timeout').map(finished),
    );
    expect(healthyEnd).toBeLessThan(firstTimeout);
    expect(/^toolkit_executor_breakers\{[^}]*state="open"[^}]*\} (\d+)$/m.exec(metrics)?.[1]).toBe(
      '25',
    );
  }, 240_000);
});
