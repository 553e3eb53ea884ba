/**
 * Public REST API schemas (zod) and list specs, one definition per resource: services
 * validate requests with them, and the gateway builds the OpenAPI document from them.
 * Catalog resources live in ./catalog, analytics resources in ./analytics.
 */
export {};
// --- analytics ---
export {
  API_COMMAND_TYPES,
  API_ERROR_CLASSES,
  API_PLATFORMS,
  EXECUTION_STATUSES,
} from './analytics/choices.contract';
export type { ExecutionStatus } from './analytics/choices.contract';
export {
  COMMAND_LOGS_PATH,
  COMMAND_LOG_BRIEF_FIELDS,
  COMMAND_LOG_CSV_COLUMNS,
  EXPORT_FORMATS,
  STATISTICS_BUCKETS,
  commandLogBulkDeleteSchema,
  commandLogExportListSpec,
  commandLogListSpec,
  commandLogSchema,
  commandLogStatisticsListSpec,
  commandLogStatisticsSchema,
} from './analytics/command-logs.contract';
export type {
  CommandLogRepresentation,
  CommandLogStatistics,
} from './analytics/command-logs.contract';
export {
  EXECUTIONS_PATH,
  EXECUTION_BRIEF_FIELDS,
  executionListSpec,
  executionResultViewSchema,
  executionSchema,
} from './analytics/executions.contract';
export type { ExecutionRepresentation } from './analytics/executions.contract';
export { BULK_JOBS_PATH, bulkJobItemSchema, bulkJobSchema } from './analytics/bulk-jobs.contract';
export type { BulkJobRepresentation } from './analytics/bulk-jobs.contract';
// --- users (gateway) ---
export {
  GROUPS_PATH,
  PERMISSIONS_PATH,
  PERMISSION_ACTIONS,
  PERMISSION_OBJECT_TYPES,
  TOKENS_PATH,
  TOKEN_PROVISION_PATH,
  USERS_PATH,
  constraintsSchema,
  groupBriefSchema,
  groupListSpec,
  groupSchema,
  groupWriteSchema,
  objectPermissionListSpec,
  objectPermissionSchema,
  objectPermissionWriteSchema,
  tokenListSpec,
  tokenProvisionSchema,
  tokenSchema,
  tokenWriteSchema,
  userBriefSchema,
  userListSpec,
  userSchema,
  userWriteSchema,
} from './users/users.contract';
export type {
  GroupRepresentation,
  ObjectPermissionRepresentation,
  TokenRepresentation,
  UserRepresentation,
} from './users/users.contract';
