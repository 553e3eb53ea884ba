import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '@toolkit/errors';
import { sealedBoxSchema } from '@toolkit/contracts';
import type { SealedBox } from '@toolkit/contracts';

/**
 * AES-256-GCM under named keys. `current` seals; every key in `keys` opens, so a key can
 * rotate: add the new key, make it current, re-seal at leisure, then drop the old one.
 */
export interface Keyring {
  readonly current: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

export function createKeyring(current: string, keys: Record<string, Buffer>): Keyring {
  const map = new Map(Object.entries(keys));
  for (const [kid, key] of map) {
    if (key.length !== 32) throw new Error(`key ${kid} must be 32 bytes`);
  }
  if (!map.has(current)) throw new Error(`current key ${current} is not in the keyring`);
  return { current, keys: map };
}

/**
 * Parses `kid1:base64key,kid2:hexkey` (the form configuration carries); the first is current
 * unless `current` says otherwise.
 */
export function parseKeyring(spec: string, current?: string): Keyring {
  const keys: Record<string, Buffer> = {};
  let first: string | undefined;
  for (const item of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const separator = item.indexOf(':');
    if (separator <= 0) throw new Error('each key must be written kid:key');
    const kid = item.slice(0, separator);
    const raw = item.slice(separator + 1);
    keys[kid] = /^[0-9a-fA-F]{64}$/.test(raw)
      ? Buffer.from(raw, 'hex')
      : Buffer.from(raw, 'base64');
    first ??= kid;
  }
  if (first === undefined) throw new Error('the keyring is empty');
  return createKeyring(current ?? first, keys);
}

/** `aad` binds the box to its context (an execution id, a record id): moved elsewhere it will not open. */
export function seal(keyring: Keyring, plaintext: string | Buffer, aad: string): SealedBox {
  const key = keyring.keys.get(keyring.current);
  if (!key) throw new Error('current key missing');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return {
    alg: 'A256GCM',
    kid: keyring.current,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ct: ct.toString('base64'),
  };
}

export function open(keyring: Keyring, box: SealedBox, aad: string): Buffer {
  const parsed = sealedBoxSchema.safeParse(box);
  if (!parsed.success)
    throw sealedBoxError('sealed-box-malformed', 'Encrypted value is malformed.');
  const key = keyring.keys.get(parsed.data.kid);
  if (!key)
    throw sealedBoxError(
      'sealed-box-unknown-key',
      `Encryption key ${parsed.data.kid} is not available.`,
    );
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(parsed.data.iv, 'base64'));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(parsed.data.tag, 'base64'));
    return Buffer.concat([
      decipher.update(Buffer.from(parsed.data.ct, 'base64')),
      decipher.final(),
    ]);
  } catch {
    // Never say more: a wrong key, a tampered byte and a wrong context look the same.
    throw sealedBoxError('sealed-box-tampered', 'Encrypted value failed authentication.');
  }
}

export function sealJson(keyring: Keyring, value: unknown, aad: string): SealedBox {
  return seal(keyring, JSON.stringify(value), aad);
}

export function openJson(keyring: Keyring, box: SealedBox, aad: string): unknown {
  return JSON.parse(open(keyring, box, aad).toString('utf8'));
}

function sealedBoxError(code: string, message: string): AppError {
  return new AppError({ code, category: 'validation', message, retriable: false });
}
