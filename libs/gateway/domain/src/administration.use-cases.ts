import {
  groupWriteSchema,
  objectPermissionWriteSchema,
  tokenWriteSchema,
  userWriteSchema,
} from '@toolkit/api-contracts';
import type { ExternalChangeRecord } from '@toolkit/api-contracts';
import type { Principal } from '@toolkit/contracts';
import { AppError, parseInput } from '@toolkit/errors';
import type { FieldErrors } from '@toolkit/errors';
import { parseFilterObject } from '@toolkit/netbox-list';
import type { Filter, ListSpec } from '@toolkit/netbox-list';
import type { AuthContext } from './authenticate.use-case';
import type { ApiToken, ConstraintFilter, Group, ObjectPermission, User } from './entities';
import type { CallContext } from './executions/execute-command.use-case';
import { normaliseConstraints } from './permission-evaluation';
import type {
  GroupRepository,
  PasswordHasher,
  PermissionRepository,
  TokenRepository,
  UserRepository,
} from './ports';
import type { TokenIssuer, TokenOptions } from './provision-token.use-case';
import { invalidRanges } from './token-policy';

/**
 * The business rules of the gateway's own objects (users, groups, object permissions,
 * API tokens), apart from how they are routed and represented: who may set what, which
 * references must exist, what goes with a deleted user, how a refused write is undone.
 * Each administration offers the operations the NetBox route layer calls.
 */
export interface Administration<E> {
  create(
    input: unknown,
    auth: AuthContext,
    scope: Filter | null,
  ): Promise<{ entity: E; extra?: Record<string, unknown> }>;
  update(existing: E, input: unknown, partial: boolean, auth: AuthContext): Promise<E>;
  /** The stored state of an object before it changes; the function returned restores it. */
  checkpoint(entity: E): Promise<() => Promise<void>>;
  remove(entity: E, call: RemoveCall): Promise<void>;
}

/** Who deletes, and the request's origin and id for calls to other services. */
export interface RemoveCall extends CallContext {
  auth: AuthContext;
}

/** Port: what other services keep for a user (credential sets), deleted with the user. */
export interface UserObjects {
  /** Deletes what only this user could reach; throws (503) when it cannot be done now. */
  userDeleted(userId: number, actor: Principal, context: CallContext): Promise<number>;
}

/** A change of one of the gateway's objects, as the change log records it. */
export type ChangeRecord = ExternalChangeRecord;

/** Port: the one change log (the catalog's `/api/core/object-changes/`). */
export interface ChangeRecorder {
  record(changes: readonly ChangeRecord[], actor: Principal, context: CallContext): Promise<void>;
}

export function permissionDenied(): AppError {
  return new AppError({ code: 'permission-denied', category: 'forbidden', message: '' });
}

function notFound(): AppError {
  return AppError.notFound();
}

function missingIds(
  field: string,
  wanted: readonly number[],
  found: readonly { id: number }[],
): FieldErrors {
  const known = new Set(found.map((f) => f.id));
  const missing = wanted.filter((id) => !known.has(id));
  return missing.length === 0
    ? {}
    : { [field]: missing.map((id) => `Invalid pk "${id}" - object does not exist.`) };
}

/** Users by id (one query). */
export async function findUsers(users: UserRepository, ids: readonly number[]): Promise<User[]> {
  if (ids.length === 0) return [];
  const page = await users.list({
    filter: { _id: { $in: [...new Set(ids)] } },
    sort: [['_id', 1]],
    limit: ids.length,
    offset: 0,
  });
  return page.results;
}

/** A partial write leaves out the fields it does not name. */
function named(input: unknown, partial: boolean): (key: string) => boolean {
  const raw = (input ?? {}) as Record<string, unknown>;
  return (key) => !partial || key in raw;
}

export class UserAdministration implements Administration<User> {
  constructor(
    private readonly deps: {
      users: UserRepository;
      groups: GroupRepository;
      tokens: TokenRepository;
      passwords: PasswordHasher;
      userObjects: UserObjects;
      /** A failure that must not fail the deletion (it is logged). */
      warn: (error: unknown, message: string, context: Record<string, unknown>) => void;
    },
  ) {}

  async create(input: unknown, auth: AuthContext): Promise<{ entity: User }> {
    const body = parseInput(userWriteSchema, input);
    this.requireSuperuserFor(auth, body);
    await this.checkGroups(body.groups);
    const entity = await this.deps.users.create({
      username: body.username,
      passwordHash: body.password ? await this.deps.passwords.hash(body.password) : null,
      firstName: body.first_name,
      lastName: body.last_name,
      email: body.email,
      isActive: body.is_active,
      isStaff: body.is_staff,
      isSuperuser: body.is_superuser,
      groupIds: body.groups,
    });
    return { entity };
  }

  async update(existing: User, input: unknown, partial: boolean, auth: AuthContext): Promise<User> {
    const schema = partial ? userWriteSchema.partial() : userWriteSchema;
    const body = parseInput(
      schema,
      partial ? input : { username: existing.username, ...(input as object) },
    );
    this.requireSuperuserFor(auth, body);
    // Only a superuser changes a superuser.
    if (!auth.user.isSuperuser && existing.isSuperuser) throw permissionDenied();
    await this.checkGroups(body.groups);
    const has = named(input, partial);
    const updated = await this.deps.users.update(existing.id, {
      username: body.username,
      passwordHash: body.password ? await this.deps.passwords.hash(body.password) : undefined,
      firstName: has('first_name') ? body.first_name : undefined,
      lastName: has('last_name') ? body.last_name : undefined,
      email: has('email') ? body.email : undefined,
      isActive: has('is_active') ? body.is_active : undefined,
      isStaff: has('is_staff') ? body.is_staff : undefined,
      isSuperuser: has('is_superuser') ? body.is_superuser : undefined,
      groupIds: has('groups') ? body.groups : undefined,
    });
    if (!updated) throw notFound();
    return updated;
  }

  async checkpoint(user: User): Promise<() => Promise<void>> {
    const credentials = await this.deps.users.findCredentials(user.username);
    return async () => {
      await this.deps.users.update(user.id, {
        username: user.username,
        passwordHash: credentials?.passwordHash ?? null,
        firstName: user.firstName,
        lastName: user.lastName,
        email: user.email,
        isActive: user.isActive,
        isStaff: user.isStaff,
        isSuperuser: user.isSuperuser,
        groupIds: user.groupIds,
      });
    };
  }

  /**
   * First what only the user could reach (an outage of the service that keeps it keeps
   * the user: 503 and nothing lost); then the user and their tokens; then the user's
   * objects again, for one their still valid tokens created in between.
   */
  async remove(user: User, call: RemoveCall): Promise<void> {
    const actor: Principal = {
      id: call.auth.user.id,
      username: call.auth.user.username,
      isSuperuser: call.auth.user.isSuperuser,
    };
    await this.deps.userObjects.userDeleted(user.id, actor, call);
    await this.deps.users.delete(user.id);
    const tokens = await this.deps.tokens.list({
      filter: { user: user.id },
      sort: [['_id', 1]],
      limit: 10_000,
      offset: 0,
    });
    for (const token of tokens.results) await this.deps.tokens.delete(token.id);
    await this.deps.userObjects
      .userDeleted(user.id, actor, call)
      .catch((error: unknown) =>
        this.deps.warn(
          error,
          'credential sets created while their user was deleted may remain (stored, unreachable)',
          { userId: user.id },
        ),
      );
  }

  /** Only a superuser makes a superuser or staff member. */
  private requireSuperuserFor(auth: AuthContext, input: Record<string, unknown>): void {
    if (!auth.user.isSuperuser && (input['is_superuser'] === true || input['is_staff'] === true))
      throw permissionDenied();
  }

  private async checkGroups(ids: number[] | undefined): Promise<void> {
    if (!ids) return;
    const errors = missingIds('groups', ids, await this.deps.groups.findByIds(ids));
    if (Object.keys(errors).length > 0) throw AppError.validation(errors);
  }
}

export class GroupAdministration implements Administration<Group> {
  constructor(private readonly deps: { groups: GroupRepository }) {}

  async create(input: unknown): Promise<{ entity: Group }> {
    return { entity: await this.deps.groups.create(parseInput(groupWriteSchema, input)) };
  }

  async update(existing: Group, input: unknown, partial: boolean): Promise<Group> {
    const body = parseInput(partial ? groupWriteSchema.partial() : groupWriteSchema, input);
    const has = named(input, partial);
    const updated = await this.deps.groups.update(existing.id, {
      name: body.name,
      description: has('description') ? body.description : undefined,
    });
    if (!updated) throw notFound();
    return updated;
  }

  async checkpoint(group: Group): Promise<() => Promise<void>> {
    return async () => {
      await this.deps.groups.update(group.id, { name: group.name, description: group.description });
    };
  }

  async remove(group: Group): Promise<void> {
    await this.deps.groups.delete(group.id);
  }
}

export class PermissionAdministration implements Administration<ObjectPermission> {
  constructor(
    private readonly deps: {
      permissions: PermissionRepository;
      users: UserRepository;
      groups: GroupRepository;
      /** List specs by object type: constraints must be filters the type has, with valid values. */
      constraintSpecs: ReadonlyMap<string, ListSpec>;
    },
  ) {}

  async create(input: unknown): Promise<{ entity: ObjectPermission }> {
    const body = parseInput(objectPermissionWriteSchema, input);
    await this.check(body);
    const entity = await this.deps.permissions.create({
      name: body.name,
      description: body.description,
      enabled: body.enabled,
      objectTypes: body.object_types,
      actions: body.actions,
      constraints: body.constraints,
      userIds: body.users,
      groupIds: body.groups,
    });
    return { entity };
  }

  async update(
    existing: ObjectPermission,
    input: unknown,
    partial: boolean,
  ): Promise<ObjectPermission> {
    const body = parseInput(
      partial ? objectPermissionWriteSchema.partial() : objectPermissionWriteSchema,
      input,
    );
    const has = named(input, partial);
    await this.check({ ...body, object_types: body.object_types ?? existing.objectTypes });
    const updated = await this.deps.permissions.update(existing.id, {
      name: body.name,
      description: has('description') ? body.description : undefined,
      enabled: has('enabled') ? body.enabled : undefined,
      objectTypes: body.object_types,
      actions: body.actions,
      constraints: has('constraints') ? (body.constraints ?? null) : undefined,
      userIds: has('users') ? body.users : undefined,
      groupIds: has('groups') ? body.groups : undefined,
    });
    if (!updated) throw notFound();
    return updated;
  }

  async checkpoint(permission: ObjectPermission): Promise<() => Promise<void>> {
    return async () => {
      const { id, ...state } = permission;
      await this.deps.permissions.update(id, state);
    };
  }

  async remove(permission: ObjectPermission): Promise<void> {
    await this.deps.permissions.delete(permission.id);
  }

  /** Constraints apply to every object type named, users and groups exist. */
  private async check(body: {
    object_types?: string[];
    constraints?: ConstraintFilter | ConstraintFilter[] | null;
    users?: number[];
    groups?: number[];
  }): Promise<void> {
    const errors: FieldErrors = {};
    const constraints = normaliseConstraints(body.constraints);
    if (constraints) {
      for (const type of body.object_types ?? []) {
        const spec = this.deps.constraintSpecs.get(type);
        if (!spec) {
          (errors['constraints'] ??= []).push(`Constraints are not supported for ${type}.`);
          continue;
        }
        try {
          parseFilterObject(spec, constraints);
        } catch (error) {
          const fields = error instanceof AppError ? error.fieldErrors : undefined;
          (errors['constraints'] ??= []).push(
            `Invalid constraint for ${type}: ${Object.entries(fields ?? {})
              .map(([k, v]) => `${k}: ${v.join(' ')}`)
              .join('; ')}`,
          );
        }
      }
    }
    if (body.users)
      Object.assign(
        errors,
        missingIds('users', body.users, await findUsers(this.deps.users, body.users)),
      );
    if (body.groups)
      Object.assign(
        errors,
        missingIds('groups', body.groups, await this.deps.groups.findByIds(body.groups)),
      );
    if (Object.keys(errors).length > 0) throw AppError.validation(errors);
  }
}

/** The token options of a token body. */
export function tokenOptions(body: {
  expires: string | null;
  write_enabled: boolean;
  description: string;
  allowed_ips: string[];
}): TokenOptions {
  return {
    expires: body.expires ? new Date(body.expires) : null,
    writeEnabled: body.write_enabled,
    description: body.description,
    allowedIps: body.allowed_ips,
  };
}

export class TokenAdministration implements Administration<ApiToken> {
  constructor(
    private readonly deps: { tokens: TokenRepository; users: UserRepository; issuer: TokenIssuer },
  ) {}

  /** A token for oneself, or (with a users.token grant beyond one's own) for an existing user. */
  async create(
    input: unknown,
    auth: AuthContext,
    scope: Filter | null,
  ): Promise<{ entity: ApiToken; extra: Record<string, unknown> }> {
    const body = parseInput(tokenWriteSchema, input);
    const userId = body.user ?? auth.user.id;
    if (userId !== auth.user.id) {
      // Only the implicit scope (one's own tokens): no grant for someone else's.
      if (!auth.user.isSuperuser && scope && 'user' in scope && Object.keys(scope).length === 1)
        throw permissionDenied();
      if (!(await this.deps.users.findById(userId)))
        throw AppError.validation({ user: [`Invalid pk "${userId}" - object does not exist.`] });
    }
    const issued = await this.deps.issuer.issue(userId, tokenOptions(body));
    return { entity: issued.token, extra: { key: issued.key } };
  }

  /** The owner of a token never changes; allowed ranges must parse. */
  async update(existing: ApiToken, input: unknown, partial: boolean): Promise<ApiToken> {
    const raw = { ...(input as Record<string, unknown>) };
    if ('user' in raw && raw['user'] !== existing.userId)
      throw AppError.validation({ user: ['The owner of a token cannot be changed.'] });
    delete raw['user'];
    const body = parseInput(partial ? tokenWriteSchema.partial() : tokenWriteSchema, raw);
    const has = named(raw, partial);
    const options = tokenOptions({
      expires: body.expires ?? null,
      write_enabled: body.write_enabled ?? existing.writeEnabled,
      description: body.description ?? existing.description,
      allowed_ips: body.allowed_ips ?? existing.allowedIps,
    });
    const updated = await this.deps.tokens.update(existing.id, {
      expires: has('expires') ? options.expires : undefined,
      writeEnabled: has('write_enabled') ? options.writeEnabled : undefined,
      description: has('description') ? options.description : undefined,
      allowedIps: has('allowed_ips') ? validRanges(options.allowedIps) : undefined,
    });
    if (!updated) throw notFound();
    return updated;
  }

  async checkpoint(token: ApiToken): Promise<() => Promise<void>> {
    return async () => {
      await this.deps.tokens.update(token.id, {
        expires: token.expires,
        writeEnabled: token.writeEnabled,
        description: token.description,
        allowedIps: token.allowedIps,
      });
    };
  }

  async remove(token: ApiToken): Promise<void> {
    await this.deps.tokens.delete(token.id);
  }
}

function validRanges(ranges: string[]): string[] {
  const bad = invalidRanges(ranges);
  if (bad.length > 0)
    throw AppError.validation({
      allowed_ips: bad.map((r) => `Enter a valid IPv4 or IPv6 address or CIDR range: ${r}.`),
    });
  return ranges;
}
