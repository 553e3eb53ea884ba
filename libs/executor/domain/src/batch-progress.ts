import type { ExecutionBatch } from '@toolkit/contracts';

/**
 * Port: how far each bulk batch got, durably. A batch's items run in order, so its
 * progress is one number: how many of its first items have a result the broker
 * acknowledged.
 */
export interface BatchProgressStore {
  /** 0 when the batch was never seen. */
  doneCount(batchId: string): Promise<number>;
  /** Raises the batch's count to `done` (never lowers it; idempotent). */
  record(batchId: string, done: number): Promise<void>;
}

/** One batch message's identity: its job, its device and its first position. */
export function batchIdOf(batch: ExecutionBatch): string {
  return `${batch.bulkJobId}:${batch.device.id}:${batch.items[0]?.position ?? 0}`;
}

/**
 * The progress of one batch while an executor runs it: items are acknowledged in any
 * order (a result's acknowledgement is awaited later), but only the prefix of
 * acknowledged items is recorded, one write at a time and coalesced (a write in flight is
 * followed by one with the latest count, never by one per item). After a crash the
 * redelivered batch starts after the recorded prefix: its items are not run again.
 * An item acknowledged just before the crash but not yet recorded runs again: that is a
 * `show` (a `config` item has its own claim), and analytics keeps one result per execution.
 */
export class BatchProgress {
  private readonly acknowledged: boolean[];
  private prefix: number;
  private recorded: number;
  private writing: Promise<void> | undefined;

  constructor(
    private readonly store: BatchProgressStore,
    private readonly batchId: string,
    size: number,
    /** Items already done by an earlier delivery. */
    done: number,
    private readonly onError: (error: unknown) => void,
  ) {
    this.acknowledged = Array.from({ length: size }, (_, i) => i < done);
    this.prefix = done;
    this.recorded = done;
  }

  /** The item at `index` has a result the broker acknowledged. */
  acknowledge(index: number): void {
    this.acknowledged[index] = true;
    while (this.prefix < this.acknowledged.length && this.acknowledged[this.prefix]) this.prefix++;
    // The last item needs no record: the batch's offset is committed right after.
    if (this.prefix < this.acknowledged.length) this.flush();
  }

  /** Settles once the writes started so far are done (failures go to `onError`). */
  async settled(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private flush(): void {
    if (this.writing || this.prefix <= this.recorded) return;
    const target = this.prefix;
    this.writing = this.store
      .record(this.batchId, target)
      .then(
        () => {
          this.recorded = Math.max(this.recorded, target);
        },
        (error: unknown) => this.onError(error),
      )
      .finally(() => {
        this.writing = undefined;
        // Only after a success: a failing store is not hammered once per item.
        if (this.recorded === target) this.flush();
      });
  }
}
