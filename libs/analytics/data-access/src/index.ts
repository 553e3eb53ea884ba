export { COMMAND_LOG_SEQUENCE, CommandLogRepository } from './command-log.repository';
export type { IngestOutcome, SortSpec } from './command-log.repository';
export { ExecutionRepository } from './execution.repository';
export type { ExecutionDoc, StoredSyntaxError } from './execution.schema';
export { BulkJobRepository } from './bulk-job.repository';
export type { BulkJobDoc } from './bulk-job.schema';
