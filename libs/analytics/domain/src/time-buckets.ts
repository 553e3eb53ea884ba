/** UTC time buckets (hour, day) computed in code: FerretDB has no date operators. */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export type TimeBucket = 'hour' | 'day';

export function floorHour(date: Date): Date {
  return new Date(Math.floor(date.getTime() / HOUR_MS) * HOUR_MS);
}

export function ceilHour(date: Date): Date {
  return new Date(Math.ceil(date.getTime() / HOUR_MS) * HOUR_MS);
}

export function bucketStart(date: Date, bucket: TimeBucket): Date {
  const size = bucket === 'hour' ? HOUR_MS : DAY_MS;
  return new Date(Math.floor(date.getTime() / size) * size);
}

export function bucketSizeMs(bucket: TimeBucket): number {
  return bucket === 'hour' ? HOUR_MS : DAY_MS;
}

/**
 * `YYYY-MM-DD` as a UTC day: `start` is its first millisecond, `endExclusive` the first
 * millisecond of the next day (so an end date is inclusive through the end of that day).
 */
export function parseDay(value: string): { start: Date; endExclusive: Date } | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!match) return undefined;
  const start = new Date(`${match[1]}-${match[2]}-${match[3]}T00:00:00.000Z`);
  if (Number.isNaN(start.getTime())) return undefined;
  if (start.toISOString().slice(0, 10) !== value.trim()) return undefined;
  return { start, endExclusive: new Date(start.getTime() + DAY_MS) };
}
