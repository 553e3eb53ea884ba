import { BlockList, isIP } from 'node:net';
import type { ApiToken, User } from './entities';

/** Why a presented token is refused (metrics label; the caller only sees "Invalid token."). */
export type TokenRejection =
  'malformed' | 'unknown' | 'secret_mismatch' | 'expired' | 'user_inactive' | 'ip_not_allowed';

/**
 * Whether a token whose secret matched may be used now, from this address, by this user.
 * Expired tokens and disabled users are invalid; a token with allowed ranges is accepted
 * only from an address inside one of them.
 */
export function tokenRejection(
  token: Pick<ApiToken, 'expires' | 'allowedIps'>,
  user: Pick<User, 'isActive'> | undefined,
  context: { now: Date; clientIp: string | undefined },
): TokenRejection | undefined {
  if (!user || !user.isActive) return 'user_inactive';
  if (token.expires && token.expires.getTime() <= context.now.getTime()) return 'expired';
  if (token.allowedIps.length > 0 && !ipAllowed(token.allowedIps, context.clientIp))
    return 'ip_not_allowed';
  return undefined;
}

/** `::ffff:10.0.0.1` (IPv4 on a dual-stack socket) is checked as `10.0.0.1`. */
export function normaliseIp(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped ? (mapped[1] as string) : ip;
}

export function ipAllowed(ranges: readonly string[], clientIp: string | undefined): boolean {
  if (!clientIp) return false;
  const ip = normaliseIp(clientIp);
  const family = isIP(ip);
  if (family === 0) return false;
  const list = new BlockList();
  for (const range of ranges) {
    const parsed = parseCidr(range);
    if (parsed) list.addSubnet(parsed.network, parsed.prefix, parsed.family);
  }
  return list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a single address (`192.0.2.1` = /32). */
export function parseCidr(
  value: string,
): { network: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', prefixText, ...rest] = value.trim().split('/');
  if (rest.length > 0) return undefined;
  const family = isIP(address);
  if (family === 0) return undefined;
  const max = family === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return undefined;
  return { network: address, prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
}

/** Validation of `allowed_ips`: the entries that are not CIDR ranges, for a field error. */
export function invalidRanges(ranges: readonly string[]): string[] {
  return ranges.filter((r) => parseCidr(r) === undefined);
}

/** last_used is written at most once per interval per token: no write per request. */
export function shouldTouchLastUsed(
  lastUsed: Date | null,
  now: Date,
  intervalMs = 60_000,
): boolean {
  return lastUsed === null || now.getTime() - lastUsed.getTime() >= intervalMs;
}
