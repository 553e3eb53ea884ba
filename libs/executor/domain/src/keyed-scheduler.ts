/**
 * Runs items with the same key one after another, in the order given, and items with
 * different keys in parallel (at most `maxParallel` at once). Used inside one fetched
 * batch: one device's commands stay in order while other devices go on.
 *
 * When a worker throws, no new item starts, the running ones finish, and the first error
 * is thrown (the caller decides about redelivery).
 */
export async function runKeyed<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  work: (item: T) => Promise<void>,
  options: { maxParallel: number },
): Promise<void> {
  const queues = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const queue = queues.get(key);
    if (queue) queue.push(item);
    else queues.set(key, [item]);
  }
  const keys = [...queues.keys()];
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (failure === undefined && next < keys.length) {
      const key = keys[next++] as string;
      for (const item of queues.get(key) ?? []) {
        if (failure !== undefined) return;
        try {
          await work(item);
        } catch (error) {
          failure ??= { error };
          return;
        }
      }
    }
  };
  const lanes = Math.max(1, Math.min(options.maxParallel, keys.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  if (failure !== undefined) throw failure.error;
}
