import { deadLetterTopic, executionResultsTopic, onTopic } from '@toolkit/contracts';
import { AppError } from '@toolkit/errors';
import { createMessagingMetrics, createRegistry } from '@toolkit/metrics';
import {
  anExecutionResult,
  collectMessages,
  eventually,
  memoryLogger,
  produceRaw,
  testInfra,
  uniqueSuffix,
} from '@toolkit/testing';
import type { ExecutionResult } from '@toolkit/contracts';
import { KafkaMessaging } from '../src';
import type { ConsumedMessage, RunningConsumer } from '../src';

/** A private topic per test with the real results schema: tests never see each other's messages. */
function privateTopic() {
  return onTopic(executionResultsTopic, `test.messaging-${uniqueSuffix()}.v1`);
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('KafkaMessaging against a real broker', () => {
  const { logger } = memoryLogger();
  const registry = createRegistry('test', { defaultMetrics: false });
  const metrics = createMessagingMetrics(registry);
  let messaging: KafkaMessaging;
  const consumers: RunningConsumer[] = [];

  beforeAll(async () => {
    messaging = new KafkaMessaging({
      service: 'test',
      brokers: testInfra().brokers,
      logger,
      metrics,
    });
    await messaging.connect();
    await messaging.ensureTopics([deadLetterTopic], { partitions: 1, replicationFactor: 1 });
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
  });

  afterAll(async () => {
    await messaging.disconnect();
  });

  it('when a typed message is published, then a consumer in another group receives it validated, with its key and correlation id', async () => {
    const topic = privateTopic();
    await messaging.ensureTopics([topic], { partitions: 3, replicationFactor: 1 });
    const received = deferred<ConsumedMessage<ExecutionResult>>();
    consumers.push(
      await messaging.consume({
        contract: topic,
        groupId: `g-${uniqueSuffix()}`,
        fromBeginning: true,
        handle: async (m) => received.resolve(m),
      }),
    );
    const result = anExecutionResult({ device: { id: 77, name: 'R77', platform: 'arista_eos' } });

    await messaging.publish(topic, result, { correlationId: 'corr-123' });
    const message = await received.promise;

    expect(message.payload).toEqual(result);
    expect(message.meta).toMatchObject({ key: '77', correlationId: 'corr-123', attempt: 1 });
    expect(message.meta.envelope).toMatchObject({ producer: 'test', type: 'execution.finished' });
  });

  it('when a poison message arrives, then it goes to the dead-letter topic and the next message is still handled', async () => {
    const topic = privateTopic();
    await messaging.ensureTopics([topic], { partitions: 1, replicationFactor: 1 });
    const handled = deferred<ExecutionResult>();
    const groupId = `g-${uniqueSuffix()}`;
    consumers.push(
      await messaging.consume({
        contract: topic,
        groupId,
        fromBeginning: true,
        handle: async (m) => handled.resolve(m.payload),
      }),
    );
    const good = anExecutionResult();

    await produceRaw(topic.topic, [{ key: 'x', value: 'this is not json' }]);
    await messaging.publish(topic, good);

    expect(await handled.promise).toEqual(good);
    const [letter] = await collectMessages(deadLetterTopic.topic, {
      count: 1,
      predicate: (m) => m.value?.includes(topic.topic) ?? false,
    });
    expect(JSON.parse(letter?.value ?? '{}').payload).toMatchObject({
      sourceTopic: topic.topic,
      consumerGroup: groupId,
      reason: 'invalid-json',
      key: 'x',
      value: Buffer.from('this is not json').toString('base64'),
    });
  });

  it('when the handler fails transiently, then the message is retried and then succeeds; a permanent failure is dead-lettered', async () => {
    const topic = privateTopic();
    await messaging.ensureTopics([topic], { partitions: 1, replicationFactor: 1 });
    const attempts: number[] = [];
    const done = deferred<void>();
    const transient = anExecutionResult();
    const permanent = anExecutionResult();
    consumers.push(
      await messaging.consume({
        contract: topic,
        groupId: `g-${uniqueSuffix()}`,
        fromBeginning: true,
        retryBaseMs: 10,
        handle: async (m) => {
          if (m.payload.executionId === permanent.executionId)
            throw AppError.validation({ output: ['rejected'] });
          attempts.push(m.meta.attempt);
          if (m.meta.attempt < 3) throw AppError.unavailable('database');
          done.resolve();
        },
      }),
    );

    await messaging.publish(topic, permanent);
    await messaging.publish(topic, transient);
    await done.promise;

    expect(attempts).toEqual([1, 2, 3]);
    const [letter] = await collectMessages(deadLetterTopic.topic, {
      count: 1,
      predicate: (m) => m.value?.includes(topic.topic) ?? false,
    });
    expect(JSON.parse(letter?.value ?? '{}').payload).toMatchObject({
      reason: 'handler-failed',
      errorCode: 'invalid-input',
    });
    const metrics = await registry.getMetricsAsJSON();
    const consumed = metrics.find((m) => m.name === 'toolkit_messages_consumed_total');
    expect(consumed?.values).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          labels: expect.objectContaining({ topic: topic.topic, outcome: 'retry' }),
          value: 2,
        }),
        expect.objectContaining({
          labels: expect.objectContaining({ topic: topic.topic, outcome: 'dlq' }),
          value: 1,
        }),
      ]),
    );
  });

  it('when batches are consumed, then every valid message arrives once in partition order', async () => {
    const topic = privateTopic();
    await messaging.ensureTopics([topic], { partitions: 1, replicationFactor: 1 });
    const results = Array.from({ length: 25 }, () => anExecutionResult());
    const seen: string[] = [];
    const done = deferred<void>();
    consumers.push(
      await messaging.consumeBatches({
        contract: topic,
        groupId: `g-${uniqueSuffix()}`,
        fromBeginning: true,
        maxBatchSize: 10,
        handleBatch: async (batch) => {
          expect(batch.length).toBeLessThanOrEqual(10);
          seen.push(...batch.map((m) => m.payload.executionId));
          if (seen.length >= results.length) done.resolve();
        },
      }),
    );

    await messaging.publishMany(topic, results);
    await done.promise;

    expect(seen).toEqual(results.map((r) => r.executionId));
  });

  it('when a consumer is behind, then its lag gauge counts the messages left after each batch, reaches 0, and goes when it stops', async () => {
    const topic = privateTopic();
    await messaging.ensureTopics([topic], { partitions: 1, replicationFactor: 1 });
    // One produce request each: five record batches, fetched one at a time (1-byte fetches).
    for (let i = 0; i < 5; i++) await messaging.publish(topic, anExecutionResult());
    const groupId = `g-${uniqueSuffix()}`;
    const labels = { group: groupId, topic: topic.topic, partition: '0' };
    const lagOf = async () =>
      (await metrics.consumerLag.get()).values.find(
        (v) => v.labels['group'] === groupId && v.labels['partition'] === '0',
      )?.value;
    const seenLag: (number | undefined)[] = [];
    let handled = 0;
    const consumer = await messaging.consumeBatches({
      contract: topic,
      groupId,
      fromBeginning: true,
      maxBytesPerPartition: 1,
      handleBatch: async (batch) => {
        seenLag.push(await lagOf());
        handled += batch.length;
      },
    });
    consumers.push(consumer);

    await eventually(async () => {
      if (handled < 5 || (await lagOf()) !== 0) throw new Error('not caught up yet');
    });
    const whileRunning = (await metrics.consumerLag.get()).values.filter((v) =>
      Object.entries(labels).every(([k, value]) => v.labels[k as keyof typeof labels] === value),
    );
    await consumer.stop();

    expect(seenLag).toEqual([undefined, 4, 3, 2, 1]);
    expect(whileRunning.map((v) => v.value)).toEqual([0]);
    expect(await lagOf()).toBeUndefined();
  });

  it('when the broker is unreachable at boot, then connect fails with an unavailable error', async () => {
    const broken = new KafkaMessaging({
      service: 'test',
      brokers: ['127.0.0.1:1'],
      logger,
      connectionTimeoutMs: 300,
    });

    await expect(broken.connect()).rejects.toMatchObject({
      category: 'unavailable',
      code: 'dependency-unavailable',
    });
    await broken.disconnect();
  });
});
