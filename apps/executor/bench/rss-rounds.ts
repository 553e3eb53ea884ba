// The executor's resident memory with 1,000 open sessions: 1,000 simulated NX-OS devices,
// a warm-up wave and then a pre-published backlog with the configuration's default batch
// settings, read after a GC right after the run and again after SETTLE_MS idle (sessions
// still open); medians of the rounds per variant.
import { startBenchSimulator } from './bench-simulator';
import { executorRun } from './executor-run';
import type { BenchOptions } from './executor-run';
import type { ExecutorStats } from './executor-control';
import { median } from './shared-bench';
import type { Variant } from './variants';

/** RSS is read again after this long idle, sessions still open (idle timeout 120 s). */
const SETTLE_MS = 20_000;
const SESSIONS = 1_000;
const mb = (bytes: number) => bytes / 1024 / 1024;

const describe = (s: ExecutorStats) => {
  const m = s.memory;
  return (
    `RSS ${mb(m.rss).toFixed(0)} MB (heap used ${mb(m.heapUsed).toFixed(0)}, heap total ${mb(m.heapTotal).toFixed(0)}, ` +
    `external ${mb(m.external).toFixed(0)}, arrayBuffers ${mb(m.arrayBuffers).toFixed(0)}`
  );
};

export async function rss(
  variants: Variant[],
  options: BenchOptions & { heapSnapshot?: string },
): Promise<void> {
  const big = await startBenchSimulator(SESSIONS, 'nxos');
  const figures = new Map<string, { after: ExecutorStats[]; settled: ExecutorStats[] }>();
  try {
    for (let r = 1; r <= options.rounds; r++) {
      for (const v of variants) {
        // The configuration's defaults for the batch settings (not the throughput tuning).
        const { stats, idle, settled } = await executorRun({
          bundle: v.bundle,
          keys: options.keys,
          devices: big.devices,
          reuse: true,
          command: options.command,
          perDevice: options.perDevice,
          env: { ...v.env, EXECUTOR_MAX_SESSIONS: String(SESSIONS) },
          settleMs: SETTLE_MS,
          ...(options.profileDir ? { profileDir: options.profileDir } : {}),
          ...(options.heapSnapshot ? { heapSnapshot: options.heapSnapshot } : {}),
        });
        const f = figures.get(v.name) ?? { after: [], settled: [] };
        f.after.push(stats);
        f.settled.push(settled ?? stats);
        figures.set(v.name, f);
        if (settled)
          console.log(
            `round ${r} ${v.name}: ${SETTLE_MS / 1_000} s later (${settled.sessions?.open ?? '?'} open): ${describe(settled)}; ` +
              `resident ${JSON.stringify(settled.resident ?? {})})`,
          );
        console.log(
          `round ${r} ${v.name}: ${stats.sessions?.open ?? '?'} open sessions, ${describe(stats)}; ` +
            `before any work: RSS ${mb(idle.memory.rss).toFixed(0)}, heap used ${mb(idle.memory.heapUsed).toFixed(0)})`,
        );
      }
    }
  } finally {
    await big.stop();
  }
  for (const v of variants) {
    const { after = [], settled = [] } = figures.get(v.name) ?? {};
    console.log(
      `median RSS with ${SESSIONS} sessions, ${v.name}: ${mb(median(after.map((s) => s.memory.rss))).toFixed(0)} MB right after the run, ` +
        `${mb(median(settled.map((s) => s.memory.rss))).toFixed(0)} MB ${SETTLE_MS / 1_000} s later; heap used ${mb(median(after.map((s) => s.memory.heapUsed))).toFixed(0)} MB`,
    );
  }
}
