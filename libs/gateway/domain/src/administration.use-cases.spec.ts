import { AppError } from '@toolkit/errors';
import type { ListSpec } from '@toolkit/netbox-list';
import {
  PermissionAdministration,
  TokenAdministration,
  UserAdministration,
} from './administration.use-cases';
import type { AuthContext } from './authenticate.use-case';
import type { ApiToken, User } from './entities';
import type {
  GroupRepository,
  PermissionRepository,
  TokenRepository,
  UserRepository,
} from './ports';
import type { TokenIssuer } from './provision-token.use-case';

const user = (id: number, extra: Partial<User> = {}): User => ({
  id,
  username: `u${id}`,
  firstName: '',
  lastName: '',
  email: '',
  isActive: true,
  isStaff: false,
  isSuperuser: false,
  groupIds: [],
  dateJoined: new Date(0),
  lastLogin: null,
  ...extra,
});
const authOf = (who: User): AuthContext => ({ user: who, token: {} as ApiToken, permissions: [] });

function refusal(error: unknown): unknown {
  if (!(error instanceof AppError)) throw error;
  return [error.category, error.fieldErrors];
}

describe('UserAdministration', () => {
  function harness(options: { secondCleanupFails?: boolean } = {}) {
    const calls: string[] = [];
    const warnings: string[] = [];
    let cleanups = 0;
    const admin = new UserAdministration({
      users: {
        create: async (u: Omit<User, 'id' | 'dateJoined' | 'lastLogin'>) => user(10, u),
        delete: async (id: number) => (calls.push(`delete user ${id}`), true),
      } as unknown as UserRepository,
      groups: { findByIds: async () => [] } as unknown as GroupRepository,
      tokens: {
        list: async () => ({ count: 1, results: [{ id: 5 }] }),
        delete: async (id: number) => (calls.push(`delete token ${id}`), true),
      } as unknown as TokenRepository,
      passwords: { hash: async (p: string) => `hash:${p}`, verify: async () => true },
      userObjects: {
        userDeleted: async (id) => {
          cleanups += 1;
          calls.push(`objects of ${id}`);
          if (options.secondCleanupFails && cleanups === 2) throw new Error('catalog down');
          return 0;
        },
      },
      warn: (_error, message) => warnings.push(message),
    });
    return { admin, calls, warnings };
  }

  it('when someone who is not a superuser makes a superuser or names missing groups, then it is refused', async () => {
    const { admin } = harness();
    const clerk = authOf(user(1));

    const superuser = await admin
      .create({ username: 'root2', is_superuser: true }, clerk)
      .catch((e: unknown) => e);
    const groups = await admin
      .create({ username: 'x', groups: [4] }, authOf(user(1, { isSuperuser: true })))
      .catch((e: unknown) => e);

    expect((superuser as AppError).category).toBe('forbidden');
    expect(refusal(groups)).toEqual([
      'validation',
      { groups: ['Invalid pk "4" - object does not exist.'] },
    ]);
  });

  it('when a user is deleted, then their objects elsewhere go first, then the user and their tokens, then the objects again; a failing second pass is reported, not thrown', async () => {
    const { admin, calls, warnings } = harness({ secondCleanupFails: true });

    await admin.remove(user(3), {
      auth: authOf(user(1, { isSuperuser: true })),
      origin: 'https://x',
    });

    expect(calls).toEqual(['objects of 3', 'delete user 3', 'delete token 5', 'objects of 3']);
    expect(warnings).toEqual([
      'credential sets created while their user was deleted may remain (stored, unreachable)',
    ]);
  });
});

describe('TokenAdministration', () => {
  const token: ApiToken = {
    id: 9,
    userId: 3,
    lookupId: 'l',
    secretHash: 'h',
    created: new Date(0),
    expires: null,
    lastUsed: null,
    writeEnabled: true,
    description: '',
    allowedIps: [],
  } as unknown as ApiToken;
  const admin = new TokenAdministration({
    tokens: { update: async () => token } as unknown as TokenRepository,
    users: { findById: async () => undefined } as unknown as UserRepository,
    issuer: {} as TokenIssuer,
  });

  it('when a token changes owner or gets an address range that does not parse, then it is refused naming the field', async () => {
    const owner = await admin.update(token, { user: 4 }, true).catch((e: unknown) => e);
    const ranges = await admin
      .update(token, { allowed_ips: ['10.0.0.0/99'] }, true)
      .catch((e: unknown) => e);

    expect(refusal(owner)).toEqual([
      'validation',
      { user: ['The owner of a token cannot be changed.'] },
    ]);
    expect(refusal(ranges)).toEqual([
      'validation',
      { allowed_ips: ['Enter a valid IPv4 or IPv6 address or CIDR range: 10.0.0.0/99.'] },
    ]);
  });

  it('when a token is created for another user with only the implicit own scope, then 403', async () => {
    const error = await admin
      .create({ user: 4 }, authOf(user(3)), { user: 3 })
      .catch((e: unknown) => e);

    expect((error as AppError).category).toBe('forbidden');
  });
});

describe('PermissionAdministration', () => {
  const spec: ListSpec = {
    filters: [{ name: 'name', type: 'string' }],
    ordering: {},
    defaultOrdering: [],
    search: [],
  } as unknown as ListSpec;
  const admin = new PermissionAdministration({
    permissions: { create: async () => ({}) } as unknown as PermissionRepository,
    users: { list: async () => ({ count: 0, results: [] }) } as unknown as UserRepository,
    groups: { findByIds: async () => [] } as unknown as GroupRepository,
    constraintSpecs: new Map([['users.group', spec]]),
  });

  it('when constraints do not apply to an object type, then the permission is refused naming it', async () => {
    const error = await admin
      .create({
        name: 'p',
        object_types: ['users.group', 'toolkit.bulkjob'],
        actions: ['view'],
        constraints: { colour: 'red' },
      })
      .catch((e: unknown) => e);

    expect(refusal(error)).toEqual([
      'validation',
      {
        constraints: [
          'Invalid constraint for users.group: colour: Unknown filter parameter.',
          'Constraints are not supported for toolkit.bulkjob.',
        ],
      },
    ]);
  });
});
