import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CATALOG_PLATFORMS, PLATFORM_IDS } from '@toolkit/device-sim';
import { eventually } from '@toolkit/testing';
import type { Json, SimDevice } from '../../stack/process-stack';
import { ProcessStack, buildBundles } from '../../stack/process-stack';

/**
 * The whole system for end-to-end and fault tests: every service as its own process from
 * its bundle, a simulated fleet of mixed platforms in a process of its own, and an
 * inventory loaded through the public API only.
 */
export const EXECUTIONS = '/api/plugins/toolkit/executions/';
export const COMMANDS = '/api/plugins/toolkit/commands/';
export const BULK = '/api/plugins/toolkit/commands/bulk-execute/';
export const LOGS = '/api/plugins/toolkit/command-logs/';
export const executeUrl = (id: number) => `${COMMANDS}${id}/execute/`;
export const jobUrl = (id: string) => `/api/plugins/toolkit/bulk-jobs/${id}/`;

export interface SystemOptions {
  devices: number;
  /** Assigned round-robin, as the simulator does. */
  platforms?: string[];
  executors?: number;
  gateway?: Record<string, string>;
  executor?: Record<string, string>;
  analytics?: Record<string, string>;
  /** Servers of the test's own (restarted by the test); the environment's by default. */
  brokers?: string[];
  mongoUri?: string;
}

export interface System {
  stack: ProcessStack;
  sim: SimDevice[];
  /** Catalog ids: platforms by slug, devices by simulator name. */
  platforms: Record<string, number>;
  devices: Record<string, number>;
  credential: string;
  api: ProcessStack['api'];
  /** Creates a command for `platforms` (slugs; all by default). */
  command(body: Record<string, unknown>, platforms?: string[]): Promise<number>;
  /** Sets a simulated device's faults (libs/device-sim/README.md § Fault injection). */
  faults(device: string, faults: Record<string, unknown>): Promise<void>;
  /** Waits until a bulk job is completed, and returns it. */
  job(id: string, timeoutMs?: number): Promise<Json>;
  close(): Promise<void>;
}

/** The fleet's login password (tests check it never leaks). */
export const DEVICE_PASSWORD = 'e2e-Pa55w0rd!';

let built = false;

export async function startSystem(options: SystemOptions): Promise<System> {
  if (!built) {
    await buildBundles();
    built = true;
  }
  const platformList = options.platforms ?? [...PLATFORM_IDS];
  const stack = new ProcessStack({
    ...(options.brokers ? { brokers: options.brokers } : {}),
    ...(options.mongoUri ? { mongoUri: options.mongoUri } : {}),
  });
  const dir = mkdtempSync(join(tmpdir(), 'toolkit-system-'));
  const close = async () => {
    await stack.cleanup();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const sim = await stack.startSimulator(dir, options.devices, platformList.join(','), [
      ...['--username', 'netops', '--password', DEVICE_PASSWORD, '--enable-secret', 'e2e-En4ble!'],
    ]);
    await stack.startServices(options);
    const api = stack.api.bind(stack);
    const platforms: Record<string, number> = {};
    for (const slug of platformList) {
      const created = await api('POST', '/api/dcim/platforms/', CATALOG_PLATFORMS[slug]);
      if (created.status !== 201) throw new Error(JSON.stringify(created.body));
      platforms[slug] = created.body.id;
    }
    const devices: Record<string, number> = {};
    for (let i = 0; i < sim.length; i += 100) {
      const batch = sim.slice(i, i + 100);
      const created = await api(
        'POST',
        '/api/dcim/devices/',
        batch.map((d) => ({
          name: d.name,
          platform: platforms[d.platform],
          host: '127.0.0.1',
          port: d.port,
        })),
      );
      if (created.status !== 201) throw new Error(JSON.stringify(created.body));
      (created.body as { id: number; name: string }[]).forEach((d) => (devices[d.name] = d.id));
    }
    const login = sim[0]?.credentials ?? {};
    const set = await api('POST', '/api/plugins/toolkit/credential-sets/', {
      name: 'fleet',
      username: login['username'],
      password: login['password'],
      enable_secret: login['enableSecret'] ?? null,
    });
    if (set.status !== 201) throw new Error(JSON.stringify(set.body));
    return {
      stack,
      sim,
      platforms,
      devices,
      credential: String(set.body.token),
      api,
      async command(body, slugs = platformList) {
        const created = await api('POST', COMMANDS, {
          ...body,
          platforms: slugs.map((s) => platforms[s]),
        });
        if (created.status !== 201) throw new Error(JSON.stringify(created.body));
        return created.body.id as number;
      },
      async faults(device, faults) {
        const url = `${stack.simulatorControlUrl}/devices/${device}/faults`;
        const res = await fetch(url, { method: 'PUT', body: JSON.stringify(faults) });
        if (!res.ok) throw new Error(`faults of ${device}: ${res.status} ${await res.text()}`);
      },
      job: (id, timeoutMs = 120_000) =>
        eventually(
          async () => {
            const got = await api('GET', jobUrl(id));
            if (got.body?.status !== 'completed') throw new Error(JSON.stringify(got.body));
            return got.body;
          },
          timeoutMs,
          250,
        ),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
