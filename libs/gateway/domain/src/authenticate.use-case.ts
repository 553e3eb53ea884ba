import { AppError, DETAIL } from '@toolkit/errors';
import type { ApiToken, ObjectPermission, User } from './entities';
import type {
  Clock,
  PermissionRepository,
  TokenRepository,
  TokenSecrets,
  UserRepository,
} from './ports';
import type { TokenRejection } from './token-policy';
import { shouldTouchLastUsed, tokenRejection } from './token-policy';

/** Who made the request, with what token, and what they may do. */
export interface AuthContext {
  user: User;
  token: ApiToken;
  permissions: ObjectPermission[];
}

export type AuthOutcome =
  { ok: true; context: AuthContext } | { ok: false; reason: 'missing' | TokenRejection };

/**
 * `Authorization: Token <key>` or `Bearer <key>` (case-insensitive scheme). Anything else
 * in the header is a malformed credential, not a missing one.
 */
export function parseAuthorizationHeader(
  header: string | undefined,
): { key: string } | 'missing' | 'malformed' {
  if (header === undefined || header.trim() === '') return 'missing';
  const match = /^\s*(Token|Bearer)\s+(\S+)\s*$/i.exec(header);
  return match ? { key: match[2] as string } : 'malformed';
}

export function unauthorized(reason: 'missing' | TokenRejection): AppError {
  return new AppError({
    code: reason === 'missing' ? 'not-authenticated' : 'invalid-token',
    category: 'unauthorized',
    message: reason === 'missing' ? DETAIL.notAuthenticated : DETAIL.invalidToken,
    details: { reason },
  });
}

/**
 * Token authentication: one indexed read by lookup id, a constant-time comparison of the
 * secret's hash, the token's expiry and address ranges, the user being active; then the
 * user's permissions. `last_used` is written at most once per interval per token.
 */
export class Authenticator {
  private readonly touched = new Map<number, number>();
  /** Token, user and permissions read recently, by lookup id (see `cacheTtlMs`). */
  private readonly cache = new Map<
    string,
    { token: ApiToken; user: User; permissions: ObjectPermission[]; until: number }
  >();

  constructor(
    private readonly deps: {
      users: UserRepository;
      tokens: TokenRepository;
      permissions: PermissionRepository;
      secrets: TokenSecrets;
      clock: Clock;
      lastUsedIntervalMs?: number;
      /**
       * How long a token's record, its user and their permissions are reused without
       * reading them again (0: never). The secret, the expiry and the source address are
       * still checked on every request; a revoked token, a disabled user or a changed
       * permission takes effect within this time.
       */
      cacheTtlMs?: number;
    },
  ) {}

  async authenticate(
    header: string | undefined,
    clientIp: string | undefined,
  ): Promise<AuthOutcome> {
    const parsedHeader = parseAuthorizationHeader(header);
    if (parsedHeader === 'missing') return { ok: false, reason: 'missing' };
    if (parsedHeader === 'malformed') return { ok: false, reason: 'malformed' };
    const parsed = this.deps.secrets.parse(parsedHeader.key);
    if (!parsed) return { ok: false, reason: 'malformed' };
    const now = this.deps.clock.now();
    const cached = this.cache.get(parsed.lookupId);
    if (cached && cached.until > now.getTime()) {
      if (!this.deps.secrets.matches(parsed.secret, cached.token.secretHash))
        return { ok: false, reason: 'secret_mismatch' };
      const rejection = tokenRejection(cached.token, cached.user, { now, clientIp });
      if (rejection) return { ok: false, reason: rejection };
      await this.touch(cached.token, now);
      return { ok: true, context: cached };
    }
    const token = await this.deps.tokens.findByLookupId(parsed.lookupId);
    if (!token) return { ok: false, reason: 'unknown' };
    if (!this.deps.secrets.matches(parsed.secret, token.secretHash))
      return { ok: false, reason: 'secret_mismatch' };
    const user = await this.deps.users.findById(token.userId);
    const rejection = tokenRejection(token, user, { now, clientIp });
    if (rejection || !user) return { ok: false, reason: rejection ?? 'user_inactive' };
    const permissions = user.isSuperuser
      ? []
      : await this.deps.permissions.findForSubject(user.id, user.groupIds);
    this.remember(parsed.lookupId, { token, user, permissions }, now);
    await this.touch(token, now);
    return { ok: true, context: { user, token, permissions } };
  }

  /** Drops what was cached (a user, group, permission or token changed here). */
  forget(): void {
    this.cache.clear();
  }

  private remember(lookupId: string, context: AuthContext, now: Date): void {
    const ttl = this.deps.cacheTtlMs ?? 0;
    if (ttl <= 0) return;
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(lookupId, { ...context, until: now.getTime() + ttl });
  }

  private async touch(token: ApiToken, now: Date): Promise<void> {
    const interval = this.deps.lastUsedIntervalMs ?? 60_000;
    const recent = this.touched.get(token.id);
    const last = Math.max(recent ?? 0, token.lastUsed?.getTime() ?? 0);
    if (!shouldTouchLastUsed(last === 0 ? null : new Date(last), now, interval)) return;
    this.touched.set(token.id, now.getTime());
    if (this.touched.size > 50_000) this.touched.clear();
    await this.deps.tokens.touchLastUsed(token.id, now);
  }
}
