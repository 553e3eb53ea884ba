import {
  deadLetterTopic,
  executionCancellationsTopic,
  executionCompletionsTopic,
  executionEventsTopic,
  executionRequestsTopic,
  executionResultsTopic,
  onTopic,
} from '@toolkit/contracts';

/** A test stack's own execution topics, named by an id (processes of the test share it). */
export function stackTopics(id: string) {
  return {
    requests: onTopic(executionRequestsTopic, `test.stack.${id}.requests.v1`),
    results: onTopic(executionResultsTopic, `test.stack.${id}.results.v1`),
    events: onTopic(executionEventsTopic, `test.stack.${id}.events.v1`),
    cancellations: onTopic(executionCancellationsTopic, `test.stack.${id}.cancellations.v1`),
    completions: onTopic(executionCompletionsTopic, `test.stack.${id}.completions.v1`),
  };
}

export type StackTopics = ReturnType<typeof stackTopics>;

/** The topics a gateway process of the stack creates or checks at boot. */
export function gatewayTopicsOf(id: string) {
  const topics = stackTopics(id);
  return [topics.requests, topics.cancellations, topics.completions, deadLetterTopic];
}
