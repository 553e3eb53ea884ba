/** Per-device fault state: the spec plus a seeded PRNG for the random failure rate. */
import { Prng, hashString } from '@toolkit/prng';
import type { FaultSpec } from './types';

export type CommandFault = 'drop' | 'hang' | undefined;

export class FaultController {
  private spec: FaultSpec = {};
  private rng: Prng;
  private hangPattern: RegExp | undefined;

  constructor(
    private readonly deviceName: string,
    initial: FaultSpec = {},
  ) {
    this.rng = new Prng(hashString(deviceName));
    this.set(initial);
  }

  get current(): FaultSpec {
    return { ...this.spec };
  }

  /** Replaces the whole spec and re-seeds the failure PRNG (so a test gets the same sequence each time). */
  set(spec: FaultSpec): void {
    validateFaults(spec);
    this.spec = { ...spec };
    this.rng = new Prng(spec.failureSeed ?? hashString(this.deviceName));
    this.hangPattern = typeof spec.hang === 'string' ? new RegExp(spec.hang) : undefined;
  }

  /** Decides the fate of one command line: drop the connection, hang, or answer normally. */
  onCommand(line: string): CommandFault {
    const rate = this.spec.failureRate ?? 0;
    if (rate > 0 && this.rng.next() < rate) return 'drop';
    if (this.spec.hang === true) return 'hang';
    if (this.hangPattern?.test(line)) return 'hang';
    return undefined;
  }

  get commandLatencyMs(): number {
    return this.spec.commandLatencyMs ?? 0;
  }

  get latencyPerByteMs(): number {
    return this.spec.latencyPerByteMs ?? 0;
  }

  get dropAfterBytes(): number | undefined {
    return this.spec.dropAfterBytes;
  }

  get bannerDelayMs(): number {
    return this.spec.bannerDelayMs ?? 0;
  }

  get authFailure(): boolean {
    return this.spec.authFailure === true;
  }

  get refuseConnections(): boolean {
    return this.spec.refuseConnections === true;
  }
}

const NUMERIC_FIELDS = [
  'commandLatencyMs',
  'latencyPerByteMs',
  'bannerDelayMs',
  'dropAfterBytes',
  'failureSeed',
] as const;
const KNOWN_FIELDS = new Set<string>([
  ...NUMERIC_FIELDS,
  'authFailure',
  'refuseConnections',
  'hang',
  'failureRate',
]);

/** Throws a readable error for a malformed spec (the control API returns it as 400). */
export function validateFaults(spec: unknown): asserts spec is FaultSpec {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    throw new Error('faults must be an object');
  const record = spec as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!KNOWN_FIELDS.has(key)) throw new Error(`unknown fault field "${key}"`);
  }
  for (const key of NUMERIC_FIELDS) {
    const value = record[key];
    if (
      value !== undefined &&
      (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    ) {
      throw new Error(`${key} must be a non-negative number`);
    }
  }
  for (const key of ['authFailure', 'refuseConnections']) {
    if (record[key] !== undefined && typeof record[key] !== 'boolean')
      throw new Error(`${key} must be a boolean`);
  }
  const hang = record['hang'];
  if (hang !== undefined && typeof hang !== 'boolean' && typeof hang !== 'string') {
    throw new Error('hang must be a boolean or a regular expression string');
  }
  if (typeof hang === 'string') new RegExp(hang);
  const rate = record['failureRate'];
  if (rate !== undefined && (typeof rate !== 'number' || rate < 0 || rate > 1)) {
    throw new Error('failureRate must be a number between 0 and 1');
  }
}
