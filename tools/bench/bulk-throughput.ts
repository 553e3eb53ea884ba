// Bulk execution through the public API against a bare ssh2 loop over the same simulated
// devices, in one run. The services run as separate processes from their bundles
// (tools/stack/process-stack.ts); the fleet in its own process.
//   eval "$(bash tools/scripts/infra.sh env)"
//   node --import tsx tools/bench/bulk-throughput.ts [--executors 1] [--command "show clock"]
//     [--reuse-devices 100] [--per-device 25] [--new-devices 1000] [--concurrency 400]
// Prints:
//  - session reuse: --reuse-devices x --per-device commands, submitted as async bulk jobs of
//    at most 1,000 items (whole devices per job) until analytics recorded the last result
//    (announced on the completions topic: support/job-watch.ts), against a bare loop running
//    the same commands on one open session per device;
//  - one command per device on --new-devices devices never connected before (one bulk
//    job), against a bare loop opening one session per device, --concurrency at a time;
//  - the ratios, and the CPU and memory (RSS) of every process.
import { driverFor } from '@toolkit/executor-domain';
import { ProcessStack, buildBundles, cpuDelta } from '../stack/process-stack';
import { arg, numberArg } from './support/args';
import {
  closeSessions,
  loginOf,
  openSessions,
  runNewSessions,
  runOnSessions,
} from './support/bare-loop';
import type { BareLogin } from './support/bare-loop';
import { runBulk } from './support/bulk-run';
import type { BulkRun } from './support/bulk-run';
import { JobWatch } from './support/job-watch';
import { runBench, runDir } from './support/run-bench';

const EXECUTORS = numberArg('--executors', 1);
const COMMAND = arg('--command', 'show clock');
const REUSE_DEVICES = numberArg('--reuse-devices', 100);
const PER_DEVICE = numberArg('--per-device', 25);
const NEW_DEVICES = numberArg('--new-devices', 1000);
const CONCURRENCY = numberArg('--concurrency', 400);
const SETUP = driverFor('cisco_ios').sessionSetup;

const stack = new ProcessStack();
const watch = new JobWatch(stack, 'bench-watch');

/** Seconds of `perDevice` commands on one open session per device (opened before the clock). */
async function bareReuse(logins: BareLogin[], perDevice: number): Promise<number> {
  const sessions = await openSessions(logins);
  try {
    const started = performance.now();
    await runOnSessions(sessions, COMMAND, perDevice);
    return (performance.now() - started) / 1_000;
  } finally {
    closeSessions(sessions);
  }
}

/** Seconds of one new session per device, CONCURRENCY at a time. */
async function bareNewSessions(logins: BareLogin[]): Promise<number> {
  const started = performance.now();
  const { failures } = await runNewSessions(logins, COMMAND, { concurrency: CONCURRENCY });
  if (failures.length > 0) throw new Error(`bare loop: ${failures.length} failed (${failures[0]})`);
  return (performance.now() - started) / 1_000;
}

const pipeline = (deviceIds: number[], perDevice: number, commandId: number, credential: string) =>
  runBulk(stack, watch, { deviceIds, perDevice, commandId, credential });

function report(items: number, bareSeconds: number, run: BulkRun): void {
  console.log(
    `API bulk, submit answered (checks, renders, publish): ${run.submitSeconds.toFixed(2)} s`,
  );
  const line = (what: string, seconds: number) =>
    console.log(
      `API bulk, submit -> ${what}: ${(items / seconds).toFixed(0)} commands/s (${seconds.toFixed(2)} s; ${((bareSeconds / seconds) * 100).toFixed(0)}% of the bare loop)`,
    );
  line('last result on Kafka (executors)', run.resultSeconds);
  line(
    `last result recorded (analytics; ${run.succeeded}/${run.items} succeeded)`,
    run.recordedSeconds,
  );
}

const memory = () =>
  Object.entries(stack.rss())
    .map(([k, v]) => `${k} ${v.toFixed(0)} MB`)
    .join(', ');

async function main(): Promise<void> {
  console.log(
    `bulk throughput bench ${new Date().toISOString()}: ${EXECUTORS} executor(s), '${COMMAND}', ` +
      `${REUSE_DEVICES} devices x ${PER_DEVICE}, ${NEW_DEVICES} new devices x 1 (bare concurrency ${CONCURRENCY})`,
  );
  await buildBundles();
  const dir = await runDir('bench-bulk-');
  const fleet = await stack.startSimulator(dir, REUSE_DEVICES + 2 * NEW_DEVICES);
  await stack.startServices({
    executors: EXECUTORS,
    gateway: { RATE_LIMIT_ENABLED: 'false' },
  });
  const { deviceIds, commandId, credential } = await stack.seed(fleet, COMMAND);
  await watch.start();
  const logins = fleet.map((d) => loginOf(d, SETUP));
  const reuseFleet = logins.slice(0, REUSE_DEVICES);
  const reuseIds = deviceIds.slice(0, REUSE_DEVICES);
  const newFleet = logins.slice(REUSE_DEVICES);
  const newIds = deviceIds.slice(REUSE_DEVICES);

  // Warm-up: every process has run the path, the executors hold a session per device.
  await pipeline(reuseIds, 2, commandId, credential);
  await bareReuse(reuseFleet.slice(0, 10), PER_DEVICE);

  console.log(`\n== session reuse: ${REUSE_DEVICES} devices x ${PER_DEVICE} '${COMMAND}'`);
  await compare('one open session per device', REUSE_DEVICES * PER_DEVICE, {
    bare: () => bareReuse(reuseFleet, PER_DEVICE),
    api: () => pipeline(reuseIds, PER_DEVICE, commandId, credential),
  });

  console.log(`\n== new sessions: ${NEW_DEVICES} devices x 1 '${COMMAND}'`);
  // Different devices for each side: neither finds a session the other opened.
  await compare('one new session per device', NEW_DEVICES, {
    bare: () => bareNewSessions(newFleet.slice(0, NEW_DEVICES)),
    api: () => pipeline(newIds.slice(NEW_DEVICES), 1, commandId, credential),
  });
}

/** The bare loop, then the API run with every process's CPU; the report of both. */
async function compare(
  bareLabel: string,
  items: number,
  sides: { bare: () => Promise<number>; api: () => Promise<BulkRun> },
): Promise<void> {
  const bareSeconds = await sides.bare();
  const cpu = stack.cpuSnapshot();
  const run = await sides.api();
  const cpuAfter = stack.cpuSnapshot();
  console.log(
    `bare ssh2, ${bareLabel}: ${(items / bareSeconds).toFixed(0)} commands/s (${bareSeconds.toFixed(2)} s)`,
  );
  report(items, bareSeconds, run);
  console.log(`CPU during the API run: ${cpuDelta(cpu, cpuAfter, run.recordedSeconds)}`);
  console.log(`memory after: ${memory()}`);
}

runBench(main, {
  cleanup: async () => {
    await watch.stop().catch(() => undefined);
    await stack.cleanup();
  },
});
