import request from 'supertest';
import { BulkJobRepository, ExecutionRepository } from '@toolkit/analytics-data-access';
import { jobItemsOfRequests, jobItemsOfResults } from '@toolkit/analytics-domain';
import {
  anExecutionEvent,
  anExecutionResult,
  connectTestInfra,
  eventually,
} from '@toolkit/testing';
import type { TestInfra } from '@toolkit/testing';
import { aBulkJob, internalHeaders, wiredService } from './support';

const BASE = 'https://netbox.example.com';

interface Replica {
  executions: ExecutionRepository;
  jobs: BulkJobRepository;
}

/** Holds the first `updateOne` on `collection` (a job's progress write) until released. */
function holdFirstWrite(collection: BulkJobRepository['jobs']['collection']) {
  let computed!: () => void;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (computed = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const updateOne = collection.updateOne.bind(collection);
  jest.spyOn(collection, 'updateOne').mockImplementationOnce((async (
    ...args: Parameters<typeof collection.updateOne>
  ) => {
    computed();
    await released;
    return updateOne(...args);
  }) as unknown as typeof collection.updateOne);
  return { computed: held, release };
}

describe('bulk jobs from the consumers, over real Kafka and the MongoDB-wire server', () => {
  let svc: Awaited<ReturnType<typeof wiredService>>;

  beforeAll(async () => {
    svc = await wiredService();
  });

  afterAll(async () => {
    await svc.close();
  });

  const api = () => request(svc.app);
  const jobOf = (id: string) =>
    api().get(`/api/plugins/toolkit/bulk-jobs/${id}/`).set(internalHeaders());

  it("when a job's device batches are read, then its items are queued executions and the job is queued with the request's facts", async () => {
    const requestedAt = '2026-04-01T08:00:00.000Z';
    const job = aBulkJob({
      devices: [
        { id: 910_001, name: 'bj-a' },
        { id: 910_002, name: 'bj-b' },
      ],
      items: 4,
      rejected: 1,
      user: { userId: 7, username: 'alice' },
      requestedAt,
      notes: 'CHG-42',
    });

    await svc.infra.messaging.publishMany(svc.topics.requests, job.batches);

    const detail = await eventually(async () => {
      const r = await jobOf(job.bulkJobId);
      expect(r.status).toBe(200);
      expect(r.body.counts.queued).toBe(4);
      return r;
    });
    const items = await api()
      .get(`/api/plugins/toolkit/executions/?bulk_job=${job.bulkJobId}&ordering=bulk_position`)
      .set(internalHeaders());
    expect(detail.body).toEqual({
      id: job.bulkJobId,
      url: `${BASE}/api/plugins/toolkit/bulk-jobs/${job.bulkJobId}/`,
      display: `Bulk job ${job.bulkJobId}`,
      status: 'queued',
      user: { id: 7, username: 'alice' },
      notes: 'CHG-42',
      total: 5,
      accepted: 4,
      rejected: 1,
      done: 0,
      counts: { queued: 4, running: 0, succeeded: 0, failed: 0, unknown: 0, cancelled: 0 },
      summary: { total: 5, successful: 0, failed: 0, rejected: 1, pending: 4 },
      created: requestedAt,
      started_at: null,
      finished_at: null,
      last_updated: expect.any(String),
      executions_url: `${BASE}/api/plugins/toolkit/executions/?bulk_job=${job.bulkJobId}&ordering=bulk_position`,
    });
    expect(
      items.body.results.map((e: { id: string; bulk_position: number; status: string }) => [
        e.id,
        e.bulk_position,
        e.status,
      ]),
    ).toEqual(job.items.map((i) => [i.executionId, i.position, 'queued']));
    expect(items.body.results[1]).toMatchObject({
      device: { id: 910_002, name: 'bj-b' },
      user: { id: 7, username: 'alice' },
      notes: 'CHG-42',
    });
  });

  it('when started events and results arrive, some results twice, then each item counts once and the job completes', async () => {
    const devices = [
      { id: 910_011, name: 'bj-c' },
      { id: 910_012, name: 'bj-d' },
    ];
    const job = aBulkJob({ devices, items: 4 });
    await svc.infra.messaging.publishMany(svc.topics.requests, job.batches);
    await eventually(async () => expect((await jobOf(job.bulkJobId)).body.status).toBe('queued'));

    const startedAt = '2026-04-01T09:00:01.000Z';
    await svc.infra.messaging.publish(
      svc.topics.events,
      anExecutionEvent({
        executionId: job.items[0]?.executionId,
        device: devices[0],
        bulkJobId: job.bulkJobId,
        at: startedAt,
      }),
    );
    const running = await eventually(async () => {
      const r = await jobOf(job.bulkJobId);
      expect(r.body.status).toBe('running');
      return r;
    });
    const timings = (start: string, finish: string) => ({
      requestedAt: '2026-04-01T09:00:00.000Z',
      startedAt: start,
      finishedAt: finish,
      connectMs: 5,
      durationMs: 10,
    });
    const [first, second, third, fourth] = [
      job.resultOf(0, { timings: timings(startedAt, '2026-04-01T09:00:02.000Z') }),
      job.resultOf(1, {
        outcome: 'failed',
        success: false,
        errorClass: 'command_failed',
        errorMessage: 'boom',
        timings: timings('2026-04-01T09:00:03.000Z', '2026-04-01T09:00:04.000Z'),
      }),
      job.resultOf(2, {
        outcome: 'unknown',
        success: false,
        errorClass: 'outcome_unknown',
        timings: timings('2026-04-01T09:00:05.000Z', '2026-04-01T09:00:09.000Z'),
      }),
      job.resultOf(3, {
        outcome: 'cancelled',
        success: false,
        errorClass: 'cancelled',
        timings: timings('2026-04-01T09:00:06.000Z', '2026-04-01T09:00:06.000Z'),
      }),
    ];
    const results = [first, second, third, fourth];
    // Items 0 and 1 twice in one go, then everything again: redeliveries.
    await svc.infra.messaging.publishMany(svc.topics.results, [first, first, second, second]);
    await svc.infra.messaging.publishMany(svc.topics.results, results);

    const completed = await eventually(async () => {
      const r = await jobOf(job.bulkJobId);
      expect(r.body.status).toBe('completed');
      return r;
    });
    await svc.infra.messaging.publishMany(svc.topics.results, results);
    // One marker per device (so per partition), read after the redelivered results.
    const markers = devices.map((d) =>
      anExecutionResult({ device: { ...d, platform: 'cisco_ios' } }),
    );
    await svc.infra.messaging.publishMany(svc.topics.results, markers);
    await eventually(async () => {
      for (const marker of markers) {
        const r = await api()
          .get(`/api/plugins/toolkit/executions/${marker.executionId}/`)
          .set(internalHeaders());
        expect(r.body.status).toBe('succeeded');
      }
    });
    const after = await jobOf(job.bulkJobId);

    expect(running.body).toMatchObject({
      done: 0,
      counts: { queued: 3, running: 1 },
      started_at: startedAt,
      finished_at: null,
    });
    expect(completed.body).toMatchObject({
      total: 4,
      accepted: 4,
      rejected: 0,
      done: 4,
      counts: { queued: 0, running: 0, succeeded: 1, failed: 1, unknown: 1, cancelled: 1 },
      summary: { total: 4, successful: 1, failed: 3, rejected: 0, pending: 0 },
      started_at: startedAt,
      finished_at: '2026-04-01T09:00:09.000Z',
    });
    // Nothing changed, so nothing was written: the same document, the same last_updated.
    expect(after.body).toEqual(completed.body);
  });

  it("when results are read before the job's request messages, then the job runs with an unknown size and completes once they are read", async () => {
    const device = { id: 910_021, name: 'bj-e' };
    const job = aBulkJob({
      devices: [device],
      items: 2,
      rejected: 3,
      user: { userId: 9, username: 'bob' },
      requestedAt: '2026-04-02T10:00:00.000Z',
    });
    const itemRequestedAt = '2026-04-02T10:00:00.500Z';
    const timings = {
      requestedAt: itemRequestedAt,
      startedAt: '2026-04-02T10:00:01.000Z',
      finishedAt: '2026-04-02T10:00:02.000Z',
      connectMs: 5,
      durationMs: 10,
    };

    await svc.infra.messaging.publishMany(svc.topics.results, [
      job.resultOf(0, { timings }),
      job.resultOf(1, { timings }),
    ]);
    const early = await eventually(async () => {
      const r = await jobOf(job.bulkJobId);
      expect(r.body.done).toBe(2);
      return r;
    });
    await svc.infra.messaging.publishMany(svc.topics.requests, job.batches);
    const late = await eventually(async () => {
      const r = await jobOf(job.bulkJobId);
      expect(r.body.status).toBe('completed');
      return r;
    });
    const items = await api()
      .get(`/api/plugins/toolkit/executions/?bulk_job=${job.bulkJobId}`)
      .set(internalHeaders());

    expect(early.body).toMatchObject({
      status: 'running',
      user: { id: 9, username: 'bob' },
      total: null,
      accepted: null,
      rejected: null,
      counts: { queued: 0, succeeded: 2 },
      summary: { total: 2, successful: 2, failed: 0, rejected: 0, pending: 0 },
      created: itemRequestedAt,
      finished_at: null,
    });
    expect(late.body).toMatchObject({
      total: 5,
      accepted: 2,
      rejected: 3,
      done: 2,
      counts: { queued: 0, succeeded: 2 },
      summary: { total: 5, successful: 2, failed: 0, rejected: 3, pending: 0 },
      created: '2026-04-02T10:00:00.000Z',
      started_at: '2026-04-02T10:00:01.000Z',
      finished_at: '2026-04-02T10:00:02.000Z',
    });
    // The request messages did not move the finished items back to queued.
    expect(items.body.results.map((e: { status: string }) => e.status)).toEqual([
      'succeeded',
      'succeeded',
    ]);
  });

  it('when a job document written before it kept its items gets results, then it is seeded from its executions once', async () => {
    const local: Replica = {
      executions: new ExecutionRepository(svc.infra.mongo.connection),
      jobs: new BulkJobRepository(svc.infra.mongo.connection),
    };
    const job = aBulkJob({ devices: [{ id: 910_041, name: 'bj-g' }], items: 3 });
    const queued = await local.executions.recordRequests(job.items);
    const done = [job.resultOf(0), job.resultOf(1)];
    await local.executions.recordResults(done, new Map());
    // The earlier design's document: progress only, no items.
    await local.jobs.jobs.collection.insertOne({
      _id: job.bulkJobId,
      user: { id: 1, username: 'admin' },
      created: new Date('2026-04-01T08:00:00.000Z'),
      notes: '',
      total: 3,
      accepted: 3,
      rejected: 0,
      counts: { queued: 1, running: 0, succeeded: 2, failed: 0, unknown: 0, cancelled: 0 },
      done: 2,
      status: 'running',
      started_at: new Date('2026-04-01T08:00:01.000Z'),
      finished_at: null,
      last_updated: new Date(),
      rev: 7,
    } as never);
    const last = [job.resultOf(2)];

    await local.jobs.record(
      jobItemsOfResults(last, await local.executions.recordResults(last, new Map())),
    );
    await local.jobs.record(jobItemsOfRequests(job.items, queued));
    const detail = await jobOf(job.bulkJobId);

    expect(detail.body).toMatchObject({
      status: 'completed',
      done: 3,
      counts: { queued: 0, running: 0, succeeded: 3 },
    });
  });

  describe('when two replicas refresh the same job at once', () => {
    let second: TestInfra;

    beforeAll(async () => {
      second = await connectTestInfra('analytics', { mongoUri: svc.infra.mongoUri });
    });

    afterAll(async () => {
      await second.close();
    });

    it("then the progress computed before the other's items were folded is not written, and the job ends with every item counted", async () => {
      const [a, b] = [svc.infra, second].map((infra) => ({
        executions: new ExecutionRepository(infra.mongo.connection),
        jobs: new BulkJobRepository(infra.mongo.connection),
      })) as [Replica, Replica];
      const job = aBulkJob({ devices: [{ id: 910_031, name: 'bj-f' }], items: 2 });
      const queued = await a.executions.recordRequests(job.items);
      await a.jobs.record(jobItemsOfRequests(job.items, queued), job.batches);
      const ofA = [job.resultOf(0)];
      const ofB = [job.resultOf(1)];
      // Replica a folds its item and computes the progress (one of two done), then waits.
      const { computed, release } = holdFirstWrite(a.jobs.jobs.collection);

      const recordedByA = a.jobs.record(
        jobItemsOfResults(ofA, await a.executions.recordResults(ofA, new Map())),
      );
      await computed;
      await b.jobs.record(jobItemsOfResults(ofB, await b.executions.recordResults(ofB, new Map())));
      const beforeA = (await jobOf(job.bulkJobId)).body;
      release();
      await recordedByA;
      const detail = await jobOf(job.bulkJobId);

      expect(beforeA).toMatchObject({ status: 'completed', done: 2 });
      expect(detail.body).toEqual(beforeA);
    });
  });
});
