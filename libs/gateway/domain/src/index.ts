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
export {
  AUTH_DETAIL,
  Authenticator,
  parseAuthorizationHeader,
  unauthorized,
} from './authenticate.use-case';
export type { AuthContext, AuthOutcome } from './authenticate.use-case';
export { INVALID_CREDENTIALS, TokenIssuer } from './provision-token.use-case';
export type { IssuedApiToken, TokenOptions } from './provision-token.use-case';
export { bootstrapSuperuser } from './bootstrap-superuser.use-case';
export type { SuperuserSeed } from './bootstrap-superuser.use-case';
