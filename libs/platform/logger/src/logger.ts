import { AsyncLocalStorage } from 'node:async_hooks';
import pino from 'pino';
import type { DestinationStream, Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * The services' configuration variables that hold secrets (a URI or URL may carry a password):
 * redacted if a configuration object is ever logged whole.
 * tools/deploy/secret-variables.spec.ts holds every variable whose name looks secret to it.
 */
export const SECRET_VARIABLES = [
  'CREDENTIAL_KEYS',
  'EXECUTION_KEYS',
  'IDEMPOTENCY_KEY_SECRET',
  'INTERNAL_API_TOKEN',
  'INTERNAL_API_TOKEN_PREVIOUS',
  'KAFKA_SASL_PASSWORD',
  'MONGODB_URI',
  'NETBOX_TOKEN',
  // A URL may carry a user and password (https://user:pass@netbox.example.com).
  'NETBOX_URL',
  'SUPERUSER_API_TOKEN',
  'SUPERUSER_PASSWORD',
] as const;

/** Everything that could carry a secret, wherever it sits in a log record. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  // kafkajs options carry `sasl.password`: above.
  ...SECRET_VARIABLES.flatMap((name) => [name, `*.${name}`]),
  'secret',
  '*.secret',
  'token',
  '*.token',
  'key',
  '*.key',
  'credential_token',
  '*.credential_token',
  'privateKey',
  '*.privateKey',
  'passphrase',
  '*.passphrase',
  'envelope',
  '*.envelope',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'res.headers["set-cookie"]',
];

export interface LogContext {
  correlationId?: string;
  [field: string]: unknown;
}

const context = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with fields (correlation id, message coordinates) added to every log line inside it. */
export function runWithLogContext<T>(fields: LogContext, fn: () => T): T {
  return context.run({ ...context.getStore(), ...fields }, fn);
}

export function currentLogContext(): LogContext | undefined {
  return context.getStore();
}

export interface LoggerOptions {
  service: string;
  level?: string;
  /** Defaults to stdout; tests pass a stream to read what was logged. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => context.getStore() ?? {},
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}
