/**
 * Consecutive groups of items, each at most `maxBytes` of JSON (UTF-8) and `maxItems` items
 * (an item alone may pass `maxBytes`): what one message, one HTTP call or one document may
 * carry. With `maxBytes` Infinity, items are only counted (none is serialised).
 */
export function chunksOf<T>(items: readonly T[], maxBytes: number, maxItems = Infinity): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = maxBytes === Infinity ? 0 : Buffer.byteLength(JSON.stringify(item));
    if (current.length > 0 && (bytes + size > maxBytes || current.length >= maxItems)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
