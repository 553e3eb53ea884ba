import type { Admin, Consumer, Producer, RequestEvent } from 'kafkajs';
import type { MessagingMetrics } from '@toolkit/metrics';

/** kafkajs instrumentation events turned into our messaging metrics. */

/** `toolkit_kafka_response_bytes_total` from kafkajs' request events (response sizes). */
export function countResponseBytes(
  client: Producer | Consumer | Admin,
  metrics: MessagingMetrics | undefined,
): void {
  const counter = metrics?.responseBytes;
  if (!counter) return;
  const count = ({ payload }: RequestEvent) => counter.inc({ api: payload.apiName }, payload.size);
  // The same call three times: each client type has its own overload of `on`.
  if ('send' in client) client.on(client.events.REQUEST, count);
  else if ('subscribe' in client) client.on(client.events.REQUEST, count);
  else client.on(client.events.REQUEST, count);
}

/**
 * Keeps `toolkit_kafka_consumer_lag` for the partitions this member holds, from the fetch's
 * high watermark: when a batch starts, the messages from its first on (the batch in hand
 * counts, as it does in the group's committed lag, so a consumer stuck retrying it shows
 * lag, not the 0 it had before); after it, the messages left. Dropped for partitions a
 * rebalance moved away (their new owner reports them) and when the consumer stops.
 * Returns the clean-up.
 */
export function trackLag(
  consumer: Consumer,
  group: string,
  metrics: MessagingMetrics | undefined,
): () => void {
  const gauge = metrics?.consumerLag;
  if (!gauge) return () => undefined;
  const reported = new Map<string, { topic: string; partition: string }>();
  const drop = (keep: (key: string) => boolean) => {
    for (const [key, labels] of reported)
      if (!keep(key)) {
        gauge.remove({ group, ...labels });
        reported.delete(key);
      }
  };
  const report = (payload: { topic: string; partition: number }, lag: number) => {
    const labels = { topic: payload.topic, partition: String(payload.partition) };
    reported.set(`${labels.topic}/${labels.partition}`, labels);
    gauge.set({ group, ...labels }, Math.max(0, lag));
  };
  consumer.on(consumer.events.START_BATCH_PROCESS, ({ payload }) => {
    // A batch of records all below the fetched offset has none left (firstOffset null).
    if (payload.firstOffset === null || payload.batchSize === 0) return;
    report(payload, Number(payload.highWatermark) - Number(payload.firstOffset));
  });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) =>
    report(payload, Number(payload.offsetLag)),
  );
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const assigned = new Set(
      Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
        partitions.map((p) => `${topic}/${p}`),
      ),
    );
    drop((key) => assigned.has(key));
  });
  return () => drop(() => false);
}
