// Network device simulator: N simulated devices (one 127.0.0.1 port each), a JSON inventory file,
// and an HTTP control API for fault injection. All settings come from the command line.
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ControlApi, Fleet, PlatformId } from '@toolkit/device-sim';
import { PLATFORM_IDS, startControlApi, startFleet } from '@toolkit/device-sim';

const USAGE = `usage: simulator [--count N] [--base-port P] [--platforms ios,nxos,eos,junos,linux]
                 [--inventory PATH] [--seed N] [--control-port P] [--host 127.0.0.1]
                 [--key-dir DIR] [--username U] [--password P] [--enable-secret S]`;

function parsePlatforms(text: string): PlatformId[] {
  const list = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const p of list) {
    if (!(PLATFORM_IDS as readonly string[]).includes(p))
      throw new Error(`unknown platform "${p}" (known: ${PLATFORM_IDS.join(',')})`);
  }
  return list as PlatformId[];
}

function int(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '10' },
      'base-port': { type: 'string', default: '0' },
      platforms: { type: 'string', default: PLATFORM_IDS.join(',') },
      inventory: { type: 'string', default: 'simulator-inventory.json' },
      seed: { type: 'string', default: '1' },
      'control-port': { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'key-dir': { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      'enable-secret': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const inventoryPath = values.inventory;
  const started = Date.now();
  const fleet: Fleet = await startFleet({
    count: int('count', values.count, 10),
    basePort: int('base-port', values['base-port'], 0),
    platforms: parsePlatforms(values.platforms),
    seed: int('seed', values.seed, 1),
    host: values.host,
    keyDir: values['key-dir'] ?? dirname(inventoryPath),
    ...(values.username !== undefined ? { username: values.username } : {}),
    ...(values.password !== undefined ? { password: values.password } : {}),
    ...(values['enable-secret'] !== undefined ? { enableSecret: values['enable-secret'] } : {}),
  });
  let control: ControlApi | undefined;
  try {
    control = await startControlApi(fleet, {
      host: values.host,
      port: int('control-port', values['control-port'], 0),
    });
    await fleet.writeInventory(inventoryPath);
    await writeFile(join(dirname(inventoryPath), 'id_ed25519.pub'), fleet.keys.publicKey);
  } catch (error) {
    await control?.close();
    await fleet.close();
    throw error;
  }
  process.stdout.write(
    `${JSON.stringify({
      event: 'simulator.ready',
      devices: fleet.devices.length,
      host: fleet.host,
      ports:
        fleet.devices.length > 0
          ? [fleet.devices[0]?.port, fleet.devices[fleet.devices.length - 1]?.port]
          : [],
      inventory: inventoryPath,
      privateKeyPath: fleet.keys.privateKeyPath,
      controlUrl: `http://${control.host}:${control.port}`,
      startupMs: Date.now() - started,
    })}\n`,
  );

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    const api = control;
    void (async () => {
      await api?.close();
      await fleet.close();
      process.stdout.write(`${JSON.stringify({ event: 'simulator.stopped', signal })}\n`);
      process.exit(0);
    })();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`simulator: ${(error as Error).message}\n${USAGE}\n`);
  process.exit(1);
});
