import { randomBytes } from 'node:crypto';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
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

/** Text that does not compress (hex of random bytes): sizes on the wire are as written. */
const incompressible = (length: number) => randomBytes(length / 2).toString('hex');

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
  const { logger, lines } = memoryLogger();
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

  /** A consumer of `topic` from its start (stopped after the test): what it received, in order. */
  async function receiver(
    topic: typeof executionResultsTopic,
    options: { maxWaitTimeMs?: number } = {},
  ) {
    const received: ConsumedMessage<ExecutionResult>[] = [];
    const consumer = await messaging.consumeBatches({
      contract: topic,
      groupId: `g-${uniqueSuffix()}`,
      fromBeginning: true,
      ...options,
      handleBatch: async (batch) => {
        received.push(...batch);
      },
    });
    consumers.push(consumer);
    const until = (count: number) =>
      eventually(async () => {
        if (received.length < count) throw new Error(`${received.length} of ${count} received`);
      });
    const ids = () => received.map((m) => m.payload.executionId);
    return { consumer, received, until, ids };
  }

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

  it('when a dependency stays down past the attempts, then the batch waits for it and is never dead-lettered; a consumer stopped meanwhile hands it back to the group', async () => {
    const topic = privateTopic();
    await messaging.ensureTopics([topic], { partitions: 1, replicationFactor: 1 });
    const groupId = `g-${uniqueSuffix()}`;
    const attempts: number[] = [];
    const first = await messaging.consumeBatches({
      contract: topic,
      groupId,
      fromBeginning: true,
      maxAttempts: 2,
      retryBaseMs: 10,
      retryMaxMs: 20,
      handleBatch: async (batch) => {
        attempts.push(batch[0]?.meta.attempt ?? 0);
        throw AppError.unavailable('MongoDB');
      },
    });
    const result = anExecutionResult();
    await messaging.publish(topic, result);
    await eventually(async () => {
      if (attempts.length < 6) throw new Error(`${attempts.length} attempts`);
    });

    await first.stop();
    const handled = deferred<ConsumedMessage<ExecutionResult>>();
    consumers.push(
      await messaging.consumeBatches({
        contract: topic,
        groupId,
        fromBeginning: true,
        handleBatch: async (batch) => batch.forEach((m) => handled.resolve(m)),
      }),
    );

    const again = await handled.promise;
    expect(attempts.slice(0, 6)).toEqual([1, 2, 3, 4, 5, 6]);
    expect([again.payload.executionId, again.meta.attempt]).toEqual([result.executionId, 1]);
    // Counted once the handler has resolved: read after the `ok`.
    const outcomes = await eventually(async () => {
      const consumed = (await registry.getMetricsAsJSON()).find(
        (m) => m.name === 'toolkit_messages_consumed_total',
      );
      const seen = new Set(
        consumed?.values
          .filter((v) => v.labels['topic'] === topic.topic)
          .map((v) => v.labels['outcome']),
      );
      if (!seen.has('ok')) throw new Error(`outcomes ${[...seen].join(', ')}`);
      return seen;
    });
    expect(outcomes).toEqual(new Set(['retry', 'ok']));
  });

  it('when a member retrying while its dependency is down is told to rejoin, then it hands its batch back and the group rebalances at once', async () => {
    const topic = privateTopic();
    await messaging.ensureTopics([topic], { partitions: 2, replicationFactor: 1 });
    const groupId = `g-${uniqueSuffix()}`;
    const common = { contract: topic, groupId, fromBeginning: true, heartbeatIntervalMs: 300 };
    let failing = 0;
    consumers.push(
      await messaging.consumeBatches({
        ...common,
        retryBaseMs: 10,
        retryMaxMs: 200,
        handleBatch: async () => {
          failing++;
          throw AppError.unavailable('MongoDB');
        },
      }),
    );
    // Keyed by device: distinct devices, and checked below that both partitions hold some,
    // so whichever partition the new member is given, it has messages to handle.
    const results = Array.from({ length: 8 }, (_, i) =>
      anExecutionResult({ device: { id: i + 1, name: `R${i + 1}`, platform: 'cisco_ios' } }),
    );
    await messaging.publishMany(topic, results);
    const admin = new Kafka({ brokers: testInfra().brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic.topic).finally(() => admin.disconnect());
    expect(ends.map((p) => Number(p.high) > 0)).toEqual([true, true]);
    await eventually(async () => {
      if (failing < 3) throw new Error(`${failing} attempts`);
    });

    const handled: string[] = [];
    consumers.push(
      await messaging.consumeBatches({
        ...common,
        handleBatch: async (batch) => void handled.push(...batch.map((m) => m.payload.executionId)),
      }),
    );

    // Well before the 60 s rebalance timeout the group would otherwise wait for.
    await eventually(async () => {
      if (handled.length === 0) throw new Error('the new member got no partition yet');
    }, 30_000);
    expect(lines().some((l) => String(l['msg']).includes('handed back unsettled'))).toBe(true);
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

  it('when many large messages are published at once, then they go in produce requests the broker accepts and all arrive in order', async () => {
    // A topic with Kafka's default limit (about 1 MB per record batch), uncompressed: 8
    // results of 300 KB each would be one 2.4 MB batch in a single produce request.
    const topic = onTopic(
      { ...executionResultsTopic, maxMessageBytes: undefined, compression: undefined },
      `test.messaging-${uniqueSuffix()}.v1`,
    );
    await messaging.ensureTopics([topic], { partitions: 1, replicationFactor: 1 });
    const results = Array.from({ length: 8 }, () =>
      anExecutionResult({ output: incompressible(300_000) }),
    );
    const consumed = await receiver(topic);

    await messaging.publishMany(topic, results);
    await consumed.until(results.length);

    expect(consumed.ids()).toEqual(results.map((r) => r.executionId));
  });

  it("when a result is larger than Kafka's default limit, then a results topic made from the contract takes it and a consumer receives it whole", async () => {
    // Uncompressed, so that the topic's own limit is what takes it.
    const topic = onTopic(
      { ...executionResultsTopic, compression: undefined },
      `test.messaging-${uniqueSuffix()}.v1`,
    );
    await messaging.ensureTopics([topic], { partitions: 1, replicationFactor: 1 });
    const big = anExecutionResult({ output: incompressible(3_000_000) });
    const consumed = await receiver(topic);

    await messaging.publish(topic, big);
    await consumed.until(1);

    expect(consumed.received[0]?.payload.output).toBe(big.output);
  });

  it('when results carry device output, then they travel compressed; a topic without compression carries it as it is', async () => {
    const compressed = privateTopic();
    const plain = onTopic(
      { ...executionResultsTopic, compression: undefined },
      `test.messaging-${uniqueSuffix()}.v1`,
    );
    await messaging.ensureTopics([compressed, plain], { partitions: 1, replicationFactor: 1 });
    const output = 'Ethernet1/1 is up\n  Hardware: 1000/10000 Ethernet\n'.repeat(6_000);
    const fetchedBytes = async () =>
      (await metrics.responseBytes.get()).values.find((v) => v.labels['api'] === 'Fetch')?.value ??
      0;
    /** Bytes fetched by a consumer of `topic` to receive one result carrying `output`. */
    const bytesToReceive = async (topic: typeof compressed) => {
      await messaging.publish(topic, anExecutionResult({ output }));
      const before = await fetchedBytes();
      const consumed = await receiver(topic);
      await consumed.until(1);
      expect(consumed.received[0]?.payload.output).toBe(output);
      await consumed.consumer.stop();
      return (await fetchedBytes()) - before;
    };

    const gzipped = await bytesToReceive(compressed);
    const asIs = await bytesToReceive(plain);

    expect(executionResultsTopic.compression).toBe('gzip');
    expect(asIs).toBeGreaterThan(output.length);
    expect(gzipped).toBeLessThan(output.length / 10);
  });

  it('when a message is larger than its topic accepts, then publishing fails at once with a non-retriable error naming the topic, and nothing is sent', async () => {
    const topic = onTopic(
      { ...executionResultsTopic, maxMessageBytes: 100_000 },
      `test.messaging-${uniqueSuffix()}.v1`,
    );
    await messaging.ensureTopics([topic], { partitions: 1, replicationFactor: 1 });
    const small = anExecutionResult();

    const failure = await messaging
      .publishMany(topic, [small, anExecutionResult({ output: 'x'.repeat(200_000) })])
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    // The first message on the topic is one sent afterwards: the refused call sent nothing.
    const after = anExecutionResult();
    await messaging.publish(topic, after);
    const [first] = await collectMessages(topic.topic, { count: 1 });

    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({
      code: 'message-too-large',
      retriable: false,
      details: { topic: topic.topic, limit: 100_000 },
    });
    expect((failure as AppError).message).toContain(topic.topic);
    expect(first?.value).toContain(after.executionId);
  });

  it('when operators own a topic that accepts smaller messages than its contract needs, then checking warns with the fix and publishing measures against its real limit', async () => {
    const name = `test.messaging-${uniqueSuffix()}.v1`;
    await messaging.ensureTopics(
      [onTopic({ ...executionResultsTopic, maxMessageBytes: undefined }, name)],
      { partitions: 1, replicationFactor: 1 },
    );
    const large = privateTopic();
    await messaging.ensureTopics([large], { partitions: 1, replicationFactor: 1 });

    await messaging.checkTopics([onTopic(executionResultsTopic, name), large], {
      partitions: 1,
      replicationFactor: 1,
    });
    const warnings = lines().filter((l) => l['limit'] !== undefined && l['needed'] !== undefined);

    expect(warnings.filter((l) => l['topic'] === name)).toEqual([
      expect.objectContaining({
        limit: 1_048_588,
        needed: executionResultsTopic.maxMessageBytes,
        msg: expect.stringContaining(`--entity-name ${name} --add-config max.message.bytes=`),
      }),
    ]);
    expect(warnings.filter((l) => l['topic'] === large.topic)).toEqual([]);
    await expect(
      messaging.publish(
        onTopic({ ...executionResultsTopic, compression: undefined }, name),
        anExecutionResult({ output: incompressible(1_200_000) }),
      ),
    ).rejects.toMatchObject({ code: 'message-too-large', details: { limit: 1_048_588 } });
  });

  it("when a service owning its topics finds one too small for its contract, then it raises the limit and keeps the topic's other settings", async () => {
    const name = `test.messaging-${uniqueSuffix()}.v1`;
    const admin = new Kafka({ brokers: testInfra().brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: name,
            numPartitions: 1,
            replicationFactor: 1,
            configEntries: [{ name: 'retention.ms', value: '3600000' }],
          },
        ],
      });
      const contract = onTopic({ ...executionResultsTopic, compression: undefined }, name);

      await messaging.ensureTopics([contract], { partitions: 1, replicationFactor: 1 });
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name,
            configNames: ['max.message.bytes', 'retention.ms'],
          },
        ],
      });
      const config = Object.fromEntries(
        (resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]),
      );
      const big = anExecutionResult({ output: incompressible(1_200_000) });
      const [[first]] = await Promise.all([
        collectMessages(name, { count: 1 }),
        messaging.publish(contract, big),
      ]);

      expect(config).toEqual({
        'max.message.bytes': String(executionResultsTopic.maxMessageBytes),
        'retention.ms': '3600000',
      });
      expect(first?.value).toContain(big.executionId);
    } finally {
      await admin.disconnect();
    }
  });

  it('when the broker refuses a message its topic no longer takes, then publishing fails as too large, not as Kafka being down, and the next one is refused before sending', async () => {
    const name = `test.messaging-${uniqueSuffix()}.v1`;
    await messaging.ensureTopics(
      [onTopic({ ...executionResultsTopic, maxMessageBytes: 100_000 }, name)],
      { partitions: 1, replicationFactor: 1 },
    );
    // This process believes the contract's 16 MiB: nothing told it the topic is smaller.
    const believed = onTopic({ ...executionResultsTopic, compression: undefined }, name);
    const big = () => anExecutionResult({ output: incompressible(300_000) });

    const atBroker = await messaging.publish(believed, big()).catch((e: unknown) => e);
    const beforeSending = await messaging.publish(believed, big()).catch((e: unknown) => e);

    for (const failure of [atBroker, beforeSending])
      expect(failure).toMatchObject({
        code: 'message-too-large',
        retriable: false,
        details: { topic: name, limit: 100_000, valueLimit: 100_000 - 16 * 1024 },
      });
  });

  it('when a consumer is paused, then nothing more is handled until it resumes, and then every message arrives once', async () => {
    const topic = privateTopic();
    await messaging.ensureTopics([topic], { partitions: 1, replicationFactor: 1 });
    const { consumer, until, ids } = await receiver(topic, { maxWaitTimeMs: 100 });
    const first = anExecutionResult();
    await messaging.publish(topic, first);
    await until(1);

    consumer.pause();
    const held = Array.from({ length: 5 }, () => anExecutionResult());
    await messaging.publishMany(topic, held);
    // Several fetch waits (100 ms each) go by: a paused consumer must not fetch.
    await new Promise((r) => setTimeout(r, 1_000));
    const whilePaused = ids();
    consumer.resume();
    await until(6);

    expect(whilePaused).toEqual([first.executionId]);
    expect(ids()).toEqual([first, ...held].map((r) => r.executionId));
  });

  it('when a consumer is behind, then its lag gauge counts the messages left from the batch in hand on, reaches 0, and goes when it stops', async () => {
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

    // Read while each batch of one is handled: a consumer stuck on one shows it.
    expect(seenLag).toEqual([5, 4, 3, 2, 1]);
    expect(whileRunning.map((v) => v.value)).toEqual([0]);
    expect(await lagOf()).toBeUndefined();
  });

  it("when the cluster holds many other topics, then readiness asks about the service's own topics only", async () => {
    const suffix = uniqueSuffix();
    const others = Array.from({ length: 60 }, (_, i) => `test.messaging-${suffix}-other-${i}.v1`);
    const admin = new Kafka({ brokers: testInfra().brokers, logLevel: logLevel.NOTHING }).admin();
    let fullMetadataBytes = 0;
    admin.on(admin.events.REQUEST, ({ payload }) => {
      if (payload.apiName === 'Metadata') fullMetadataBytes += payload.size;
    });
    await admin.connect();
    const metadataBytes = async () =>
      (await metrics.responseBytes.get()).values.find((v) => v.labels['api'] === 'Metadata')
        ?.value ?? 0;
    try {
      await admin.createTopics({
        waitForLeaders: false,
        topics: others.map((topic) => ({ topic, numPartitions: 1 })),
      });
      const own = privateTopic();
      await messaging.ensureTopics([own], { partitions: 1, replicationFactor: 1 });
      const beforePing = await metadataBytes();
      await messaging.ping();
      const pinged = (await metadataBytes()) - beforePing;
      fullMetadataBytes = 0;
      await admin.describeCluster(); // what the probe used to fetch: every topic's metadata

      expect(pinged).toBeGreaterThan(0);
      expect(pinged * 3).toBeLessThan(fullMetadataBytes);
    } finally {
      await admin.deleteTopics({ topics: others }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  it('when operators own the topics and one is missing, then checking stops the boot naming it and the command that creates it', async () => {
    const present = privateTopic();
    await messaging.ensureTopics([present], { partitions: 1, replicationFactor: 1 });
    const absent = privateTopic();

    const failure = await messaging
      .checkTopics([present, absent], { partitions: 6, replicationFactor: 3 })
      .catch((error: unknown) => error);

    expect(failure).toMatchObject({ code: 'kafka-topics-missing', retriable: false });
    expect((failure as AppError).details).toEqual({ topics: [absent.topic] });
    expect((failure as AppError).message).toContain(
      `kafka-topics.sh --bootstrap-server ${testInfra().brokers.join(',')} --create ` +
        `--topic ${absent.topic} --partitions 6 --replication-factor 3 ` +
        `--config max.message.bytes=${executionResultsTopic.maxMessageBytes}`,
    );
    expect((failure as AppError).message).not.toContain(`--topic ${present.topic}`);
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

  it('when a topic prefix is set, then topics, groups, messages and dead letters all use the prefixed names', async () => {
    const prefix = `env-${uniqueSuffix()}.`;
    const prefixed = new KafkaMessaging({
      service: 'test',
      brokers: testInfra().brokers,
      logger,
      topicPrefix: prefix,
    });
    await prefixed.connect();
    const topic = privateTopic();
    try {
      await prefixed.ensureTopics([topic, deadLetterTopic], {
        partitions: 1,
        replicationFactor: 1,
      });
      const got: ConsumedMessage<ExecutionResult>[] = [];
      const groupId = `g-${uniqueSuffix()}`;
      const consumer = await prefixed.consume({
        contract: topic,
        groupId,
        fromBeginning: true,
        handle: async (message) => {
          if (message.payload.output === 'poison')
            throw new AppError({ code: 'bad', category: 'validation', message: 'bad' });
          got.push(message);
        },
      });
      consumers.push(consumer);
      const good = anExecutionResult();
      const poison = anExecutionResult({ output: 'poison' });

      await prefixed.publishMany(topic, [good, poison]);
      await eventually(() => expect(got).toHaveLength(1));
      const [onWire] = await collectMessages(`${prefix}${topic.topic}`, { count: 2 });
      const [letter] = await collectMessages(`${prefix}${deadLetterTopic.topic}`, {
        count: 1,
        predicate: (m) => (m.value ?? '').includes(topic.topic),
      });

      expect(prefixed.topicOf(topic)).toBe(`${prefix}${topic.topic}`);
      // The group is prefixed too: the plain name has no member, the prefixed one has it.
      expect(await prefixed.countGroupMembers(groupId)).toBe(1);
      expect(await messaging.countGroupMembers(groupId)).toBeUndefined();
      expect(await messaging.countGroupMembers(`${prefix}${groupId}`)).toBe(1);
      expect(got[0]?.meta.topic).toBe(`${prefix}${topic.topic}`);
      expect(got[0]?.payload.executionId).toBe(good.executionId);
      expect(onWire?.value).toContain(good.executionId);
      expect(JSON.parse(letter?.value ?? '{}').payload).toMatchObject({
        sourceTopic: `${prefix}${topic.topic}`,
        reason: 'handler-failed',
      });
    } finally {
      await prefixed.disconnect();
    }
  });
});
