import { anExecutionResult } from '@toolkit/testing';
import { ResultLedger } from './result-ledger';

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
const settle = () => new Promise((r) => setImmediate(r));

describe('result ledger', () => {
  it('when a result is acknowledged, then only its id is kept and a retry has nothing to publish', async () => {
    const ledger = new ResultLedger({ ids: 10, unacknowledgedBytes: 1_000_000 });
    const result = anExecutionResult();
    const ack = deferred();

    ledger.track(result.executionId, result, ack.promise);
    const whileInFlight = ledger.lookup(result.executionId);
    ack.resolve();
    await settle();

    expect(whileInFlight).toBe(result);
    expect(ledger.lookup(result.executionId)).toBe('published');
    expect(ledger.held).toBe(0);
  });

  it('when an acknowledgement fails, then the result stays for a republish, and is released once that is acknowledged', async () => {
    const ledger = new ResultLedger({ ids: 10, unacknowledgedBytes: 1_000_000 });
    const result = anExecutionResult();
    const ack = deferred();

    ledger.track(result.executionId, result, ack.promise);
    ack.reject(new Error('broker down'));
    await settle();
    const afterFailure = ledger.lookup(result.executionId);
    ledger.published(result.executionId);

    expect(afterFailure).toBe(result);
    expect(ledger.lookup(result.executionId)).toBe('published');
    expect(ledger.held).toBe(0);
  });

  it('when more is unacknowledged than the byte budget, then the oldest results are dropped; ids are bounded too', async () => {
    const ledger = new ResultLedger({ ids: 2, unacknowledgedBytes: 250_000 });
    const big = () => anExecutionResult({ output: 'x'.repeat(50_000) }); // ~101 KB each
    const [a, b, c] = [big(), big(), big()];
    const never = new Promise<void>(() => undefined);

    for (const r of [a, b, c]) ledger.track(r.executionId, r, never);
    const held = [a, b, c].map((r) => ledger.lookup(r.executionId) !== undefined);
    for (const id of ['1', '2', '3']) ledger.published(id);

    expect(held).toEqual([false, true, true]);
    expect(['1', '2', '3'].map((id) => ledger.lookup(id))).toEqual([
      undefined,
      'published',
      'published',
    ]);
  });

  it('when no acknowledgement is pending, then the result counts as published at once', () => {
    const ledger = new ResultLedger({ ids: 10, unacknowledgedBytes: 1_000_000 });
    const result = anExecutionResult();

    ledger.track(result.executionId, result, undefined);

    expect(ledger.lookup(result.executionId)).toBe('published');
  });
});
