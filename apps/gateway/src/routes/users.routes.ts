import type { Express } from 'express';
import {
  GROUPS_PATH,
  PERMISSIONS_PATH,
  TOKENS_PATH,
  TOKEN_PROVISION_PATH,
  USERS_PATH,
  groupListSpec,
  groupWriteSchema,
  groupSchema,
  objectPermissionListSpec,
  objectPermissionWriteSchema,
  objectPermissionSchema,
  tokenListSpec,
  tokenProvisionSchema,
  tokenWriteSchema,
  tokenSchema,
  userListSpec,
  userWriteSchema,
  userSchema,
} from '@toolkit/api-contracts';
import { AppError, parseInput } from '@toolkit/errors';
import type { FieldErrors } from '@toolkit/errors';
import { asyncHandler } from '@toolkit/http';
import type { ListSpec } from '@toolkit/netbox-list';
import { parseFilterObject } from '@toolkit/netbox-list';
import type {
  ApiToken,
  AuthContext,
  ConstraintFilter,
  Group,
  GroupRepository,
  ObjectPermission,
  PasswordHasher,
  PermissionRepository,
  TokenIssuer,
  TokenRepository,
  User,
  UserRepository,
} from '@toolkit/gateway-domain';
import { invalidRanges, normaliseConstraints } from '@toolkit/gateway-domain';
import { clientIp, forbidden, throttled } from '../auth/auth.middleware';
import type { FailureLimiter } from '@toolkit/gateway-domain';
import type { UserObjects } from '../forwarding/catalog-user-objects';
import { principalOf } from '../forwarding/forward.routes';
import { publicOrigin } from '../http/public-origin';
import type { OwnResourceDeps } from './own-resource';
import { mountOwnResource } from './own-resource';

export interface UsersRoutesDeps extends OwnResourceDeps {
  users: UserRepository;
  groups: GroupRepository;
  permissions: PermissionRepository;
  tokens: TokenRepository;
  passwords: PasswordHasher;
  issuer: TokenIssuer;
  limiter: FailureLimiter;
  /** List specs by object type, to check permission constraints when they are written. */
  constraintSpecs: ReadonlyMap<string, ListSpec>;
  /** What other services keep for a user (credential sets), deleted with the user. */
  userObjects: UserObjects;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

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

async function findUsers(users: UserRepository, ids: readonly number[]): Promise<User[]> {
  if (ids.length === 0) return [];
  const page = await users.list({
    filter: { _id: { $in: [...new Set(ids)] } },
    sort: [['_id', 1]],
    limit: ids.length,
    offset: 0,
  });
  return page.results;
}

/** `/api/users/...`: users, groups, object permissions, tokens and token provisioning. */
export function mountUsersRoutes(app: Express, deps: UsersRoutesDeps): void {
  const userBrief = (u: User, origin: string) => ({
    id: u.id,
    url: `${origin}${USERS_PATH}${u.id}/`,
    display: u.username,
    username: u.username,
  });
  const groupBrief = (g: Group, origin: string) => ({
    id: g.id,
    url: `${origin}${GROUPS_PATH}${g.id}/`,
    display: g.name,
    name: g.name,
  });

  const requireSuperuserFor = (auth: AuthContext, input: Record<string, unknown>) => {
    if (!auth.user.isSuperuser && (input['is_superuser'] === true || input['is_staff'] === true))
      throw forbidden();
  };

  const checkGroups = async (ids: number[] | undefined) => {
    if (!ids) return;
    const errors = missingIds('groups', ids, await deps.groups.findByIds(ids));
    if (Object.keys(errors).length > 0) throw AppError.validation(errors);
  };

  mountOwnResource<User>(
    app,
    {
      path: USERS_PATH,
      name: 'User',
      writeSchema: userWriteSchema,
      representation: userSchema,
      objectType: 'users.user',
      spec: userListSpec,
      briefFields: ['id', 'url', 'display', 'username'],
      list: (q) => deps.users.list(q),
      findOne: (f) => deps.users.findOne(f),
      represent: async (items, origin) => {
        const groups = await deps.groups.findByIds([...new Set(items.flatMap((u) => u.groupIds))]);
        const byId = new Map(groups.map((g) => [g.id, g]));
        return items.map((u) => ({
          id: u.id,
          url: `${origin}${USERS_PATH}${u.id}/`,
          display: u.username,
          username: u.username,
          first_name: u.firstName,
          last_name: u.lastName,
          email: u.email,
          is_staff: u.isStaff,
          is_active: u.isActive,
          is_superuser: u.isSuperuser,
          date_joined: u.dateJoined.toISOString(),
          last_login: iso(u.lastLogin),
          groups: u.groupIds.flatMap((id) => {
            const g = byId.get(id);
            return g ? [groupBrief(g, origin)] : [];
          }),
        }));
      },
      create: async (input, auth) => {
        const body = parseInput(userWriteSchema, input);
        requireSuperuserFor(auth, body);
        await checkGroups(body.groups);
        const entity = await deps.users.create({
          username: body.username,
          passwordHash: body.password ? await deps.passwords.hash(body.password) : null,
          firstName: body.first_name,
          lastName: body.last_name,
          email: body.email,
          isActive: body.is_active,
          isStaff: body.is_staff,
          isSuperuser: body.is_superuser,
          groupIds: body.groups,
        });
        return { entity };
      },
      update: async (existing, input, partial, auth) => {
        const schema = partial ? userWriteSchema.partial() : userWriteSchema;
        const body = parseInput(
          schema,
          partial ? input : { username: existing.username, ...(input as object) },
        );
        requireSuperuserFor(auth, body);
        if (!auth.user.isSuperuser && existing.isSuperuser) throw forbidden();
        await checkGroups(body.groups);
        const raw = input as Record<string, unknown>;
        const updated = await deps.users.update(existing.id, {
          username: body.username,
          passwordHash: body.password ? await deps.passwords.hash(body.password) : undefined,
          firstName: partial && !('first_name' in raw) ? undefined : body.first_name,
          lastName: partial && !('last_name' in raw) ? undefined : body.last_name,
          email: partial && !('email' in raw) ? undefined : body.email,
          isActive: partial && !('is_active' in raw) ? undefined : body.is_active,
          isStaff: partial && !('is_staff' in raw) ? undefined : body.is_staff,
          isSuperuser: partial && !('is_superuser' in raw) ? undefined : body.is_superuser,
          groupIds: partial && !('groups' in raw) ? undefined : body.groups,
        });
        if (!updated) throw AppError.notFound();
        return updated;
      },
      checkpoint: async (user) => {
        const credentials = await deps.users.findCredentials(user.username);
        return async () => {
          await deps.users.update(user.id, {
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
      },
      remove: async (user, call) => {
        // First what only the user could reach (a catalog outage keeps the user: 503 and
        // nothing lost); then the user; then again, for a set the user's still valid
        // tokens created in between.
        const actor = principalOf(call.auth);
        await deps.userObjects.userDeleted(user.id, actor, call);
        await deps.users.delete(user.id);
        const tokens = await deps.tokens.list({
          filter: { user: user.id },
          sort: [['_id', 1]],
          limit: 10_000,
          offset: 0,
        });
        for (const token of tokens.results) await deps.tokens.delete(token.id);
        await deps.userObjects.userDeleted(user.id, actor, call).catch((error: unknown) => {
          deps.logger.error(
            { err: error, userId: user.id },
            'credential sets created while their user was deleted may remain (stored, unreachable)',
          );
        });
      },
    },
    deps,
  );

  mountOwnResource<Group>(
    app,
    {
      path: GROUPS_PATH,
      name: 'Group',
      writeSchema: groupWriteSchema,
      representation: groupSchema,
      objectType: 'users.group',
      spec: groupListSpec,
      briefFields: ['id', 'url', 'display', 'name'],
      list: (q) => deps.groups.list(q),
      findOne: (f) => deps.groups.findOne(f),
      represent: (items, origin) =>
        Promise.all(
          items.map(async (g) => ({
            id: g.id,
            url: `${origin}${GROUPS_PATH}${g.id}/`,
            display: g.name,
            name: g.name,
            description: g.description,
            user_count: await deps.groups.countUsers(g.id),
          })),
        ),
      create: async (input) => {
        const body = parseInput(groupWriteSchema, input);
        return { entity: await deps.groups.create(body) };
      },
      update: async (existing, input, partial) => {
        const body = parseInput(partial ? groupWriteSchema.partial() : groupWriteSchema, input);
        const updated = await deps.groups.update(existing.id, {
          name: body.name,
          description:
            partial && !('description' in (input as object)) ? undefined : body.description,
        });
        if (!updated) throw AppError.notFound();
        return updated;
      },
      checkpoint: async (group) => async () => {
        await deps.groups.update(group.id, { name: group.name, description: group.description });
      },
      remove: async (group) => {
        await deps.groups.delete(group.id);
      },
    },
    deps,
  );

  const checkPermissionInput = async (body: {
    object_types?: string[];
    constraints?: ConstraintFilter | ConstraintFilter[] | null;
    users?: number[];
    groups?: number[];
  }) => {
    const errors: FieldErrors = {};
    const constraints = normaliseConstraints(body.constraints);
    if (constraints) {
      for (const type of body.object_types ?? []) {
        const spec = deps.constraintSpecs.get(type);
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
        missingIds('users', body.users, await findUsers(deps.users, body.users)),
      );
    if (body.groups)
      Object.assign(
        errors,
        missingIds('groups', body.groups, await deps.groups.findByIds(body.groups)),
      );
    if (Object.keys(errors).length > 0) throw AppError.validation(errors);
  };

  mountOwnResource<ObjectPermission>(
    app,
    {
      path: PERMISSIONS_PATH,
      name: 'Object Permission',
      writeSchema: objectPermissionWriteSchema,
      representation: objectPermissionSchema,
      objectType: 'users.objectpermission',
      spec: objectPermissionListSpec,
      briefFields: ['id', 'url', 'display', 'name', 'enabled', 'object_types', 'actions'],
      list: (q) => deps.permissions.list(q),
      findOne: (f) => deps.permissions.findOne(f),
      represent: async (items, origin) => {
        const users = await findUsers(
          deps.users,
          items.flatMap((p) => p.userIds),
        );
        const groups = await deps.groups.findByIds([...new Set(items.flatMap((p) => p.groupIds))]);
        return items.map((p) => ({
          id: p.id,
          url: `${origin}${PERMISSIONS_PATH}${p.id}/`,
          display: p.name,
          name: p.name,
          description: p.description,
          enabled: p.enabled,
          object_types: p.objectTypes,
          actions: p.actions,
          constraints: p.constraints,
          groups: groups.filter((g) => p.groupIds.includes(g.id)).map((g) => groupBrief(g, origin)),
          users: users.filter((u) => p.userIds.includes(u.id)).map((u) => userBrief(u, origin)),
        }));
      },
      create: async (input) => {
        const body = parseInput(objectPermissionWriteSchema, input);
        await checkPermissionInput(body);
        const entity = await deps.permissions.create({
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
      },
      update: async (existing, input, partial) => {
        const body = parseInput(
          partial ? objectPermissionWriteSchema.partial() : objectPermissionWriteSchema,
          input,
        );
        const raw = input as Record<string, unknown>;
        const has = (key: string) => !partial || key in raw;
        await checkPermissionInput({
          ...body,
          object_types: body.object_types ?? existing.objectTypes,
        });
        const updated = await deps.permissions.update(existing.id, {
          name: body.name,
          description: has('description') ? body.description : undefined,
          enabled: has('enabled') ? body.enabled : undefined,
          objectTypes: body.object_types,
          actions: body.actions,
          constraints: has('constraints') ? (body.constraints ?? null) : undefined,
          userIds: has('users') ? body.users : undefined,
          groupIds: has('groups') ? body.groups : undefined,
        });
        if (!updated) throw AppError.notFound();
        return updated;
      },
      checkpoint: async (permission) => async () => {
        const { id, ...state } = permission;
        await deps.permissions.update(id, state);
      },
      remove: async (permission) => {
        await deps.permissions.delete(permission.id);
      },
    },
    deps,
  );

  const representTokens = async (items: ApiToken[], origin: string) => {
    const users = await findUsers(
      deps.users,
      items.map((t) => t.userId),
    );
    const byId = new Map(users.map((u) => [u.id, u]));
    return items.map((t) => {
      const user = byId.get(t.userId);
      return {
        id: t.id,
        url: `${origin}${TOKENS_PATH}${t.id}/`,
        display: t.description || `Token ${t.id}`,
        user: user
          ? userBrief(user, origin)
          : { id: t.userId, url: `${origin}${USERS_PATH}${t.userId}/`, display: '', username: '' },
        created: t.created.toISOString(),
        expires: iso(t.expires),
        last_used: iso(t.lastUsed),
        write_enabled: t.writeEnabled,
        description: t.description,
        allowed_ips: t.allowedIps,
      };
    });
  };

  const tokenOptions = (body: {
    expires: string | null;
    write_enabled: boolean;
    description: string;
    allowed_ips: string[];
  }) => ({
    expires: body.expires ? new Date(body.expires) : null,
    writeEnabled: body.write_enabled,
    description: body.description,
    allowedIps: body.allowed_ips,
  });

  // Provisioning is public (it is how a token is first obtained): registered before {id}/.
  app.post(
    TOKEN_PROVISION_PATH,
    asyncHandler(async (req, res) => {
      const ip = clientIp(req);
      const retryAfter = deps.limiter.retryAfter(ip);
      if (retryAfter !== undefined) {
        deps.metrics.authFailures.inc({ reason: 'throttled' });
        throw throttled(retryAfter);
      }
      const body = parseInput(tokenProvisionSchema, req.body ?? {});
      try {
        const issued = await deps.issuer.provision(
          body.username,
          body.password,
          tokenOptions(body),
        );
        const [represented] = await representTokens(
          [issued.token],
          publicOrigin(req, deps.publicUrl),
        );
        res.status(201).json({ ...represented, key: issued.key });
      } catch (error) {
        if (error instanceof AppError && error.category === 'unauthorized') {
          deps.metrics.authFailures.inc({ reason: 'invalid_credentials' });
          deps.limiter.recordFailure(ip);
        }
        throw error;
      }
    }),
  );

  mountOwnResource<ApiToken>(
    app,
    {
      path: TOKENS_PATH,
      name: 'Token',
      writeSchema: tokenWriteSchema,
      representation: tokenSchema,
      objectType: 'users.token',
      spec: tokenListSpec,
      briefFields: ['id', 'url', 'display', 'user', 'description', 'write_enabled', 'expires'],
      list: (q) => deps.tokens.list(q),
      findOne: (f) => deps.tokens.findOne(f),
      represent: representTokens,
      implicit: (auth) => ({ user: auth.user.id }),
      create: async (input, auth, scope) => {
        const body = parseInput(tokenWriteSchema, input);
        const userId = body.user ?? auth.user.id;
        if (userId !== auth.user.id) {
          // Tokens for someone else need a users.token grant beyond the implicit own scope.
          if (!auth.user.isSuperuser && scope && 'user' in scope && Object.keys(scope).length === 1)
            throw forbidden();
          if (!(await deps.users.findById(userId))) {
            throw AppError.validation({
              user: [`Invalid pk "${userId}" - object does not exist.`],
            });
          }
        }
        const issued = await deps.issuer.issue(userId, tokenOptions(body));
        return { entity: issued.token, extra: { key: issued.key } };
      },
      update: async (existing, input, partial) => {
        const raw = { ...(input as Record<string, unknown>) };
        if ('user' in raw && raw['user'] !== existing.userId) {
          throw AppError.validation({ user: ['The owner of a token cannot be changed.'] });
        }
        delete raw['user'];
        const body = parseInput(partial ? tokenWriteSchema.partial() : tokenWriteSchema, raw);
        const has = (key: string) => !partial || key in raw;
        const options = tokenOptions({
          expires: body.expires ?? null,
          write_enabled: body.write_enabled ?? existing.writeEnabled,
          description: body.description ?? existing.description,
          allowed_ips: body.allowed_ips ?? existing.allowedIps,
        });
        const updated = await deps.tokens.update(existing.id, {
          expires: has('expires') ? options.expires : undefined,
          writeEnabled: has('write_enabled') ? options.writeEnabled : undefined,
          description: has('description') ? options.description : undefined,
          allowedIps: has('allowed_ips') ? validRanges(options.allowedIps) : undefined,
        });
        if (!updated) throw AppError.notFound();
        return updated;
      },
      checkpoint: async (token) => async () => {
        await deps.tokens.update(token.id, {
          expires: token.expires,
          writeEnabled: token.writeEnabled,
          description: token.description,
          allowedIps: token.allowedIps,
        });
      },
      remove: async (token) => {
        await deps.tokens.delete(token.id);
      },
    },
    deps,
  );
}

function validRanges(ranges: string[]): string[] {
  const bad = invalidRanges(ranges);
  if (bad.length > 0) {
    throw AppError.validation({
      allowed_ips: bad.map((r) => `Enter a valid IPv4 or IPv6 address or CIDR range: ${r}.`),
    });
  }
  return ranges;
}
