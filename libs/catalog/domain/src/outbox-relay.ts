import type { EventPublisher, Lease, Logger, Outbox, OutboxEntry } from './ports';

export interface OutboxRelayOptions {
  /** Entries read and published per round. */
  batch: number;
  /** A failing publish is logged at most this often (a Kafka outage would flood the log). */
  failureLogIntervalMs?: number;
}

/**
 * Publishes the outbox: the catalog events stored with their change records. One replica
 * at a time (the lease) publishes the oldest entries first and removes them once Kafka
 * has them, so every recorded change is published, in order, at least once: after a
 * Kafka outage, a crash between publishing and removing, or a lease handover, an event
 * may be published twice (consumers key on entity and id). A write nudges the relay so
 * that its events go out at once; a periodic `drain` (the app's) picks up the rest:
 * other replicas' writes and failed publishes.
 */
export class OutboxRelay {
  private running: Promise<number> | undefined;
  private again = false;
  private lastFailureLog = 0;

  constructor(
    private readonly deps: {
      outbox: Outbox;
      events: EventPublisher;
      lease: Lease;
      logger: Logger;
      /** Counts published events (metrics). */
      published?: (count: number) => void;
      failed?: () => void;
      now?: () => number;
    },
    private readonly options: OutboxRelayOptions,
  ) {}

  /** Events were recorded: publish them now (failures are left for the poll). */
  nudge(): void {
    void this.drain().catch((error: unknown) => this.report(error));
  }

  /**
   * Publishes everything pending while this replica holds the lease; returns how many.
   * Calls during a drain join it, and it goes round once more for what they recorded.
   */
  drain(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let total = 0;
      do {
        this.again = false;
        total += await this.drainOnce();
      } while (this.again);
      return total;
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async drainOnce(): Promise<number> {
    let total = 0;
    while (await this.deps.lease.held()) {
      const batch = await this.deps.outbox.pending(this.options.batch);
      if (batch.length === 0) break;
      for (const run of runsOfOneRequest(batch)) {
        // A long round must not run on into another holder's epoch.
        if (!(await this.deps.lease.held())) return total;
        await this.deps.events.publish(
          run.map((entry) => entry.event),
          run[0]?.correlation_id ?? undefined,
        );
        await this.deps.outbox.remove(run.map((entry) => entry._id));
        total += run.length;
        this.deps.published?.(run.length);
      }
    }
    return total;
  }

  /** Counts a failed drain and logs it (at most once per failureLogIntervalMs). */
  report(error: unknown): void {
    this.deps.failed?.();
    const now = (this.deps.now ?? Date.now)();
    if (now - this.lastFailureLog < (this.options.failureLogIntervalMs ?? 30_000)) return;
    this.lastFailureLog = now;
    this.deps.logger.error(
      { err: error },
      'catalog events not published yet; they stay in the outbox and are retried',
    );
  }
}

/** Consecutive entries of one request (one correlation id), in order. */
function runsOfOneRequest(entries: readonly OutboxEntry[]): OutboxEntry[][] {
  const runs: OutboxEntry[][] = [];
  for (const entry of entries) {
    const last = runs.at(-1);
    if (last && last[0]?.correlation_id === entry.correlation_id) last.push(entry);
    else runs.push([entry]);
  }
  return runs;
}
