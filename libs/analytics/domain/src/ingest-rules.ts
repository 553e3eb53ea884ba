import type { ErrorClass, ExecutionResult } from '@toolkit/contracts';

/**
 * The rules of turning execution results into command logs and statistics, apart from
 * how they are stored:
 * - one log per execution: of several results for one execution in a batch, the first
 *   counts, unless a definitive one follows an `unknown`;
 * - a stored `unknown` log (a config run whose executor vanished, reported by the next
 *   one) gives way to the definitive result of the same execution when it arrives later
 *   (the first executor was slow, not dead); nothing else replaces a log;
 * - a log is counted in the rollups once: a redelivered log is counted only if no earlier
 *   batch counted it (its ledger entry), and logs older than the ledger's horizon were.
 */

/** What an executor reports for a config run it would not repeat. */
export const UNKNOWN_ERROR_CLASS: ErrorClass = 'outcome_unknown';

/** One result per execution, in first-seen order (see the rules above). */
export function oneResultPerExecution(
  results: readonly ExecutionResult[],
): Map<string, ExecutionResult> {
  const byExecution = new Map<string, ExecutionResult>();
  for (const result of results) {
    const first = byExecution.get(result.executionId);
    if (!first || (first.outcome === 'unknown' && result.outcome !== 'unknown'))
      byExecution.set(result.executionId, result);
  }
  return byExecution;
}

/** Whether an incoming result replaces the stored log of its execution. */
export function supersedes(
  stored: { error_class: string | null },
  incoming: ExecutionResult | undefined,
): incoming is ExecutionResult {
  return (
    incoming !== undefined &&
    stored.error_class === UNKNOWN_ERROR_CLASS &&
    incoming.outcome !== 'unknown'
  );
}

/** Whether a stored log is already counted in the rollups. */
export function alreadyCounted(
  log: { created: Date },
  ledgerHasEntry: boolean,
  now: Date,
  ledgerHorizonMs: number,
): boolean {
  return ledgerHasEntry || new Date(log.created).getTime() < now.getTime() - ledgerHorizonMs;
}
