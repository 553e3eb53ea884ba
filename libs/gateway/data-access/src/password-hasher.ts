import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { PasswordHasher } from '@toolkit/gateway-domain';

export interface ScryptCost {
  /** CPU/memory cost (a power of two); 2^15 with r=8 uses 32 MiB per hash. */
  N: number;
  r: number;
  p: number;
}

const DEFAULT_COST: ScryptCost = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFKC'),
      salt,
      KEY_LENGTH,
      { N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

/**
 * Passwords hashed with scrypt (memory-hard), stored as `scrypt$N$r$p$salt$hash`, so the
 * cost can be raised later without invalidating old hashes; verified in constant time.
 */
export function scryptPasswordHasher(cost: ScryptCost = DEFAULT_COST): PasswordHasher {
  return {
    async hash(password) {
      const salt = randomBytes(16);
      const key = await derive(password, salt, cost);
      return [
        'scrypt',
        cost.N,
        cost.r,
        cost.p,
        salt.toString('base64'),
        key.toString('base64'),
      ].join('$');
    },
    async verify(password, stored) {
      const parts = stored.split('$');
      if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
      const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
      const storedCost = { N: Number(n), r: Number(r), p: Number(p) };
      if (![storedCost.N, storedCost.r, storedCost.p].every((v) => Number.isInteger(v) && v > 0))
        return false;
      const expected = Buffer.from(hash, 'base64');
      try {
        const actual = await derive(password, Buffer.from(salt, 'base64'), storedCost);
        return actual.length === expected.length && timingSafeEqual(actual, expected);
      } catch {
        return false;
      }
    },
  };
}
