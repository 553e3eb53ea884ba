// Synchronous executions through the public API, the four services as separate processes
// (esbuild bundles, as production runs them) on their own topics (KAFKA_TOPIC_PREFIX) and
// databases, against simulated IOS devices (their own process).
//   eval "$(bash tools/scripts/infra.sh env)"
//   node --import tsx tools/bench/execution-latency.ts [--devices 100] [--clients 50]
//     [--sequential 300] [--duration 30] [--command "show clock"] [--profile gateway]
// Prints, in one run:
//  - added latency of a synchronous execution: the client's round trip (gateway in to
//    gateway out, on loopback) minus the time the executor spent on the device (the
//    result's execution_time), p50/p95/p99, one request at a time, with where the time
//    goes (from the execution's own timestamps);
//  - executions per second and the same percentiles with --clients concurrent clients
//    over --devices devices for --duration seconds;
//  - CPU seconds of each process during each phase.
import { ProcessStack, buildBundles, cpuDelta, histograms, summary } from '../stack/process-stack';
import { arg, numberArg } from './support/args';
import { meanDurations } from './support/metrics';
import { runBench, runDir } from './support/run-bench';
import type { Sample } from './support/sync-latency';
import {
  addedMs,
  executeOnce,
  printSequential,
  sequential,
  stagesOf,
  warmUp,
} from './support/sync-latency';

const DEVICES = numberArg('--devices', 100);
const CLIENTS = numberArg('--clients', 50);
const SEQUENTIAL = numberArg('--sequential', 300);
const DURATION_S = numberArg('--duration', 30);
const COMMAND = arg('--command', 'show clock');
/** --profile <service>: a V8 CPU profile of that service's whole run, in --profile-dir. */
const PROFILE = arg('--profile', '');
const PROFILE_DIR = arg('--profile-dir', 'dist/bench-profiles');
const stack = new ProcessStack({ profile: PROFILE, profileDir: PROFILE_DIR });

async function main(): Promise<void> {
  console.log(
    `execution latency bench ${new Date().toISOString()}: ${DEVICES} devices, '${COMMAND}', ` +
      `${SEQUENTIAL} sequential, ${CLIENTS} clients for ${DURATION_S} s`,
  );
  await buildBundles();
  const dir = await runDir('bench-exec-');
  const devices = await stack.startSimulator(dir, DEVICES);
  // The reservation path is measured; the limit itself must not refuse.
  await stack.startServices({ gateway: { RATE_LIMIT_DEVICE_LIMIT: '10000' } });
  const { deviceIds, commandId, credential } = await stack.seed(devices, COMMAND);
  const run = (i: number) =>
    executeOnce(stack, commandId, deviceIds[i % deviceIds.length] as number, credential);

  // Warm-up: every device's session is open and every process has run the path once.
  await warmUp(run, deviceIds.length);

  // Phase 1: one request at a time.
  const measured = stack.procs.filter((p) => p.name !== 'simulator');
  const scrape = () =>
    Promise.all(measured.map((p) => histograms(stack.metricsPorts.get(p.name) ?? p.port)));
  const metrics1 = await scrape();
  const cpu1 = stack.cpuSnapshot();
  const { samples: sequentialSamples, seconds: seconds1 } = await sequential(run, SEQUENTIAL);
  const cpu1After = stack.cpuSnapshot();
  const metrics1After = await scrape();
  const stages = await stagesOf(stack, sequentialSamples.slice(-100));

  // Phase 2: concurrent clients over the devices.
  const cpu2 = stack.cpuSnapshot();
  const deadline = performance.now() + DURATION_S * 1000;
  const concurrent: Sample[] = [];
  let next = 0;
  let failures = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < deadline) {
        try {
          concurrent.push(await run(next++));
        } catch (error) {
          failures++;
          if (failures < 5) console.warn(String(error));
        }
      }
    }),
  );
  const seconds2 = DURATION_S;
  const cpu2After = stack.cpuSnapshot();

  console.log('\n== one request at a time');
  printSequential(sequentialSamples, seconds1, stages);
  console.log(`CPU: ${cpuDelta(cpu1, cpu1After, seconds1)}`);
  console.log('service timings (means over the phase, from their /metrics):');
  measured.forEach((p, i) => {
    const lines = meanDurations(
      metrics1[i] ?? new Map(),
      metrics1After[i] ?? new Map(),
      /^toolkit_(http_request_duration|analytics_write_batch|gateway_upstream|gateway_execution_wait|message_handle)/,
    );
    if (lines.length > 0) console.log(` ${p.name}\n${lines.join('\n')}`);
  });
  console.log(`\n== ${CLIENTS} concurrent clients over ${DEVICES} devices, ${DURATION_S} s`);
  console.log(
    `${(concurrent.length / seconds2).toFixed(1)} executions/s (${concurrent.length} ok, ${failures} failed)`,
  );
  console.log(summary('added latency', concurrent.map(addedMs)));
  console.log(
    summary(
      'round trip',
      concurrent.map((s) => s.rttMs),
    ),
  );
  console.log(`CPU: ${cpuDelta(cpu2, cpu2After, seconds2)}`);
}

runBench(main, { cleanup: () => stack.cleanup() });
