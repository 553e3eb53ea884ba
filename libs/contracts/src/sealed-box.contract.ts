import { z } from 'zod';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, { error: 'must be base64' });

/**
 * Authenticated encryption (AES-256-GCM) of a small secret, under a key named by `kid`
 * so that keys can rotate. Only services that hold the key (catalog, gateway, executors)
 * can open it; everyone else sees ciphertext.
 */
export const sealedBoxSchema = z.object({
  alg: z.literal('A256GCM'),
  kid: z.string().min(1).max(64),
  iv: base64,
  tag: base64,
  ct: base64,
});

export type SealedBox = z.output<typeof sealedBoxSchema>;

/** What a credential envelope contains once opened. Never logged, never published in clear. */
export const deviceCredentialsSchema = z.object({
  username: z.string().min(1).max(256),
  password: z.string().max(1024).optional(),
  privateKey: z.string().max(16_384).optional(),
  passphrase: z.string().max(1024).optional(),
  /** Privilege escalation secret (IOS `enable`, EOS). */
  enableSecret: z.string().max(1024).optional(),
});

export type DeviceCredentials = z.output<typeof deviceCredentialsSchema>;
