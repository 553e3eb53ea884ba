import { EXECUTION_STATUSES, isFinishedStatus } from '@toolkit/api-contracts';
import type { ExecutionEvent, ExecutionRequest, ExecutionResult } from '@toolkit/contracts';
import { STATUS_RANK, statusOfOutcome } from './execution-status';
import type { StatusPoint } from './execution-status';
import { storedUserOf } from './stored-user';
import type { StoredUser } from './stored-user';
import type {
  BulkJobCounts,
  BulkJobStatus,
  BulkJobSummary,
  ExecutionStatus,
} from '@toolkit/api-contracts';

export interface BulkJobProgress {
  counts: BulkJobCounts;
  /** Items finished (any outcome). */
  done: number;
  status: BulkJobStatus;
  /** When the first item started. */
  started_at: Date | null;
  /** When the last item finished, once completed. */
  finished_at: Date | null;
}

export function emptyCounts(): BulkJobCounts {
  return { queued: 0, running: 0, succeeded: 0, failed: 0, unknown: 0, cancelled: 0 };
}

export function doneOf(counts: BulkJobCounts): number {
  return EXECUTION_STATUSES.filter(isFinishedStatus).reduce((sum, s) => sum + counts[s], 0);
}

function knownOf(counts: BulkJobCounts): number {
  return EXECUTION_STATUSES.reduce((sum, s) => sum + counts[s], 0);
}

/**
 * `queued` while no item has started (none running or finished), `completed` once every
 * accepted item has finished, `running` otherwise, and whenever `accepted` is not known
 * yet (results read before the job's request messages: it cannot be complete).
 */
export function bulkJobStatus(counts: BulkJobCounts, accepted: number | null): BulkJobStatus {
  const done = doneOf(counts);
  if (accepted !== null && done >= accepted) return 'completed';
  if (accepted !== null && done === 0 && counts.running === 0) return 'queued';
  return 'running';
}

/**
 * The job as a reader wants it: successful = succeeded; failed = failed, unknown and
 * cancelled; pending = queued, running, and accepted items not recorded yet. `total` is the
 * request's size once known; before that, what is known (recorded items and rejections).
 */
export function bulkJobSummary(job: {
  counts: BulkJobCounts;
  total: number | null;
  accepted: number | null;
  rejected: number | null;
}): BulkJobSummary {
  const { counts } = job;
  const known = knownOf(counts);
  const rejected = job.rejected ?? 0;
  const unrecorded = Math.max(0, (job.accepted ?? known) - known);
  return {
    total: job.total ?? known + rejected,
    successful: counts.succeeded,
    failed: counts.failed + counts.unknown + counts.cancelled,
    rejected,
    pending: counts.queued + counts.running + unrecorded,
  };
}

/**
 * An item's stored status as one number that grows with every move storage accepts
 * (canTransition: a higher rank, or the same running or finished rank at a later attempt),
 * so that `$max` over any set of snapshots of the item keeps the latest one, whatever order
 * and however often they are written.
 */
export function itemCode(point: StatusPoint | undefined): number {
  const { status, attempt } = point ?? { status: 'queued', attempt: 1 };
  const bounded = Math.max(1, Math.min(Math.trunc(attempt), MAX_CODED_ATTEMPT));
  return (
    STATUS_RANK[status] * RANK_STEP + bounded * ATTEMPT_STEP + EXECUTION_STATUSES.indexOf(status)
  );
}

export function statusOfCode(code: number): ExecutionStatus {
  return EXECUTION_STATUSES[code % ATTEMPT_STEP] ?? 'queued';
}

const ATTEMPT_STEP = 10;
const MAX_CODED_ATTEMPT = 99_999;
const RANK_STEP = (MAX_CODED_ATTEMPT + 1) * ATTEMPT_STEP;

/** What a job's progress is computed from: its items' codes and the times kept with them. */
export interface BulkJobItems {
  codes: Iterable<number>;
  /** The earliest start, and the latest finish, any item's stored status came with. */
  firstStarted: Date | null;
  lastFinished: Date | null;
}

/**
 * A job's progress recomputed from its items' latest statuses (never incremented: the same
 * items give the same answer, however often their messages were delivered).
 */
export function bulkJobProgress(items: BulkJobItems, accepted: number | null): BulkJobProgress {
  const counts = emptyCounts();
  for (const code of items.codes) counts[statusOfCode(code)]++;
  const status = bulkJobStatus(counts, accepted);
  return {
    counts,
    done: doneOf(counts),
    status,
    started_at: items.firstStarted,
    finished_at: status === 'completed' ? items.lastFinished : null,
  };
}

/** One item of a bulk job as a consumed message and the stored execution tell it. */
export interface JobItem {
  jobId: string;
  executionId: string;
  /** The execution's stored status once the message is recorded. */
  point: StatusPoint | undefined;
  requestedAt?: Date;
  startedAt?: Date;
  finishedAt?: Date;
  requester?: StoredUser;
}

/** Whether the stored status is the one this message brought (its times are the item's). */
const storedFrom = (stored: StatusPoint | undefined, own: StatusPoint) =>
  stored !== undefined && stored.status === own.status && stored.attempt === own.attempt;

export function jobItemsOfRequests(
  requests: readonly ExecutionRequest[],
  statuses: ReadonlyMap<string, StatusPoint>,
): JobItem[] {
  return requests.flatMap((r) =>
    r.bulkJobId === undefined
      ? []
      : [
          {
            jobId: r.bulkJobId,
            executionId: r.executionId,
            point: statuses.get(r.executionId),
            requestedAt: new Date(r.requestedAt),
            requester: storedUserOf(r.requestedBy),
          },
        ],
  );
}

export function jobItemsOfEvents(
  events: readonly ExecutionEvent[],
  statuses: ReadonlyMap<string, StatusPoint>,
): JobItem[] {
  return events.flatMap((e) => {
    if (e.bulkJobId === undefined) return [];
    const item: JobItem = {
      jobId: e.bulkJobId,
      executionId: e.executionId,
      point: statuses.get(e.executionId),
    };
    const started = e.phase === 'started' || e.phase === 'progress';
    if (started && storedFrom(item.point, { status: 'running', attempt: e.attempt }))
      item.startedAt = new Date(e.at);
    return [item];
  });
}

export function jobItemsOfResults(
  results: readonly ExecutionResult[],
  statuses: ReadonlyMap<string, StatusPoint>,
): JobItem[] {
  return results.flatMap((r) => {
    if (r.bulkJobId === undefined) return [];
    const point = statuses.get(r.executionId);
    const item: JobItem = {
      jobId: r.bulkJobId,
      executionId: r.executionId,
      point,
      requestedAt: new Date(r.timings.requestedAt),
      requester: storedUserOf(r.requestedBy),
    };
    // A result storage did not take (a stale attempt, a late `unknown`) brings no times.
    if (storedFrom(point, { status: statusOfOutcome(r.outcome), attempt: r.attempt })) {
      item.startedAt = new Date(r.timings.startedAt);
      item.finishedAt = new Date(r.timings.finishedAt);
    }
    return [item];
  });
}
