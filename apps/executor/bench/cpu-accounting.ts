// Where the machine's CPU goes during a timed wave, per command: besides the measured
// process, the other processes it makes work (the simulator, the local Kafka broker when
// infra.sh started it), this process (the load generator), and the machine as a whole.
// Read from /proc (tools/stack's helpers), so that other jobs on a shared machine show.
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { cpuSeconds, machineBusySeconds } from './shared-bench';

/** Processes whose CPU the runs report per command. */
const observed: { name: string; pid: number }[] = [];

export function observe(name: string, pid: number): void {
  if (pid > 0) observed.push({ name, pid });
}

/** The local broker of tools/scripts/infra.sh, when it runs (its pid file). */
export async function observeBroker(): Promise<void> {
  observe('broker', Number(await readFile('.toolkit/infra/kafka/pid', 'utf8').catch(() => '')));
}

export interface CpuMark {
  observed: Map<string, number>;
  self: NodeJS.CpuUsage;
  machineBusy: number;
  at: number;
}

export function cpuMark(): CpuMark {
  return {
    observed: new Map(observed.map(({ name, pid }) => [name, cpuSeconds(pid) * 1_000])),
    self: process.cpuUsage(),
    machineBusy: machineBusySeconds(),
    at: performance.now(),
  };
}

export interface CpuSince {
  /** CPU ms per command of each observed process. */
  others: Record<string, number>;
  /** This process's CPU ms per command. */
  selfMsPerCommand: number;
  /** Share of all the machine's cores busy (every process) since the mark. */
  machineBusy: number;
}

export function cpuSince(mark: CpuMark, count: number): CpuSince {
  const now = cpuMark();
  const self = process.cpuUsage(mark.self);
  return {
    others: Object.fromEntries(
      [...now.observed].map(([name, ms]) => [name, (ms - (mark.observed.get(name) ?? ms)) / count]),
    ),
    selfMsPerCommand: (self.user + self.system) / 1_000 / count,
    machineBusy:
      (now.machineBusy - mark.machineBusy) / (((now.at - mark.at) / 1_000) * cpus().length),
  };
}

export const describeOthers = (others: Record<string, number>): string =>
  Object.entries(others)
    .map(([name, ms]) => `${name} ${ms.toFixed(2)}`)
    .join(', ');

/** Machine CPU per command: the measured process plus every observed one. */
export const systemMs = (own: number, others: Record<string, number>): number =>
  Object.values(others).reduce((sum, ms) => sum + ms, own);
