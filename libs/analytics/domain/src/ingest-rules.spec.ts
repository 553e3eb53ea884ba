import { anExecutionResult } from '@toolkit/testing';
import { alreadyCounted, oneResultPerExecution, supersedes } from './ingest-rules';

describe('ingest rules', () => {
  const executionId = '6f1d1c6e-3f57-4a53-9c38-3c8a2e0bd5b1';
  const unknown = anExecutionResult({
    executionId,
    outcome: 'unknown',
    success: false,
    errorClass: 'outcome_unknown',
  });
  const succeeded = anExecutionResult({ executionId, outcome: 'succeeded' });
  const failed = anExecutionResult({
    executionId,
    outcome: 'failed',
    success: false,
    errorClass: 'syntax_error',
  });

  it('when one execution has several results in a batch, then the first counts unless a definitive one follows an unknown', () => {
    expect(oneResultPerExecution([succeeded, failed]).get(executionId)).toBe(succeeded);
    expect(oneResultPerExecution([unknown, failed]).get(executionId)).toBe(failed);
    expect(oneResultPerExecution([failed, unknown]).get(executionId)).toBe(failed);
    expect(oneResultPerExecution([unknown, unknown]).size).toBe(1);
  });

  it('when a result arrives for a stored log, then only a definitive result replaces an unknown one', () => {
    expect(supersedes({ error_class: 'outcome_unknown' }, succeeded)).toBe(true);
    expect(supersedes({ error_class: 'outcome_unknown' }, unknown)).toBe(false);
    expect(supersedes({ error_class: 'syntax_error' }, succeeded)).toBe(false);
    expect(supersedes({ error_class: null }, failed)).toBe(false);
    expect(supersedes({ error_class: 'outcome_unknown' }, undefined)).toBe(false);
  });

  it('when a redelivered log is met, then it is counted already if the ledger says so or it is older than the horizon', () => {
    const now = new Date('2026-12-02T12:00:00Z');
    const hour = 3_600_000;

    expect(alreadyCounted({ created: new Date(now.getTime() - 60_000) }, true, now, hour)).toBe(
      true,
    );
    expect(alreadyCounted({ created: new Date(now.getTime() - 60_000) }, false, now, hour)).toBe(
      false,
    );
    expect(alreadyCounted({ created: new Date(now.getTime() - 2 * hour) }, false, now, hour)).toBe(
      true,
    );
  });
});
