import { z } from 'zod';

/** Booleans are spelled out: `z.coerce.boolean()` would turn "false" into true. */
export function envBoolean(defaultValue: boolean) {
  return z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], {
      error: 'must be one of true, false, 1, 0, yes, no',
    })
    .default(defaultValue ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
}

export function envInt(options: { min: number; max: number; default?: number }) {
  const base = z.coerce
    .number({ error: 'must be an integer' })
    .int({ error: 'must be an integer' })
    .min(options.min)
    .max(options.max);
  return options.default === undefined ? base : base.default(options.default);
}

export function envPort(defaultValue?: number) {
  return envInt({ min: 0, max: 65535, default: defaultValue });
}

/** Comma-separated list, trimmed, empty items dropped; at least one item. */
export function envList() {
  return z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string()).min(1, { error: 'must list at least one item' }));
}

export const logLevel = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  .default('info');

/** A secret: required, no default, never logged (the logger redacts config secrets). */
export function envSecret(minLength = 1) {
  return z.string().min(minLength, { error: `must be at least ${minLength} characters` });
}

/** A 256-bit key given as 64 hex characters or base64. */
export function envKey256() {
  return z.string().transform((value, ctx) => {
    const key = /^[0-9a-fA-F]{64}$/.test(value)
      ? Buffer.from(value, 'hex')
      : Buffer.from(value, 'base64');
    if (key.length !== 32) {
      ctx.addIssue({ code: 'custom', message: 'must be 32 bytes as 64 hex characters or base64' });
      return z.NEVER;
    }
    return key;
  });
}

export function envUrl() {
  return z.url({ error: 'must be a URL' });
}
