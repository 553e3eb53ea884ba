import { BatchProgress } from './batch-progress';
import type { BatchProgressStore } from './batch-progress';

/** A store that records each write and lets the test decide when each one lands. */
function controlledStore() {
  const writes: number[] = [];
  const pending: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const store: BatchProgressStore = {
    doneCount: () => Promise.resolve(0),
    record: (_id, done) => {
      writes.push(done);
      return new Promise<void>((resolve, reject) => pending.push({ resolve, reject }));
    },
  };
  const settle = async (fail = false) => {
    const next = pending.shift();
    if (fail) next?.reject(new Error('store down'));
    else next?.resolve();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { store, writes, settle };
}

describe('bulk batch progress', () => {
  it('when items are acknowledged out of order, then only the done prefix is recorded', async () => {
    const { store, writes, settle } = controlledStore();
    const progress = new BatchProgress(store, 'b', 5, 0, () => undefined);

    progress.acknowledge(1);
    progress.acknowledge(0);
    await settle();
    progress.acknowledge(3);

    expect(writes).toEqual([2]);
  });

  it('when acknowledgements arrive while a write is in flight, then one write with the latest count follows', async () => {
    const { store, writes, settle } = controlledStore();
    const progress = new BatchProgress(store, 'b', 6, 0, () => undefined);

    progress.acknowledge(0);
    progress.acknowledge(1);
    progress.acknowledge(2);
    progress.acknowledge(3);
    await settle();
    await settle();

    expect(writes).toEqual([1, 4]);
  });

  it('when the last item is acknowledged, then nothing is written for it (the offset commit follows)', async () => {
    const { store, writes, settle } = controlledStore();
    const progress = new BatchProgress(store, 'b', 2, 0, () => undefined);

    progress.acknowledge(0);
    await settle();
    progress.acknowledge(1);
    await progress.settled();

    expect(writes).toEqual([1]);
  });

  it('when a write fails, then the error is reported and the next acknowledgement writes again', async () => {
    const { store, writes, settle } = controlledStore();
    const errors: unknown[] = [];
    const progress = new BatchProgress(store, 'b', 4, 0, (e) => errors.push(e));

    progress.acknowledge(0);
    await settle(true);
    progress.acknowledge(1);
    await settle();

    expect(errors).toHaveLength(1);
    expect(writes).toEqual([1, 2]);
  });

  it('when a redelivered batch starts after its done items, then its count starts there', async () => {
    const { store, writes, settle } = controlledStore();
    const progress = new BatchProgress(store, 'b', 5, 3, () => undefined);

    progress.acknowledge(3);
    await settle();

    expect(writes).toEqual([4]);
  });
});
