import type { Connection, Model } from 'mongoose';
import type { MongoDatabase } from '@toolkit/mongo';
import { SequenceAllocator } from '@toolkit/mongo';
import {
  MongoIdempotencyStore,
  MongoRateLimitStore,
  MongoTicketStore,
} from './executions/execution-records.repository';
import { MongoGroupRepository } from './groups/group.repository';
import { MongoPermissionRepository } from './permissions/permission.repository';
import { MongoTokenRepository } from './tokens/token.repository';
import { MongoUserRepository } from './users/user.repository';

/**
 * The gateway's own database: users, groups, object permissions, API tokens, and the
 * execution records every replica shares (rate-limit slots, device-login failures,
 * idempotency keys, tickets of accepted executions).
 */
export interface GatewayStore {
  users: MongoUserRepository;
  groups: MongoGroupRepository;
  permissions: MongoPermissionRepository;
  tokens: MongoTokenRepository;
  rateLimits: MongoRateLimitStore;
  idempotencyKeys: MongoIdempotencyStore;
  tickets: MongoTicketStore;
  /** Creates collections and indexes (boot), as production does; idempotent. */
  ensureIndexes: (mongo: MongoDatabase) => Promise<void>;
}

export function createGatewayStore(connection: Connection): GatewayStore {
  const ids = new SequenceAllocator(connection);
  const users = new MongoUserRepository(connection, ids);
  const groups = new MongoGroupRepository(connection, ids);
  const permissions = new MongoPermissionRepository(connection, ids);
  const tokens = new MongoTokenRepository(connection, ids);
  const rateLimits = new MongoRateLimitStore(connection);
  const idempotencyKeys = new MongoIdempotencyStore(connection);
  const tickets = new MongoTicketStore(connection);
  return {
    users,
    groups,
    permissions,
    tokens,
    rateLimits,
    idempotencyKeys,
    tickets,
    ensureIndexes: (mongo) =>
      mongo.ensureIndexes([
        users.model,
        groups.model,
        permissions.model,
        tokens.model,
        rateLimits.slots,
        rateLimits.failures,
        idempotencyKeys.keys,
        tickets.tickets,
      ] as unknown as Model<never>[]),
  };
}
