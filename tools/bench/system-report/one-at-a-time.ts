// Section 1: synchronous executions one at a time, sessions open, and the latency the
// system adds to each (support/sync-latency.ts, as execution-latency.ts measures it).
import { percentile } from '../../stack/process-stack';
import * as sync from '../support/sync-latency';
import { fmt } from './format';
import { LATENCY_DEVICES, SEQUENTIAL, SKIP_LATENCY } from './options';
import type { Run } from './run';

export interface LatencyFigures {
  p50: number;
  p95: number;
  p99: number;
}

export async function oneAtATime(run: Run): Promise<LatencyFigures | undefined> {
  if (SKIP_LATENCY) return undefined;
  const { stack, seeded } = run;
  const { ids } = run.pool.take(LATENCY_DEVICES);
  const execute = (i: number) =>
    sync.executeOnce(stack, seeded.commandId, ids[i % ids.length] as number, seeded.credential);
  await sync.warmUp(execute, ids.length);
  console.log(
    `\n== 1. synchronous executions, one at a time: ${SEQUENTIAL} over ${ids.length} devices, ` +
      `1 executor, sessions open (about ${fmt(run.watch.totals.recorded + ids.length)} executions stored before)`,
  );
  const { samples, seconds } = await sync.sequential(execute, SEQUENTIAL);
  sync.printSequential(samples, seconds, await sync.stagesOf(stack, samples.slice(-100)));
  const added = samples.map(sync.addedMs).sort((a, b) => a - b);
  return { p50: percentile(added, 50), p95: percentile(added, 95), p99: percentile(added, 99) };
}
