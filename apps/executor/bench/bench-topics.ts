import {
  executionCancellationsTopic,
  executionEventsTopic,
  executionRequestsTopic,
  executionResultsTopic,
  onTopic,
} from '@toolkit/contracts';
import type { ExecutorTopics } from '../src/executor';

/** The benchmark's own topics (never the production ones), named by a run id. */
export function benchTopics(id: string): ExecutorTopics {
  return {
    requests: onTopic(executionRequestsTopic, `bench.executor.${id}.requests.v1`),
    results: onTopic(executionResultsTopic, `bench.executor.${id}.results.v1`),
    events: onTopic(executionEventsTopic, `bench.executor.${id}.events.v1`),
    cancellations: onTopic(executionCancellationsTopic, `bench.executor.${id}.cancellations.v1`),
  };
}
