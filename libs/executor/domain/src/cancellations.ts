import type { CommandType } from '@toolkit/contracts';

export interface CancellationBookOptions {
  /**
   * How long a cancellation is remembered. A request runs only within its timeout counted
   * from its request time (at most MAX_TIMEOUT_MS), so a cancellation older than that plus
   * the clock skew allowed can no longer matter.
   */
  horizonMs: number;
  /**
   * How long a bulk job's cancellation is remembered (default `horizonMs`): as long as its
   * last items may still start (their timeouts in sequence on one device).
   */
  jobHorizonMs?: number;
  /** Most cancellations remembered (the oldest are forgotten first). */
  maxEntries: number;
  now?: () => number;
}

export interface RunHandle {
  /** Aborts the run when its execution is cancelled (a `show` only). */
  signal: AbortSignal | undefined;
  /** The run is over: forget it. */
  finish(): void;
}

export type CancelEffect = 'aborted' | 'recorded' | 'running-config';

/**
 * What this executor knows about cancelled executions: the cancellations it has read (a
 * request picked up later is skipped) and the runs in progress (a `show` is aborted; a
 * `config` is left to finish, since stopping it half-applied is worse). In memory, bounded
 * by time and count: each executor reads every cancellation.
 */
export class CancellationBook {
  /** Execution ids and (the `job:` prefix) bulk job ids. */
  private readonly cancelled = new Map<string, { by: string; at: number }>();
  private readonly running = new Map<string, { controller: AbortController; type: CommandType }>();
  private readonly now: () => number;

  constructor(private readonly options: CancellationBookOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.cancelled.size;
  }

  cancel(executionId: string, by: string): CancelEffect {
    this.remember(executionId, by);
    const run = this.running.get(executionId);
    if (!run) return 'recorded';
    if (run.type === 'config') return 'running-config';
    run.controller.abort();
    return 'aborted';
  }

  /** A bulk job's items not started yet are not to run (running ones finish). */
  cancelJob(bulkJobId: string, by: string): void {
    this.remember(jobKey(bulkJobId), by);
  }

  /** Who cancelled the execution (or the bulk job it belongs to), when it was. */
  cancelledBy(executionId: string, bulkJobId?: string): string | undefined {
    return (
      this.lookup(executionId) ??
      (bulkJobId === undefined ? undefined : this.lookup(jobKey(bulkJobId)))
    );
  }

  private remember(key: string, by: string): void {
    this.cancelled.delete(key);
    this.cancelled.set(key, { by, at: this.now() });
    this.prune();
  }

  private lookup(key: string): string | undefined {
    const entry = this.cancelled.get(key);
    if (!entry) return undefined;
    if (entry.at < this.now() - this.horizonOf(key)) {
      this.cancelled.delete(key);
      return undefined;
    }
    return entry.by;
  }

  /** A run starts: a `show` gets a signal that a cancellation aborts. */
  start(executionId: string, type: CommandType): RunHandle {
    const controller = new AbortController();
    const entry = { controller, type };
    this.running.set(executionId, entry);
    return {
      signal: type === 'show' ? controller.signal : undefined,
      finish: () => {
        if (this.running.get(executionId) === entry) this.running.delete(executionId);
      },
    };
  }

  private horizonOf(key: string): number {
    return key.startsWith(JOB_PREFIX)
      ? (this.options.jobHorizonMs ?? this.options.horizonMs)
      : this.options.horizonMs;
  }

  private prune(): void {
    const now = this.now();
    for (const [id, entry] of this.cancelled) {
      if (entry.at >= now - this.horizonOf(id) && this.cancelled.size <= this.options.maxEntries)
        break;
      this.cancelled.delete(id);
    }
  }
}

const JOB_PREFIX = 'job:';
const jobKey = (bulkJobId: string) => `${JOB_PREFIX}${bulkJobId}`;
