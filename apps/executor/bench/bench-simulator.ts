// The simulated devices of the executor benches: the simulator app from its bundle, in a
// process of its own (tools/stack's ProcessStack, as the system benches run it), every
// device with the benches' login.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessStack, buildBundles } from './shared-bench';
import type { SimDevice } from './shared-bench';

/** The login of every simulated device of the executor benches. */
export const BENCH_LOGIN = { username: 'bench', password: 'bench-pw' } as const;

export interface BenchSimulator {
  devices: SimDevice[];
  pid: number;
  stop(): Promise<void>;
}

export async function startBenchSimulator(
  count: number,
  platforms: string,
): Promise<BenchSimulator> {
  await buildBundles(['simulator']);
  const stack = new ProcessStack();
  const dir = await mkdtemp(join(tmpdir(), 'bench-sim-'));
  try {
    const devices = await stack.startSimulator(dir, count, platforms, [
      ...['--username', BENCH_LOGIN.username, '--password', BENCH_LOGIN.password],
    ]);
    return {
      devices,
      pid: stack.proc('simulator').child.pid ?? 0,
      stop: async () => {
        await stack.kill('simulator', 'SIGTERM');
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    if (stack.procs.length > 0) await stack.kill('simulator');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
