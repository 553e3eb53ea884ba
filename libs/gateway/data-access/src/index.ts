export { createGatewayStore } from './gateway-store';
export type { GatewayStore } from './gateway-store';
export { MongoUserRepository } from './users/user.repository';
export { MongoGroupRepository } from './groups/group.repository';
export { MongoPermissionRepository } from './permissions/permission.repository';
export { MongoTokenRepository } from './tokens/token.repository';
export { scryptPasswordHasher } from './password-hasher';
export type { ScryptCost } from './password-hasher';
export { API_TOKEN_PREFIX, apiTokenSecrets } from './token-secrets';
export {
  MongoIdempotencyStore,
  MongoRateLimitStore,
  MongoTicketStore,
  hmacFingerprints,
} from './executions/execution-records.repository';
