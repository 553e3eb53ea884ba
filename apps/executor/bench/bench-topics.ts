import {
  defineTopic,
  executionEventSchema,
  executionRequestSchema,
  executionResultSchema,
} from '@toolkit/contracts';
import type { ExecutorTopics } from '../src/executor';

/** The benchmark's own topics (never the production ones), named by a run id. */
export function benchTopics(id: string): ExecutorTopics {
  return {
    requests: defineTopic({
      topic: `bench.executor.${id}.requests.v1`,
      type: 'execution.requested',
      schemaVersion: 1,
      payload: executionRequestSchema,
      keyOf: (p) => String(p.device.id),
    }),
    results: defineTopic({
      topic: `bench.executor.${id}.results.v1`,
      type: 'execution.finished',
      schemaVersion: 1,
      payload: executionResultSchema,
      keyOf: (p) => String(p.device.id),
    }),
    events: defineTopic({
      topic: `bench.executor.${id}.events.v1`,
      type: 'execution.progressed',
      schemaVersion: 1,
      payload: executionEventSchema,
      keyOf: (p) => String(p.device.id),
    }),
  } as unknown as ExecutorTopics;
}
