// The whole system against bare ssh2, and the fleet case, in one run (issue 19's report).
//   ulimit -n 20000   # the fleet case holds two sockets per device in the simulator
//   eval "$(bash tools/scripts/infra.sh env)"
//   node --import tsx tools/bench/system-report.ts [--sizes 10,100,1000] [--executors 1,2]
//     [--rounds 3] [--command "show clock"] [--sequential 200] [--latency-devices 20]
//     [--skip-latency] [--fleet 5000] [--fleet-latency-ms 1000] [--fleet-executors 1]
//     [--fleet-limit 240] [--fleet-tuned 'K=V ...'] [--skip-fleet] [--skip-fleet-bare] [--run-limit 30]
//   smoke (under 2 minutes): --sizes 10,100 --executors 1,2 --rounds 1 --sequential 50 --fleet 500
// The services run as separate processes from their bundles on the run's own topics and
// databases (tools/stack/process-stack.ts), the simulated IOS devices in their own process;
// rate limiting on, with a limit that never refuses (the reservation path is measured).
// Prints, no assertions:
//  1. synchronous executions one at a time (1 executor, sessions open): added latency =
//     round trip minus device time, p50/p95/p99 (tools/bench/support/sync-latency.ts, as
//     execution-latency.ts measures it);
//  2. per executor count and size: the bare ssh2 loop (bareConnect, one new session per
//     device, as many at once as the executors' batching runs: partitions at once x batch
//     size per executor) and then one async bulk job over the same devices (one command
//     each, sessions not open: every device is used by one size's round only), timed from
//     the first submit to the last result on Kafka and to the last item recorded by
//     analytics (its command log stored: the completions topic); executions/s and the
//     ratios to the bare loop (sizes under 1,000 --rounds times, medians; larger ones once);
//  3. the fleet: --fleet devices in a simulator of their own that answer every line after
//     --fleet-latency-ms (the simulator's `commandLatencyMs` fault, set for the whole fleet
//     through its control API; it delays each session set-up line too), one command each in
//     bulk jobs of 1,000 submitted at once; the bare loop over all of them at once (the
//     floor), then the pipeline with the executor's defaults and with --fleet-tuned; time
//     until every result is logged, peak open sessions (the executors' gauge, sampled every
//     250 ms) and what limits the run (CPU of every process, from /proc);
//  4. the memory (RSS) of every process, and the targets, met or not.
// One module per section in system-report/ (options, run: what the sections share).
import { execFileSync } from 'node:child_process';
import { ProcessStack, buildBundles } from '../stack/process-stack';
import { JobWatch } from './support/job-watch';
import { rssNow } from './support/process-sampler';
import { machine, printHeader, runBench, runDir } from './support/run-bench';
import { fleet } from './system-report/fleet';
import { oneAtATime } from './system-report/one-at-a-time';
import {
  BIG,
  COMMAND,
  EXECUTORS,
  FLEET,
  FLEET_EXECUTORS,
  FLEET_LATENCY_MS,
  FLEET_LIMIT_S,
  LATENCY_DEVICES,
  ROUNDS,
  RUN_LIMIT_MS,
  SEQUENTIAL,
  SIZES,
  SKIP_FLEET,
  SKIP_LATENCY,
  WARM_DEVICES,
} from './system-report/options';
import { pipelineVsBare, printThroughputTable } from './system-report/pipeline-vs-bare';
import { printMemory, printTargets } from './system-report/report';
import { DevicePool } from './system-report/run';
import type { Run } from './system-report/run';
import { warmUpJob } from './system-report/run';

const stack = new ProcessStack();
const watch = new JobWatch(stack, 'bench-report');

function openFilesLimit(): number {
  return Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
}

/** The stack, its devices in the catalog and a command to run: what every phase uses. */
async function start(devicesNeeded: number): Promise<Run> {
  await buildBundles();
  const devices = await stack.startSimulator(await runDir('bench-report-'), devicesNeeded);
  await stack.startServices({
    executors: EXECUTORS[0] ?? 1,
    // The reservation path is measured; the limit itself must not refuse.
    gateway: { RATE_LIMIT_DEVICE_LIMIT: '10000' },
  });
  const seed = await stack.seed(devices, COMMAND);
  const platform = await stack.api('GET', '/api/dcim/platforms/?slug=ios');
  await watch.start();
  const pool = new DevicePool(devices, seed.deviceIds);
  return {
    stack,
    watch,
    seeded: {
      commandId: seed.commandId,
      credential: seed.credential,
      platformId: Number(platform.body.results[0].id),
    },
    pool,
    warm: pool.take(WARM_DEVICES).ids,
    memory: [{ phase: 'started, idle', rssMb: rssNow(stack) }],
  };
}

async function main(): Promise<void> {
  printHeader();
  console.log(`open files limit: ${openFilesLimit()}`);
  const fleetFiles = 2 * FLEET + 1_000;
  if (!SKIP_FLEET && openFilesLimit() < fleetFiles)
    throw new Error(
      `the fleet case needs about ${fleetFiles} open files in the simulator (a listener and a ` +
        `connection per device): run 'ulimit -n ${fleetFiles}' (or more) first`,
    );
  const perExecutorCount = SIZES.reduce((sum, s) => sum + s * (s < BIG ? ROUNDS : 1), 0);
  const devicesNeeded =
    WARM_DEVICES + (SKIP_LATENCY ? 0 : LATENCY_DEVICES) + perExecutorCount * EXECUTORS.length;
  console.log(
    `settings: sizes ${SIZES.join(', ')} (rounds ${ROUNDS} under ${BIG}), executors ${EXECUTORS.join(', ')}, ` +
      `'${COMMAND}', ${SEQUENTIAL} sequential; fleet ${SKIP_FLEET ? 'skipped' : `${FLEET} x ${FLEET_LATENCY_MS} ms, ${FLEET_EXECUTORS} executor(s), limit ${FLEET_LIMIT_S} s`}; ` +
      `${devicesNeeded} simulated devices for sections 1-2`,
  );
  const run = await start(devicesNeeded);
  await warmUpJob(run);
  const latency = await oneAtATime(run);
  const figures = await pipelineVsBare(run);
  printThroughputTable(figures);
  const fleetFigures = SKIP_FLEET ? { runs: [] } : await fleet(run, await runDir('bench-fleet-'));
  run.memory.push({ phase: 'at the end', rssMb: rssNow(stack) });
  printMemory(run.memory);
  printTargets(latency, figures, fleetFigures);
  console.log(`\nmachine at the end: ${machine()}`);
}

runBench(main, {
  cleanup: async () => {
    await watch.stop().catch(() => undefined);
    await stack.cleanup();
  },
  limitMs: RUN_LIMIT_MS,
});
