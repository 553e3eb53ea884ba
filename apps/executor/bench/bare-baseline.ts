// The executor throughput bench's baseline: the shared bare ssh2 loop (tools/bench) over
// the NX-OS devices, prepared as the driver table prepares an NX-OS session, timed with the
// CPU each process spent per command. With session reuse the sessions are opened before
// the clock starts, as the executor's are by its warm-up wave: both then time commands on
// open sessions only; otherwise each command opens, prepares and closes its own.
import { driverFor } from '@toolkit/executor-domain';
import { BENCH_LOGIN } from './bench-simulator';
import { cpuMark, cpuSince } from './cpu-accounting';
import { profiled } from './profile';
import {
  closeSessions,
  loginOf,
  openSessions,
  runNewSessions,
  runOnSessions,
} from './shared-bench';
import type { SimDevice } from './shared-bench';

export interface Timed {
  /** Commands per second. */
  eps: number;
  /** This process's CPU ms per command (it runs nothing else then). */
  cpuMsPerCommand: number;
  /** CPU ms per command of the observed processes (cpu-accounting.ts). */
  others: Record<string, number>;
}

/** `work` (`count` commands) timed, with the CPU every observed process spent on it. */
export async function timed(count: number, work: () => Promise<unknown>): Promise<Timed> {
  const mark = cpuMark();
  await work();
  const wallMs = performance.now() - mark.at;
  const cpu = cpuSince(mark, count);
  return {
    eps: count / (wallMs / 1_000),
    cpuMsPerCommand: cpu.selfMsPerCommand,
    others: cpu.others,
  };
}

export async function bareLoop(
  devices: readonly SimDevice[],
  options: {
    reuse: boolean;
    command: string;
    perDevice: number;
    /** A V8 CPU profile of the loop into this folder (not for the warm-up). */
    profileDir?: string;
  },
): Promise<Timed> {
  const { reuse, command, perDevice } = options;
  const logins = devices.map((d) => loginOf(d, driverFor('cisco_nxos').sessionSetup, BENCH_LOGIN));
  const sessions = reuse ? await openSessions(logins) : [];
  try {
    return await profiled(options.profileDir, reuse ? 'bare-reuse' : 'bare-new-connection', () =>
      timed(devices.length * perDevice, async () => {
        if (reuse) return runOnSessions(sessions, command, perDevice);
        const { failures } = await runNewSessions(logins, command, { perDevice });
        if (failures.length > 0)
          throw new Error(`bare loop: ${failures.length} failed (first: ${failures[0]})`);
      }),
    );
  } finally {
    closeSessions(sessions);
  }
}
