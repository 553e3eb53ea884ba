/** Public data shapes of the simulator: device specs, faults, inventory. */

export type PlatformId = 'ios' | 'nxos' | 'eos' | 'junos' | 'linux';

export const PLATFORM_IDS: readonly PlatformId[] = ['ios', 'nxos', 'eos', 'junos', 'linux'];

/** Each simulated platform as a catalog (NetBox) platform: its slugs map to the drivers. */
export const CATALOG_PLATFORMS: Readonly<Record<string, { name: string; slug: string }>> = {
  ios: { name: 'Cisco IOS', slug: 'ios' },
  nxos: { name: 'Cisco NX-OS', slug: 'nxos' },
  eos: { name: 'Arista EOS', slug: 'eos' },
  junos: { name: 'Juniper Junos', slug: 'junos' },
  linux: { name: 'Linux', slug: 'linux' },
};

/**
 * Fault injection settings of one device. Every field is optional; an empty object means a healthy device.
 * All faults are deterministic: the random failure rate draws from a PRNG seeded with `failureSeed`
 * (default: derived from the device name), so the same sequence of commands fails the same way each run.
 */
export interface FaultSpec {
  /** Added delay before each command's output (ms). */
  commandLatencyMs?: number;
  /** Added delay per byte of command output (ms per byte, e.g. 0.05 = 50 ms per KB); output is streamed. */
  latencyPerByteMs?: number;
  /** Delay before the SSH identification string / banner is sent on a new connection (ms). */
  bannerDelayMs?: number;
  /** Reject every authentication attempt. */
  authFailure?: boolean;
  /** Stop listening: new connections get ECONNREFUSED. Clearing it re-opens the same port. */
  refuseConnections?: boolean;
  /** Drop the TCP connection after N bytes of a command's output were sent (first command whose output exceeds N). */
  dropAfterBytes?: number;
  /** Never answer a command (no output, no prompt). `true` = every command; a string = only command lines matching that regular expression. */
  hang?: boolean | string;
  /** Probability (0..1) that a command drops the connection instead of answering. */
  failureRate?: number;
  /** Seed of the failure-rate PRNG (default: hash of the device name). */
  failureSeed?: number;
}

export interface Credentials {
  username: string;
  password: string;
  /** Secret for `enable` (IOS, EOS). */
  enableSecret: string;
  /** Path of the ed25519 private key (OpenSSH format) accepted for public-key auth. */
  privateKeyPath?: string;
}

export interface DeviceSpec {
  name: string;
  platform: PlatformId;
  /** Port to listen on; 0 or undefined = ephemeral. */
  port?: number;
  site?: string;
  username?: string;
  password?: string;
  enableSecret?: string;
  /** Faults active from start. */
  faults?: FaultSpec;
  /** Seed for the generated state (default: the fleet seed). */
  seed?: number;
}

export interface InventoryInterface {
  name: string;
  description: string;
  enabled: boolean;
  /** CIDR notation, e.g. 10.1.2.3/24. */
  ipv4?: string;
  vlan?: number;
  mode: 'access' | 'routed' | 'loopback' | 'svi' | 'management';
  mac: string;
}

export interface InventoryDevice {
  name: string;
  platform: PlatformId;
  vendor: string;
  model: string;
  osVersion: string;
  serial: string;
  host: string;
  port: number;
  site: string;
  credentials: Credentials;
  managementIp: string;
  interfaces: InventoryInterface[];
  vlans: { id: number; name: string }[];
  ipAddresses: string[];
  faults: FaultSpec;
}

export interface Inventory {
  generatedAt: string;
  seed: number;
  hostKeyFingerprint?: string;
  devices: InventoryDevice[];
}
