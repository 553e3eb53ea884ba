import type { ExecutionResult } from '@toolkit/contracts';

export interface ResultLedgerLimits {
  /** Ids of acknowledged results remembered (oldest forgotten first). */
  ids: number;
  /** Estimated bytes of results held while unacknowledged (oldest dropped first). */
  unacknowledgedBytes: number;
}

/**
 * What this process did with recent requests, so that a batch retried after a failed
 * acknowledgement neither runs a command again nor loses its result. A result is held
 * whole only until the broker acknowledged it; after that only its id is remembered
 * (the result is durable in Kafka), so large outputs are not kept alive across garbage
 * collections for the sake of a retry that would not need them.
 */
export class ResultLedger {
  private readonly acknowledged = new Set<string>();
  private readonly unacknowledged = new Map<string, { result: ExecutionResult; bytes: number }>();
  private unacknowledgedBytes = 0;

  constructor(private readonly limits: ResultLedgerLimits) {}

  /**
   * `'published'`: the broker has the result, nothing to do; a result: it was not
   * acknowledged (yet), publish it again; undefined: not handled here recently.
   */
  lookup(executionId: string): 'published' | ExecutionResult | undefined {
    if (this.acknowledged.has(executionId)) return 'published';
    return this.unacknowledged.get(executionId)?.result;
  }

  /**
   * Records a result just handed to the publisher: held until `acknowledgement` resolves
   * (none: already acknowledged), kept for a republish when it rejects.
   */
  track(
    executionId: string,
    result: ExecutionResult,
    acknowledgement: Promise<void> | undefined,
  ): void {
    if (!acknowledgement) {
      this.published(executionId);
      return;
    }
    this.hold(executionId, result);
    acknowledgement.then(
      () => {
        // A later republish may have replaced the entry: it is acknowledged all the same.
        this.published(executionId);
      },
      () => undefined,
    );
  }

  /** The broker acknowledged the request's result. */
  published(executionId: string): void {
    this.release(executionId);
    this.acknowledged.delete(executionId);
    this.acknowledged.add(executionId);
    if (this.acknowledged.size > this.limits.ids) {
      const oldest = this.acknowledged.values().next();
      if (!oldest.done) this.acknowledged.delete(oldest.value);
    }
  }

  /** Results held while unacknowledged (for tests and status). */
  get held(): number {
    return this.unacknowledged.size;
  }

  private hold(executionId: string, result: ExecutionResult): void {
    this.release(executionId);
    const bytes =
      1_024 +
      2 * (result.output.length + (result.errorMessage?.length ?? 0)) +
      (result.parsedOutput ? 2 * JSON.stringify(result.parsedOutput).length : 0);
    this.unacknowledged.set(executionId, { result, bytes });
    this.unacknowledgedBytes += bytes;
    while (this.unacknowledgedBytes > this.limits.unacknowledgedBytes) {
      const oldest = this.unacknowledged.keys().next();
      if (oldest.done) break;
      this.release(oldest.value);
    }
  }

  private release(executionId: string): void {
    const entry = this.unacknowledged.get(executionId);
    if (!entry) return;
    this.unacknowledged.delete(executionId);
    this.unacknowledgedBytes -= entry.bytes;
  }
}
