import request from 'supertest';
import { jobItemsOfRequests, jobItemsOfResults } from '@toolkit/analytics-domain';
import { uniqueSuffix } from '@toolkit/testing';
import { aBulkJob, appOnly, internalHeaders } from './support';
import type { BulkJobFixture } from './support';

const BASE = 'https://netbox.example.com';
const LIST = '/api/plugins/toolkit/bulk-jobs/';

describe('bulk jobs API (list and detail) over the MongoDB-wire server', () => {
  let ctx: Awaited<ReturnType<typeof appOnly>>;
  const alice = { userId: 41, username: `alice-${uniqueSuffix()}` };
  const bob = { userId: 42, username: `bob-${uniqueSuffix()}` };
  // completed (3 items, 1 rejected), running (1 of 2 finished), queued (nothing started)
  let done: BulkJobFixture;
  let running: BulkJobFixture;
  let queued: BulkJobFixture;

  async function record(job: BulkJobFixture, finished: number): Promise<void> {
    const recorded = await ctx.executions.recordRequests(job.items);
    await ctx.bulkJobs.record(jobItemsOfRequests(job.items, recorded), job.batches);
    const results = job.items.slice(0, finished).map((i) =>
      job.resultOf(i.position ?? 0, {
        timings: {
          requestedAt: i.requestedAt,
          startedAt: '2026-03-05T00:00:00.000Z',
          finishedAt: `2026-03-05T00:00:0${i.position}.000Z`,
          connectMs: 1,
          durationMs: 1,
        },
      }),
    );
    const statuses = await ctx.executions.recordResults(results, new Map());
    await ctx.bulkJobs.record(jobItemsOfResults(results, statuses));
  }

  beforeAll(async () => {
    ctx = await appOnly();
    const devices = [
      { id: 920_001, name: 'list-a' },
      { id: 920_002, name: 'list-b' },
    ];
    done = aBulkJob({
      devices,
      items: 3,
      rejected: 1,
      user: alice,
      requestedAt: '2026-03-01T10:00:00.000Z',
      notes: 'night window',
    });
    running = aBulkJob({
      devices,
      items: 2,
      user: alice,
      requestedAt: '2026-03-02T10:00:00.000Z',
    });
    queued = aBulkJob({ devices, items: 1, user: bob, requestedAt: '2026-03-03T10:00:00.000Z' });
    await record(done, 3);
    await record(running, 1);
    await record(queued, 0);
  });

  afterAll(async () => {
    await ctx.infra.close();
  });

  const get = (path: string, constraints?: unknown) =>
    request(ctx.app).get(path).set(internalHeaders({ constraints }));
  const ids = (body: { results: { id: string }[] }) => body.results.map((r) => r.id);

  it('when a job is read, then the whole representation is answered, with a link to its items', async () => {
    const r = await get(`${LIST}${done.bulkJobId}/`);

    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      id: done.bulkJobId,
      url: `${BASE}${LIST}${done.bulkJobId}/`,
      display: `Bulk job ${done.bulkJobId}`,
      status: 'completed',
      user: { id: 41, username: alice.username },
      notes: 'night window',
      total: 4,
      accepted: 3,
      rejected: 1,
      done: 3,
      counts: { queued: 0, running: 0, succeeded: 3, failed: 0, unknown: 0, cancelled: 0 },
      summary: { total: 4, successful: 3, failed: 0, rejected: 1, pending: 0 },
      created: '2026-03-01T10:00:00.000Z',
      started_at: '2026-03-05T00:00:00.000Z',
      finished_at: '2026-03-05T00:00:02.000Z',
      last_updated: expect.any(String),
      executions_url: `${BASE}/api/plugins/toolkit/executions/?bulk_job=${done.bulkJobId}&ordering=bulk_position`,
    });
  });

  it('when the list is read, then every job is there, newest first, in the same representation as the detail', async () => {
    const list = await get(LIST);
    const detail = await get(`${LIST}${running.bulkJobId}/`);

    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ count: 3, next: null, previous: null });
    expect(ids(list.body)).toEqual([queued.bulkJobId, running.bulkJobId, done.bulkJobId]);
    expect(list.body.results[1]).toEqual(detail.body);
    expect(detail.body).toMatchObject({
      status: 'running',
      done: 1,
      summary: { total: 2, successful: 1, failed: 0, rejected: 0, pending: 1 },
      finished_at: null,
    });
    expect(list.body.results[0]).toMatchObject({ status: 'queued', started_at: null });
  });

  it('when the list is filtered, then only the matching jobs are answered', async () => {
    const cases: [string, string[]][] = [
      [`user=${alice.username}`, [running.bulkJobId, done.bulkJobId]],
      [`user_id=${bob.userId}`, [queued.bulkJobId]],
      ['status=completed', [done.bulkJobId]],
      ['status=queued&status=running', [queued.bulkJobId, running.bulkJobId]],
      ['status__n=queued', [running.bulkJobId, done.bulkJobId]],
      ['created__gte=2026-03-02T00:00:00Z', [queued.bulkJobId, running.bulkJobId]],
      ['created__lte=2026-03-02', [done.bulkJobId]],
      [`created=2026-03-03T10:00:00Z`, [queued.bulkJobId]],
      [`id=${running.bulkJobId}`, [running.bulkJobId]],
      ['q=night', [done.bulkJobId]],
    ];

    for (const [query, expected] of cases) {
      const r = await get(`${LIST}?${query}`);
      expect([query, r.status, ids(r.body)]).toEqual([query, 200, expected]);
    }
  });

  it('when the list is ordered, then the jobs come in that order', async () => {
    const cases: [string, string[]][] = [
      ['created', [done.bulkJobId, running.bulkJobId, queued.bulkJobId]],
      ['total', [queued.bulkJobId, running.bulkJobId, done.bulkJobId]],
      ['-total', [done.bulkJobId, running.bulkJobId, queued.bulkJobId]],
      ['status', [done.bulkJobId, queued.bulkJobId, running.bulkJobId]],
      ['-finished_at,created', [done.bulkJobId, running.bulkJobId, queued.bulkJobId]],
    ];

    for (const [ordering, expected] of cases) {
      const r = await get(`${LIST}?ordering=${ordering}`);
      expect([ordering, ids(r.body)]).toEqual([ordering, expected]);
    }
  });

  it('when the list is paged or brief, then NetBox links and the brief fields are answered', async () => {
    const page = await get(`${LIST}?limit=1&offset=1`);
    const brief = await get(`${LIST}?brief=true&limit=1`);

    expect(page.body).toEqual({
      count: 3,
      next: `${BASE}${LIST}?limit=1&offset=2`,
      previous: `${BASE}${LIST}?limit=1`,
      results: [expect.objectContaining({ id: running.bulkJobId })],
    });
    expect(brief.body.results).toEqual([
      {
        id: queued.bulkJobId,
        url: `${BASE}${LIST}${queued.bulkJobId}/`,
        display: `Bulk job ${queued.bulkJobId}`,
        status: 'queued',
      },
    ]);
  });

  it('when the list gets an unknown filter or ordering, then 400 names it', async () => {
    const filter = await get(`${LIST}?bulk_job=x`);
    const ordering = await get(`${LIST}?ordering=accepted`);

    expect([filter.status, filter.body]).toEqual([
      400,
      { bulk_job: ['Unknown filter parameter.'] },
    ]);
    expect([ordering.status, ordering.body]).toEqual([
      400,
      { ordering: ['Invalid ordering field: accepted.'] },
    ]);
  });

  it('when a job is unknown or its id is not a UUID, then 404', async () => {
    const unknown = await get(`${LIST}0b0e7a4e-5a55-4d0b-9a56-2f0a7f7d1c11/`);
    const malformed = await get(`${LIST}not-a-uuid/`);

    expect([unknown.status, unknown.body]).toEqual([404, { detail: 'Not found.' }]);
    expect([malformed.status, malformed.body]).toEqual([404, { detail: 'Not found.' }]);
  });

  it("when the caller's constraints exclude a job, then its detail is 404 and the list leaves it out", async () => {
    const onlyBob = [{ user: bob.username }];
    const hidden = await get(`${LIST}${done.bulkJobId}/`, onlyBob);
    const visible = await get(`${LIST}${queued.bulkJobId}/`, onlyBob);
    const list = await get(LIST, onlyBob);
    const nothing = await get(LIST, []);
    const byStatus = await get(`${LIST}?user=${alice.username}`, [{ status: 'completed' }]);

    expect([hidden.status, hidden.body]).toEqual([404, { detail: 'Not found.' }]);
    expect(visible.status).toBe(200);
    expect(ids(list.body)).toEqual([queued.bulkJobId]);
    expect(nothing.body).toMatchObject({ count: 0, results: [] });
    expect(ids(byStatus.body)).toEqual([done.bulkJobId]);
  });

  it('when constraints name a field bulk jobs do not have, then 403 (never widened)', async () => {
    const r = await get(LIST, [{ command_id: 1 }]);

    expect(r.status).toBe(403);
    expect(r.body).toEqual({ detail: 'Your permission constraints do not apply to bulk jobs.' });
  });

  it("when a job's items are listed by position, then they come in the order given, across devices", async () => {
    const base = `/api/plugins/toolkit/executions/?bulk_job=${done.bulkJobId}`;
    const ascending = await get(`${base}&ordering=bulk_position`);
    const descending = await get(`${base}&ordering=-bulk_position&limit=2`);

    expect(
      ascending.body.results.map((e: { bulk_position: number; device: { id: number } }) => [
        e.bulk_position,
        e.device.id,
      ]),
    ).toEqual([
      [0, 920_001],
      [1, 920_002],
      [2, 920_001],
    ]);
    expect(descending.body.count).toBe(3);
    expect(descending.body.results.map((e: { bulk_position: number }) => e.bulk_position)).toEqual([
      2, 1,
    ]);
  });
});
