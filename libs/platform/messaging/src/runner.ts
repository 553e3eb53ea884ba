import type { Consumer, Kafka } from 'kafkajs';
import type { z } from 'zod';
import type { TopicContract } from '@toolkit/contracts';
import { AppError } from '@toolkit/errors';
import type { Logger } from '@toolkit/logger';
import type { MessagingMetrics } from '@toolkit/metrics';
import type { DeadLetterInput } from './codec';
import { HandlingPolicy } from './handling-policy';
import { kafkaErrorType } from './client';
import { countResponseBytes, trackLag } from './instrumentation';
import type {
  BatchConsumerOptions,
  ConsumedMessage,
  ConsumerCommon,
  MessageConsumerOptions,
  RunningConsumer,
} from './messaging';

/**
 * The consume loops over kafkajs consumers: one consumer per `consume`/`consumeBatches`
 * call, each message or batch decoded, handled and dead-lettered by the `HandlingPolicy`,
 * offsets resolved and committed only after the handler resolved. Options arrive with
 * their contract and group id as they travel (prefixed).
 */
export class ConsumerRunner {
  private readonly consumers = new Set<RunningConsumer>();

  constructor(
    private readonly kafka: Kafka,
    private readonly deps: {
      logger: Logger;
      metrics: MessagingMetrics | undefined;
      sendToDeadLetter: (input: DeadLetterInput) => Promise<void>;
    },
  ) {}

  /** The consumers started and not stopped yet. */
  running(): RunningConsumer[] {
    return [...this.consumers];
  }

  async consume<S extends z.ZodType>(options: MessageConsumerOptions<S>): Promise<RunningConsumer> {
    return this.start(options, async (consumer, policy, stopping) => {
      await consumer.run({
        autoCommit: options.commitOffsets ?? true,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
        eachMessage: async ({ topic, partition, message, heartbeat }) => {
          const decoded = await policy.decodeOrDeadLetter(topic, partition, message);
          if (!decoded) return;
          const membership = watchMembership(heartbeat);
          const settled = await policy.withRetries(
            [decoded],
            membership.heartbeat,
            () => options.handle(decoded),
            () => !stopping() && !membership.lost(),
          );
          // kafkajs resolves a message whose handler returns: throwing keeps its offset.
          if (!settled) throw AppError.unavailable('the consumer (stopping)');
        },
      });
    });
  }

  async consumeBatches<S extends z.ZodType>(
    options: BatchConsumerOptions<S>,
  ): Promise<RunningConsumer> {
    const maxBatch = options.maxBatchSize ?? 500;
    return this.start(options, async (consumer, policy) => {
      await consumer.run({
        eachBatchAutoResolve: false,
        autoCommit: options.commitOffsets ?? true,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
        eachBatch: async ({
          batch,
          resolveOffset,
          heartbeat,
          isRunning,
          isStale,
          commitOffsetsIfNecessary,
        }) => {
          const membership = watchMembership(heartbeat);
          for (let start = 0; start < batch.messages.length; start += maxBatch) {
            if (!isRunning() || isStale()) return;
            const slice = batch.messages.slice(start, start + maxBatch);
            const valid: ConsumedMessage<z.output<S>>[] = [];
            for (const message of slice) {
              const decoded = await policy.decodeOrDeadLetter(
                batch.topic,
                batch.partition,
                message,
              );
              if (decoded) valid.push(decoded);
            }
            const settled =
              valid.length === 0 ||
              (await policy.withRetries(
                valid,
                membership.heartbeat,
                () => options.handleBatch(valid, heartbeat),
                () => isRunning() && !isStale() && !membership.lost(),
              ));
            // Handed back: not resolved, so read again by whoever holds the partition next.
            if (!settled) return;
            const last = slice[slice.length - 1];
            if (last) resolveOffset(last.offset);
            if (options.commitOffsets ?? true) await commitOffsetsIfNecessary();
            await heartbeat();
          }
        },
      });
    });
  }

  private async start<S extends z.ZodType>(
    options: ConsumerCommon & { contract: TopicContract<S> },
    run: (consumer: Consumer, policy: HandlingPolicy<S>, stopping: () => boolean) => Promise<void>,
  ): Promise<RunningConsumer> {
    const { logger, metrics } = this.deps;
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: options.heartbeatIntervalMs ?? 3_000,
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 1_000,
      ...(options.maxBytesPerPartition === undefined
        ? {}
        : { maxBytesPerPartition: options.maxBytesPerPartition }),
    });
    let stopping: Promise<void> | undefined;
    const untrackLag = trackLag(consumer, options.groupId, metrics);
    countResponseBytes(consumer, metrics);
    let crashed = false;
    consumer.on(consumer.events.CRASH, (event) => {
      const restart = (event.payload as { restart?: boolean }).restart ?? false;
      logger.error(
        { err: event.payload.error, groupId: options.groupId, restart },
        'consumer crashed',
      );
      if (!restart) crashed = true;
    });
    const policy = new HandlingPolicy<S>({
      consumer: options,
      sendToDeadLetter: this.deps.sendToDeadLetter,
      logger,
      metrics,
    });
    try {
      await consumer.connect();
      await consumer.subscribe({
        topic: options.contract.topic,
        fromBeginning: options.fromBeginning ?? false,
      });
      await run(consumer, policy, () => stopping !== undefined);
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw AppError.unavailable('Kafka', error);
    }
    const running: RunningConsumer = {
      groupId: options.groupId,
      healthy: () => !crashed,
      pause: () => consumer.pause([{ topic: options.contract.topic }]),
      resume: () => consumer.resume([{ topic: options.contract.topic }]),
      stop: () => {
        stopping ??= consumer.disconnect().finally(() => {
          untrackLag();
          this.consumers.delete(running);
        });
        return stopping;
      },
    };
    this.consumers.add(running);
    return running;
  }
}

/** What the group coordinator answers a member that must rejoin (kafkajs' isRebalancing). */
const REJOIN = new Set([
  'REBALANCE_IN_PROGRESS',
  'NOT_COORDINATOR_FOR_GROUP',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
]);

/**
 * The heartbeat kafkajs hands a handler, noting when the group tells this member to
 * rejoin: its partitions may go to another member, so a message still being retried is
 * handed back (kafkajs' `isStale` only tells of seeks). Without it, a member retrying
 * while its database is down never rejoined: the group waited for the rebalance timeout on
 * every join, and the evicted member ran the batch anyway once the database came back.
 */
function watchMembership(heartbeat: () => Promise<void>) {
  let lost = false;
  return {
    heartbeat: async () => {
      try {
        await heartbeat();
      } catch (error) {
        if (REJOIN.has(kafkaErrorType(error) ?? '')) lost = true;
        throw error;
      }
    },
    lost: () => lost,
  };
}
