/** A fleet of simulated devices in one process: shared keys, one port per device, the inventory. */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { ParsedKey } from 'ssh2';
import { utils } from 'ssh2';
import { SimulatedDevice } from './transport/simulated-device';
import type { Credentials, DeviceSpec, Inventory, InventoryDevice, PlatformId } from './types';
import { PLATFORM_IDS } from './types';

export interface FleetOptions {
  /** Explicit device specs; if absent, `count` devices are generated. */
  devices?: DeviceSpec[];
  count?: number;
  /** Platform mix for generated devices, round-robin (default: all five). */
  platforms?: PlatformId[];
  host?: string;
  /** First port; device i gets basePort + i. 0 (default) = ephemeral ports. */
  basePort?: number;
  seed?: number;
  /** Directory for the fleet's private key file; default: a fresh temp dir removed on close. */
  keyDir?: string;
  /** Defaults for generated devices and for specs without credentials. */
  username?: string;
  password?: string;
  enableSecret?: string;
  /** Failed password attempts before a device disconnects (default 3). */
  maxAuthTries?: number;
}

export interface FleetKeys {
  /** Client private key (OpenSSH format) accepted by every device. */
  privateKey: string;
  publicKey: string;
  privateKeyPath: string;
  /** Host key shared by all devices. */
  hostPrivateKey: string;
  hostPublicKey: string;
  hostKeyFingerprint: string;
}

export interface Fleet {
  readonly devices: readonly SimulatedDevice[];
  readonly keys: FleetKeys;
  readonly host: string;
  readonly seed: number;
  /** Current inventory (ports, state, faults as of now). */
  readonly inventory: Inventory;
  device(name: string): SimulatedDevice;
  writeInventory(path: string): Promise<void>;
  close(): Promise<void>;
}

/** Generated device names: `<platform>-<nnnn>`, e.g. `ios-0001`. */
export function generateSpecs(
  count: number,
  platforms: readonly PlatformId[] = PLATFORM_IDS,
  basePort = 0,
): DeviceSpec[] {
  const specs: DeviceSpec[] = [];
  const mix = platforms.length > 0 ? platforms : PLATFORM_IDS;
  for (let i = 0; i < count; i += 1) {
    const platform = mix[i % mix.length] ?? 'ios';
    specs.push({
      name: `${platform}-${String(i + 1).padStart(4, '0')}`,
      platform,
      site: `site-${String((i % 8) + 1).padStart(2, '0')}`,
      ...(basePort > 0 ? { port: basePort + i } : {}),
    });
  }
  return specs;
}

/**
 * ssh2's ed25519 generator writes a malformed key about once in 200 calls (a key whose
 * encoding starts with a zero byte comes out one byte short, and its own parser then
 * refuses it), so a fleet start failed at random. Generate until both halves parse.
 */
export function generateEd25519KeyPair(): { private: string; public: string } {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const pair = utils.generateKeyPairSync('ed25519');
    if (
      !(utils.parseKey(pair.public) instanceof Error) &&
      !(utils.parseKey(pair.private) instanceof Error)
    ) {
      return pair;
    }
  }
  throw new Error('could not generate a well-formed ed25519 key pair');
}

async function createKeys(
  keyDir: string | undefined,
): Promise<{ keys: FleetKeys; tempDir: string | undefined; clientKey: ParsedKey }> {
  const client = generateEd25519KeyPair();
  const host = generateEd25519KeyPair();
  const tempDir = keyDir === undefined ? await mkdtemp(join(tmpdir(), 'device-sim-')) : undefined;
  const dir = keyDir ?? tempDir ?? tmpdir();
  const privateKeyPath = join(dir, 'id_ed25519');
  await writeFile(privateKeyPath, client.private, { mode: 0o600 });
  await chmod(privateKeyPath, 0o600);
  const parsed = utils.parseKey(client.public);
  if (parsed instanceof Error) throw parsed;
  const hostParsed = utils.parseKey(host.public);
  if (hostParsed instanceof Error) throw hostParsed;
  const fingerprint = `SHA256:${createHash('sha256').update(hostParsed.getPublicSSH()).digest('base64').replace(/=+$/, '')}`;
  return {
    keys: {
      privateKey: client.private,
      publicKey: client.public,
      privateKeyPath,
      hostPrivateKey: host.private,
      hostPublicKey: host.public,
      hostKeyFingerprint: fingerprint,
    },
    tempDir,
    clientKey: parsed,
  };
}

export async function startFleet(options: FleetOptions = {}): Promise<Fleet> {
  const host = options.host ?? '127.0.0.1';
  const seed = options.seed ?? 1;
  const specs = (
    options.devices ?? generateSpecs(options.count ?? 5, options.platforms, options.basePort ?? 0)
  ).map((spec, i) => ({
    ...spec,
    username: spec.username ?? options.username,
    password: spec.password ?? options.password,
    enableSecret: spec.enableSecret ?? options.enableSecret,
    port: spec.port ?? (options.basePort ? options.basePort + i : 0),
  }));
  const names = new Set<string>();
  for (const spec of specs) {
    if (names.has(spec.name)) throw new Error(`duplicate device name ${spec.name}`);
    if (!PLATFORM_IDS.includes(spec.platform))
      throw new Error(`unknown platform ${String(spec.platform)} for ${spec.name}`);
    names.add(spec.name);
  }
  const { keys, tempDir, clientKey } = await createKeys(options.keyDir);
  const devices = specs.map(
    (spec) =>
      new SimulatedDevice(spec, {
        host,
        hostKey: keys.hostPrivateKey,
        clientKey,
        privateKeyPath: keys.privateKeyPath,
        seed: spec.seed ?? seed,
        maxAuthTries: options.maxAuthTries ?? 3,
      }),
  );
  const byName = new Map(devices.map((d) => [d.name, d]));
  const close = async (): Promise<void> => {
    await Promise.all(devices.map((d) => d.close()));
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < devices.length; i += 200) {
      await Promise.all(devices.slice(i, i + 200).map((d) => d.start()));
    }
  } catch (error) {
    await close();
    throw error;
  }
  const fleet: Fleet = {
    devices,
    keys,
    host,
    seed,
    get inventory(): Inventory {
      return {
        generatedAt: new Date().toISOString(),
        seed,
        hostKeyFingerprint: keys.hostKeyFingerprint,
        devices: devices.map((d) => d.inventoryEntry()),
      };
    },
    device(name: string): SimulatedDevice {
      const d = byName.get(name);
      if (!d) throw new Error(`no simulated device named ${name}`);
      return d;
    },
    async writeInventory(path: string): Promise<void> {
      await writeFile(path, `${JSON.stringify(fleet.inventory, null, 2)}\n`);
    },
    close,
  };
  return fleet;
}

export interface StartedDevice {
  readonly device: SimulatedDevice;
  readonly host: string;
  readonly port: number;
  readonly credentials: Credentials;
  readonly privateKey: string;
  readonly entry: InventoryDevice;
  close(): Promise<void>;
}

/** Starts one device (its own keys), e.g. for a focused test. */
export async function startDevice(
  spec: DeviceSpec,
  options: Omit<FleetOptions, 'devices' | 'count'> = {},
): Promise<StartedDevice> {
  const fleet = await startFleet({ ...options, devices: [spec] });
  const device = fleet.device(spec.name);
  return {
    device,
    host: fleet.host,
    get port() {
      return device.port;
    },
    get entry() {
      return device.inventoryEntry();
    },
    credentials: {
      username: device.username,
      password: device.password,
      enableSecret: device.enableSecret,
      privateKeyPath: fleet.keys.privateKeyPath,
    },
    privateKey: fleet.keys.privateKey,
    close: () => fleet.close(),
  };
}
