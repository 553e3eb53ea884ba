/**
 * Execution durations kept as counts in fixed, log-spaced buckets so that rollups can be
 * summed with `$inc` and percentiles read back without the raw values.
 *
 * Bucket 0 holds [0, 1) ms; bucket i (1..LAST) holds [1.1^(i-1), 1.1^i) ms; the last
 * bucket also takes everything above (about 10 minutes). A percentile is reported as the
 * geometric middle of its bucket, so the relative error is at most sqrt(1.1) - 1 (< 4.9 %)
 * for durations of 1 ms to 10 minutes, and at most 0.5 ms below 1 ms.
 */
export const HISTOGRAM_RATIO = 1.1;
export const HISTOGRAM_LAST_BUCKET = 141;
export const PERCENTILE_RELATIVE_ERROR = Math.sqrt(HISTOGRAM_RATIO) - 1;

/** Sparse histogram: field name `b<index>` -> count (keys safe for MongoDB and FerretDB). */
export type DurationHistogram = Record<string, number>;

export function bucketIndex(durationMs: number): number {
  if (!(durationMs >= 1)) return 0;
  const i = Math.floor(Math.log(durationMs) / Math.log(HISTOGRAM_RATIO)) + 1;
  // Guard the floating point edge (1.1^k computed slightly above/below the boundary).
  let index = Math.min(i, HISTOGRAM_LAST_BUCKET);
  while (index > 1 && durationMs < bucketLowerMs(index)) index--;
  while (index < HISTOGRAM_LAST_BUCKET && durationMs >= bucketLowerMs(index + 1)) index++;
  return index;
}

export function bucketKey(index: number): string {
  return `b${index}`;
}

export function bucketLowerMs(index: number): number {
  return index <= 0 ? 0 : HISTOGRAM_RATIO ** (index - 1);
}

export function bucketUpperMs(index: number): number {
  return index <= 0 ? 1 : HISTOGRAM_RATIO ** index;
}

/** The value reported for a bucket. */
export function bucketRepresentativeMs(index: number): number {
  if (index <= 0) return 0.5;
  if (index >= HISTOGRAM_LAST_BUCKET) return bucketLowerMs(index);
  return Math.sqrt(bucketLowerMs(index) * bucketUpperMs(index));
}

export function mergeHistogram(into: DurationHistogram, from: DurationHistogram, sign = 1): void {
  for (const [key, count] of Object.entries(from)) {
    if (!/^b\d+$/.test(key) || typeof count !== 'number') continue;
    into[key] = (into[key] ?? 0) + sign * count;
  }
}

/**
 * Nearest-rank percentile (0 < p <= 100) from a histogram: the bucket holding the
 * ceil(p/100 * n)-th smallest value. Undefined when the histogram is empty.
 */
export function percentileMs(histogram: DurationHistogram, p: number): number | undefined {
  const entries = Object.entries(histogram)
    .map(([key, count]) => [Number(key.slice(1)), count] as const)
    .filter(([index, count]) => Number.isInteger(index) && count > 0)
    .sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const [index, count] of entries) {
    seen += count;
    if (seen >= rank) return bucketRepresentativeMs(index);
  }
  return bucketRepresentativeMs((entries[entries.length - 1] as readonly [number, number])[0]);
}
