import {
  executionCancellationsTopic,
  executionCompletionsTopic,
  executionEventsTopic,
  executionRequestsTopic,
  executionResultsTopic,
  onTopic,
} from '@toolkit/contracts';
import type { TopicContract } from '@toolkit/contracts';

/**
 * The topic prefix of a test stack: service processes of the test run with it as
 * KAFKA_TOPIC_PREFIX and meet the in-process services on the same topics.
 */
export const stackPrefix = (id: string) => `test.stack.${id}.`;

/** A test stack's own execution topics: the production names behind its prefix. */
export function stackTopics(id: string) {
  const own = <S extends TopicContract>(contract: S) =>
    onTopic(contract, `${stackPrefix(id)}${contract.topic}`) as S;
  return {
    requests: own(executionRequestsTopic),
    results: own(executionResultsTopic),
    events: own(executionEventsTopic),
    cancellations: own(executionCancellationsTopic),
    completions: own(executionCompletionsTopic),
  };
}

export type StackTopics = ReturnType<typeof stackTopics>;
