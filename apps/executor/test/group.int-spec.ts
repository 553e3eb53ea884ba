import type { ChildProcess } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import type { Fleet } from '@toolkit/device-sim';
import { startFleet } from '@toolkit/device-sim';
import { collectMessages, testInfra, uniqueMongoUri } from '@toolkit/testing';
import type { DeviceRef, TestNode } from './executor-harness';
import {
  results,
  sealedRequest,
  startExecutorChild,
  startNode,
  testSettings,
  uniqueTopics,
} from './executor-harness';

const CREDS = { username: 'netops', password: 'pw-S3cret!', enableSecret: 'en-S3cret!' };
let fleet: Fleet;
const nodes: TestNode[] = [];
const children: ChildProcess[] = [];

const ref = (name: string, id: number): DeviceRef => ({
  id,
  name,
  host: fleet.host,
  port: fleet.device(name).port,
  platform: fleet.device(name).platformId === 'junos' ? 'juniper_junos' : 'cisco_ios',
});

async function messagesOn(topic: string): Promise<number> {
  const admin = new Kafka({ brokers: testInfra().brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}

async function startChild(env: Record<string, string>): Promise<ChildProcess> {
  const child = await startExecutorChild(env);
  children.push(child);
  return child;
}

beforeAll(async () => {
  fleet = await startFleet({
    devices: [
      ...Array.from({ length: 8 }, (_, i) => ({
        name: `grp-${i}`,
        platform: i % 2 ? ('ios' as const) : ('junos' as const),
        faults: { commandLatencyMs: 40 },
      })),
      // Output streamed at 1 ms per byte: `show version` takes about 2 s, set-up is instant.
      { name: 'slow-show', platform: 'ios', faults: { latencyPerByteMs: 1 } },
      // The config command never answers: the doomed executor is mid-command when killed.
      { name: 'slow-config', platform: 'ios', faults: { hang: '^hostname' } },
    ],
    username: CREDS.username,
    password: CREDS.password,
    enableSecret: CREDS.enableSecret,
  });
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all(nodes.map((n) => n.close()));
  await fleet.close();
});

describe('executors sharing a consumer group', () => {
  it('when two executors share the work and a third joins, then every request has exactly one result', async () => {
    const topics = uniqueTopics(4);
    const mongoUri = uniqueMongoUri('executor');
    const settings = testSettings();
    const start = (id: string) =>
      startNode(topics, mongoUri, { ...settings, EXECUTOR_ID: id }).then((n) => {
        nodes.push(n);
        return n;
      });
    const [first] = await Promise.all([start('exec-1'), start('exec-2')]);
    const requests = Array.from({ length: 48 }, (_, i) =>
      sealedRequest(ref(`grp-${i % 8}`, 100 + (i % 8)), CREDS, { renderedCommand: 'show version' }),
    );
    const ids = new Set(requests.map((r) => r.executionId));

    await first!.messaging.publishMany(topics.requests, requests.slice(0, 24));
    await results(topics, 8, (r) => ids.has(r.executionId));
    const third = await start('exec-3');
    await third.messaging.publishMany(topics.requests, requests.slice(24));
    const got = await results(topics, 48, (r) => ids.has(r.executionId));

    expect(new Set(got.map((r) => r.executionId)).size).toBe(48);
    expect(got.every((r) => r.success)).toBe(true);
    expect(new Set(got.map((r) => r.executorId)).size).toBeGreaterThanOrEqual(2);
    await Promise.all(nodes.splice(0).map((n) => n.close()));
    expect(await messagesOn(topics.results.topic)).toBe(48);
  });

  it('when an executor is killed mid-command, then show is re-run elsewhere and config is reported unknown', async () => {
    const topics = uniqueTopics(1);
    const mongoUri = uniqueMongoUri('executor');
    const settings = testSettings({ EXECUTOR_MAX_COMMAND_TIMEOUT_MS: 10_000 });
    const child = await startChild({
      TEST_TOPIC_ID: topics.id,
      TEST_PARTITIONS: '1',
      TEST_MONGO_URI: mongoUri,
      TEST_SETTINGS: JSON.stringify({ ...settings, EXECUTOR_ID: 'doomed' }),
    });
    // The survivor takes over after the group's session timeout: the requests' own timeout
    // (counted from the request) must outlast that wait.
    const show = sealedRequest(ref('slow-show', 201), CREDS, {
      renderedCommand: 'show version',
      timeoutMs: 60_000,
    });
    const config = sealedRequest(ref('slow-config', 202), CREDS, {
      commandType: 'config',
      renderedCommand: 'hostname applied-by-doomed',
      timeoutMs: 60_000,
    });
    const producer = await startNode(uniqueTopics(1), mongoUri, testSettings());
    nodes.push(producer);
    await producer.messaging.publishMany(topics.requests, [show, config]);
    await collectMessages(topics.events.topic, {
      count: 2,
      predicate: (m) => (m.value ?? '').includes('"phase":"started"'),
    });

    child.kill('SIGKILL');
    const survivor = await startNode(topics, mongoUri, { ...settings, EXECUTOR_ID: 'survivor' });
    nodes.push(survivor);
    const got = await results(topics, 2, (r) =>
      [show.executionId, config.executionId].includes(r.executionId),
    );
    const sentinel = sealedRequest(ref('slow-show', 201), CREDS, { renderedCommand: 'show clock' });
    await survivor.messaging.publishMany(topics.requests, [sentinel]);
    await results(topics, 1, (r) => r.executionId === sentinel.executionId);
    const all = await results(topics, 3, () => true);

    expect(got.find((r) => r.executionId === show.executionId)).toMatchObject({
      outcome: 'succeeded',
      executorId: 'survivor',
    });
    expect(got.find((r) => r.executionId === config.executionId)).toMatchObject({
      outcome: 'unknown',
      errorClass: 'outcome_unknown',
      executorId: 'survivor',
    });
    expect(all.filter((r) => r.executionId === show.executionId)).toHaveLength(1);
    expect(all.filter((r) => r.executionId === config.executionId)).toHaveLength(1);
    expect(fleet.device('slow-config').connections).toBe(1);
  });
});
