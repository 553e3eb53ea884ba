import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { AppError } from '@toolkit/errors';
import type { ChangeLog, JournalPart, Logger, WriteJournal } from './ports';

interface Txn {
  id: string;
  /** Steps journaled so far (a transaction that wrote nothing leaves no trace). */
  steps: number;
}

/**
 * Undoes one journaled step of transaction `txn` (by entity): only what that transaction
 * stored is touched; idempotent, as recovery may repeat it.
 */
export type UndoStep = (part: JournalPart, txn: string) => Promise<void>;

/**
 * Catalog writes as all-or-nothing transactions, also across a crash: every storage step
 * is journaled before it is taken; the transaction commits when the whole write, its change
 * records and its events are stored. A failed write is rolled back from the journal at
 * once (what the in-place compensation missed, cascaded deletes included); a write whose
 * process died is rolled back by `recover`. Nested writes (cascades) join the transaction
 * of the write that started them; denormalised references are not journaled (a rename is
 * reversed by running its cascade backwards, a cleared primary IP is not restored).
 */
export class WriteTransactions {
  private readonly active = new AsyncLocalStorage<Txn>();
  private undo: UndoStep = async () => {
    throw new Error('WriteTransactions: no undo registered');
  };

  constructor(
    private readonly deps: {
      journal: WriteJournal;
      changes: ChangeLog;
      logger: Logger;
      /** How often an open transaction says it is alive (well below the abandon delay). */
      heartbeatMs?: number;
    },
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
    const txn: Txn = { id: randomUUID(), steps: 0 };
    return this.active.run(txn, async () => {
      const heartbeat = setInterval(() => {
        if (txn.steps > 0)
          this.deps.journal
            .touch(txn.id)
            .catch((e: unknown) =>
              this.deps.logger.warn({ err: e, txn: txn.id }, 'write transaction heartbeat failed'),
            );
      }, this.deps.heartbeatMs ?? 10_000);
      heartbeat.unref();
      try {
        const result = await work();
        if (txn.steps > 0 && !(await this.deps.journal.commit(txn.id)))
          throw new AppError({
            code: 'write-interrupted',
            category: 'unavailable',
            message: 'The write was taken for interrupted and rolled back: send it again.',
            details: { retryAfterSeconds: 1 },
          });
        return result;
      } catch (error) {
        if (txn.steps > 0)
          await this.rollback(txn.id).catch((e: unknown) =>
            this.deps.logger.error(
              { err: e, txn: txn.id },
              'rollback failed; recovery will finish it',
            ),
          );
        throw error;
      } finally {
        clearInterval(heartbeat);
      }
    });
  }

  /** Journals a step of the current transaction; call before taking it. */
  async journal(part: JournalPart): Promise<void> {
    const txn = this.active.getStore();
    if (!txn) throw new Error('a catalog write outside a transaction');
    await this.deps.journal.append(txn.id, [part], { first: txn.steps === 0, index: txn.steps });
    txn.steps += 1;
  }

  /**
   * Undoes a transaction's steps, last first, then its change records and events. A
   * committed (or already rolled back) transaction is left alone.
   */
  async rollback(txn: string): Promise<void> {
    if (!(await this.deps.journal.beginRollback(txn))) return;
    const parts = await this.deps.journal.parts(txn);
    for (const part of [...parts].reverse()) await this.undo(part, txn);
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
    let rolledBack = 0;
    for (const txn of abandoned) {
      // One that cannot be undone now must not keep the others waiting.
      try {
        await this.rollback(txn);
        rolledBack += 1;
        this.deps.logger.warn({ txn }, 'an interrupted catalog write was rolled back');
      } catch (error) {
        this.deps.logger.error(
          { err: error, txn },
          'an interrupted catalog write could not be rolled back yet',
        );
      }
    }
    await this.deps.journal.purgeFinished(new Date(options.now.getTime() - options.keepFinishedMs));
    return rolledBack;
  }
}
