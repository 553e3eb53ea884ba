// How the report writes its numbers.

export const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits }) : 'n/a';

export const pct = (ratio: number): string =>
  Number.isFinite(ratio) ? `${(ratio * 100).toFixed(0)}%` : 'n/a';

export const verdict = (met: boolean): string => (met ? 'met' : 'NOT met');

export const rate = (items: number, seconds: number): number => items / seconds;
