import { EXECUTION_STATUSES, isFinishedStatus } from '@toolkit/api-contracts';
import type {
  BulkJobCounts,
  BulkJobStatus,
  BulkJobSummary,
  ExecutionStatus,
} from '@toolkit/api-contracts';

/** What a bulk job's progress is computed from: one entry per recorded item (execution). */
export interface BulkJobItemState {
  /** Absent on an execution known only from a message that carries no status. */
  status?: ExecutionStatus;
  started_at?: Date | null;
  finished_at?: Date | null;
}

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
 * A job's progress recomputed from all its recorded items (never incremented: the same
 * items give the same answer, however often their messages were delivered).
 */
export function bulkJobProgress(
  items: readonly BulkJobItemState[],
  accepted: number | null,
): BulkJobProgress {
  const counts = emptyCounts();
  let started: Date | null = null;
  let finished: Date | null = null;
  for (const item of items) {
    const status = item.status ?? 'queued';
    counts[status]++;
    if (item.started_at && (!started || item.started_at < started)) started = item.started_at;
    if (isFinishedStatus(status) && item.finished_at && (!finished || item.finished_at > finished))
      finished = item.finished_at;
  }
  const status = bulkJobStatus(counts, accepted);
  return {
    counts,
    done: doneOf(counts),
    status,
    started_at: started,
    finished_at: status === 'completed' ? finished : null,
  };
}
