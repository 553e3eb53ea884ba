import type { ExecutionCompletion, executionCompletionsTopic } from '@toolkit/contracts';
import type { BulkExecutionService, ExecutionService } from '@toolkit/gateway-domain';
import type { Messaging, RunningConsumer } from '@toolkit/messaging';

export interface CompletionConsumerOptions {
  messaging: Messaging;
  executions: ExecutionService;
  /** Synchronous bulk requests of this replica wait on their items' completions too. */
  bulk?: BulkExecutionService;
  /** Live streams of this replica end with their execution's result. */
  streams?: { onCompletion(completion: ExecutionCompletion): Promise<void> };
  topic: typeof executionCompletionsTopic;
  /** This replica's own group: it reads every completion to wake its waiting requests. */
  wakeGroupId: string;
  /** The replicas' shared group: each completion settles its rate-limit records once. */
  settleGroupId: string;
  maxWaitTimeMs?: number;
}

/**
 * Two readers of the (small) completions topic. The wake-up reader commits nothing: a
 * replica only cares about completions from its start on (a wait that began before reads
 * analytics itself at intervals), and the broker forgets the group once the replica is
 * gone. The settlement reader commits: a settlement missed while every replica was down
 * is made when they come back (reservations expire on their own meanwhile).
 */
export async function startCompletionConsumers(
  options: CompletionConsumerOptions,
): Promise<RunningConsumer[]> {
  const common = {
    contract: options.topic,
    fromBeginning: false,
    ...(options.maxWaitTimeMs === undefined ? {} : { maxWaitTimeMs: options.maxWaitTimeMs }),
  };
  const wake = await options.messaging.consumeBatches({
    ...common,
    groupId: options.wakeGroupId,
    commitOffsets: false,
    handleBatch: async (messages) => {
      for (const m of messages) {
        options.executions.wake(m.payload);
        options.bulk?.wake(m.payload);
        // Best effort: a stream that misses it finds the result on its next look (sweep).
        void options.streams?.onCompletion(m.payload).catch(() => undefined);
      }
    },
  });
  const settle = await options.messaging.consumeBatches({
    ...common,
    groupId: options.settleGroupId,
    handleBatch: async (messages) => {
      // In partition order: one device's completions settle one after the other.
      for (const m of messages) await options.executions.settle(m.payload);
    },
  });
  return [wake, settle];
}
