import { catalogEventsTopic } from './catalog.contract';
import { deadLetterTopic } from './dead-letter.contract';
import {
  executionCancellationsTopic,
  executionCompletionsTopic,
  executionEventsTopic,
  executionRequestsTopic,
  executionResultsTopic,
} from './execution.contract';

/** Every topic of the system, created up front (no auto-creation). */
export const ALL_TOPICS = [
  executionRequestsTopic,
  executionResultsTopic,
  executionEventsTopic,
  executionCancellationsTopic,
  executionCompletionsTopic,
  catalogEventsTopic,
  deadLetterTopic,
] as const;
