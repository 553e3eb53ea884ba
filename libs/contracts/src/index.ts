export {
  KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
  defineTopic,
  envelopeSchema,
  onTopic,
} from './envelope.contract';
export type { Envelope, PayloadOf, TopicContract } from './envelope.contract';
export { deviceCredentialsSchema, sealedBoxSchema } from './sealed-box.contract';
export type { DeviceCredentials, SealedBox } from './sealed-box.contract';
export {
  ANY_COMMAND_OPERATOR,
  COMMAND_OPERATORS,
  COMMAND_TYPES,
  ERROR_CLASSES,
  EXECUTION_OUTCOMES,
  EXECUTION_PHASES,
  MAX_BULK_ITEMS,
  MAX_TEMPLATE_LENGTH,
  OUTPUT_CHUNK_MAX_CHARS,
  MAX_TIMEOUT_MS,
  MIN_TIMEOUT_MS,
  NOTES_MAX_LENGTH,
  PLATFORM_DRIVERS,
  RESULT_OUTPUT_MAX_BYTES,
  executionBatchSchema,
  executionCancellationSchema,
  executionCancellationsTopic,
  executionCompletionSchema,
  executionCompletionsTopic,
  executionEventSchema,
  executionEventsTopic,
  executionRequestMessageSchema,
  executionRequestSchema,
  executionRequestsTopic,
  isBatch,
  requestsOf,
  executionResultSchema,
  executionResultsTopic,
  outputChunkSchema,
  parsingSpecSchema,
  renderedCommandProblem,
  syntaxErrorSchema,
} from './execution.contract';
export type {
  CommandType,
  ErrorClass,
  ExecutionBatch,
  ExecutionCancellation,
  ExecutionCompletion,
  ExecutionEvent,
  ExecutionOutcome,
  ExecutionRequest,
  ExecutionRequestMessage,
  ExecutionResult,
  OutputChunk,
  ParsingSpec,
  PlatformDriver,
} from './execution.contract';
export { CATALOG_ENTITIES, catalogEventSchema, catalogEventsTopic } from './catalog.contract';
export type { CatalogEvent } from './catalog.contract';
export { deadLetterSchema, deadLetterTopic } from './dead-letter.contract';
export type { DeadLetter } from './dead-letter.contract';
export { ALL_TOPICS } from './topics';
export { chunksOf } from './chunks';
export {
  INTERNAL_HEADERS,
  constraintsSchema,
  decodeHeaderJson,
  encodeHeaderJson,
  principalSchema,
} from './internal-http.contract';
export type { Constraints, Principal } from './internal-http.contract';
