import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Fleet } from '@toolkit/device-sim';
import { startFleet } from '@toolkit/device-sim';
import { anExecutionBatch, collectMessages, uniqueMongoUri } from '@toolkit/testing';
import type { DeviceRef, TestNode } from './executor-harness';
import {
  results,
  sealedRequest,
  startExecutorChild,
  startNode,
  testSettings,
  uniqueTopics,
} from './executor-harness';

/**
 * Bulk batches through a real executor: one device's items in one message, run in order on
 * one session, one result each; after a crash the batch resumes after its done items.
 */
const CREDS = { username: 'netops', password: 'pw-S3cret!', enableSecret: 'en-S3cret!' };
let fleet: Fleet;
const nodes: TestNode[] = [];
const children: ChildProcess[] = [];

const ref = (name: string, id: number): DeviceRef => ({
  id,
  name,
  host: fleet.host,
  port: fleet.device(name).port,
  platform: 'cisco_ios',
});

beforeAll(async () => {
  fleet = await startFleet({
    devices: [
      { name: 'bulk-a', platform: 'ios' },
      { name: 'bulk-b', platform: 'ios' },
      // `show version` streams at 1 ms per byte (about 2 s); set-up is instant.
      { name: 'bulk-slow', platform: 'ios', faults: { latencyPerByteMs: 1 } },
      // The configuration line never answers: the executor is mid-command when killed.
      { name: 'bulk-cfg', platform: 'ios', faults: { hang: '^hostname' } },
    ],
    ...CREDS,
  });
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const node of nodes) await node.close().catch(() => undefined);
  await fleet?.close();
});

/** The device's command lines that are items of these tests (set-up lines left out). */
const itemsReceived = (name: string) =>
  fleet
    .device(name)
    .receivedCommands.filter((line) => /^show (version|clock|ip|inventory)|^hostname/.test(line));

it('when two devices get a batch each, then every item has one result, in order, on one session per device', async () => {
  const topics = uniqueTopics(2);
  const node = await startNode(topics, uniqueMongoUri('executor'), testSettings());
  nodes.push(node);
  const commands = ['show version', 'show clock', 'show ip interface brief', 'show inventory'];
  const batches = [ref('bulk-a', 301), ref('bulk-b', 302)].map((device) =>
    anExecutionBatch(
      commands.map((renderedCommand) => sealedRequest(device, CREDS, { renderedCommand })),
    ),
  );

  await node.messaging.publishMany(topics.requests, batches);
  const got = await results(topics, 8);

  for (const batch of batches) {
    const mine = got.filter((r) => r.bulkJobId === batch.bulkJobId);
    expect(mine.map((r) => r.position)).toEqual([0, 1, 2, 3]);
    expect(mine.map((r) => r.renderedCommand)).toEqual(commands);
    expect(mine.every((r) => r.outcome === 'succeeded')).toBe(true);
  }
  expect(itemsReceived('bulk-a')).toEqual(commands);
  expect(itemsReceived('bulk-b')).toEqual(commands);
  expect(fleet.device('bulk-a').connections).toBe(1);
  expect(fleet.device('bulk-b').connections).toBe(1);
});

it('when a batch item waits behind slow ones longer than its own timeout, then it still runs (each item is timed from its turn)', async () => {
  const topics = uniqueTopics(1);
  const node = await startNode(
    topics,
    uniqueMongoUri('executor'),
    testSettings({ EXECUTOR_MAX_COMMAND_TIMEOUT_MS: 20_000 }),
  );
  nodes.push(node);
  const device = ref('bulk-slow', 303);
  // Three slow items of about 2 s each, every one with a 5 s timeout: 6 s in all.
  const batch = anExecutionBatch(
    Array.from({ length: 3 }, () =>
      sealedRequest(device, CREDS, { renderedCommand: 'show version', timeoutMs: 5_000 }),
    ),
  );

  await node.messaging.publishMany(topics.requests, [batch]);
  const got = await results(topics, 3, () => true, 40_000);

  expect(got.map((r) => r.outcome)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  // Measured, not assumed: the last one finished past the job's request plus its timeout.
  const last = got[2];
  expect(Date.parse(last?.timings.finishedAt ?? '')).toBeGreaterThan(
    Date.parse(batch.job.requestedAt) + 5_000,
  );
});

async function startChild(env: Record<string, string>): Promise<ChildProcess> {
  const child = await startExecutorChild(env);
  children.push(child);
  return child;
}

it('when the executor is killed with SIGKILL mid-batch, then done items are not run again, the started config item is reported unknown, and every item has exactly one result', async () => {
  const topics = uniqueTopics(1);
  const mongoUri = uniqueMongoUri('executor');
  const settings = testSettings({ EXECUTOR_MAX_COMMAND_TIMEOUT_MS: 20_000 });
  const child = await startChild({
    TEST_TOPIC_ID: topics.id,
    TEST_PARTITIONS: '1',
    TEST_MONGO_URI: mongoUri,
    TEST_SETTINGS: JSON.stringify({ ...settings, EXECUTOR_ID: 'doomed' }),
  });
  const slow = ref('bulk-slow', 304);
  const cfg = ref('bulk-cfg', 305);
  // The survivor takes over after the group's session timeout: items are timed from
  // their turn, and the first from the job's request: 60 s outlasts the wait.
  const shows = anExecutionBatch(
    ['show clock', 'show clock', 'show version', 'show version', 'show clock'].map((c) =>
      sealedRequest(slow, CREDS, { renderedCommand: c, timeoutMs: 60_000 }),
    ),
  );
  const configs = anExecutionBatch([
    sealedRequest(cfg, CREDS, { renderedCommand: 'show clock', timeoutMs: 60_000 }),
    sealedRequest(cfg, CREDS, {
      commandType: 'config',
      renderedCommand: `hostname doomed-${randomUUID().slice(0, 4)}`,
      timeoutMs: 60_000,
    }),
    sealedRequest(cfg, CREDS, { renderedCommand: 'show clock', timeoutMs: 60_000 }),
  ]);
  const producer = await startNode(uniqueTopics(1), mongoUri, testSettings());
  nodes.push(producer);
  const receivedBefore = itemsReceived('bulk-slow').length;
  await producer.messaging.publishMany(topics.requests, [shows, configs]);
  // Two results of the slow device and the config item under way, then the crash (the
  // third slow item, `show version`, is mid-output for about 2 s).
  await results(topics, 2, (r) => r.bulkJobId === shows.bulkJobId);
  await collectMessages(topics.events.topic, {
    count: 1,
    predicate: (m) =>
      (m.value ?? '').includes(configs.items[1]?.executionId ?? '-') &&
      (m.value ?? '').includes('"phase":"started"'),
  });
  // The progress write follows the second acknowledgement by milliseconds.
  await new Promise((resolve) => setTimeout(resolve, 300));
  child.kill('SIGKILL');

  const survivor = await startNode(topics, mongoUri, { ...settings, EXECUTOR_ID: 'survivor' });
  nodes.push(survivor);
  await results(topics, 8, () => true, 60_000);
  const all = await results(topics, 8, () => true, 5_000);
  // Anything published twice would arrive within this wait.
  const extra = await results(topics, 9, () => true, 3_000).catch(() => undefined);

  const byId = new Map(all.map((r) => [r.executionId, r]));
  for (const item of [...shows.items, ...configs.items])
    expect(byId.has(item.executionId)).toBe(true);
  expect(extra).toBeUndefined();
  const slowResults = shows.items.map((i) => byId.get(i.executionId));
  expect(slowResults.map((r) => r?.outcome)).toEqual(Array(5).fill('succeeded'));
  expect(slowResults.slice(0, 2).map((r) => r?.executorId)).toEqual(['doomed', 'doomed']);
  expect(slowResults.slice(2).map((r) => r?.executorId)).toEqual([
    'survivor',
    'survivor',
    'survivor',
  ]);
  // Each of the first two ran once: the survivor resumed after them.
  const received = itemsReceived('bulk-slow').slice(receivedBefore);
  expect(received.filter((c) => c === 'show clock')).toHaveLength(3);
  const cfgResults = configs.items.map((i) => byId.get(i.executionId));
  expect(cfgResults.map((r) => r?.outcome)).toEqual(['succeeded', 'unknown', 'succeeded']);
  expect(cfgResults[1]?.errorClass).toBe('outcome_unknown');
}, 120_000);
