import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Bearer secrets (API tokens, credential tokens): `<prefix>_<lookupId>.<secret>`. The
 * lookup id is stored in clear with a unique index, the secret only as a SHA-256 hash, so
 * verification is one indexed find plus a constant-time comparison, never a scan.
 * SHA-256 is right here (the secret is 256 random bits); passwords get scrypt instead.
 */
export interface IssuedToken {
  /** Shown once to the caller. */
  token: string;
  lookupId: string;
  secretHash: string;
}

const TOKEN_PATTERN = /^([a-z]{2,8})_([A-Za-z0-9]{16})\.([A-Za-z0-9_-]{43})$/;

export function issueToken(prefix: string): IssuedToken {
  const lookupId = randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').slice(0, 16);
  const secret = randomBytes(32).toString('base64url');
  return { token: `${prefix}_${lookupId}.${secret}`, lookupId, secretHash: hashSecret(secret) };
}

export function parseToken(
  token: string,
  prefix: string,
): { lookupId: string; secret: string } | undefined {
  const match = TOKEN_PATTERN.exec(token);
  if (!match || match[1] !== prefix) return undefined;
  return { lookupId: match[2] as string, secret: match[3] as string };
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function secretMatches(secret: string, expectedHash: string): boolean {
  const actual = Buffer.from(hashSecret(secret), 'hex');
  const expected = Buffer.from(expectedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
