import type { ApiToken, Group, ObjectPermission, User, UserCredentials } from './entities';

/** A storage-neutral list query (the filter language of @toolkit/netbox-list, as data). */
export interface ListRequest {
  filter: Record<string, unknown>;
  sort: [string, 1 | -1][];
  limit: number;
  offset: number;
}

export interface ListResult<T> {
  count: number;
  results: T[];
}

export interface Clock {
  now(): Date;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Constant-time; false for a malformed hash. */
  verify(password: string, hash: string): Promise<boolean>;
}

/** Bearer API keys: `nbt_<lookupId>.<secret>`; only the lookup id and the secret's hash are stored. */
export interface TokenSecrets {
  issue(): { key: string; lookupId: string; secretHash: string };
  /** A key given in configuration (SUPERUSER_API_TOKEN) turned into what is stored. */
  fromKey(key: string): { lookupId: string; secretHash: string } | undefined;
  parse(key: string): { lookupId: string; secret: string } | undefined;
  matches(secret: string, secretHash: string): boolean;
}

/** A user to create: its fields but those the store sets (id, join and login dates). */
export interface NewUser extends Omit<User, 'id' | 'dateJoined' | 'lastLogin'> {
  passwordHash: string | null;
}

export interface UserRepository {
  findById(id: number): Promise<User | undefined>;
  findCredentials(username: string): Promise<UserCredentials | undefined>;
  list(query: ListRequest): Promise<ListResult<User>>;
  findOne(filter: Record<string, unknown>): Promise<User | undefined>;
  create(user: NewUser): Promise<User>;
  update(id: number, changes: Partial<NewUser>): Promise<User | undefined>;
  delete(id: number): Promise<boolean>;
  recordLogin(id: number, at: Date): Promise<void>;
}

export interface NewGroup {
  name: string;
  description: string;
}

export interface GroupRepository {
  findById(id: number): Promise<Group | undefined>;
  findByIds(ids: readonly number[]): Promise<Group[]>;
  list(query: ListRequest): Promise<ListResult<Group>>;
  findOne(filter: Record<string, unknown>): Promise<Group | undefined>;
  create(group: NewGroup): Promise<Group>;
  update(id: number, changes: Partial<NewGroup>): Promise<Group | undefined>;
  delete(id: number): Promise<boolean>;
  countUsers(groupId: number): Promise<number>;
}

export type NewObjectPermission = Omit<ObjectPermission, 'id'>;

export interface PermissionRepository {
  /** Enabled permissions assigned to the user or to one of its groups. */
  findForSubject(userId: number, groupIds: readonly number[]): Promise<ObjectPermission[]>;
  findById(id: number): Promise<ObjectPermission | undefined>;
  list(query: ListRequest): Promise<ListResult<ObjectPermission>>;
  findOne(filter: Record<string, unknown>): Promise<ObjectPermission | undefined>;
  create(permission: NewObjectPermission): Promise<ObjectPermission>;
  update(id: number, changes: Partial<NewObjectPermission>): Promise<ObjectPermission | undefined>;
  delete(id: number): Promise<boolean>;
}

export type NewApiToken = Omit<ApiToken, 'id' | 'lastUsed'> & { lastUsed?: Date | null };

export interface TokenRepository {
  /** One indexed read (unique index on the lookup id). */
  findByLookupId(lookupId: string): Promise<ApiToken | undefined>;
  findById(id: number): Promise<ApiToken | undefined>;
  list(query: ListRequest): Promise<ListResult<ApiToken>>;
  findOne(filter: Record<string, unknown>): Promise<ApiToken | undefined>;
  create(token: NewApiToken): Promise<ApiToken>;
  update(
    id: number,
    changes: Partial<Pick<ApiToken, 'expires' | 'writeEnabled' | 'description' | 'allowedIps'>>,
  ): Promise<ApiToken | undefined>;
  delete(id: number): Promise<boolean>;
  touchLastUsed(id: number, at: Date): Promise<void>;
}
