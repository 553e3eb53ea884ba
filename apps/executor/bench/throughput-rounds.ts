// The throughput comparison: per round, the bare loop and then each variant, with session
// reuse and with a new connection per command, over 200 simulated NX-OS devices; each line
// with the CPU per command of every process, and at the end the medians of the rounds. The
// per-CPU ratio (bare machine ms/cmd ÷ executor machine ms/cmd) is the ratio the rates tend
// to when the cores are saturated, and one that other jobs on the machine move less.
import { bareLoop } from './bare-baseline';
import { startBenchSimulator } from './bench-simulator';
import { describeOthers, observe, observeBroker, systemMs } from './cpu-accounting';
import { FETCH_WAIT_MS, executorRun } from './executor-run';
import type { BenchOptions } from './executor-run';
import { median } from './shared-bench';
import type { SimDevice } from './shared-bench';
import type { Variant } from './variants';

const DEVICES = 200;

/**
 * Batch settings of the throughput runs: every partition at once and no parallelism cap,
 * so that the executor, not its batching, is what is measured. The RSS runs use the
 * configuration's defaults.
 */
const THROUGHPUT_TUNING = {
  // A paused kafkajs consumer sleeps its fetch max wait between fetch attempts, so the
  // first fetch after the resume came 0-500 ms late (inside the timed window, up to a third
  // of it); a consumer that is fetching when requests arrive has no such delay.
  EXECUTOR_FETCH_MAX_WAIT_MS: String(FETCH_WAIT_MS),
  EXECUTOR_PARTITIONS_CONCURRENTLY: '12',
  EXECUTOR_BATCH_PARALLELISM: '1000',
  EXECUTOR_MAX_BATCH_SIZE: '2000',
  EXECUTOR_FETCH_MAX_BYTES_PER_PARTITION: String(1024 * 1024),
};

export async function throughput(variants: Variant[], options: BenchOptions): Promise<void> {
  const sim = await startBenchSimulator(DEVICES, 'nxos');
  observe('simulator', sim.pid);
  await observeBroker();
  console.log(
    `simulator: ${sim.devices.length} NX-OS devices, ${options.perDevice} x "${options.command}" each, ${options.rounds} rounds; ` +
      'each measured executor wave is published while the executor is paused, then timed from its resume',
  );
  try {
    await rounds(variants, options, sim.devices);
  } finally {
    await sim.stop();
  }
}

async function rounds(variants: Variant[], options: BenchOptions, devices: SimDevice[]) {
  const { command, perDevice, profileDir } = options;
  // Warm-up (JIT, simulator).
  await bareLoop(devices.slice(0, 20), { reuse: true, command, perDevice });
  const figures = new Map<string, number[]>();
  const add = (key: string, value: number) =>
    figures.set(key, [...(figures.get(key) ?? []), value]);
  const med = (key: string) => median(figures.get(key) ?? []);
  for (let r = 1; r <= options.rounds; r++) {
    for (const reuse of [true, false]) {
      const mode = reuse ? 'session reuse' : 'new connection per command';
      const bare = await bareLoop(devices, { reuse, command, perDevice, profileDir });
      add(`${mode}|bare`, bare.eps);
      add(`${mode}|bare|cpu`, bare.cpuMsPerCommand);
      const bareSystem = systemMs(bare.cpuMsPerCommand, bare.others);
      const line = [
        `round ${r} ${mode.padEnd(27)} bare ${bare.eps.toFixed(0).padStart(5)}/s`,
        `(CPU ${bare.cpuMsPerCommand.toFixed(2)} ms/cmd; ${describeOthers(bare.others)}; machine ${bareSystem.toFixed(2)})`,
      ];
      for (const v of variants) {
        const run = await executorRun({
          bundle: v.bundle,
          keys: options.keys,
          devices,
          reuse,
          command,
          perDevice,
          env: { ...THROUGHPUT_TUNING, ...v.env },
          profileDir,
        });
        add(`${mode}|${v.name}|eps`, run.eps);
        add(`${mode}|${v.name}|ratio`, run.eps / bare.eps);
        add(`${mode}|${v.name}|cpu`, run.cpuMsPerCommand);
        const runSystem = systemMs(run.cpuMsPerCommand, run.others);
        const cpuRatio = bareSystem / runSystem;
        add(`${mode}|${v.name}|cpuRatio`, cpuRatio);
        line.push(
          `${v.name}${run.prePublished ? '' : ' [requests published during the wave]'} ${run.eps.toFixed(0).padStart(5)}/s ` +
            `(${((run.eps / bare.eps) * 100).toFixed(0)}%, executor CPU ${(run.cpuShare * 100).toFixed(0)}%, ` +
            `machine busy ${(run.machineBusy * 100).toFixed(0)}%, ${run.cpuMsPerCommand.toFixed(2)} ms/cmd; ` +
            `${describeOthers(run.others)}; machine ${runSystem.toFixed(2)}, per-CPU ratio ${(cpuRatio * 100).toFixed(0)}%)`,
        );
      }
      console.log(line.join('   '));
    }
  }
  console.log(`median of ${options.rounds}:`);
  for (const mode of ['session reuse', 'new connection per command']) {
    const parts = [
      `  ${mode.padEnd(27)} bare ${med(`${mode}|bare`).toFixed(0)}/s (${med(`${mode}|bare|cpu`).toFixed(2)} ms CPU/cmd)`,
    ];
    for (const v of variants)
      parts.push(
        `${v.name} ${med(`${mode}|${v.name}|eps`).toFixed(0)}/s, ratio ${(med(`${mode}|${v.name}|ratio`) * 100).toFixed(0)}%, ` +
          `${med(`${mode}|${v.name}|cpu`).toFixed(2)} ms CPU/cmd, per-CPU ratio ${(med(`${mode}|${v.name}|cpuRatio`) * 100).toFixed(0)}%`,
      );
    console.log(parts.join('   '));
  }
}
