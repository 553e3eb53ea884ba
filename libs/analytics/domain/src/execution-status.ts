import type { ExecutionStatus } from '@toolkit/api-contracts';
import type { ExecutionOutcome } from '@toolkit/contracts';

/**
 * queued -> running -> succeeded | failed | unknown (cancelled is terminal too; nothing
 * publishes it yet). Messages arrive at least once and out of order (a result can overtake
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

export const TERMINAL_STATUSES: readonly ExecutionStatus[] = [
  'succeeded',
  'failed',
  'unknown',
  'cancelled',
];

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
