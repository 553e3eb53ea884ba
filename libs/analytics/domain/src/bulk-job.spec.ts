import { bulkJobProgress, bulkJobStatus, bulkJobSummary, doneOf, emptyCounts } from './bulk-job';

describe('bulk job progress', () => {
  const at = (iso: string) => new Date(iso);

  it('when no item has started, then the job is queued, with no start or finish time', () => {
    const progress = bulkJobProgress([{ status: 'queued' }, {}], 3);

    expect(progress).toEqual({
      counts: { ...emptyCounts(), queued: 2 },
      done: 0,
      status: 'queued',
      started_at: null,
      finished_at: null,
    });
  });

  it('when some items run or finished, then the job is running since its first start', () => {
    const progress = bulkJobProgress(
      [
        { status: 'running', started_at: at('2026-01-01T00:00:05Z') },
        {
          status: 'succeeded',
          started_at: at('2026-01-01T00:00:01Z'),
          finished_at: at('2026-01-01T00:00:02Z'),
        },
        { status: 'queued' },
      ],
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
      [
        {
          status: 'failed',
          started_at: at('2026-01-01T00:00:01Z'),
          finished_at: at('2026-01-01T00:00:09Z'),
        },
        {
          status: 'cancelled',
          started_at: at('2026-01-01T00:00:02Z'),
          finished_at: at('2026-01-01T00:00:03Z'),
        },
      ],
      2,
    );

    expect(progress.status).toBe('completed');
    expect(progress.done).toBe(2);
    expect(progress.finished_at).toEqual(at('2026-01-01T00:00:09Z'));
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
});
