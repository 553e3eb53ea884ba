import { isFinishedStatus } from '@toolkit/api-contracts';
import type { ExecutionStatus } from '@toolkit/api-contracts';
import type { ExecutionCompletion, ExecutionOutcome, ExecutionResult } from '@toolkit/contracts';

/**
 * queued -> running -> succeeded | failed | unknown | cancelled (executors report
 * `cancelled` for a request cancelled before it ran, or a `show` aborted while it ran). Messages arrive at least once and out of order (a result can overtake
 * its started event; a request can be consumed after both), so a transition applies only
 * when it moves forward: a higher rank, or the same terminal rank from a later attempt
 * (a redelivered config request reported `unknown` and then retried). A definitive
 * outcome outranks `unknown`: when a rebalance hands an in-flight config request to a
 * second executor, it reports `unknown` while the first may still report the real result.
 */
export const STATUS_RANK: Readonly<Record<ExecutionStatus, number>> = {
  queued: 0,
  running: 1,
  unknown: 2,
  succeeded: 3,
  failed: 3,
  cancelled: 3,
};

export function statusOfOutcome(outcome: ExecutionOutcome): ExecutionStatus {
  return outcome;
}

export interface StatusPoint {
  status: ExecutionStatus;
  attempt: number;
}

/** Whether `next` replaces `current` (undefined: nothing recorded yet). */
export function canTransition(current: StatusPoint | undefined, next: StatusPoint): boolean {
  if (!current) return true;
  const from = STATUS_RANK[current.status];
  const to = STATUS_RANK[next.status];
  if (to > from) return true;
  if (to === from && to === STATUS_RANK.running) return next.attempt > current.attempt;
  return to === from && from >= STATUS_RANK.unknown && next.attempt > current.attempt;
}

/** Folds a sequence of status points in arrival order (what storage converges to). */
export function foldStatus(points: readonly StatusPoint[]): StatusPoint | undefined {
  let current: StatusPoint | undefined;
  for (const p of points) if (canTransition(current, p)) current = p;
  return current;
}

/**
 * The completions to announce once a batch of results is recorded: one per execution that
 * has reached a final status, from the result that status came from (or the last one),
 * with the command log it names. Redelivered results announce again (waiters ignore it).
 */
export function completionsOf(
  results: readonly ExecutionResult[],
  statuses: ReadonlyMap<string, StatusPoint>,
  logIds: ReadonlyMap<string, number>,
): ExecutionCompletion[] {
  const chosen = new Map<string, ExecutionResult>();
  for (const r of results) {
    const status = statuses.get(r.executionId)?.status;
    const current = chosen.get(r.executionId);
    if (!current || current.outcome !== status) chosen.set(r.executionId, r);
  }
  const completions: ExecutionCompletion[] = [];
  for (const [id, r] of chosen) {
    const status = statuses.get(id)?.status;
    if (!status || !isFinishedStatus(status)) continue;
    const outcome = status as ExecutionOutcome;
    completions.push({
      executionId: id,
      outcome,
      success: outcome === 'succeeded',
      errorClass: outcome === r.outcome ? r.errorClass : null,
      commandLogId: logIds.get(id) ?? null,
      commandType: r.commandType,
      device: { id: r.device.id, name: r.device.name },
      username: r.username,
      requestedBy: r.requestedBy,
      finishedAt: r.timings.finishedAt,
      ...(r.bulkJobId === undefined ? {} : { bulkJobId: r.bulkJobId }),
      ...(r.position === undefined ? {} : { position: r.position }),
    });
  }
  return completions;
}
