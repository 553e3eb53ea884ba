/**
 * The closest candidates to a mistyped value, for error messages ("did you mean").
 * Case-insensitive Levenshtein distance, ties broken by a shared prefix, then by order.
 */
export function closestMatches(value: string, candidates: readonly string[], max = 3): string[] {
  const target = value.toLowerCase();
  const unique = [...new Set(candidates)];
  const scored = unique.map((candidate, index) => {
    const lower = candidate.toLowerCase();
    return {
      candidate,
      index,
      distance: levenshtein(target, lower),
      prefix: commonPrefix(target, lower),
    };
  });
  const limit = Math.max(2, Math.ceil(Math.max(target.length, 1) / 2));
  return scored
    .filter((s) => s.distance <= limit || s.prefix >= Math.min(3, target.length))
    .sort((a, b) => a.distance - b.distance || b.prefix - a.prefix || a.index - b.index)
    .slice(0, max)
    .map((s) => s.candidate);
}

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (current[j - 1] as number) + 1,
        (previous[j] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
