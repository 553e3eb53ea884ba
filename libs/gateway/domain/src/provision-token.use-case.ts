import { AppError } from '@toolkit/errors';
import type { ApiToken, User } from './entities';
import type { Clock, PasswordHasher, TokenRepository, TokenSecrets, UserRepository } from './ports';
import { invalidRanges } from './token-policy';

export interface TokenOptions {
  expires: Date | null;
  writeEnabled: boolean;
  description: string;
  allowedIps: string[];
}

export interface IssuedApiToken {
  token: ApiToken;
  /** Shown once. */
  key: string;
}

/** NetBox's message for a failed provision. */
export const INVALID_CREDENTIALS = 'Invalid username/password';

/** A hash of a random password, so an unknown username costs as much as a wrong password. */
const DUMMY_HASH_INPUT = 'no-such-user-password';

/**
 * Issues API tokens: to a user (by an administrator or the user itself) and in exchange
 * for a username and password (`tokens/provision/`).
 */
export class TokenIssuer {
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly deps: {
      users: UserRepository;
      tokens: TokenRepository;
      secrets: TokenSecrets;
      passwords: PasswordHasher;
      clock: Clock;
    },
  ) {}

  async issue(userId: number, options: TokenOptions): Promise<IssuedApiToken> {
    this.validate(options);
    const { key, lookupId, secretHash } = this.deps.secrets.issue();
    const token = await this.deps.tokens.create({
      userId,
      lookupId,
      secretHash,
      created: this.deps.clock.now(),
      ...options,
    });
    return { token, key };
  }

  /** Exchanges credentials for a new token; wrong username and wrong password look the same. */
  async provision(
    username: string,
    password: string,
    options: TokenOptions,
  ): Promise<IssuedApiToken & { user: User }> {
    this.validate(options);
    const found = await this.deps.users.findCredentials(username);
    const hash = found?.passwordHash ?? (await this.dummy());
    const matches = await this.deps.passwords.verify(password, hash);
    if (!found || !found.passwordHash || !matches || !found.user.isActive) {
      throw new AppError({
        code: 'invalid-credentials',
        category: 'unauthorized',
        message: INVALID_CREDENTIALS,
        details: { reason: 'invalid_credentials' },
      });
    }
    const issued = await this.issue(found.user.id, options);
    await this.deps.users.recordLogin(found.user.id, this.deps.clock.now());
    return { ...issued, user: found.user };
  }

  private validate(options: TokenOptions): void {
    const bad = invalidRanges(options.allowedIps);
    if (bad.length > 0) {
      throw AppError.validation({
        allowed_ips: bad.map((r) => `Enter a valid IPv4 or IPv6 address or CIDR range: ${r}.`),
      });
    }
    if (options.expires && options.expires.getTime() <= this.deps.clock.now().getTime()) {
      throw AppError.validation({ expires: ['Expiration time must be in the future.'] });
    }
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= this.deps.passwords.hash(DUMMY_HASH_INPUT);
    return this.dummyHash;
  }
}
