import type { ErrorClass } from '@toolkit/contracts';

/**
 * Why a run on a device failed, as the SSH layer reports it. `commandSent` says whether
 * the device may have acted on the command (then it is never retried).
 */
export class DeviceRunError extends Error {
  readonly errorClass: ErrorClass;
  readonly commandSent: boolean;
  readonly retriable: boolean;
  readonly connectMs: number | null;
  readonly partialOutput: string;

  constructor(options: {
    errorClass: ErrorClass;
    message: string;
    commandSent?: boolean;
    retriable?: boolean;
    connectMs?: number | null;
    partialOutput?: string;
  }) {
    super(options.message);
    this.name = 'DeviceRunError';
    this.errorClass = options.errorClass;
    this.commandSent = options.commandSent ?? false;
    this.retriable = (options.retriable ?? false) && !this.commandSent;
    this.connectMs = options.connectMs ?? null;
    this.partialOutput = options.partialOutput ?? '';
  }
}

export function isDeviceRunError(error: unknown): error is DeviceRunError {
  return error instanceof DeviceRunError;
}

/** Where a connection attempt was when it failed. */
export type ConnectPhase = 'tcp' | 'handshake' | 'auth' | 'session';

export interface LowLevelError {
  code?: unknown;
  level?: unknown;
  message?: unknown;
}

/**
 * Maps socket and ssh2 errors met while connecting to an error class, and says whether
 * the attempt may be retried (transient failures before authentication only).
 */
export function classifyConnectError(
  error: LowLevelError,
  phase: ConnectPhase,
): { errorClass: ErrorClass; retriable: boolean; message: string } {
  const code = typeof error.code === 'string' ? error.code : undefined;
  const level = typeof error.level === 'string' ? error.level : undefined;
  if (level === 'client-authentication') {
    return { errorClass: 'auth_failed', retriable: false, message: 'Authentication failed.' };
  }
  if (level === 'client-timeout' || code === 'ETIMEDOUT' || code === 'connect-timeout') {
    const beforeAuth = phase === 'tcp' || phase === 'handshake';
    return {
      errorClass: 'connect_timeout',
      retriable: beforeAuth,
      message: beforeAuth
        ? 'Timed out connecting to the device (no SSH handshake).'
        : 'Timed out while authenticating to the device.',
    };
  }
  switch (code) {
    case 'ECONNREFUSED':
      return { errorClass: 'unreachable', retriable: true, message: 'Connection refused.' };
    case 'ECONNRESET':
    case 'EPIPE':
      return {
        errorClass: phase === 'tcp' || phase === 'handshake' ? 'unreachable' : 'disconnected',
        retriable: phase === 'tcp' || phase === 'handshake',
        message: 'Connection reset by the device.',
      };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
      return { errorClass: 'unreachable', retriable: true, message: 'No route to the device.' };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return {
        errorClass: 'unreachable',
        retriable: false,
        message: 'The device host name does not resolve.',
      };
    default:
      break;
  }
  if (
    level === 'client-host-verification' ||
    /host denied|verification failed/i.test(String(error.message))
  ) {
    return {
      errorClass: 'unreachable',
      retriable: false,
      message: 'The device host key was rejected by the known-hosts policy.',
    };
  }
  if (phase === 'tcp' || phase === 'handshake') {
    return {
      errorClass: 'unreachable',
      retriable: false,
      message: 'The SSH connection to the device failed.',
    };
  }
  return {
    errorClass: 'disconnected',
    retriable: false,
    message: 'The device closed the connection.',
  };
}

/**
 * Failures that say something about the device's health and count towards opening its
 * breaker. Authentication failures, refused or invalid commands, and our own problems
 * are the caller's (or our) business, not the device's.
 */
const DEVICE_FAILURES: ReadonlySet<ErrorClass> = new Set<ErrorClass>([
  'unreachable',
  'connect_timeout',
  'command_timeout',
  'disconnected',
]);

export function countsAsDeviceFailure(errorClass: ErrorClass): boolean {
  return DEVICE_FAILURES.has(errorClass);
}

/** Removes secrets, stack traces and control characters; bounded length. */
export function sanitiseMessage(
  message: string,
  secrets: readonly (string | undefined)[] = [],
): string {
  let text = message.split('\n    at ')[0] ?? '';
  for (const secret of secrets) {
    if (secret && secret.length >= 3) text = text.split(secret).join('***');
  }
  // eslint-disable-next-line no-control-regex -- control characters are removed
  text = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ').trim();
  return text.length > 1_000 ? `${text.slice(0, 997)}...` : text;
}

export function circuitOpenMessage(deviceName: string, nextProbeAt: Date | null): string {
  return nextProbeAt
    ? `Circuit open for device ${deviceName} after repeated failures; next probe at ${nextProbeAt.toISOString()}.`
    : `Circuit open for device ${deviceName} after repeated failures; a probe is in progress.`;
}
