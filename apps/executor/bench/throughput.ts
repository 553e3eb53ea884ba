// Executor throughput against 200 simulated devices (NX-OS, one port each), compared
// with a bare ssh2 loop doing the same work in the same run, plus the executor's RSS
// with 1,000 open sessions. The measured executor is a separate process running an
// esbuild bundle of bench/executor-process.ts (main.ts's wiring on the bench's own topics)
// with plain node, as production runs it; this script only publishes requests, counts
// results and runs the bare baseline.
//   eval "$(bash tools/scripts/infra.sh env)"
//   node --import tsx apps/executor/bench/throughput.ts [--rounds 3] [--before <git-ref>] [--rss-only] [--no-rss]
//     [--command "show interface"] [--per-device 25] [--profile] [--pipeline-only] [--env 'K=V ...']
//     [--heap-snapshot FILE]
// One module per job: variants.ts (what is measured, bundled), throughput-rounds.ts and
// rss-rounds.ts (the two comparisons), executor-run.ts (one measured executor: waves and
// timing), executor-control.ts (its process), bare-baseline.ts (the bare loop),
// cpu-accounting.ts (CPU per command from /proc), bench-simulator.ts, profile.ts.
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { benchKeys } from './execution-requests';
import { rss } from './rss-rounds';
import { argValue, flag, numberArg, runBench, runDir } from './shared-bench';
import { throughput } from './throughput-rounds';
import { variantsFromArgs } from './variants';

const options = {
  rounds: numberArg('--rounds', 3),
  /** The wave's commands per device (default 25: a wave of 5,000, long enough that a
   * throughput, not the first fetch or the last result's delivery, is timed). */
  perDevice: numberArg('--per-device', 25),
  /** What every execution runs (default: the cheapest, where overheads show most). */
  command: argValue('--command') ?? 'show clock',
  keys: benchKeys(7),
  /** V8 CPU profiles of the measured waves (this process's and the executor's). */
  ...(flag('--profile') ? { profileDir: resolve('dist/bench-profiles') } : {}),
};

async function main(): Promise<void> {
  // Inside the repository (dist/ is ignored) so that the bundles find node_modules.
  await mkdir('dist', { recursive: true });
  const variants = await variantsFromArgs(await runDir('bench-executor-', resolve('dist')));
  if (!flag('--rss-only')) await throughput(variants, options);
  const heapSnapshot = argValue('--heap-snapshot');
  if (!flag('--no-rss'))
    await rss(variants, { ...options, ...(heapSnapshot ? { heapSnapshot } : {}) });
}

// Each part stops its own processes and deletes its own topics as it ends.
runBench(main, { cleanup: async () => undefined });
