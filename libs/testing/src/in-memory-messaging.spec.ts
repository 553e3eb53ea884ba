import { AppError } from '@toolkit/errors';
import { deadLetterTopic, executionResultsTopic } from '@toolkit/contracts';
import type { ExecutionResult } from '@toolkit/contracts';
import { encodeEnvelope } from '@toolkit/messaging';
import type { ConsumedMessage } from '@toolkit/messaging';
import { currentLogContext, runWithLogContext } from '@toolkit/logger';
import type { LogContext } from '@toolkit/logger';
import { anExecutionResult } from './builders';
import { eventually } from './infra';
import { InMemoryMessaging, partitionOfKey } from './in-memory-messaging';

const topic = executionResultsTopic;

function setup(partitions = 3) {
  const bus = new InMemoryMessaging({
    service: 'spec',
    topics: [topic, deadLetterTopic],
    partitions,
    retryBaseMs: 1,
    retryMaxMs: 2,
  });
  return bus;
}

const onDevice = (deviceId: number, n = 1): ExecutionResult[] =>
  Array.from({ length: n }, () => {
    const base = anExecutionResult();
    return anExecutionResult({ device: { ...base.device, id: deviceId } });
  });

describe('in-memory messaging', () => {
  it('when messages share a key, then they share a partition (as Kafka picks it) and keep their order', async () => {
    const bus = setup(6);
    const results = onDevice(7, 5);

    await bus.publishMany(topic, results);

    const records = bus.records(topic);
    const key = topic.keyOf(results[0] as ExecutionResult);
    expect(new Set(records.map((r) => r.partition))).toEqual(new Set([partitionOfKey(key, 6)]));
    expect(records.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4]);
    expect(bus.envelopes<ExecutionResult>(topic).map((e) => e.payload.executionId)).toEqual(
      results.map((r) => r.executionId),
    );
  });

  it('when many payloads are published with one correlation id each, then each message carries its own, and the shared one fills the gaps', async () => {
    const bus = setup();
    const seen: (string | undefined)[] = [];
    await bus.consume({
      contract: topic,
      groupId: 'g',
      fromBeginning: true,
      handle: async (m) => void seen.push(m.meta.correlationId),
    });

    await bus.publishMany(topic, onDevice(4, 3), {
      correlationId: 'shared',
      correlationIds: ['a', undefined, 'c'],
    });
    await bus.idle();

    expect(seen).toEqual(['a', 'shared', 'c']);
  });

  it('when a batch is handled, then its log lines name a correlation id only if all its messages share it', async () => {
    const bus = setup();
    const contexts: (LogContext | undefined)[] = [];
    await bus.consumeBatches({
      contract: topic,
      groupId: 'g',
      fromBeginning: true,
      handleBatch: async () => void contexts.push(currentLogContext()),
    });
    await bus.idle();

    // Published while handling an HTTP request: its id is not the batch's either.
    await runWithLogContext({ correlationId: 'http-request' }, async () => {
      await bus.publishMany(topic, onDevice(4, 2), { correlationIds: ['a', 'b'] });
      await bus.idle();
    });
    await bus.publishMany(topic, onDevice(4, 2), { correlationId: 'c' });
    await bus.idle();
    const [single] = onDevice(4);
    await bus.publish(topic, single as ExecutionResult, { correlationId: 'd' });
    await bus.idle();

    const pick = (c: LogContext | undefined) => ({
      correlationId: c?.correlationId,
      messages: c?.['messages'],
      offsets: [c?.['offset'], c?.['lastOffset']],
      eventId: typeof c?.['eventId'],
    });
    expect(contexts.map(pick)).toEqual([
      { correlationId: undefined, messages: 2, offsets: ['0', '1'], eventId: 'undefined' },
      { correlationId: 'c', messages: 2, offsets: ['2', '3'], eventId: 'undefined' },
      { correlationId: 'd', messages: undefined, offsets: ['4', undefined], eventId: 'string' },
    ]);
  });

  it('when only a header carries the correlation id, then it is taken if an envelope would take it, and dropped otherwise', async () => {
    const bus = setup();
    const seen: (string | undefined)[] = [];
    await bus.consume({
      contract: topic,
      groupId: 'g',
      fromBeginning: true,
      handle: async (m) => void seen.push(m.meta.correlationId),
    });
    const { key, value } = encodeEnvelope(topic, anExecutionResult(), { producer: 'other' });

    for (const id of ['req-42', 'x'.repeat(201)])
      bus.produceRaw(topic, { key, value, headers: { 'x-correlation-id': id } });
    await bus.idle();

    expect(seen).toEqual(['req-42', undefined]);
  });

  it('when a payload is invalid, then nothing of the call is published (the codec refuses it)', async () => {
    const bus = setup();
    const [valid] = onDevice(1);

    await expect(
      bus.publishMany(topic, [valid as ExecutionResult, { nonsense: true } as never]),
    ).rejects.toMatchObject({ code: 'invalid-message' });
    expect(bus.records(topic)).toEqual([]);
  });

  it('when a topic was never created, then publishing fails as unavailable (no auto-creation)', async () => {
    const bus = new InMemoryMessaging();

    await expect(bus.publish(topic, anExecutionResult())).rejects.toMatchObject({
      category: 'unavailable',
    });
  });

  it('when two groups read a topic, then each gets every message once; within a group each partition has one consumer', async () => {
    const bus = setup(4);
    const seen: Record<string, { consumer: string; partition: number; id: string }[]> = {};
    const start = (group: string, consumer: string) =>
      bus.consumeBatches({
        contract: topic,
        groupId: group,
        fromBeginning: true,
        handleBatch: async (messages) => {
          for (const m of messages)
            (seen[group] ??= []).push({
              consumer,
              partition: m.meta.partition,
              id: m.payload.executionId,
            });
        },
      });
    const results = [1, 2, 3, 4, 5, 6, 7, 8].flatMap((d) => onDevice(d, 3));
    await bus.publishMany(topic, results);

    await Promise.all([start('a', 'a1'), start('a', 'a2'), start('b', 'b1')]);
    await bus.idle();

    const ids = results.map((r) => r.executionId).sort();
    expect(seen['a']?.map((s) => s.id).sort()).toEqual(ids);
    expect(seen['b']?.map((s) => s.id).sort()).toEqual(ids);
    const owners = new Map<number, Set<string>>();
    for (const s of seen['a'] ?? [])
      owners.set(s.partition, (owners.get(s.partition) ?? new Set()).add(s.consumer));
    expect([...owners.values()].every((o) => o.size === 1)).toBe(true);
    expect(new Set((seen['a'] ?? []).map((s) => s.consumer))).toEqual(new Set(['a1', 'a2']));
    await expect(bus.countGroupMembers('a')).resolves.toBe(2);
    await bus.disconnect();
  });

  it('when a message is not a valid envelope, then it is dead-lettered and the consumer goes on', async () => {
    const bus = setup();
    const handled: string[] = [];
    await bus.consume({
      contract: topic,
      groupId: 'g',
      fromBeginning: true,
      handle: async (m) => void handled.push(m.payload.executionId),
    });
    const good = anExecutionResult();

    bus.produceRaw(topic, { key: 'x', value: 'not json' });
    await bus.publish(topic, good);
    await bus.idle();

    expect(handled).toEqual([good.executionId]);
    expect(bus.deadLetters()).toMatchObject([
      { sourceTopic: topic.topic, reason: 'invalid-json', consumerGroup: 'g' },
    ]);
    await expect(bus.ping()).resolves.toBeUndefined();
  });

  it('when a handler fails transiently, then the same batch is retried and handled once it succeeds', async () => {
    const bus = setup();
    let calls = 0;
    const attempts: number[] = [];
    await bus.consumeBatches({
      contract: topic,
      groupId: 'g',
      fromBeginning: true,
      handleBatch: async (messages: ConsumedMessage<ExecutionResult>[]) => {
        calls++;
        attempts.push(messages[0]?.meta.attempt ?? 0);
        if (calls < 3) throw AppError.unavailable('MongoDB');
      },
    });

    await bus.publish(topic, anExecutionResult());
    await bus.idle();

    expect(attempts).toEqual([1, 2, 3]);
    expect(bus.outcomes.map((o) => o.kind)).toEqual(['failed', 'failed', 'handled']);
    expect(bus.deadLetters()).toEqual([]);
  });

  it('when a dependency stays down past the attempts, then the message waits for it: retried until handled, never dead-lettered', async () => {
    const bus = setup();
    const attempts: number[] = [];
    await bus.consume({
      contract: topic,
      groupId: 'g',
      fromBeginning: true,
      maxAttempts: 2,
      handle: async (m) => {
        attempts.push(m.meta.attempt);
        if (m.meta.attempt < 8) throw AppError.unavailable('Kafka');
      },
    });

    await bus.publish(topic, anExecutionResult());
    await bus.idle();

    expect(attempts).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(bus.deadLetters()).toEqual([]);
  });

  it('when a consumer stops while its dependency is down, then its batch is handed back: the next consumer of the group handles it', async () => {
    const bus = setup();
    let failing = 0;
    const first = await bus.consumeBatches({
      contract: topic,
      groupId: 'g',
      fromBeginning: true,
      handleBatch: async () => {
        failing++;
        throw AppError.unavailable('MongoDB');
      },
    });
    const result = anExecutionResult();
    await bus.publish(topic, result);
    await eventually(async () => {
      if (failing < 10) throw new Error(`${failing} attempts`);
    });

    await first.stop();
    const handled: string[] = [];
    await bus.consumeBatches({
      contract: topic,
      groupId: 'g',
      handleBatch: async (batch) => void handled.push(...batch.map((m) => m.payload.executionId)),
    });
    await bus.idle();

    expect(handled).toEqual([result.executionId]);
    expect(bus.deadLetters()).toEqual([]);
  });

  it('when a handler fails permanently, then the message is dead-lettered at once and the offset moves on', async () => {
    const bus = setup();
    const handled: number[] = [];
    await bus.consume({
      contract: topic,
      groupId: 'g',
      fromBeginning: true,
      handle: async (m) => {
        handled.push(m.meta.attempt);
        throw new AppError({ code: 'bad', category: 'validation', message: 'no' });
      },
    });

    await bus.publishMany(topic, onDevice(3, 2));
    await bus.idle();

    expect(handled).toEqual([1, 1]);
    expect(bus.deadLetters().map((d) => d.reason)).toEqual(['handler-failed', 'handler-failed']);
    await expect(bus.lastOffsets(topic)).resolves.toEqual(new Map([[partitionOfKey('3', 3), 1n]]));
  });

  it('when a consumer is paused, then it is handed nothing until resumed', async () => {
    const bus = setup();
    const handled: string[] = [];
    const consumer = await bus.consume({
      contract: topic,
      groupId: 'g',
      handle: async (m) => void handled.push(m.payload.executionId),
    });

    consumer.pause();
    await bus.publish(topic, anExecutionResult());
    await bus.idle();
    expect(handled).toHaveLength(0);
    consumer.resume();
    await bus.idle();

    expect(handled).toHaveLength(1);
  });

  it('when disconnected, then in-flight work drains first and later calls fail as unavailable', async () => {
    const bus = setup();
    let finished = false;
    await bus.consume({
      contract: topic,
      groupId: 'g',
      handle: async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        finished = true;
      },
    });
    await bus.publish(topic, anExecutionResult());
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));

    await bus.disconnect();

    expect(finished).toBe(true);
    await expect(bus.publish(topic, anExecutionResult())).rejects.toMatchObject({
      category: 'unavailable',
    });
    await expect(bus.ping()).rejects.toMatchObject({ category: 'unavailable' });
    await expect(bus.disconnect()).resolves.toBeUndefined();
  });
});
