import { GRAIN_PATHS } from './rollups';
import type { RollupGrain } from './rollups';
import type { StatSection } from './statistics';
import { ceilHour, floorHour } from './time-buckets';

/** A filter in MongoDB's query language as plain data (what @toolkit/netbox-list builds). */
export type QueryFilter = Record<string, unknown>;

export const TIME_PATH = 'execution_time';

export interface TimeBound {
  at: Date;
  inclusive: boolean;
}

export interface TimeSplit {
  /** The filter without its top-level time bounds. */
  rest: QueryFilter;
  lower?: TimeBound;
  upper?: TimeBound;
}

/** Every document path a filter reads. */
export function filterPaths(filter: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(filter)) {
    for (const item of filter) filterPaths(item, into);
    return into;
  }
  if (typeof filter !== 'object' || filter === null || filter instanceof Date) return into;
  for (const [key, value] of Object.entries(filter)) {
    if (key.startsWith('$')) filterPaths(value, into);
    else into.add(key);
  }
  return into;
}

function conjuncts(filter: QueryFilter): QueryFilter[] {
  const keys = Object.keys(filter);
  if (keys.length === 1 && Array.isArray(filter['$and']))
    return (filter['$and'] as QueryFilter[]).flatMap(conjuncts);
  if (keys.length <= 1) return keys.length === 0 ? [] : [filter];
  return keys.map((k) => ({ [k]: filter[k] }) as QueryFilter).flatMap(conjuncts);
}

/**
 * Pulls the top-level bounds on `execution_time` out of a filter. Undefined when the time
 * is used in a way that is not a plain range (inside $or, $in, exact match...).
 */
export function splitTimeBounds(filter: QueryFilter): TimeSplit | undefined {
  const rest: QueryFilter[] = [];
  let lower: TimeBound | undefined;
  let upper: TimeBound | undefined;
  for (const c of conjuncts(filter)) {
    const keys = Object.keys(c);
    if (!filterPaths(c).has(TIME_PATH)) {
      rest.push(c);
      continue;
    }
    if (keys.length !== 1 || keys[0] !== TIME_PATH) return undefined;
    const range = c[TIME_PATH];
    if (typeof range !== 'object' || range === null || range instanceof Date) return undefined;
    for (const [op, value] of Object.entries(range)) {
      if (!(value instanceof Date)) return undefined;
      if (op === '$gte' || op === '$gt') {
        const bound = { at: value, inclusive: op === '$gte' };
        if (!lower || tighterLower(bound, lower)) lower = bound;
      } else if (op === '$lte' || op === '$lt') {
        const bound = { at: value, inclusive: op === '$lte' };
        if (!upper || tighterUpper(bound, upper)) upper = bound;
      } else return undefined;
    }
  }
  return {
    rest: rest.length === 0 ? {} : rest.length === 1 ? (rest[0] as QueryFilter) : { $and: rest },
    lower,
    upper,
  };
}

const lowerMs = (b: TimeBound) => b.at.getTime() + (b.inclusive ? 0 : 1);
const upperExclusiveMs = (b: TimeBound) => b.at.getTime() + (b.inclusive ? 1 : 0);
const tighterLower = (a: TimeBound, b: TimeBound) => lowerMs(a) > lowerMs(b);
const tighterUpper = (a: TimeBound, b: TimeBound) => upperExclusiveMs(a) < upperExclusiveMs(b);

/**
 * The whole hours [from, to) inside the bounds: rollups answer those; the partial hours at
 * either edge are read from the logs. `empty` when no whole hour fits.
 */
export function wholeHours(split: Pick<TimeSplit, 'lower' | 'upper'>): {
  from?: Date;
  to?: Date;
  empty: boolean;
} {
  const from = split.lower ? ceilHour(new Date(lowerMs(split.lower))) : undefined;
  const to = split.upper ? floorHour(new Date(upperExclusiveMs(split.upper))) : undefined;
  return { from, to, empty: from !== undefined && to !== undefined && from >= to };
}

/** The smallest grain that serves a section under a filter reading `paths`. */
const SECTION_GRAINS: Readonly<Record<StatSection, readonly RollupGrain[]>> = {
  totals: ['totals', 'commands', 'devices'],
  commands: ['commands'],
  devices: ['devices'],
  errors: ['errors'],
};

export function grainFor(
  section: StatSection,
  paths: ReadonlySet<string>,
): RollupGrain | undefined {
  return SECTION_GRAINS[section].find((grain) =>
    [...paths].every((p) => GRAIN_PATHS[grain].includes(p)),
  );
}

export interface StatisticsPlan {
  split: TimeSplit;
  window: { from?: Date; to?: Date; empty: boolean };
  /** Sections answered from rollups, by grain. */
  fromRollups: { grain: RollupGrain; sections: StatSection[] }[];
  /** Sections answered from a raw scan over the matching logs (all of them). */
  fromLogs: StatSection[];
}

/**
 * Decides where each part of the statistics comes from: rollups when their dimensions
 * cover the filter, the logs otherwise (and for the partial hours at the range edges).
 */
export function planStatistics(
  filter: QueryFilter,
  sections: readonly StatSection[],
): StatisticsPlan {
  const split = splitTimeBounds(filter);
  if (!split)
    return {
      split: { rest: filter },
      window: { empty: true },
      fromRollups: [],
      fromLogs: [...sections],
    };
  const window = wholeHours(split);
  const paths = filterPaths(split.rest);
  const fromRollups = new Map<RollupGrain, StatSection[]>();
  const fromLogs: StatSection[] = [];
  for (const section of sections) {
    const grain = window.empty ? undefined : grainFor(section, paths);
    if (grain) fromRollups.set(grain, [...(fromRollups.get(grain) ?? []), section]);
    else fromLogs.push(section);
  }
  return {
    split,
    window,
    fromRollups: [...fromRollups.entries()].map(([grain, s]) => ({ grain, sections: s })),
    fromLogs,
  };
}
