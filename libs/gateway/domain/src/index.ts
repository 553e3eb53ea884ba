export {
  ACTIONS,
  CRUD_ACTIONS,
  EXECUTE_ACTIONS,
  OBJECT_TYPES,
  WRITE_ACTIONS,
  actionForMethod,
  isAction,
  isObjectType,
  isWriteMethod,
} from './object-types';
export type { Action, ObjectType } from './object-types';
export type {
  ApiToken,
  ConstraintFilter,
  Group,
  ObjectPermission,
  User,
  UserCredentials,
} from './entities';
export type {
  Clock,
  GroupRepository,
  ListRequest,
  ListResult,
  NewApiToken,
  NewGroup,
  NewObjectPermission,
  NewUser,
  PasswordHasher,
  PermissionRepository,
  TokenRepository,
  TokenSecrets,
  UserRepository,
} from './ports';
export { evaluatePermission, normaliseConstraints } from './permission-evaluation';
export type { PermissionDecision, PermissionSubject } from './permission-evaluation';
export {
  invalidRanges,
  ipAllowed,
  normaliseIp,
  parseCidr,
  shouldTouchLastUsed,
  tokenRejection,
} from './token-policy';
export type { TokenRejection } from './token-policy';
export { FailureLimiter } from './failure-limiter';
export { Authenticator, parseAuthorizationHeader, unauthorized } from './authenticate.use-case';
export type { AuthContext, AuthOutcome } from './authenticate.use-case';
export { INVALID_CREDENTIALS, TokenIssuer } from './provision-token.use-case';
export type { IssuedApiToken, TokenOptions } from './provision-token.use-case';
export { bootstrapSuperuser } from './bootstrap-superuser.use-case';
export type { SuperuserSeed } from './bootstrap-superuser.use-case';
export { RateLimiter, slotId, slotUsage } from './executions/rate-limit';
export type {
  AuthFailure,
  LoginCheck,
  RateLimitPolicy,
  RateLimitStore,
  RateSlot,
  Reservation,
  SlotState,
  SlotUsage,
} from './executions/rate-limit';
export {
  IDEMPOTENCY_TTL_MS,
  PENDING_CLAIM_MS,
  checkIdempotencyKey,
  keyReusedError,
} from './executions/idempotency';
export type { Fingerprints, IdempotencyRecord, IdempotencyStore } from './executions/idempotency';
export { CompletionWaiters } from './executions/completion-waiters';
export type { WakeReason, Waiter } from './executions/completion-waiters';
export { executeAnswer, isFinished } from './executions/execution-answer';
export { ExecutionService, rateLimitOf } from './executions/execute-command.use-case';
export type {
  CallContext,
  CancelOutcome,
  CommandRenderer,
  ExecutionBus,
  ExecutionReader,
  ExecutionServiceDeps,
  ExecutionSettings,
  ExecutionTicket,
  RateInfo,
  SubmitInput,
  SubmitOutcome,
  TicketStore,
} from './executions/execute-command.use-case';
export {
  GroupAdministration,
  PermissionAdministration,
  TokenAdministration,
  UserAdministration,
  findUsers,
  permissionDenied,
  tokenOptions,
} from './administration.use-cases';
export type {
  Administration,
  ChangeRecord,
  ChangeRecorder,
  RemoveCall,
  UserObjects,
} from './administration.use-cases';
export {
  BULK_MAX_WAIT_MS,
  BulkExecutionService,
  BulkTally,
  bulkResultOf,
  devicesBatches,
  pendingResultOf,
  rejectedResultOf,
} from './executions/bulk-execute.use-case';
export type {
  AcceptedItem,
  BulkBus,
  BulkExecutionDeps,
  BulkJobReader,
  BulkRenderer,
  BulkSettings,
  BulkSubmitInput,
  BulkSubmitOutcome,
  RejectedItem,
} from './executions/bulk-execute.use-case';
export {
  DEFAULT_STREAM_SETTINGS,
  ExecutionStreams,
  finishReason,
  parseLastEventId,
} from './streams/execution-streams';
export type {
  EndReason,
  Resume,
  StreamCounters,
  StreamEvent,
  StreamSettings,
  StreamSink,
} from './streams/execution-streams';
export { BulkJobStreams } from './streams/bulk-job-streams';
export type { BulkJobSource, ItemState } from './streams/bulk-job-streams';
