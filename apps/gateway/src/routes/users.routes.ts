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
import { asyncHandler } from '@toolkit/http';
import type { ListSpec } from '@toolkit/netbox-list';
import {
  GroupAdministration,
  PermissionAdministration,
  TokenAdministration,
  UserAdministration,
  findUsers,
  tokenOptions,
} from '@toolkit/gateway-domain';
import type {
  ApiToken,
  FailureLimiter,
  Group,
  GroupRepository,
  ObjectPermission,
  PasswordHasher,
  PermissionRepository,
  TokenIssuer,
  TokenRepository,
  User,
  UserObjects,
  UserRepository,
} from '@toolkit/gateway-domain';
import { clientIp, throttled } from '../auth/auth.middleware';
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

  const warn = (error: unknown, message: string, context: Record<string, unknown>) =>
    deps.logger.error({ err: error, ...context }, message);

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
      admin: new UserAdministration({
        users: deps.users,
        groups: deps.groups,
        tokens: deps.tokens,
        passwords: deps.passwords,
        userObjects: deps.userObjects,
        warn,
      }),
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
      admin: new GroupAdministration({ groups: deps.groups }),
    },
    deps,
  );

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
      admin: new PermissionAdministration({
        permissions: deps.permissions,
        users: deps.users,
        groups: deps.groups,
        constraintSpecs: deps.constraintSpecs,
      }),
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
        const origin = publicOrigin(req, deps.publicUrl);
        const [represented] = await representTokens([issued.token], origin);
        // A token obtained with a password is audited like any other (under its user).
        await deps.changes
          ?.record(
            [
              {
                action: 'create',
                changed_object_type: 'users.token',
                changed_object_id: issued.token.id,
                object_repr: String(represented?.['display'] ?? issued.token.id),
                prechange_data: null,
                postchange_data: represented ?? null,
              },
            ],
            {
              id: issued.user.id,
              username: issued.user.username,
              isSuperuser: issued.user.isSuperuser,
            },
            { origin, requestId: res.locals['requestId'] as string | undefined },
          )
          .catch((error: unknown) =>
            deps.logger.error({ err: error }, 'change not recorded (the token stands)'),
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
      admin: new TokenAdministration({
        tokens: deps.tokens,
        users: deps.users,
        issuer: deps.issuer,
      }),
    },
    deps,
  );
}
