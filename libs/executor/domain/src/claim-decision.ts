import type { CommandType, ExecutionResult } from '@toolkit/contracts';

/** The durable record that an execution was claimed by an executor. */
export type ExecutionClaim =
  | { status: 'started'; executionId: string; executorId: string; startedAt: Date }
  | {
      status: 'finished';
      executionId: string;
      executorId: string;
      startedAt: Date;
      result: ExecutionResult;
    };

export type ClaimDecision =
  | { action: 'run' }
  | { action: 'republish'; result: ExecutionResult }
  | { action: 'report-unknown'; claimedBy: string; startedAt: Date };

/**
 * What to do with a request given the claim store's answer:
 * - `show`: never claimed; a redelivery runs again (reads are safe to repeat).
 * - `config`, claim inserted now: run.
 * - `config`, already finished: re-publish the stored result (idempotent).
 * - `config`, started but never finished: an executor died mid-run, so the device may or
 *   may not have applied the change: report `outcome_unknown`, never run it again.
 */
export function decideOnClaim(
  commandType: CommandType,
  claim: { inserted: true } | { inserted: false; existing: ExecutionClaim } | undefined,
): ClaimDecision {
  if (commandType === 'show' || claim === undefined || claim.inserted) return { action: 'run' };
  const existing = claim.existing;
  if (existing.status === 'finished') return { action: 'republish', result: existing.result };
  return {
    action: 'report-unknown',
    claimedBy: existing.executorId,
    startedAt: existing.startedAt,
  };
}

export function needsClaim(commandType: CommandType): boolean {
  return commandType === 'config';
}
