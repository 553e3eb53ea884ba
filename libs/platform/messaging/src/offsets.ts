import type { Admin } from 'kafkajs';
import { AppError } from '@toolkit/errors';

/**
 * The last offset of each partition of a topic that holds a message (a partition with
 * none is left out): what a reader must have handled to be caught up with it.
 */
export async function lastOffsets(
  admin: Admin,
  topic: string,
  timeoutMs: number,
): Promise<Map<number, bigint>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      const last = new Map<number, bigint>();
      for (const o of offsets)
        if (BigInt(o.high) > BigInt(o.low)) last.set(o.partition, BigInt(o.high) - 1n);
      return last;
    } catch (error) {
      // A leader moved or is being elected (a topic just created elsewhere): kafkajs'
      // admin answers from metadata it does not refresh by itself here.
      if (Date.now() > deadline) throw AppError.unavailable('Kafka', error);
      await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
