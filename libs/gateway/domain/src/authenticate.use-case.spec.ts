import { Authenticator } from './authenticate.use-case';
import type { ApiToken, User } from './entities';
import type { PermissionRepository, TokenRepository, TokenSecrets, UserRepository } from './ports';

const user: User = {
  id: 1,
  username: 'alice',
  firstName: '',
  lastName: '',
  email: '',
  isActive: true,
  isStaff: false,
  isSuperuser: false,
  groupIds: [],
  dateJoined: new Date('2026-01-01'),
  lastLogin: null,
};
const token: ApiToken = {
  id: 9,
  userId: 1,
  lookupId: 'abc',
  secretHash: 'hash-of-good',
  created: new Date('2026-01-01'),
  expires: new Date('2026-12-01T10:00:05Z'),
  lastUsed: new Date('2026-12-01T10:00:00Z'),
  writeEnabled: true,
  description: '',
  allowedIps: [],
};

function setup(cacheTtlMs: number) {
  let now = new Date('2026-12-01T10:00:00Z');
  const reads: string[] = [];
  let active = true;
  const authenticator = new Authenticator({
    tokens: {
      findByLookupId: async () => {
        reads.push('token');
        return token;
      },
      touchLastUsed: async () => undefined,
    } as unknown as TokenRepository,
    users: {
      findById: async () => {
        reads.push('user');
        return { ...user, isActive: active };
      },
    } as unknown as UserRepository,
    permissions: {
      findForSubject: async () => {
        reads.push('permissions');
        return [];
      },
    } as unknown as PermissionRepository,
    secrets: {
      parse: (key: string) => ({ lookupId: 'abc', secret: key.split('.')[1] ?? '' }),
      matches: (secret: string, hash: string) => hash === `hash-of-${secret}`,
    } as unknown as TokenSecrets,
    clock: { now: () => now },
    cacheTtlMs,
  });
  return {
    authenticator,
    reads,
    advance: (ms: number) => (now = new Date(now.getTime() + ms)),
    disable: () => (active = false),
  };
}

describe('authenticator cache', () => {
  it('when a token was read within the cache time, then it is not read again, but its secret and expiry are still checked', async () => {
    const { authenticator, reads, advance } = setup(1_000);

    const first = await authenticator.authenticate('Token nbt_abc.good', '10.0.0.1');
    const second = await authenticator.authenticate('Token nbt_abc.good', '10.0.0.1');
    const wrong = await authenticator.authenticate('Token nbt_abc.bad', '10.0.0.1');
    advance(900);
    const stillCached = await authenticator.authenticate('Token nbt_abc.good', '10.0.0.1');

    expect([first.ok, second.ok, wrong.ok, stillCached.ok]).toEqual([true, true, false, true]);
    expect(wrong).toEqual({ ok: false, reason: 'secret_mismatch' });
    expect(reads).toEqual(['token', 'user', 'permissions']);
  });

  it('when the cache time has passed, then a disabled user is refused; without a cache time, every request reads', async () => {
    const cached = setup(1_000);
    await cached.authenticator.authenticate('Token nbt_abc.good', undefined);
    cached.disable();
    cached.advance(1_001);
    const refused = await cached.authenticator.authenticate('Token nbt_abc.good', undefined);
    const uncached = setup(0);
    await uncached.authenticator.authenticate('Token nbt_abc.good', undefined);
    await uncached.authenticator.authenticate('Token nbt_abc.good', undefined);

    expect(refused).toEqual({ ok: false, reason: 'user_inactive' });
    expect(uncached.reads).toHaveLength(6);
  });

  it('when a cached token expires, then it is refused at once', async () => {
    const { authenticator, advance } = setup(60_000);
    await authenticator.authenticate('Token nbt_abc.good', undefined);

    advance(6_000);
    const expired = await authenticator.authenticate('Token nbt_abc.good', undefined);

    expect(expired).toEqual({ ok: false, reason: 'expired' });
  });
});
