// Section 4 and the targets: every process's memory per phase, and each target met or not.
import { median } from '../../stack/process-stack';
import type { Fleet } from './fleet';
import { fmt, pct, verdict } from './format';
import type { LatencyFigures } from './one-at-a-time';
import { FLEET_LIMIT_S, TARGETS } from './options';
import type { SizeFigures } from './pipeline-vs-bare';
import type { MemoryRow } from './run';

export function printMemory(memory: MemoryRow[]): void {
  const names = [...new Set(memory.flatMap((m) => Object.keys(m.rssMb)))].filter((n) =>
    memory.some((m) => (m.rssMb[n] ?? 0) > 0),
  );
  console.log(
    `\n== 4. memory, MB: RSS of the run's processes; kafka, ferretdb, postgres: PSS (postgres: its backends summed)`,
  );
  console.log(`| phase | ${names.join(' | ')} |`);
  console.log(`| --- | ${names.map(() => '---').join(' | ')} |`);
  for (const m of memory)
    console.log(
      `| ${m.phase} | ${names.map((n) => (m.rssMb[n] ? fmt(m.rssMb[n] ?? 0) : '-')).join(' | ')} |`,
    );
}

export function printTargets(
  latency: LatencyFigures | undefined,
  figures: SizeFigures[],
  fleet: Fleet,
): void {
  console.log('\n== targets');
  for (const f of figures.filter((x) => x.devices === 100)) {
    const stored = median(f.rounds.map((r) => r.bareSeconds / r.job.recordedSeconds));
    const kafka = median(f.rounds.map((r) => r.bareSeconds / r.job.resultSeconds));
    console.log(
      `pipeline >= 70% of the bare loop at 100 devices, ${f.executors} executor(s): every log stored ${pct(stored)} ` +
        `(${verdict(stored >= TARGETS.ratio)}); last result on Kafka ${pct(kafka)} (${verdict(kafka >= TARGETS.ratio)})`,
    );
  }
  if (latency)
    console.log(
      `sync added latency p50 < 10 ms: ${latency.p50.toFixed(1)} ms (${verdict(latency.p50 < TARGETS.p50)}); ` +
        `p99 < 40 ms: ${latency.p99.toFixed(1)} ms (${verdict(latency.p99 < TARGETS.p99)}); p95 ${latency.p95.toFixed(1)} ms`,
    );
  for (const f of fleet.runs)
    console.log(
      `${fmt(f.job.items)} devices logged in < 30 s, ${f.label}: ${Number.isFinite(f.job.recordedSeconds) ? `${f.job.recordedSeconds.toFixed(1)} s` : `over ${FLEET_LIMIT_S} s`} ` +
        `(${verdict(f.job.recordedSeconds < TARGETS.fleetSeconds)}); last result on Kafka ${f.job.resultSeconds.toFixed(1)} s; ` +
        `peak open sessions ${f.sampled.peakOpenSessions} (${f.sampled.firstOpenSessions} before)`,
    );
  if (fleet.bare)
    console.log(
      `  the fleet's floor, bare ssh2 with every device at once: ${fleet.bare.seconds.toFixed(1)} s (${fleet.bare.failures} failed)`,
    );
}
