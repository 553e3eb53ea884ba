import type { Fleet } from '@toolkit/device-sim';
import { startFleet } from '@toolkit/device-sim';
import type { ExecutionCancellation, ExecutionRequest } from '@toolkit/contracts';
import { collectMessages, eventually, uniqueMongoUri } from '@toolkit/testing';
import type { DeviceRef, TestNode } from './executor-harness';
import { results, sealedRequest, startNode, testSettings, uniqueTopics } from './executor-harness';

const CREDS = { username: 'netops', password: 'pw-S3cret!', enableSecret: 'en-S3cret!' };
let fleet: Fleet;
let node: TestNode;
const topics = uniqueTopics(2);

const ref = (name: string, id: number): DeviceRef => ({
  id,
  name,
  host: fleet.host,
  port: fleet.device(name).port,
  platform: 'cisco_ios',
});

function cancellationOf(request: ExecutionRequest): ExecutionCancellation {
  return {
    executionId: request.executionId,
    device: { id: request.device.id, name: request.device.name },
    requestedBy: { userId: 7, username: 'alice' },
    requestedAt: new Date().toISOString(),
  };
}

beforeAll(async () => {
  fleet = await startFleet({
    devices: [
      { name: 'quick', platform: 'ios' },
      // `show version` streams at 1 ms per byte (about 2 s); set-up is instant.
      { name: 'slow', platform: 'ios' as const, faults: { latencyPerByteMs: 1 } },
      { name: 'stuck-config', platform: 'ios' as const, faults: { hang: '^hostname' } },
    ],
    username: CREDS.username,
    password: CREDS.password,
    enableSecret: CREDS.enableSecret,
  });
  node = await startNode(
    topics,
    uniqueMongoUri('executor'),
    testSettings({ EXECUTOR_MAX_COMMAND_TIMEOUT_MS: 10_000, EXECUTOR_FETCH_MAX_WAIT_MS: 50 }),
  );
});

afterAll(async () => {
  await node.close();
  await fleet.close();
});

describe('cancelling executions', () => {
  it('when a request is cancelled before an executor takes it, then it is reported cancelled and the device is never contacted', async () => {
    const request = sealedRequest(ref('quick', 301), CREDS, { timeoutMs: 30_000 });
    const known = node.executor.status().cancellations;
    await node.messaging.publish(topics.cancellations, cancellationOf(request));
    // The executor has read the cancellation before the request arrives.
    await eventually(() => expect(node.executor.status().cancellations).toBe(known + 1));
    const before = fleet.device('quick').connections;

    await node.messaging.publish(topics.requests, request);
    const [result] = await results(topics, 1, (r) => r.executionId === request.executionId);

    expect(result).toMatchObject({
      outcome: 'cancelled',
      success: false,
      errorClass: 'cancelled',
      errorMessage: 'Cancelled by alice before it ran.',
    });
    expect(fleet.device('quick').connections).toBe(before);
  });

  it('when a running show is cancelled, then its session is closed at once and the result keeps the output read so far', async () => {
    const request = sealedRequest(ref('slow', 302), CREDS, {
      renderedCommand: 'show version',
      timeoutMs: 30_000,
    });
    await node.messaging.publish(topics.requests, request);
    await collectMessages(topics.events.topic, {
      count: 1,
      predicate: (m) =>
        (m.value ?? '').includes(request.executionId) &&
        (m.value ?? '').includes('"phase":"started"'),
    });
    // Let some output arrive before cancelling.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const cancelledAt = Date.now();

    await node.messaging.publish(topics.cancellations, cancellationOf(request));
    const [result] = await results(topics, 1, (r) => r.executionId === request.executionId);

    expect(result).toMatchObject({
      outcome: 'cancelled',
      errorClass: 'cancelled',
      errorMessage: 'Cancelled by request while running: the session was closed.',
    });
    expect(result?.output.length).toBeGreaterThan(0);
    expect(result?.output).not.toContain('Configuration register');
    // Well before the ~2 s the whole output takes.
    expect(Date.parse(result?.timings.finishedAt ?? '') - cancelledAt).toBeLessThan(1_500);
    expect(node.executor.status().sessions.open).toBe(0);
  });

  it('when a running config is cancelled, then it is left to finish and reports its own outcome', async () => {
    const request = sealedRequest(ref('stuck-config', 303), CREDS, {
      commandType: 'config',
      renderedCommand: 'hostname never-answers',
      timeoutMs: 6_000,
    });
    await node.messaging.publish(topics.requests, request);
    await collectMessages(topics.events.topic, {
      count: 1,
      predicate: (m) =>
        (m.value ?? '').includes(request.executionId) &&
        (m.value ?? '').includes('"phase":"started"'),
    });

    await node.messaging.publish(topics.cancellations, cancellationOf(request));
    const [result] = await results(topics, 1, (r) => r.executionId === request.executionId);

    expect(result).toMatchObject({ outcome: 'unknown', errorClass: 'command_timeout' });
    expect(node.logText()).toContain('"effect":"running-config"');
  });

  it('when an executor starts with a request and its cancellation already waiting, then it reads the cancellation first and does not run it', async () => {
    const mongoUri = uniqueMongoUri('executor');
    const topicsOfRestart = uniqueTopics(3);
    const requests = Array.from({ length: 6 }, (_, i) =>
      sealedRequest(ref('quick', 310 + i), CREDS, { timeoutMs: 30_000 }),
    );
    const before = fleet.device('quick').connections;
    // Both are on the topics before any executor of these topics exists.
    const publisher = await startNode(
      { ...topicsOfRestart, partitions: 3 },
      mongoUri,
      testSettings({ EXECUTOR_GROUP_ID: `idle-${topicsOfRestart.id}` }),
    );
    publisher.executor.pause();
    await publisher.messaging.publishMany(
      topicsOfRestart.cancellations,
      requests.map(cancellationOf),
    );
    await publisher.messaging.publishMany(topicsOfRestart.requests, requests);
    await publisher.close();

    const restarted = await startNode(
      { ...topicsOfRestart, partitions: 3 },
      mongoUri,
      testSettings(),
    );
    try {
      const got = await results(topicsOfRestart, requests.length, () => true);

      expect(got.map((r) => r.outcome)).toEqual(requests.map(() => 'cancelled'));
      expect(fleet.device('quick').connections).toBe(before);
    } finally {
      await restarted.close();
    }
  });
});
