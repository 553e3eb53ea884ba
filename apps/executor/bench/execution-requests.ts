// The execution requests the executor benches publish, as the gateway would: the command
// rendered, the device, and the login sealed for the execution (the bench's own keyring,
// handed to the measured executor as EXECUTION_KEYS).
import { randomUUID } from 'node:crypto';
import type { ExecutionRequest, PlatformDriver } from '@toolkit/contracts';
import { parseKeyring, sealJson } from '@toolkit/crypto';
import { BENCH_LOGIN } from './bench-simulator';

/** A keyring of one fixed key (`fill` tells benches' keys apart): `kid:base64`. */
export function benchKeys(fill: number): string {
  return `k1:${Buffer.alloc(32, fill).toString('base64')}`;
}

const keyrings = new Map<string, ReturnType<typeof parseKeyring>>();
const keyringOf = (keys: string) => {
  const keyring = keyrings.get(keys) ?? parseKeyring(keys);
  keyrings.set(keys, keyring);
  return keyring;
};

export function executionRequest(options: {
  keys: string;
  device: { id: number; name: string; port: number; platform: PlatformDriver };
  command: string;
  timeoutMs: number;
  streamOutput?: boolean;
}): ExecutionRequest {
  const executionId = randomUUID();
  const { device } = options;
  return {
    executionId,
    commandType: 'show',
    command: { name: options.command },
    renderedCommand: options.command,
    variables: {},
    device: { ...device, host: '127.0.0.1' },
    credentials: sealJson(keyringOf(options.keys), { ...BENCH_LOGIN }, executionId),
    timeoutMs: options.timeoutMs,
    requestedBy: { username: 'bench' },
    requestedAt: new Date().toISOString(),
    ...(options.streamOutput ? { streamOutput: true } : {}),
  };
}
