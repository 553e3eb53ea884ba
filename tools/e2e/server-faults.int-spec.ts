import { EXECUTION_TIMEOUT_SECONDS } from '@toolkit/api-contracts';
import { eventually } from '@toolkit/testing';
import type { Json } from '../stack/process-stack';
import { PrivateFerretDB, PrivateKafka } from '../stack/private-servers';
import type { System } from './test/process-system';
import { BULK, EXECUTIONS, LOGS, executeUrl, jobUrl, startSystem } from './test/process-system';

/**
 * The servers under the system restarted mid-job: a Kafka broker and a MongoDB-wire
 * server of the test's own (the shared ones are never restarted under other tests), every
 * service its own process. Bounded, self-stopping, and checked through the public API.
 */
const SERVICES = ['gateway', 'catalog', 'executor', 'analytics'];

async function logsPerExecution(system: System, jobId: string): Promise<number[]> {
  const res = await fetch(
    `${system.stack.gatewayUrl}${LOGS}export/?format=json&bulk_job=${jobId}`,
    { headers: { Authorization: `Token ${system.stack.token}` } },
  );
  const body = (await res.json()) as { results: { execution_id: string }[] };
  const counts = new Map<string, number>();
  for (const log of body.results)
    counts.set(log.execution_id, (counts.get(log.execution_id) ?? 0) + 1);
  return [...counts.values()];
}

async function startJob(system: System, items: number, latencyMs: number): Promise<string> {
  const version = await system.command({ name: 'version', command: 'show version' });
  await fetch(`${system.stack.simulatorControlUrl}/faults`, {
    method: 'PUT',
    body: JSON.stringify({ commandLatencyMs: latencyMs }),
  });
  const executions = Array.from({ length: items }, (_, i) => ({
    device_id: system.devices[system.sim[i % system.sim.length]?.name as string],
    command_id: version,
  }));
  // The longest timeout: an outage on a loaded machine may outlast the default 30 s, and
  // items that waited past their timeout are rightly expired, not run; these tests are
  // about delivery.
  const submitted = await system.api('POST', BULK, {
    executions,
    credential_token: system.credential,
    async: true,
    timeout: EXECUTION_TIMEOUT_SECONDS.max,
  });
  if (submitted.status !== 202) throw new Error(JSON.stringify(submitted.body));
  await eventually(
    async () => {
      const job = await system.api('GET', jobUrl(submitted.body.id));
      // A 404 (analytics has not read the job yet) has no `done`: not started either.
      if (job.status !== 200 || !(job.body.done >= items / 10))
        throw new Error(`${job.status} done ${job.body.done}`);
    },
    60_000,
    50,
  );
  return submitted.body.id as string;
}

describe('the Kafka broker restarted during a job', () => {
  let kafka: PrivateKafka;
  let system: System;

  beforeAll(async () => {
    kafka = await PrivateKafka.create();
    await kafka.start();
    system = await startSystem({ devices: 50, platforms: ['ios'], brokers: kafka.brokers });
  }, 240_000);

  afterAll(async () => {
    await system?.close();
    await kafka?.remove();
  }, 90_000);

  it('then new executions get 503 with Retry-After while reads work, and the job completes after it comes back with no duplicated log', async () => {
    const jobId = await startJob(system, 200, 100);
    const clock = await system.command({ name: 'clock', command: 'show clock' });

    await kafka.stop('SIGKILL');
    const refused = await eventually(async () => {
      const res = await system.api('POST', executeUrl(clock), {
        device_id: system.devices[system.sim[0]?.name as string],
        credential_token: system.credential,
      });
      if (res.status !== 503) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
      return res;
    }, 60_000);
    const read = await system.api('GET', `${EXECUTIONS}?bulk_job=${jobId}&limit=5`);
    const job = await system.api('GET', jobUrl(jobId));
    await kafka.start();
    const done = await system.job(jobId, 180_000);
    const perExecution = await logsPerExecution(system, jobId);

    expect(refused.body).toEqual({ detail: expect.stringMatching(/unavailable/i) });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Reads answer from MongoDB: what analytics had recorded when the broker went away.
    expect(read.status).toBe(200);
    expect(read.body.count).toBeGreaterThan(0);
    expect([job.status, job.body.total]).toEqual([200, 200]);
    expect(done).toMatchObject({ total: 200, done: 200, summary: { successful: 200 } });
    expect(perExecution).toHaveLength(200);
    expect(perExecution.filter((n) => n !== 1)).toEqual([]);
  }, 300_000);
});

describe('the MongoDB-wire server restarted', () => {
  let mongo: PrivateFerretDB;
  let system: System;

  beforeAll(async () => {
    mongo = await PrivateFerretDB.create();
    await mongo.start();
    system = await startSystem({ devices: 50, platforms: ['ios'], mongoUri: mongo.uri });
  }, 240_000);

  afterAll(async () => {
    await system?.close();
    await mongo?.remove();
  }, 90_000);

  it('then every service answers 503 with a clear body while it is down, recovers by itself, and analytics catches up without losing results', async () => {
    const jobId = await startJob(system, 200, 100);
    const ready = (service: string) =>
      fetch(`http://127.0.0.1:${system.stack.proc(service).port}/readyz`).then(async (r) => [
        service,
        r.status,
      ]);

    await mongo.stop('SIGKILL');
    const down = await eventually(async () => {
      const states = await Promise.all(SERVICES.map(ready));
      if (states.some(([, status]) => status !== 503)) throw new Error(JSON.stringify(states));
      return states;
    }, 60_000);
    const devices = await system.api('GET', '/api/dcim/devices/?limit=1');
    const executions = await system.api('GET', `${EXECUTIONS}?limit=1`);
    // Results keep arriving on Kafka meanwhile; analytics must store them once back.
    await new Promise((r) => setTimeout(r, 3_000));
    await mongo.start();
    const up = await eventually(async () => {
      const states = await Promise.all(SERVICES.map(ready));
      if (states.some(([, status]) => status !== 200)) throw new Error(JSON.stringify(states));
      return states;
    }, 90_000);
    const done: Json = await system.job(jobId, 180_000);
    const perExecution = await logsPerExecution(system, jobId);

    expect(down).toEqual(SERVICES.map((s) => [s, 503]));
    for (const res of [devices, executions]) {
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ detail: expect.any(String) });
      expect(JSON.stringify(res.body)).not.toMatch(/ at |mongodb:\/\/|Error:/);
    }
    expect(up).toEqual(SERVICES.map((s) => [s, 200]));
    expect(done).toMatchObject({ total: 200, done: 200, summary: { successful: 200 } });
    expect(perExecution).toHaveLength(200);
    expect(perExecution.filter((n) => n !== 1)).toEqual([]);
  }, 300_000);
});
