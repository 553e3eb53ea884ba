import type { CommandLogStatistics } from '@toolkit/api-contracts';
import { mergeHistogram, percentileMs } from './duration-histogram';
import type { DurationHistogram } from './duration-histogram';
import type { RollupCell } from './rollups';
import { bucketSizeMs, bucketStart } from './time-buckets';
import type { TimeBucket } from './time-buckets';

/** Which outputs a cell feeds: rollup grains feed their own; a raw log feeds all. */
export type StatSection = 'totals' | 'commands' | 'devices' | 'errors';
export const ALL_SECTIONS: readonly StatSection[] = ['totals', 'commands', 'devices', 'errors'];

interface Tally {
  total: number;
  successful: number;
  durCount: number;
  durSumMs: number;
}

const newTally = (): Tally => ({ total: 0, successful: 0, durCount: 0, durSumMs: 0 });

function addTo(tally: Tally, cell: RollupCell): void {
  tally.total += cell.count;
  if (cell.success) tally.successful += cell.count;
  tally.durCount += cell.dur_count;
  tally.durSumMs += cell.dur_sum_ms;
}

export interface StatisticsOptions {
  bucket: TimeBucket;
  /** Size of the top/breakdown lists. */
  top: number;
  /** Gaps in the time series are filled with zero points up to this many points. */
  maxFilledPoints?: number;
}

/** Percent with 2 decimals; 0 when there is nothing. */
export function successRate(successful: number, total: number): number {
  return total === 0 ? 0 : Math.round((successful / total) * 10_000) / 100;
}

/** Milliseconds to seconds, to the microsecond. */
function roundSeconds(ms: number): number {
  return Math.round(ms * 1000) / 1e6;
}

/**
 * Folds counter cells (from rollups or from raw logs) into the statistics answer, in
 * constant memory per distinct command/device/error/time bucket.
 */
export class StatisticsAccumulator {
  private readonly totals = newTally();
  private readonly histogram: DurationHistogram = {};
  private readonly platforms = new Map<string, Tally>();
  private readonly errorClasses = new Map<string, number>();
  private readonly series = new Map<number, Tally>();
  private readonly commands = new Map<string, Tally & { id: number | null; name: string }>();
  private readonly devices = new Map<string, Tally & { id: number | null; name: string }>();
  private readonly errors = new Map<string, number>();
  private last24 = { total: 0, successful: 0 };

  constructor(private readonly options: StatisticsOptions) {}

  add(cell: RollupCell, sections: readonly StatSection[]): void {
    if (cell.count <= 0) return;
    for (const section of sections) {
      switch (section) {
        case 'totals':
          this.addTotals(cell);
          break;
        case 'commands':
          if (cell.command) {
            const key = JSON.stringify([cell.command.id, cell.command.name]);
            const t = this.commands.get(key) ?? { ...newTally(), ...cell.command };
            addTo(t, cell);
            this.commands.set(key, t);
          }
          break;
        case 'devices':
          if (cell.device) {
            const key = JSON.stringify([cell.device.id, cell.device.name]);
            const t = this.devices.get(key) ?? { ...newTally(), ...cell.device };
            addTo(t, cell);
            this.devices.set(key, t);
          }
          break;
        case 'errors':
          if (!cell.success && cell.error_message)
            this.errors.set(
              cell.error_message,
              (this.errors.get(cell.error_message) ?? 0) + cell.count,
            );
          break;
      }
    }
  }

  /** The last-24-hours figures (computed by a second, narrower pass). */
  setLast24h(total: number, successful: number): void {
    this.last24 = { total, successful };
  }

  /** Total and successful counts so far (for the last-24h pass). */
  counts(): { total: number; successful: number } {
    return { total: this.totals.total, successful: this.totals.successful };
  }

  result(source: 'rollups' | 'logs'): CommandLogStatistics {
    const top = this.options.top;
    const p = (q: number) => {
      const ms = percentileMs(this.histogram, q);
      return ms === undefined ? null : roundSeconds(ms);
    };
    const breakdown = (t: Tally) => ({
      total: t.total,
      successful: t.successful,
      failed: t.total - t.successful,
      success_rate: successRate(t.successful, t.total),
      avg_duration: t.durCount === 0 ? null : roundSeconds(t.durSumMs / t.durCount),
    });
    const byCount = <T extends { total: number }>(a: [string, T], b: [string, T]) =>
      b[1].total - a[1].total || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
    const commands = [...this.commands.entries()].sort(byCount);
    const devices = [...this.devices.entries()].sort(byCount);
    return {
      total_logs: this.totals.total,
      success_rate: successRate(this.totals.successful, this.totals.total),
      last_24h: {
        total: this.last24.total,
        successful: this.last24.successful,
        failed: this.last24.total - this.last24.successful,
      },
      top_commands: commands
        .slice(0, top)
        .map(([, t]) => ({ command_name: t.name, command_id: t.id, count: t.total })),
      common_errors: [...this.errors.entries()]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        .slice(0, top)
        .map(([error, count]) => ({ error: error.slice(0, 100), count })),
      by_platform: [...this.platforms.entries()]
        .sort(byCount)
        .map(([platform, t]) => ({ platform, ...breakdown(t) })),
      by_device: devices
        .slice(0, top)
        .map(([, t]) => ({ device_id: t.id, device_name: t.name, ...breakdown(t) })),
      by_command: commands
        .slice(0, top)
        .map(([, t]) => ({ command_id: t.id, command_name: t.name, ...breakdown(t) })),
      by_error_class: [...this.errorClasses.entries()]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .map(([error_class, count]) => ({ error_class, count })),
      execution_duration: {
        count: this.totals.durCount,
        mean:
          this.totals.durCount === 0
            ? null
            : roundSeconds(this.totals.durSumMs / this.totals.durCount),
        p50: p(50),
        p95: p(95),
        p99: p(99),
      },
      time_series: { bucket: this.options.bucket, points: this.points() },
      source,
    };
  }

  private addTotals(cell: RollupCell): void {
    addTo(this.totals, cell);
    mergeHistogram(this.histogram, cell.hist);
    const platform = this.platforms.get(cell.platform) ?? newTally();
    addTo(platform, cell);
    this.platforms.set(cell.platform, platform);
    if (cell.error_class)
      this.errorClasses.set(
        cell.error_class,
        (this.errorClasses.get(cell.error_class) ?? 0) + cell.count,
      );
    const start = bucketStart(cell.hour, this.options.bucket).getTime();
    const point = this.series.get(start) ?? newTally();
    addTo(point, cell);
    this.series.set(start, point);
  }

  private points(): CommandLogStatistics['time_series']['points'] {
    const starts = [...this.series.keys()].sort((a, b) => a - b);
    const first = starts[0];
    const last = starts[starts.length - 1];
    if (first === undefined || last === undefined) return [];
    const size = bucketSizeMs(this.options.bucket);
    const fill = (last - first) / size + 1 <= (this.options.maxFilledPoints ?? 5_000);
    const keys = fill
      ? Array.from({ length: (last - first) / size + 1 }, (_, i) => first + i * size)
      : starts;
    return keys.map((start) => {
      const t = this.series.get(start) ?? newTally();
      return {
        start: new Date(start).toISOString(),
        total: t.total,
        successful: t.successful,
        failed: t.total - t.successful,
      };
    });
  }
}
