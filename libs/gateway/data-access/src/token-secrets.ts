import { createHash } from 'node:crypto';
import { hashSecret, issueToken, parseToken, secretMatches } from '@toolkit/crypto';
import type { TokenSecrets } from '@toolkit/gateway-domain';

export const API_TOKEN_PREFIX = 'nbt';

/**
 * API keys are `nbt_<lookupId>.<secret>` (NetBox v2 style). Keys chosen by an operator
 * (SUPERUSER_API_TOKEN, e.g. a 40-character NetBox v1 style key) are accepted too: their
 * lookup id is derived from the key's hash, so they are still found in one indexed read.
 */
const PLAIN_KEY = /^[A-Za-z0-9_-]{32,128}$/;

function plainLookupId(key: string): string {
  return `v1${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 22)}`;
}

export function apiTokenSecrets(): TokenSecrets {
  const parse = (key: string): { lookupId: string; secret: string } | undefined => {
    const issued = parseToken(key, API_TOKEN_PREFIX);
    if (issued) return issued;
    if (PLAIN_KEY.test(key)) return { lookupId: plainLookupId(key), secret: key };
    return undefined;
  };
  return {
    issue() {
      const { token, lookupId, secretHash } = issueToken(API_TOKEN_PREFIX);
      return { key: token, lookupId, secretHash };
    },
    parse,
    fromKey(key) {
      const parsed = parse(key);
      return parsed && { lookupId: parsed.lookupId, secretHash: hashSecret(parsed.secret) };
    },
    matches: secretMatches,
  };
}
