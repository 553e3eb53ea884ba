import type { JournalPart, WriteJournal } from './ports';
import { WriteTransactions } from './write-transactions';

function harness(options: { failUndoOf?: number; heartbeatMs?: number } = {}) {
  const calls: string[] = [];
  const stored = new Map<string, JournalPart[]>();
  const state = new Map<string, string>();
  const journal: WriteJournal = {
    append: async (txn, parts, position) => {
      calls.push(
        `append ${position.first ? 'first' : 'more'} ${parts.map((p) => p.action).join(',')}`,
      );
      if (position.first) state.set(txn, 'open');
      else if (state.get(txn) !== 'open') throw new Error('closed');
      stored.set(txn, [...(stored.get(txn) ?? []), ...parts]);
    },
    touch: async () => void calls.push('touch'),
    commit: async (txn) => {
      calls.push('commit');
      if (state.get(txn) !== 'open') return false;
      state.set(txn, 'committed');
      return true;
    },
    beginRollback: async (txn) => {
      if (!['open', 'rolling_back'].includes(state.get(txn) ?? '')) return false;
      state.set(txn, 'rolling_back');
      return true;
    },
    abort: async (txn) => {
      calls.push('abort');
      state.set(txn, 'rolled_back');
    },
    parts: async (txn) => stored.get(txn) ?? [],
    abandoned: async () =>
      [...state].filter(([, s]) => s === 'open' || s === 'rolling_back').map(([txn]) => txn),
    purgeFinished: async () => 0,
  };
  const transactions = new WriteTransactions({
    journal,
    changes: { record: async () => undefined, discard: async () => void calls.push('discard') },
    logger: { warn: () => undefined, error: () => undefined },
    heartbeatMs: options.heartbeatMs ?? 60_000,
  });
  transactions.setUndo(async (part) => {
    if (part.ids.includes(options.failUndoOf ?? -1)) throw new Error('duplicate key');
    calls.push(`undo ${part.action} ${part.ids.join(',')}`);
  });
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

  it('when recovery rolled a slow write back, then that write does not commit: the caller is told', async () => {
    const { transactions, calls } = harness();
    let resume: () => void = () => undefined;
    const slow = transactions.run(async () => {
      await transactions.journal(step('insert', [1]));
      await new Promise<void>((resolve) => (resume = resolve));
    });
    await new Promise((r) => setImmediate(r));

    await transactions.recover({ now: new Date(), abandonAfterMs: 0, keepFinishedMs: 0 });
    resume();
    const error = await slow.catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'write-interrupted', category: 'unavailable' });
    expect(calls.filter((c) => c === 'undo insert 1')).toHaveLength(1);
  });

  it('when one abandoned write cannot be undone, then recovery still rolls back the others', async () => {
    const { transactions, calls } = harness({ failUndoOf: 7 });
    const never = new Promise<void>(() => undefined);
    for (const id of [7, 8])
      void transactions.run(async () => {
        await transactions.journal(step('insert', [id]));
        await never;
      });
    await new Promise((r) => setImmediate(r));

    const rolledBack = await transactions.recover({
      now: new Date(),
      abandonAfterMs: 0,
      keepFinishedMs: 0,
    });

    expect(rolledBack).toBe(1);
    expect(calls).toContain('undo insert 8');
  });

  it('when a write runs long, then it says it is alive', async () => {
    const { transactions, calls } = harness({ heartbeatMs: 5 });

    await transactions.run(async () => {
      await transactions.journal(step('insert', [1]));
      await new Promise((r) => setTimeout(r, 30));
    });

    expect(calls.filter((c) => c === 'touch').length).toBeGreaterThan(0);
  });
});
