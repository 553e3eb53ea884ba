import {
  bulkJobProgress,
  bulkJobStatus,
  bulkJobSummary,
  doneOf,
  emptyCounts,
  itemCode,
  jobItemsOfResults,
  statusOfCode,
} from './bulk-job';
import { canTransition } from './execution-status';
import { anExecutionResult } from '@toolkit/testing';
import type { StatusPoint } from './execution-status';
import { EXECUTION_STATUSES } from '@toolkit/api-contracts';

describe('bulk job progress', () => {
  const at = (iso: string) => new Date(iso);

  const codes = (...points: (StatusPoint | undefined)[]) => points.map(itemCode);

  it('when no item has started, then the job is queued, with no start or finish time', () => {
    const progress = bulkJobProgress(
      {
        codes: codes({ status: 'queued', attempt: 1 }, undefined),
        firstStarted: null,
        lastFinished: null,
      },
      3,
    );

    expect(progress).toEqual({
      counts: { ...emptyCounts(), queued: 2 },
      done: 0,
      status: 'queued',
      started_at: null,
      finished_at: null,
    });
  });

  it('when some items run or finished, then the job is running since its first start, with no finish time', () => {
    const progress = bulkJobProgress(
      {
        codes: codes(
          { status: 'running', attempt: 1 },
          { status: 'succeeded', attempt: 1 },
          { status: 'queued', attempt: 1 },
        ),
        firstStarted: at('2026-01-01T00:00:01Z'),
        lastFinished: at('2026-01-01T00:00:02Z'),
      },
      3,
    );

    expect(progress).toEqual({
      counts: { ...emptyCounts(), queued: 1, running: 1, succeeded: 1 },
      done: 1,
      status: 'running',
      started_at: at('2026-01-01T00:00:01Z'),
      finished_at: null,
    });
  });

  it('when every accepted item has finished, then the job is completed at its last finish', () => {
    const progress = bulkJobProgress(
      {
        codes: codes({ status: 'failed', attempt: 1 }, { status: 'cancelled', attempt: 2 }),
        firstStarted: at('2026-01-01T00:00:01Z'),
        lastFinished: at('2026-01-01T00:00:09Z'),
      },
      2,
    );

    expect(progress.status).toBe('completed');
    expect(progress.done).toBe(2);
    expect(progress.counts).toEqual({ ...emptyCounts(), failed: 1, cancelled: 1 });
    expect(progress.finished_at).toEqual(at('2026-01-01T00:00:09Z'));
  });

  it('when an item moves forward the way storage accepts, then its code grows, so the largest code is its latest status', () => {
    const points: StatusPoint[] = [];
    for (const status of EXECUTION_STATUSES)
      for (const attempt of [1, 2, 3, 100_000, 250_000]) points.push({ status, attempt });
    const pairs = points.flatMap((from) => points.map((to) => [from, to] as const));
    const moves = pairs.filter(([from, to]) => canTransition(from, to));

    expect(moves.length).toBeGreaterThan(50);
    for (const [from, to] of moves) {
      // Past the largest coded attempt (no executor retries that often), attempts are one.
      if (from.attempt >= 99_999 && to.attempt >= 99_999) continue;
      expect([from, to, itemCode(to) > itemCode(from)]).toEqual([from, to, true]);
    }
    for (const point of points) expect(statusOfCode(itemCode(point))).toBe(point.status);
    expect(statusOfCode(itemCode(undefined))).toBe('queued');
  });

  it('when the accepted count is not known yet, then the job is running however many items finished', () => {
    const counts = { ...emptyCounts(), succeeded: 5 };

    expect(bulkJobStatus(counts, null)).toBe('running');
    expect(bulkJobStatus(emptyCounts(), null)).toBe('running');
    expect(bulkJobStatus(counts, 6)).toBe('running');
    expect(bulkJobStatus(counts, 5)).toBe('completed');
  });

  it('when an item ended unknown, failed or cancelled, then it counts as done and as failed in the summary', () => {
    const counts = {
      queued: 1,
      running: 2,
      succeeded: 3,
      failed: 4,
      unknown: 5,
      cancelled: 6,
    };

    expect(doneOf(counts)).toBe(18);
    expect(bulkJobSummary({ counts, total: 30, accepted: 25, rejected: 5 })).toEqual({
      total: 30,
      successful: 3,
      failed: 15,
      rejected: 5,
      // queued + running + 4 accepted items not recorded yet
      pending: 7,
    });
  });

  it('when the job size is not known yet, then the summary adds up what is known', () => {
    const counts = { ...emptyCounts(), running: 1, succeeded: 2 };

    expect(bulkJobSummary({ counts, total: null, accepted: null, rejected: null })).toEqual({
      total: 3,
      successful: 2,
      failed: 0,
      rejected: 0,
      pending: 1,
    });
  });

  it('when a result is the one storage kept, then its item carries its times; when storage kept another, then none', () => {
    const bulkJobId = '6f1f7c55-7c0a-4d4c-9d3b-1c2f3a4b5c6d';
    const timings = {
      requestedAt: '2026-01-01T00:00:00.000Z',
      startedAt: '2026-01-01T00:00:01.000Z',
      finishedAt: '2026-01-01T00:00:09.000Z',
      connectMs: 1,
      durationMs: 8_000,
    };
    const kept = anExecutionResult({ bulkJobId, timings, attempt: 2 });
    const stale = anExecutionResult({ bulkJobId, timings, attempt: 1 });
    const statuses = new Map<string, StatusPoint>([
      [kept.executionId, { status: 'succeeded', attempt: 2 }],
      [stale.executionId, { status: 'succeeded', attempt: 2 }],
    ]);

    const [ofKept, ofStale] = jobItemsOfResults([kept, stale], statuses);

    expect(ofKept).toMatchObject({
      jobId: bulkJobId,
      point: { status: 'succeeded', attempt: 2 },
      startedAt: at(timings.startedAt),
      finishedAt: at(timings.finishedAt),
    });
    expect(ofStale?.point).toEqual({ status: 'succeeded', attempt: 2 });
    expect(ofStale?.startedAt).toBeUndefined();
    expect(ofStale?.finishedAt).toBeUndefined();
  });
});
