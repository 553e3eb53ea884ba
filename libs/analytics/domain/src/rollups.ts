import { createHash } from 'node:crypto';
import type { CommandLogFacts } from './command-log';
import { bucketIndex, bucketKey } from './duration-histogram';
import type { DurationHistogram } from './duration-histogram';

/**
 * Rollups: counters per hour and per combination of dimensions, incremented with `$inc`
 * in the same batch that inserts the logs. Each grain answers the statistics its
 * dimensions allow; names are values (never keys) and the document id is derived from the
 * dimensions, so an increment is an upsert on a natural key.
 *
 * - `totals`:   hour x platform x success x error_class
 * - `commands`: totals + command (id, name)
 * - `devices`:  totals + device (id, name)
 * - `errors`:   failures with a message: totals + command + device + error_message
 */
export const ROLLUP_GRAINS = ['totals', 'commands', 'devices', 'errors'] as const;
export type RollupGrain = (typeof ROLLUP_GRAINS)[number];

const BASE_DIMENSIONS = ['hour', 'platform', 'success', 'error_class'] as const;

/** Document paths each grain carries (the same paths as on a log, so filters apply to both). */
export const GRAIN_PATHS: Readonly<Record<RollupGrain, readonly string[]>> = {
  totals: BASE_DIMENSIONS,
  commands: [...BASE_DIMENSIONS, 'command.id', 'command.name'],
  devices: [...BASE_DIMENSIONS, 'device.id', 'device.name'],
  errors: [
    ...BASE_DIMENSIONS,
    'command.id',
    'command.name',
    'device.id',
    'device.name',
    'error_message',
  ],
};

export interface RollupDimensions {
  hour: Date;
  platform: string;
  success: boolean;
  error_class: string | null;
  command?: { id: number | null; name: string };
  device?: { id: number; name: string };
  error_message?: string;
}

/** One counter cell: dimensions plus additive measures. */
export interface RollupCell extends RollupDimensions {
  count: number;
  dur_count: number;
  dur_sum_ms: number;
  hist: DurationHistogram;
}

export interface RollupIncrement {
  grain: RollupGrain;
  /** Document id: grain plus a digest of the dimensions. */
  id: string;
  cell: RollupCell;
}

export function rollupId(grain: RollupGrain, dims: RollupDimensions): string {
  const parts = [
    dims.hour.getTime(),
    dims.platform,
    dims.success,
    dims.error_class,
    dims.command?.id ?? null,
    dims.command?.name ?? null,
    dims.device?.id ?? null,
    dims.device?.name ?? null,
    dims.error_message ?? null,
  ];
  const digest = createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
  return `${grain}:${dims.hour.getTime()}:${digest.slice(0, 22)}`;
}

export function grainsOf(facts: CommandLogFacts): RollupGrain[] {
  const grains: RollupGrain[] = ['totals', 'commands', 'devices'];
  if (!facts.success && facts.error_message !== '') grains.push('errors');
  return grains;
}

function dimensionsOf(grain: RollupGrain, facts: CommandLogFacts): RollupDimensions {
  const base: RollupDimensions = {
    hour: facts.hour,
    platform: facts.platform,
    success: facts.success,
    error_class: facts.error_class,
  };
  if (grain === 'commands' || grain === 'errors') base.command = { ...facts.command };
  if (grain === 'devices' || grain === 'errors') base.device = { ...facts.device };
  if (grain === 'errors') base.error_message = facts.error_message;
  return base;
}

/** A log as a cell of count 1 (raw statistics use the same arithmetic as rollups). */
export function cellOf(facts: CommandLogFacts): RollupCell {
  const hasDuration = facts.execution_duration !== null;
  const ms = hasDuration ? (facts.execution_duration as number) * 1000 : 0;
  return {
    hour: facts.hour,
    platform: facts.platform,
    success: facts.success,
    error_class: facts.error_class,
    command: facts.command,
    device: facts.device,
    error_message: facts.error_message,
    count: 1,
    dur_count: hasDuration ? 1 : 0,
    dur_sum_ms: ms,
    hist: hasDuration ? { [bucketKey(bucketIndex(ms))]: 1 } : {},
  };
}

/**
 * The increments for a batch of logs, pre-aggregated per cell so that a batch costs one
 * upsert per distinct cell, not one per log. `sign` -1 reverses logs being deleted.
 */
export function rollupIncrements(
  logs: readonly CommandLogFacts[],
  sign: 1 | -1 = 1,
): RollupIncrement[] {
  const cells = new Map<string, RollupIncrement>();
  for (const log of logs) {
    const own = cellOf(log);
    for (const grain of grainsOf(log)) {
      const dims = dimensionsOf(grain, log);
      const id = rollupId(grain, dims);
      let entry = cells.get(id);
      if (!entry) {
        entry = { grain, id, cell: { ...dims, count: 0, dur_count: 0, dur_sum_ms: 0, hist: {} } };
        cells.set(id, entry);
      }
      entry.cell.count += sign * own.count;
      entry.cell.dur_count += sign * own.dur_count;
      entry.cell.dur_sum_ms += sign * own.dur_sum_ms;
      for (const [key, n] of Object.entries(own.hist))
        entry.cell.hist[key] = (entry.cell.hist[key] ?? 0) + sign * n;
    }
  }
  return [...cells.values()];
}

/**
 * One increment per cell: a batch's counting (+1) and uncounting (-1, a superseded log)
 * may name the same cell, and a cell takes one guarded write per batch.
 */
export function mergeIncrements(increments: readonly RollupIncrement[]): RollupIncrement[] {
  const cells = new Map<string, RollupIncrement>();
  for (const { grain, id, cell } of increments) {
    const entry = cells.get(id);
    if (!entry) {
      cells.set(id, { grain, id, cell: { ...cell, hist: { ...cell.hist } } });
      continue;
    }
    entry.cell.count += cell.count;
    entry.cell.dur_count += cell.dur_count;
    entry.cell.dur_sum_ms += cell.dur_sum_ms;
    for (const [key, n] of Object.entries(cell.hist))
      entry.cell.hist[key] = (entry.cell.hist[key] ?? 0) + n;
  }
  return [...cells.values()];
}
