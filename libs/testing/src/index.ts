export { anExecutionEvent, anExecutionRequest, anExecutionResult, uniqueSuffix } from './builders';
export { collectMessages, eventually, memoryLogger, produceRaw, testInfra, uniqueMongoUri } from './infra';
export type { CollectedMessage } from './infra';
