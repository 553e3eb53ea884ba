import type { Connection, Model } from 'mongoose';
import type { MongoDatabase } from '@toolkit/mongo';
import { SequenceAllocator } from '@toolkit/mongo';
import { MongoGroupRepository } from './groups/group.repository';
import { MongoPermissionRepository } from './permissions/permission.repository';
import { MongoTokenRepository } from './tokens/token.repository';
import { MongoUserRepository } from './users/user.repository';

/** The gateway's own database: users, groups, object permissions, API tokens. */
export interface GatewayStore {
  users: MongoUserRepository;
  groups: MongoGroupRepository;
  permissions: MongoPermissionRepository;
  tokens: MongoTokenRepository;
  /** Creates collections and indexes (boot), as production does; idempotent. */
  ensureIndexes: (mongo: MongoDatabase) => Promise<void>;
}

export function createGatewayStore(connection: Connection): GatewayStore {
  const ids = new SequenceAllocator(connection);
  const users = new MongoUserRepository(connection, ids);
  const groups = new MongoGroupRepository(connection, ids);
  const permissions = new MongoPermissionRepository(connection, ids);
  const tokens = new MongoTokenRepository(connection, ids);
  return {
    users,
    groups,
    permissions,
    tokens,
    ensureIndexes: (mongo) =>
      mongo.ensureIndexes([
        users.model,
        groups.model,
        permissions.model,
        tokens.model,
      ] as unknown as Model<never>[]),
  };
}
