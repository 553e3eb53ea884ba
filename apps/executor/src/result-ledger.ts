import type { ExecutionResult } from '@toolkit/contracts';

/**
 * What this process did with the requests of the batches it is handling, so that a batch
 * retried after a failed acknowledgement neither runs a command again nor loses its
 * result. Keyed by the consumed message itself (a retry hands the same message objects
 * again), so entries go with their batch: nothing to bound, nothing kept after it. A
 * result is held whole only until the broker acknowledged it; then only the fact is.
 */
export class ResultLedger {
  private readonly entries = new WeakMap<object, ExecutionResult | 'published'>();

  /**
   * `'published'`: the broker has the result, nothing to do; a result: it was not
   * acknowledged (yet), publish it again; undefined: not handled in this delivery.
   */
  lookup(message: object): 'published' | ExecutionResult | undefined {
    return this.entries.get(message);
  }

  /**
   * Records a result just handed to the publisher: held until `acknowledgement` resolves
   * (none: already acknowledged), kept for a republish when it rejects.
   */
  track(
    message: object,
    result: ExecutionResult,
    acknowledgement: Promise<void> | undefined,
  ): void {
    if (!acknowledgement) {
      this.published(message);
      return;
    }
    this.entries.set(message, result);
    acknowledgement.then(
      () => this.published(message),
      () => undefined,
    );
  }

  /** The broker acknowledged the message's result. */
  published(message: object): void {
    this.entries.set(message, 'published');
  }
}
