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
  isFinishedStatus,
} from './analytics/choices.contract';
export type { ExecutionStatus } from './analytics/choices.contract';
export {
  COMMAND_LOGS_PATH,
  COMMAND_LOG_BRIEF_FIELDS,
  COMMAND_LOG_CSV_COLUMNS,
  EXPORT_FORMATS,
  STATISTICS_BUCKETS,
  COMMAND_LOG_BULK_DELETE_MAX,
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
  parsedOutputViewSchema,
  syntaxErrorViewSchema,
} from './analytics/executions.contract';
export type {
  ExecutionRepresentation,
  ExecutionResultView,
  ParsedOutputView,
  SyntaxErrorView,
} from './analytics/executions.contract';
export {
  BULK_JOBS_PATH,
  BULK_JOB_BRIEF_FIELDS,
  BULK_JOB_STATUSES,
  bulkJobCountsSchema,
  bulkJobListSpec,
  bulkJobSchema,
  bulkJobSummarySchema,
} from './analytics/bulk-jobs.contract';
export type {
  BulkJobCounts,
  BulkJobRepresentation,
  BulkJobStatus,
  BulkJobSummary,
} from './analytics/bulk-jobs.contract';
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
// --- catalog ---
export {
  CATALOG_COMMAND_TYPES,
  CATALOG_PLATFORM_DRIVERS,
  sealedBoxOutputSchema,
  choiceOutputSchema,
  choiceValues,
  customFieldsSchema,
  nestedDeviceSchema,
  nestedInterfaceSchema,
  nestedIpAddressSchema,
  nestedPlatformSchema,
  nestedSiteSchema,
  nestedUserSchema,
  nestedVlanSchema,
  slugSchema,
  tagInputSchema,
  tagSchema,
} from './catalog/common.api';
export type { Choice } from './catalog/common.api';
export {
  PLATFORM_BRIEF_FIELDS,
  PLATFORM_PATH,
  platformBriefSchema,
  platformCreateSchema,
  platformListSpec,
  platformSchema,
  platformUpdateSchema,
} from './catalog/platform.api';
export type { PlatformCreate } from './catalog/platform.api';
export {
  SITE_BRIEF_FIELDS,
  SITE_PATH,
  SITE_STATUSES,
  siteBriefSchema,
  siteCreateSchema,
  siteListSpec,
  siteSchema,
  siteUpdateSchema,
} from './catalog/site.api';
export type { SiteCreate } from './catalog/site.api';
export {
  DEVICE_BRIEF_FIELDS,
  DEVICE_PATH,
  DEVICE_STATUSES,
  deviceBriefSchema,
  deviceCreateSchema,
  deviceListSpec,
  deviceSchema,
  deviceUpdateSchema,
  nestedInterfaceInputSchema,
} from './catalog/device.api';
export type { DeviceCreate } from './catalog/device.api';
export {
  INTERFACE_BRIEF_FIELDS,
  INTERFACE_MODES,
  INTERFACE_PATH,
  INTERFACE_TYPES,
  interfaceBriefSchema,
  interfaceCreateSchema,
  interfaceListSpec,
  interfaceSchema,
  interfaceUpdateSchema,
} from './catalog/interface.api';
export type { InterfaceCreate } from './catalog/interface.api';
export {
  VLAN_BRIEF_FIELDS,
  VLAN_PATH,
  VLAN_STATUSES,
  vlanBriefSchema,
  vlanCreateSchema,
  vlanListSpec,
  vlanSchema,
  vlanUpdateSchema,
} from './catalog/vlan.api';
export type { VlanCreate } from './catalog/vlan.api';
export {
  IP_ADDRESS_BRIEF_FIELDS,
  IP_ADDRESS_PATH,
  IP_ADDRESS_STATUSES,
  ipAddressBriefSchema,
  ipAddressCreateSchema,
  ipAddressListSpec,
  ipAddressSchema,
  ipAddressUpdateSchema,
} from './catalog/ip-address.api';
export type { IpAddressCreate } from './catalog/ip-address.api';
export {
  COMMAND_BRIEF_FIELDS,
  COMMAND_PATH,
  COMMAND_TYPE_CHOICES,
  MAX_VARIABLE_VALUE_LENGTH,
  VARIABLE_NAME_PATTERN,
  VARIABLE_TYPES,
  VARIABLE_TYPE_CHOICES,
  commandBriefSchema,
  commandCreateSchema,
  commandListSpec,
  commandSchema,
  commandUpdateSchema,
  commandVariableInputSchema,
  commandVariableSchema,
  validateVariablesRequestSchema,
  validateVariablesResponseSchema,
  variableChoiceSchema,
  variableChoicesResponseSchema,
  variableProblemSchema,
} from './catalog/command.api';
export type { CommandCreate, CommandVariableInput, VariableType } from './catalog/command.api';
export {
  CREDENTIAL_SET_BRIEF_FIELDS,
  CREDENTIAL_SET_PATH,
  CREDENTIAL_TOKEN_PREFIX,
  credentialSetCreateSchema,
  credentialSetListSpec,
  credentialSetSchema,
  credentialSetUpdateSchema,
  regenerateTokenResponseSchema,
} from './catalog/credential-set.api';
export type { CredentialSetCreate } from './catalog/credential-set.api';
export {
  MAX_PARSE_OUTPUT_LENGTH,
  PARSING_KEYWORDS,
  PARSING_TEMPLATE_BRIEF_FIELDS,
  PARSING_TEMPLATE_PATH,
  TEMPLATE_NAME_PATTERN,
  TEMPLATE_SOURCES,
  parseRequestSchema,
  parseResponseSchema,
  parsingTemplateCreateSchema,
  parsingTemplateListSpec,
  parsingTemplateSchema,
  parsingTemplateUpdateSchema,
} from './catalog/parsing-template.api';
export type {
  ParseRequest,
  ParseResponse,
  ParsingTemplateCreate,
  ParsingTemplateRepresentation,
  TemplateSource,
} from './catalog/parsing-template.api';
export {
  OBJECT_CHANGE_ACTIONS,
  OBJECT_CHANGE_BRIEF_FIELDS,
  OBJECT_CHANGE_PATH,
  OBJECT_CHANGES_INTERNAL_PATH,
  GATEWAY_OBJECT_TYPES,
  MAX_EXTERNAL_CHANGES,
  externalChangeSchema,
  externalChangesRequestSchema,
  externalChangesResponseSchema,
  objectChangeListSpec,
  objectChangeSchema,
} from './catalog/object-change.api';
export type {
  ExternalChange,
  ExternalChangeRecord,
  GatewayObjectType,
} from './catalog/object-change.api';
export {
  RENDER_PATH,
  BULK_RENDER_MAX_ITEMS,
  BULK_RENDER_PATH,
  bulkRenderRequestSchema,
  bulkRenderResponseSchema,
  grantSchema,
  renderCredentialsSchema,
  renderRequestSchema,
  renderResponseSchema,
  USER_DELETED_ROUTE,
  userDeletedPath,
  userDeletedResponseSchema,
} from './catalog/render.api';
export type {
  BulkRenderItem,
  BulkRenderRequest,
  BulkRenderResponse,
  Grant,
  RenderRequest,
  RenderResponse,
  UserDeletedResponse,
} from './catalog/render.api';

// --- OPTIONS metadata (DRF shape, built from the write schemas) ---
export { optionsMetadata } from './options-metadata';
export type { MetadataChoice } from './options-metadata';
// --- executions (gateway) ---
export {
  EXECUTE_PATH_SUFFIX,
  EXECUTION_TIMEOUT_SECONDS,
  IDEMPOTENCY_KEY_HEADER,
  RATE_LIMIT_PATH,
  RATE_LIMIT_STATES,
  executeLoginProblems,
  executeRequestSchema,
  executeResponseSchema,
  executionAcceptedSchema,
  executionCancelResponseSchema,
  rateLimitExceededSchema,
  rateLimitQuerySchema,
  rateLimitStatusSchema,
} from './executions/execute.contract';
export {
  BULK_EXECUTE_PATH,
  BULK_ITEM_STATUSES,
  BULK_JOB_CANCEL_SUFFIX,
  bulkExecuteAcceptedSchema,
  bulkExecuteItemSchema,
  bulkExecuteRequestDocumentSchema,
  bulkExecuteRequestSchema,
  bulkExecuteResponseSchema,
  bulkExecuteResultSchema,
  bulkSummarySchema,
} from './executions/bulk-execute.contract';
export type {
  BulkExecuteItem,
  BulkExecuteRequestBody,
  BulkExecuteResult,
  BulkSummary,
} from './executions/bulk-execute.contract';
export type {
  ExecuteRequestBody,
  ExecuteResponse,
  ExecutionAccepted,
  RateLimitStatus,
} from './executions/execute.contract';
