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
  it('when a result is acknowledged, then a retry of the same message has nothing to publish', async () => {
    const ledger = new ResultLedger();
    const message = {};
    const result = anExecutionResult();
    const ack = deferred();

    ledger.track(message, result, ack.promise);
    const whileInFlight = ledger.lookup(message);
    ack.resolve();
    await settle();

    expect(whileInFlight).toBe(result);
    expect(ledger.lookup(message)).toBe('published');
  });

  it('when an acknowledgement fails, then the result stays for a republish, until that is acknowledged', async () => {
    const ledger = new ResultLedger();
    const message = {};
    const result = anExecutionResult();
    const ack = deferred();

    ledger.track(message, result, ack.promise);
    ack.reject(new Error('broker down'));
    await settle();
    const afterFailure = ledger.lookup(message);
    ledger.published(message);

    expect(afterFailure).toBe(result);
    expect(ledger.lookup(message)).toBe('published');
  });

  it('when the same request arrives in another delivery (another message), then the ledger knows nothing of it', () => {
    const ledger = new ResultLedger();
    const result = anExecutionResult();

    ledger.track({}, result, undefined);

    expect(ledger.lookup({})).toBeUndefined();
  });
});
