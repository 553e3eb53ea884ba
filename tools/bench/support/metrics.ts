// A service's Prometheus text (/metrics on its METRICS_PORT) read as a bench needs it:
// the sum of a metric's series (every label set), and the means of histograms between two
// scrapes (`histograms` of tools/stack/process-stack.ts).

export async function scrapeMetrics(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

/** The sum of every series of `name` (`name 3`, `name{a="b"} 4`) in a scrape. */
export function metricSum(text: string, name: string): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
    .reduce((total, l) => total + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/**
 * The means of the histogram series matching `keep` that moved between two scrapes (ms for
 * `_seconds` series, as counted otherwise), one line each.
 */
export function meanDurations(
  before: Map<string, { sum: number; count: number }>,
  after: Map<string, { sum: number; count: number }>,
  keep: RegExp,
): string[] {
  const lines: string[] = [];
  for (const [key, a] of after) {
    if (!keep.test(key)) continue;
    const b = before.get(key) ?? { sum: 0, count: 0 };
    const count = a.count - b.count;
    if (count <= 0) continue;
    const unit = key.includes('_seconds') ? 1000 : 1;
    const mean = ((a.sum - b.sum) / count) * unit;
    lines.push(
      `  ${key.replace(/service="[^"]*",?/, '')}: mean ${mean.toFixed(1)}${unit === 1000 ? ' ms' : ''} (n=${count})`,
    );
  }
  return lines;
}
