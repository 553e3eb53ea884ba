/** What ended one wait: a completion of the execution, the interval, or the registry closing. */
export type WakeReason = 'completed' | 'tick' | 'closed';

export interface Waiter {
  /**
   * Resolves at the first of: a completion announced since the last call, `ms` passing, the
   * registry closing (shutdown) or `signal` aborting (the client went away: 'closed').
   */
  next(ms: number, signal?: AbortSignal): Promise<WakeReason>;
  dispose(): void;
}

interface Entry {
  completed: boolean;
  wake: ((reason: WakeReason) => void) | undefined;
}

/**
 * The requests of this process waiting for executions to finish. A completion read from
 * the completions topic wakes every waiter of its execution (a retry with an idempotency
 * key waits on the same execution as the first request). In memory: a replica that dies
 * loses only its waits, never the executions.
 */
export class CompletionWaiters {
  private readonly byExecution = new Map<string, Set<Entry>>();
  private closedFlag = false;
  private count = 0;

  /** Waits in progress (the in-flight waits gauge). */
  get size(): number {
    return this.count;
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Register before publishing, so that no completion can come before anyone listens. */
  register(executionId: string): Waiter {
    const entry: Entry = { completed: false, wake: undefined };
    let entries = this.byExecution.get(executionId);
    if (!entries) {
      entries = new Set();
      this.byExecution.set(executionId, entries);
    }
    entries.add(entry);
    this.count += 1;
    let disposed = false;
    return {
      next: (ms, signal) => {
        if (this.closedFlag || signal?.aborted) return Promise.resolve('closed');
        if (entry.completed) {
          entry.completed = false;
          return Promise.resolve('completed');
        }
        return new Promise<WakeReason>((resolve) => {
          const finish = (reason: WakeReason) => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
            entry.wake = undefined;
            if (reason === 'completed') entry.completed = false;
            resolve(reason);
          };
          const onAbort = () => finish('closed');
          const timer = setTimeout(() => finish('tick'), Math.max(0, ms));
          signal?.addEventListener('abort', onAbort, { once: true });
          entry.wake = finish;
        });
      },
      dispose: () => {
        if (disposed) return;
        disposed = true;
        entry.wake?.('closed');
        const set = this.byExecution.get(executionId);
        set?.delete(entry);
        if (set?.size === 0) this.byExecution.delete(executionId);
        this.count -= 1;
      },
    };
  }

  /** An execution finished (or changed): wakes its waiters; unknown ids cost a map lookup. */
  notify(executionId: string): void {
    const entries = this.byExecution.get(executionId);
    if (!entries) return;
    for (const entry of entries) {
      entry.completed = true;
      entry.wake?.('completed');
    }
  }

  /** Shutdown: every wait ends now ('closed'), and new ones end at once. */
  close(): void {
    this.closedFlag = true;
    for (const entries of this.byExecution.values())
      for (const entry of entries) entry.wake?.('closed');
  }
}
