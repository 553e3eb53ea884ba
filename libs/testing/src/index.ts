export {
  anExecutionBatch,
  anExecutionEvent,
  anExecutionRequest,
  anExecutionResult,
  uniqueSuffix,
} from './builders';
export {
  collectMessages,
  eventually,
  memoryLogger,
  produceRaw,
  testInfra,
  uniqueMongoUri,
} from './infra';
export type { CollectedMessage } from './infra';
export { connectTestInfra, itServesHealthEndpoints } from './service-kit';
export type { AppFactory, TestInfra } from './service-kit';
export { requiredServiceEnv, startServiceProcess, waitForLine } from './service-process';
export type { ServiceProcess } from './service-process';
export { installedTemplateLibrary, templateLibraryDir } from './template-library';
export { InMemoryMessaging, partitionOfKey } from './in-memory-messaging';
export type { BusOutcome, InMemoryMessagingOptions, StoredRecord } from './in-memory-messaging';
