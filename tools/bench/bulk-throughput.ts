// Bulk execution through the public API against a bare ssh2 loop over the same simulated
// devices, in one run. The services run as separate processes from their bundles
// (tools/bench/support/process-stack.ts); the fleet in its own process.
//   eval "$(bash tools/scripts/infra.sh env)"
//   node --import tsx tools/bench/bulk-throughput.ts [--executors 1] [--command "show clock"]
//     [--reuse-devices 100] [--per-device 25] [--new-devices 1000] [--concurrency 400]
// Prints:
//  - session reuse: --reuse-devices x --per-device commands, submitted as async bulk jobs of
//    at most 1,000 items (whole devices per job) until analytics recorded the last result,
//    against a bare loop running the same commands on one open session per device;
//  - one command per device on --new-devices devices never connected before (one bulk
//    job), against a bare loop opening one session per device, --concurrency at a time;
//  - the ratios, and the CPU and memory (RSS) of every process.
import { mkdtemp, rm } from 'node:fs/promises';
import { Kafka, logLevel } from 'kafkajs';
import type { Consumer } from 'kafkajs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bareConnect } from '@toolkit/device-sim';
import type { BareSession } from '@toolkit/device-sim';
import { driverFor } from '@toolkit/executor-domain';
import type { SimDevice } from './support/process-stack';
import { ProcessStack, brokers, buildBundles, cpuDelta } from './support/process-stack';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const EXECUTORS = Number(arg('--executors', '1'));
const COMMAND = arg('--command', 'show clock');
const REUSE_DEVICES = Number(arg('--reuse-devices', '100'));
const PER_DEVICE = Number(arg('--per-device', '25'));
const NEW_DEVICES = Number(arg('--new-devices', '1000'));
const CONCURRENCY = Number(arg('--concurrency', '400'));
const MAX_ITEMS = 1_000;
const SETUP = driverFor('cisco_ios').sessionSetup;

const stack = new ProcessStack();

/**
 * The results topic as the executors publish it: when each job's last result reached the
 * broker (the executor pipeline's end), before analytics records it (the whole system's).
 */
class ResultWatch {
  private readonly counts = new Map<string, number>();
  private readonly waiters = new Map<string, { count: number; resolve: (at: number) => void }>();
  private consumer: Consumer | undefined;

  async start(): Promise<void> {
    const kafka = new Kafka({ clientId: 'bench-watch', brokers, logLevel: logLevel.NOTHING });
    this.consumer = kafka.consumer({ groupId: `bench-watch-${stack.runId}`, maxWaitTimeInMs: 20 });
    await this.consumer.connect();
    await this.consumer.subscribe({
      topic: `${stack.prefix}toolkit.execution.results.v1`,
      fromBeginning: true,
    });
    await this.consumer.run({
      eachBatch: async ({ batch }) => {
        const at = performance.now();
        for (const m of batch.messages) {
          const job = (
            JSON.parse(m.value?.toString() ?? '{}') as { payload?: { bulkJobId?: string } }
          ).payload?.bulkJobId;
          if (!job) continue;
          const count = (this.counts.get(job) ?? 0) + 1;
          this.counts.set(job, count);
          const waiter = this.waiters.get(job);
          if (waiter && count >= waiter.count) waiter.resolve(at);
        }
      },
    });
  }

  /** When the job's `count`-th result was read (performance.now()). */
  until(job: string, count: number): Promise<number> {
    return new Promise((resolve) => {
      if ((this.counts.get(job) ?? 0) >= count) resolve(performance.now());
      else this.waiters.set(job, { count, resolve });
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
const watch = new ResultWatch();

const login = (d: SimDevice) => ({
  port: d.port,
  username: d.credentials['username'] ?? '',
  password: d.credentials['password'] ?? '',
  enableSecret: d.credentials['enableSecret'] ?? '',
  setup: SETUP,
});

/** Runs `work` over `items`, `concurrency` at a time. */
async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) await work(items[i] as T);
    }),
  );
}

async function bareReuse(devices: SimDevice[]): Promise<number> {
  const sessions: BareSession[] = await Promise.all(devices.map((d) => bareConnect(login(d))));
  try {
    const started = performance.now();
    await Promise.all(
      sessions.map(async (s) => {
        for (let k = 0; k < PER_DEVICE; k++) await s.run(COMMAND);
      }),
    );
    return (performance.now() - started) / 1_000;
  } finally {
    sessions.forEach((s) => s.close());
  }
}

async function bareNewSessions(devices: SimDevice[]): Promise<number> {
  const started = performance.now();
  await pool(devices, CONCURRENCY, async (d) => {
    const s = await bareConnect(login(d));
    await s.run(COMMAND);
    s.close();
  });
  return (performance.now() - started) / 1_000;
}

/**
 * Submits the items as async bulk jobs (whole devices per job, at most 1,000 items each),
 * all at once, and waits until every job is completed: seconds from the first submit.
 */
async function pipeline(
  deviceIds: number[],
  perDevice: number,
  commandId: number,
  credential: string,
): Promise<{
  seconds: number;
  submitSeconds: number;
  publishedSeconds: number;
  succeeded: number;
  total: number;
}> {
  const devicesPerJob = Math.max(1, Math.floor(MAX_ITEMS / perDevice));
  const jobs: number[][] = [];
  for (let i = 0; i < deviceIds.length; i += devicesPerJob)
    jobs.push(deviceIds.slice(i, i + devicesPerJob));
  const started = performance.now();
  const ids = await Promise.all(
    jobs.map(async (devices) => {
      const executions = devices.flatMap((device_id) =>
        Array.from({ length: perDevice }, () => ({ command_id: commandId, device_id })),
      );
      const res = await stack.api('POST', '/api/plugins/toolkit/commands/bulk-execute/', {
        executions,
        credential_token: credential,
        async: true,
        timeout: 300,
      });
      if (res.status !== 202)
        throw new Error(`bulk-execute ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
      return { id: res.body.id as string, items: executions.length };
    }),
  );
  const submitSeconds = (performance.now() - started) / 1_000;
  const published = Math.max(
    ...(await Promise.all(ids.map(({ id, items }) => watch.until(id, items)))),
  );
  let succeeded = 0;
  let total = 0;
  for (const { id } of ids) {
    for (;;) {
      const job = await stack.api('GET', `/api/plugins/toolkit/bulk-jobs/${id}/`);
      if (job.body?.status === 'completed') {
        succeeded += job.body.counts.succeeded as number;
        total += job.body.total as number;
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    seconds: (performance.now() - started) / 1_000,
    publishedSeconds: (published - started) / 1_000,
    submitSeconds,
    succeeded,
    total,
  };
}

function report(
  items: number,
  bareSeconds: number,
  run: {
    seconds: number;
    submitSeconds: number;
    publishedSeconds: number;
    succeeded: number;
    total: number;
  },
): void {
  console.log(
    `API bulk, submit answered (checks, renders, publish): ${run.submitSeconds.toFixed(2)} s`,
  );
  const line = (what: string, seconds: number) =>
    console.log(
      `API bulk, submit -> ${what}: ${(items / seconds).toFixed(0)} commands/s (${seconds.toFixed(2)} s; ${((bareSeconds / seconds) * 100).toFixed(0)}% of the bare loop)`,
    );
  line('last result on Kafka (executors)', run.publishedSeconds);
  line(`last result recorded (analytics; ${run.succeeded}/${run.total} succeeded)`, run.seconds);
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
  const dir = await mkdtemp(join(tmpdir(), 'bench-bulk-'));
  try {
    const fleet = await stack.startSimulator(dir, REUSE_DEVICES + 2 * NEW_DEVICES);
    await stack.startServices({
      executors: EXECUTORS,
      gateway: { RATE_LIMIT_ENABLED: 'false' },
    });
    const { deviceIds, commandId, credential } = await stack.seed(fleet, COMMAND);
    await watch.start();
    const reuseFleet = fleet.slice(0, REUSE_DEVICES);
    const reuseIds = deviceIds.slice(0, REUSE_DEVICES);
    const newFleet = fleet.slice(REUSE_DEVICES);
    const newIds = deviceIds.slice(REUSE_DEVICES);

    // Warm-up: every process has run the path, the executors hold a session per device.
    await pipeline(reuseIds, 2, commandId, credential);
    await bareReuse(reuseFleet.slice(0, 10));

    console.log(`\n== session reuse: ${REUSE_DEVICES} devices x ${PER_DEVICE} '${COMMAND}'`);
    const items = REUSE_DEVICES * PER_DEVICE;
    const bareSeconds = await bareReuse(reuseFleet);
    const cpu = stack.cpuSnapshot();
    const run = await pipeline(reuseIds, PER_DEVICE, commandId, credential);
    const cpuAfter = stack.cpuSnapshot();
    console.log(
      `bare ssh2, one open session per device: ${(items / bareSeconds).toFixed(0)} commands/s (${bareSeconds.toFixed(2)} s)`,
    );
    report(items, bareSeconds, run);
    console.log(`CPU during the API run: ${cpuDelta(cpu, cpuAfter, run.seconds)}`);
    console.log(`memory after: ${memory()}`);

    console.log(`\n== new sessions: ${NEW_DEVICES} devices x 1 '${COMMAND}'`);
    // Different devices for each side: neither finds a session the other opened.
    const bareNew = await bareNewSessions(newFleet.slice(0, NEW_DEVICES));
    const cpu2 = stack.cpuSnapshot();
    const run2 = await pipeline(newIds.slice(NEW_DEVICES), 1, commandId, credential);
    const cpu2After = stack.cpuSnapshot();
    console.log(
      `bare ssh2, one new session per device: ${(NEW_DEVICES / bareNew).toFixed(0)} commands/s (${bareNew.toFixed(2)} s)`,
    );
    report(NEW_DEVICES, bareNew, run2);
    console.log(`CPU during the API run: ${cpuDelta(cpu2, cpu2After, run2.seconds)}`);
    console.log(`memory after: ${memory()}`);
  } finally {
    await watch.stop().catch(() => undefined);
    await stack.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    console.error(error);
    await stack.cleanup().catch(() => undefined);
    process.exit(1);
  },
);
