// Section 2: for each executor count and size, the bare ssh2 loop over new devices, then
// one async bulk job over the same devices through the API (sessions not open), timed to
// the last result on Kafka and to every item recorded; per-run lines, then a table.
import { median } from '../../stack/process-stack';
import { runNewSessions } from '../support/bare-loop';
import { runBulk } from '../support/bulk-run';
import type { BulkRun } from '../support/bulk-run';
import { ProcessSampler, cpuShares, rssNow } from '../support/process-sampler';
import type { Sampled } from '../support/process-sampler';
import { fmt, pct, rate } from './format';
import { BIG, COMMAND, EXECUTORS, ROUNDS, SIZES, concurrencyCap } from './options';
import { executors, warmUpJob } from './run';
import type { Run } from './run';

export interface SizeRound {
  bareSeconds: number;
  concurrency: number;
  job: BulkRun;
}

export interface SizeFigures {
  executors: number;
  devices: number;
  rounds: SizeRound[];
}

async function sizeRound(
  { stack, watch, pool, seeded }: Run,
  executorCount: number,
  size: number,
): Promise<{ round: SizeRound; sampled: Sampled }> {
  const { logins, ids } = pool.take(size);
  const concurrency = Math.min(size, concurrencyCap(executorCount, {}));
  const bareStarted = performance.now();
  const { failures } = await runNewSessions(logins, COMMAND, { concurrency });
  const bareSeconds = (performance.now() - bareStarted) / 1_000;
  if (failures.length > 0)
    throw new Error(`bare loop: ${failures.length} failed (first: ${failures[0]})`);
  const cpu = stack.cpuSnapshot();
  const sampler = new ProcessSampler(stack).start();
  const job = await runBulk(stack, watch, { deviceIds: ids, perDevice: 1, ...seeded });
  const sampled = await sampler.stop();
  const cpuAfter = stack.cpuSnapshot();
  console.log(
    `  ${size} devices: bare ${bareSeconds.toFixed(2)} s (${fmt(rate(size, bareSeconds))}/s, ${concurrency} at once) | ` +
      `API: 202s ${job.submitSeconds.toFixed(2)} s, on Kafka ${job.resultSeconds.toFixed(2)} s ` +
      `(${fmt(rate(size, job.resultSeconds))}/s, ${pct(bareSeconds / job.resultSeconds)}), ` +
      `every log stored ${job.recordedSeconds.toFixed(2)} s (${fmt(rate(size, job.recordedSeconds))}/s, ` +
      `${pct(bareSeconds / job.recordedSeconds)}); ${job.succeeded}/${size} succeeded`,
  );
  console.log(
    `    CPU over the API run, % of one core: ${cpuShares(cpu, cpuAfter, job.recordedSeconds)}`,
  );
  if (job.succeeded !== size) throw new Error(`${size - job.succeeded} executions did not succeed`);
  return { round: { bareSeconds, concurrency, job }, sampled };
}

const mergePeaks = (into: Record<string, number>, from: Record<string, number>) => {
  for (const [k, v] of Object.entries(from)) into[k] = Math.max(into[k] ?? 0, v);
};

export async function pipelineVsBare(run: Run): Promise<SizeFigures[]> {
  const figures: SizeFigures[] = [];
  console.log(
    `\n== 2. bulk through the API against the bare ssh2 loop: '${COMMAND}', one per device, new sessions`,
  );
  for (const count of EXECUTORS) {
    await executors(run, count);
    await warmUpJob(run);
    console.log(
      `${count} executor(s), default batching (at most ~${concurrencyCap(count, {})} devices at once):`,
    );
    const peaks: Record<string, number> = {};
    for (const size of SIZES) {
      const row: SizeFigures = { executors: count, devices: size, rounds: [] };
      for (let r = 0; r < (size < BIG ? ROUNDS : 1); r++) {
        const { round, sampled } = await sizeRound(run, count, size);
        row.rounds.push(round);
        mergePeaks(peaks, sampled.peakRssMb);
      }
      figures.push(row);
    }
    run.memory.push({ phase: `peak, bulk runs, ${count} executor(s)`, rssMb: peaks });
    run.memory.push({
      phase: `after the bulk runs, ${count} executor(s)`,
      rssMb: rssNow(run.stack),
    });
  }
  return figures;
}

export function printThroughputTable(figures: SizeFigures[]): void {
  console.log(
    '\n| executors | devices | rounds | bare ssh2 | API, last result on Kafka | API, every log stored | 202s answered |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const f of figures) {
    const bare = median(f.rounds.map((r) => rate(f.devices, r.bareSeconds)));
    const cell = (pick: (job: BulkRun) => number) => {
      const ratios = f.rounds.map((r) => r.bareSeconds / pick(r.job));
      const range =
        ratios.length > 1 ? ` (${pct(Math.min(...ratios))}-${pct(Math.max(...ratios))})` : '';
      return `${fmt(median(f.rounds.map((r) => rate(f.devices, pick(r.job)))))}/s: **${pct(median(ratios))}**${range}`;
    };
    console.log(
      `| ${f.executors} | ${fmt(f.devices)} | ${f.rounds.length} | ${fmt(bare)}/s (${f.rounds[0]?.concurrency} at once) | ` +
        `${cell((job) => job.resultSeconds)} | ${cell((job) => job.recordedSeconds)} | ` +
        `${median(f.rounds.map((r) => r.job.submitSeconds)).toFixed(2)} s |`,
    );
  }
}
