// What the report's phases share: the stack and its watch, the seeded catalog, the
// warm-up devices, the devices not used yet, the memory rows; the executors of the moment.
import type { ProcessStack, SimDevice } from '../../stack/process-stack';
import { loginOf } from '../support/bare-loop';
import type { BareLogin } from '../support/bare-loop';
import { runBulk } from '../support/bulk-run';
import type { JobWatch } from '../support/job-watch';
import { SETUP } from './options';

export interface Seeded {
  commandId: number;
  credential: string;
  platformId: number;
}

export interface MemoryRow {
  phase: string;
  rssMb: Record<string, number>;
}

/** Devices handed out once each: a device's first session is opened by one round only. */
export class DevicePool {
  private next = 0;
  constructor(
    private readonly devices: SimDevice[],
    private readonly ids: number[],
  ) {}

  take(count: number): { logins: BareLogin[]; ids: number[] } {
    const from = this.next;
    this.next += count;
    if (this.next > this.devices.length) throw new Error('device pool exhausted');
    return {
      logins: this.devices.slice(from, this.next).map((d) => loginOf(d, SETUP)),
      ids: this.ids.slice(from, this.next),
    };
  }
}

export interface Run {
  stack: ProcessStack;
  watch: JobWatch;
  seeded: Seeded;
  pool: DevicePool;
  /** The warm-up jobs' devices. */
  warm: number[];
  memory: MemoryRow[];
}

/** A warm-up bulk job (JIT warm, every executor's consumer has its partitions). */
export async function warmUpJob(run: Run): Promise<void> {
  const job = await runBulk(run.stack, run.watch, {
    deviceIds: run.warm,
    perDevice: 1,
    ...run.seeded,
  });
  if (job.succeeded !== run.warm.length)
    throw new Error(`warm-up: ${job.succeeded}/${run.warm.length} succeeded`);
}

const executorName = (i: number) => (i === 0 ? 'executor' : `executor-${i}`);

/** Exactly `count` executors with `env` (the existing ones stopped first when `restart`). */
export async function executors(
  { stack }: Run,
  count: number,
  options: { env?: Record<string, string>; restart?: boolean } = {},
): Promise<void> {
  const running = () =>
    stack.procs.filter(
      (p) =>
        p.name.startsWith('executor') && p.child.exitCode === null && p.child.signalCode === null,
    );
  for (const p of running()) {
    const index = p.name === 'executor' ? 0 : Number(p.name.slice('executor-'.length));
    if (!options.restart && index < count) continue;
    await stack.kill(p.name, 'SIGTERM');
    stack.metricsPorts.delete(p.name);
  }
  const names = new Set(running().map((p) => p.name));
  for (let i = 0; i < count; i++)
    if (!names.has(executorName(i)))
      await stack.startService(
        'executor',
        { EXECUTOR_ID: `executor-${i}`, ...options.env },
        executorName(i),
      );
}
