import type {
  ExecutionEvent,
  ExecutionResult,
  executionEventsTopic,
  executionResultsTopic,
} from '@toolkit/contracts';
import { isAppError } from '@toolkit/errors';
import type { AppError } from '@toolkit/errors';
import { shrinkToFit } from '@toolkit/executor-domain';
import type { ExecutionPublisher } from '@toolkit/executor-domain';
import type { Logger } from '@toolkit/logger';
import type { KafkaMessaging } from '@toolkit/messaging';

/**
 * Coalesces concurrent sends into one produce request per topic: while a send is in
 * flight, new items queue and go together in the next one. A result's promise resolves
 * once the broker acknowledged it (acks=all); events are best effort (logged on failure).
 */
class Coalescer<T> {
  private queue: { item: T; done: (error?: unknown) => void }[] = [];
  private sending: Promise<void> | undefined;

  constructor(private readonly send: (items: T[]) => Promise<void>) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, done: (error) => (error === undefined ? resolve() : reject(error)) });
      this.pump();
    });
  }

  async drain(): Promise<void> {
    while (this.sending) await this.sending;
  }

  private pump(): void {
    if (this.sending || this.queue.length === 0) return;
    const batch = this.queue.splice(0, 500);
    this.sending = this.send(batch.map((b) => b.item))
      .then(
        () => batch.forEach((b) => b.done()),
        (error: unknown) => batch.forEach((b) => b.done(error ?? new Error('send failed'))),
      )
      .finally(() => {
        this.sending = undefined;
        this.pump();
      });
  }
}

export class KafkaExecutionPublisher implements ExecutionPublisher {
  private readonly results: Coalescer<ExecutionResult>;
  private readonly events: Coalescer<ExecutionEvent>;

  constructor(
    private readonly messaging: KafkaMessaging,
    private readonly topics: {
      results: typeof executionResultsTopic;
      events: typeof executionEventsTopic;
    },
    private readonly logger: Logger,
  ) {
    this.results = new Coalescer((items) => this.sendResults(items));
    this.events = new Coalescer((items) =>
      messaging.publishMany(topics.events, items).then(() => undefined),
    );
  }

  /**
   * One produce for the coalesced results. When the topic refuses one of them as too large
   * (the whole send is refused before anything goes), the others must not fail with it:
   * each is sent alone, and the oversize one is cut down to fit (`shrinkToFit`).
   */
  private async sendResults(items: ExecutionResult[]): Promise<void> {
    try {
      await this.messaging.publishMany(this.topics.results, items);
    } catch (error) {
      if (!isTooLarge(error)) throw error;
      for (const item of items) await this.sendFitting(item);
    }
  }

  private async sendFitting(result: ExecutionResult): Promise<void> {
    let candidate = result;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.messaging.publish(this.topics.results, candidate);
        return;
      } catch (error) {
        if (!isTooLarge(error) || attempt >= 4) throw error;
        const { bytes, limit } = error.details as { bytes: number; limit: number };
        this.logger.warn(
          { executionId: result.executionId, bytes, limit },
          'result too large for the results topic: publishing it with its output cut',
        );
        candidate = shrinkToFit(candidate, bytes, limit);
      }
    }
  }

  publishResult(result: ExecutionResult): Promise<void> {
    return this.results.add(result);
  }

  publishEvent(event: ExecutionEvent): void {
    this.events.add(event).catch((error: unknown) => {
      this.logger.warn(
        { err: error, executionId: event.executionId },
        'progress event not published',
      );
    });
  }

  async flush(): Promise<void> {
    await Promise.all([this.results.drain(), this.events.drain()]);
  }
}

const isTooLarge = (error: unknown): error is AppError =>
  isAppError(error) && error.code === 'message-too-large';
