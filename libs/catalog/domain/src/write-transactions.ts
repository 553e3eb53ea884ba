import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { ChangeLog, JournalPart, Logger, WriteJournal } from './ports';

interface Txn {
  id: string;
  /** Whether its first part is journaled (a transaction that wrote nothing leaves no trace). */
  begun: boolean;
}

/** Undoes one journaled step (by entity); idempotent, as recovery may repeat it. */
export type UndoStep = (part: JournalPart) => Promise<void>;

/**
 * Catalog writes as all-or-nothing transactions, also across a crash: every storage step
 * is journaled before it is taken; the transaction commits when the whole write, its change
 * records and its events are stored. A failed write is rolled back from the journal at
 * once (what the in-place compensation missed, cascades included); a write whose process
 * died is rolled back by `recover`. Nested writes (cascades) join the transaction of the
 * write that started them.
 */
export class WriteTransactions {
  private readonly active = new AsyncLocalStorage<Txn>();
  private undo: UndoStep = async () => {
    throw new Error('WriteTransactions: no undo registered');
  };

  constructor(
    private readonly deps: { journal: WriteJournal; changes: ChangeLog; logger: Logger },
  ) {}

  /** The resources' undo, registered once they exist. */
  setUndo(undo: UndoStep): void {
    this.undo = undo;
  }

  /** The transaction of the write in progress, if any. */
  currentId(): string | undefined {
    return this.active.getStore()?.id;
  }

  /** Runs `work` in the current transaction, or in a new one it commits or rolls back. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active.getStore()) return work();
    const txn: Txn = { id: randomUUID(), begun: false };
    return this.active.run(txn, async () => {
      let result: T;
      try {
        result = await work();
      } catch (error) {
        if (txn.begun)
          await this.rollback(txn.id).catch((e: unknown) =>
            this.deps.logger.error(
              { err: e, txn: txn.id },
              'rollback failed; recovery will finish it',
            ),
          );
        throw error;
      }
      if (txn.begun) await this.deps.journal.commit(txn.id);
      return result;
    });
  }

  /** Journals a step of the current transaction; call before taking it. */
  async journal(part: JournalPart): Promise<void> {
    const txn = this.active.getStore();
    if (!txn) throw new Error('a catalog write outside a transaction');
    await this.deps.journal.append(txn.id, [part], !txn.begun);
    txn.begun = true;
  }

  /** Undoes a transaction's steps, last first, then its change records and events. */
  async rollback(txn: string): Promise<void> {
    const parts = await this.deps.journal.parts(txn);
    for (const part of [...parts].reverse()) await this.undo(part);
    await this.deps.changes.discard(txn);
    await this.deps.journal.abort(txn);
  }

  /**
   * Rolls back the transactions left open by dead processes (no step for `abandonAfterMs`)
   * and forgets finished ones after `keepFinishedMs`; returns how many were rolled back.
   */
  async recover(options: {
    now: Date;
    abandonAfterMs: number;
    keepFinishedMs: number;
  }): Promise<number> {
    const abandoned = await this.deps.journal.abandoned(
      new Date(options.now.getTime() - options.abandonAfterMs),
      100,
    );
    for (const txn of abandoned) {
      await this.rollback(txn);
      this.deps.logger.warn({ txn }, 'an interrupted catalog write was rolled back');
    }
    await this.deps.journal.purgeFinished(new Date(options.now.getTime() - options.keepFinishedMs));
    return abandoned.length;
  }
}
