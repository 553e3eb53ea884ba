import { AppError, isAppError } from '@toolkit/errors';
import type { User } from './entities';
import type { Clock, PasswordHasher, TokenRepository, TokenSecrets, UserRepository } from './ports';

export interface SuperuserSeed {
  username: string;
  password?: string | undefined;
  /** A key chosen in configuration (local stack, Kubernetes secret). */
  apiToken?: string | undefined;
}

/**
 * Creates the first superuser and its token from configuration, idempotently: a second
 * boot (or a second replica booting at the same time) changes nothing, except that a
 * changed password is applied and the user is kept an active superuser.
 */
export async function bootstrapSuperuser(
  seed: SuperuserSeed,
  deps: {
    users: UserRepository;
    tokens: TokenRepository;
    secrets: TokenSecrets;
    passwords: PasswordHasher;
    clock: Clock;
  },
): Promise<{ user: User; createdUser: boolean; createdToken: boolean }> {
  let createdUser = false;
  let found = await deps.users.findCredentials(seed.username);
  if (!found) {
    try {
      await deps.users.create({
        username: seed.username,
        passwordHash: seed.password ? await deps.passwords.hash(seed.password) : null,
        firstName: '',
        lastName: '',
        email: '',
        isActive: true,
        isStaff: true,
        isSuperuser: true,
        groupIds: [],
      });
      createdUser = true;
    } catch (error) {
      if (!(isAppError(error) && error.category === 'conflict')) throw error;
    }
    found = await deps.users.findCredentials(seed.username);
    if (!found) throw AppError.internal('The superuser could not be created.');
  } else {
    const changes: { passwordHash?: string; isSuperuser?: boolean; isActive?: boolean } = {};
    if (
      seed.password &&
      !(found.passwordHash && (await deps.passwords.verify(seed.password, found.passwordHash)))
    )
      changes.passwordHash = await deps.passwords.hash(seed.password);
    if (!found.user.isSuperuser) changes.isSuperuser = true;
    if (!found.user.isActive) changes.isActive = true;
    if (Object.keys(changes).length > 0) await deps.users.update(found.user.id, changes);
  }
  const user = found.user;

  let createdToken = false;
  if (seed.apiToken) {
    const stored = deps.secrets.fromKey(seed.apiToken);
    if (!stored) throw AppError.validation({ SUPERUSER_API_TOKEN: ['Not a valid API token.'] });
    const existing = await deps.tokens.findByLookupId(stored.lookupId);
    if (existing && existing.userId !== user.id) {
      throw AppError.conflict('SUPERUSER_API_TOKEN already belongs to another user.');
    }
    if (!existing) {
      try {
        await deps.tokens.create({
          userId: user.id,
          lookupId: stored.lookupId,
          secretHash: stored.secretHash,
          created: deps.clock.now(),
          expires: null,
          writeEnabled: true,
          description: 'Bootstrap token (SUPERUSER_API_TOKEN)',
          allowedIps: [],
        });
        createdToken = true;
      } catch (error) {
        if (!(isAppError(error) && error.category === 'conflict')) throw error;
      }
    }
  }
  return { user, createdUser, createdToken };
}
