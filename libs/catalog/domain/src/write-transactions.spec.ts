import type { JournalPart, WriteJournal } from './ports';
import { WriteTransactions } from './write-transactions';

function harness() {
  const calls: string[] = [];
  const stored = new Map<string, JournalPart[]>();
  const journal: WriteJournal = {
    append: async (txn, parts, first) => {
      calls.push(`append ${first ? 'first' : 'more'} ${parts.map((p) => p.action).join(',')}`);
      stored.set(txn, [...(stored.get(txn) ?? []), ...parts]);
    },
    commit: async () => void calls.push('commit'),
    abort: async () => void calls.push('abort'),
    parts: async (txn) => stored.get(txn) ?? [],
    abandoned: async () => [...stored.keys()],
    purgeFinished: async () => 0,
  };
  const transactions = new WriteTransactions({
    journal,
    changes: { record: async () => undefined, discard: async () => void calls.push('discard') },
    logger: { warn: () => undefined, error: () => undefined },
  });
  transactions.setUndo(
    async (part) => void calls.push(`undo ${part.action} ${part.ids.join(',')}`),
  );
  return { transactions, calls };
}

const step = (action: JournalPart['action'], ids: number[]): JournalPart => ({
  entity: 'site',
  action,
  ids,
});

describe('WriteTransactions', () => {
  it('when a write succeeds, then its steps are journaled and it commits once, nested writes included', async () => {
    const { transactions, calls } = harness();

    const result = await transactions.run(async () => {
      await transactions.journal(step('insert', [1, 2]));
      await transactions.run(() => transactions.journal(step('delete', [9])));
      return 'done';
    });

    expect(result).toBe('done');
    expect(calls).toEqual(['append first insert', 'append more delete', 'commit']);
  });

  it('when a write fails after some steps, then they are undone last first, with its change records, and the error is kept', async () => {
    const { transactions, calls } = harness();

    const error = await transactions
      .run(async () => {
        await transactions.journal(step('insert', [1, 2]));
        await transactions.journal(step('replace', [3]));
        throw new Error('store down');
      })
      .catch((e: unknown) => e);

    expect(error).toEqual(new Error('store down'));
    expect(calls).toEqual([
      'append first insert',
      'append more replace',
      'undo replace 3',
      'undo insert 1,2',
      'discard',
      'abort',
    ]);
  });

  it('when a write fails before writing anything, then the journal is not touched', async () => {
    const { transactions, calls } = harness();

    await expect(
      transactions.run(async () => {
        throw new Error('invalid');
      }),
    ).rejects.toThrow('invalid');
    expect(calls).toEqual([]);
  });

  it('when a step is journaled outside a transaction, then it is refused', async () => {
    const { transactions } = harness();

    await expect(transactions.journal(step('insert', [1]))).rejects.toThrow(
      /outside a transaction/,
    );
  });

  it('when a transaction was abandoned, then recovery rolls it back', async () => {
    const { transactions, calls } = harness();
    const never = new Promise<void>(() => undefined);
    void transactions.run(async () => {
      await transactions.journal(step('insert', [7]));
      await never; // the process "dies" here
    });
    await new Promise((r) => setImmediate(r));

    const rolledBack = await transactions.recover({
      now: new Date(),
      abandonAfterMs: 0,
      keepFinishedMs: 0,
    });

    expect(rolledBack).toBe(1);
    expect(calls).toEqual(['append first insert', 'undo insert 7', 'discard', 'abort']);
  });
});
