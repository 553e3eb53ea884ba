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
import { currentLogContext } from '@toolkit/logger';
import type { Logger } from '@toolkit/logger';
import type { Messaging } from '@toolkit/messaging';

/** Items of one send, each with the correlation id of the request it answers. */
interface Outgoing<T> {
  items: T[];
  correlationIds: (string | undefined)[];
}

/**
 * Coalesces concurrent sends into one produce request per topic: while a send is in
 * flight, new items queue and go together in the next one. A result's promise resolves
 * once the broker acknowledged it (acks=all); events are best effort (logged on failure).
 * A send may settle its items one by one by answering one error (or undefined) per item.
 * Each item keeps the correlation id of the context it was added in (its request's: the
 * consumer runs each request in its own), so coalescing never mixes them up.
 */
class Coalescer<T> {
  private queue: { item: T; correlationId?: string; done: (error?: unknown) => void }[] = [];
  private sending: Promise<void> | undefined;

  constructor(
    private readonly send: (outgoing: Outgoing<T>) => Promise<void | readonly unknown[]>,
  ) {}

  add(item: T): Promise<void> {
    const { correlationId } = currentLogContext() ?? {};
    return new Promise<void>((resolve, reject) => {
      this.queue.push({
        item,
        correlationId,
        done: (error) => (error === undefined ? resolve() : reject(error)),
      });
      this.pump();
    });
  }

  async drain(): Promise<void> {
    while (this.sending) await this.sending;
  }

  private pump(): void {
    if (this.sending || this.queue.length === 0) return;
    const batch = this.queue.splice(0, 500);
    this.sending = this.send({
      items: batch.map((b) => b.item),
      correlationIds: batch.map((b) => b.correlationId),
    })
      .then(
        (errors) => batch.forEach((b, i) => b.done(errors?.[i])),
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
    private readonly messaging: Pick<Messaging, 'publish' | 'publishMany'>,
    private readonly topics: {
      results: typeof executionResultsTopic;
      events: typeof executionEventsTopic;
    },
    private readonly logger: Logger,
  ) {
    this.results = new Coalescer((outgoing) => this.sendResults(outgoing));
    this.events = new Coalescer(({ items, correlationIds }) =>
      messaging.publishMany(topics.events, items, { correlationIds }).then(() => undefined),
    );
  }

  /**
   * One produce for the coalesced results. When the topic refuses one of them as too large
   * (the whole send is refused before anything goes), the others must not fail with it:
   * each is then sent alone and settled on its own, and an oversize one is cut down to
   * fit (`shrinkToFit`) rather than lost.
   */
  private async sendResults({
    items,
    correlationIds,
  }: Outgoing<ExecutionResult>): Promise<void | unknown[]> {
    try {
      await this.messaging.publishMany(this.topics.results, items, { correlationIds });
      return undefined;
    } catch (error) {
      if (!isTooLarge(error)) throw error;
    }
    const errors: unknown[] = [];
    for (const [i, item] of items.entries())
      errors.push(
        await this.sendFitting(item, correlationIds[i]).then(
          () => undefined,
          (error: unknown) => error,
        ),
      );
    return errors;
  }

  private async sendFitting(result: ExecutionResult, correlationId?: string): Promise<void> {
    let candidate = result;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.messaging.publish(
          this.topics.results,
          candidate,
          correlationId ? { correlationId } : {},
        );
        return;
      } catch (error) {
        if (!isTooLarge(error) || attempt >= 3) throw error;
        const { bytes, valueLimit } = error.details as { bytes: number; valueLimit: number };
        this.logger.warn(
          { executionId: result.executionId, bytes, valueLimit },
          'result too large for the results topic: publishing it with its output cut',
        );
        candidate = shrinkToFit(candidate, bytes, valueLimit);
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
