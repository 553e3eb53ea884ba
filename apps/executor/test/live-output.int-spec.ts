import { Kafka, logLevel } from 'kafkajs';
import type { Consumer } from 'kafkajs';
import type { Fleet } from '@toolkit/device-sim';
import { startFleet } from '@toolkit/device-sim';
import type { ExecutionEvent, ExecutionRequest, ExecutionResult } from '@toolkit/contracts';
import { OUTPUT_CHUNK_MAX_CHARS, RESULT_OUTPUT_MAX_BYTES } from '@toolkit/contracts';
import { eventually, testInfra, uniqueMongoUri } from '@toolkit/testing';
import type { DeviceRef, TestNode } from './executor-harness';
import { sealedRequest, startNode, testSettings, uniqueTopics } from './executor-harness';

const CREDS = { username: 'netops', password: 'pw-S3cret!', enableSecret: 'en-S3cret!' };
let fleet: Fleet;
let node: TestNode;
let watch: Watcher;
const topics = uniqueTopics(2);

const ref = (name: string, id: number): DeviceRef => {
  const device = fleet.device(name);
  return {
    id,
    name,
    host: fleet.host,
    port: device.port,
    platform: device.platformId === 'linux' ? 'linux' : 'cisco_ios',
  };
};

interface Arrival<T> {
  payload: T;
  key: string | null;
  correlationId: string | undefined;
  /** When this test's consumer read it (ms, performance.now()). */
  at: number;
}

/** One consumer reading the events and results topics, noting when each message arrived. */
interface Watcher {
  events: Arrival<ExecutionEvent>[];
  results: Arrival<ExecutionResult>[];
  stop(): Promise<void>;
}

async function watchTopics(): Promise<Watcher> {
  const kafka = new Kafka({ brokers: testInfra().brokers, logLevel: logLevel.NOTHING });
  const consumer: Consumer = kafka.consumer({
    groupId: `test-live-output-${topics.id}`,
    maxWaitTimeInMs: 20,
  });
  const watcher: Watcher = { events: [], results: [], stop: () => consumer.disconnect() };
  await consumer.connect();
  await consumer.subscribe({
    topics: [topics.events.topic, topics.results.topic],
    fromBeginning: true,
  });
  const joined = new Promise<void>((resolve) =>
    consumer.on(consumer.events.GROUP_JOIN, () => resolve()),
  );
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const at = performance.now();
      const { payload, correlationId } = JSON.parse(message.value?.toString() ?? '{}') as {
        payload: never;
        correlationId?: string;
      };
      const key = message.key?.toString() ?? null;
      const arrival = { payload, key, correlationId, at };
      if (topic === topics.events.topic) watcher.events.push(arrival);
      else watcher.results.push(arrival);
    },
  });
  await joined;
  return watcher;
}

async function resultOf(request: ExecutionRequest): Promise<Arrival<ExecutionResult>> {
  let found: Arrival<ExecutionResult> | undefined;
  await eventually(() => {
    found = watch.results.find((r) => r.payload.executionId === request.executionId);
    expect(found).toBeDefined();
  }, 60_000);
  return found as Arrival<ExecutionResult>;
}

/** The output events of `request` once its `last` one arrived. */
async function outputOf(request: ExecutionRequest): Promise<Arrival<ExecutionEvent>[]> {
  const mine = () =>
    watch.events.filter(
      (e) => e.payload.executionId === request.executionId && e.payload.phase === 'output',
    );
  await eventually(() => expect(mine().some((e) => e.payload.output?.last)).toBe(true), 60_000);
  return mine();
}

/** Checks that the chunks are contiguous, only the last one `last`, and returns their text. */
function joined(chunks: Arrival<ExecutionEvent>[]): string {
  let offset = 0;
  let text = '';
  chunks.forEach((c, i) => {
    const output = c.payload.output;
    expect(output?.offset).toBe(offset);
    expect(output?.last ?? false).toBe(i === chunks.length - 1);
    expect(output?.text.length).toBeLessThanOrEqual(OUTPUT_CHUNK_MAX_CHARS);
    offset += output?.text.length ?? 0;
    text += output?.text ?? '';
  });
  return text;
}

beforeAll(async () => {
  fleet = await startFleet({
    devices: [
      // `show running-config` streams at 1 ms per byte (512-byte chunks: seconds in all).
      { name: 'slow', platform: 'ios', faults: { latencyPerByteMs: 1 } },
      { name: 'quick', platform: 'ios' },
      { name: 'host', platform: 'linux' },
    ],
    username: CREDS.username,
    password: CREDS.password,
    enableSecret: CREDS.enableSecret,
  });
  node = await startNode(
    topics,
    uniqueMongoUri('executor'),
    testSettings({ EXECUTOR_MAX_COMMAND_TIMEOUT_MS: 30_000, EXECUTOR_FETCH_MAX_WAIT_MS: 50 }),
  );
  watch = await watchTopics();
}, 60_000);

afterAll(async () => {
  await watch.stop();
  await node.close();
  await fleet.close();
});

describe('live output (requests with streamOutput)', () => {
  it('when a slow show streams, then its first output arrives well before the result, and the pieces are exactly its output', async () => {
    const request = sealedRequest(ref('slow', 501), CREDS, {
      renderedCommand: 'show running-config',
      timeoutMs: 60_000,
      streamOutput: true,
    });

    await node.messaging.publish(topics.requests, request);
    const result = await resultOf(request);
    const chunks = await outputOf(request);

    expect(result.payload.outcome).toBe('succeeded');
    expect(result.payload.output.length).toBeGreaterThan(1_500);
    expect(joined(chunks)).toBe(result.payload.output);
    expect(chunks.length).toBeGreaterThan(2);
    // Keyed like the execution's other events: one partition per device, in order.
    expect(new Set(chunks.map((c) => c.key))).toEqual(new Set(['501']));
    const first = chunks[0] as Arrival<ExecutionEvent>;
    expect(result.at - first.at).toBeGreaterThan(1_000);
  }, 90_000);

  it("when two callers stream from one device in turn (one pooled session), then each output carries its own caller's correlation id", async () => {
    const device = ref('slow', 502);
    const requests = [1, 2].map(() =>
      sealedRequest(device, CREDS, {
        renderedCommand: 'show running-config',
        timeoutMs: 60_000,
        streamOutput: true,
      }),
    );
    const ids = [`first-${topics.id}`, `second-${topics.id}`];

    const seen: (string | undefined)[][] = [];
    for (const [i, request] of requests.entries()) {
      await node.messaging.publish(topics.requests, request, { correlationId: ids[i] });
      await resultOf(request);
      seen.push([...new Set((await outputOf(request)).map((c) => c.correlationId))]);
    }

    expect(seen).toEqual([[ids[0]], [ids[1]]]);
  }, 120_000);

  it('when a request does not ask to stream, then no output event is published for it', async () => {
    const request = sealedRequest(ref('quick', 502), CREDS, {
      renderedCommand: 'show running-config',
    });

    await node.messaging.publish(topics.requests, request);
    const result = await resultOf(request);
    // Events go out before the result: give any stray one time to arrive.
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(result.payload.output.length).toBeGreaterThan(500);
    expect(
      watch.events.filter(
        (e) => e.payload.executionId === request.executionId && e.payload.phase === 'output',
      ),
    ).toEqual([]);
  });

  it('when a config command streams, then its parts arrive and end with a last piece equal to the result output', async () => {
    const request = sealedRequest(ref('quick', 503), CREDS, {
      commandType: 'config',
      renderedCommand: 'interface GigabitEthernet0/2\ndescription streamed\nno such command',
      streamOutput: true,
    });

    await node.messaging.publish(topics.requests, request);
    const result = await resultOf(request);
    const chunks = await outputOf(request);

    expect(result.payload.errorClass).toBe('syntax_error');
    expect(result.payload.output).toMatch(/% Invalid input/);
    expect(joined(chunks)).toBe(result.payload.output);
  });

  it('when a command prints about 2 MB, then all of it streams in bounded chunks, equal to the result output', async () => {
    const request = sealedRequest(ref('host', 504), CREDS, {
      renderedCommand: 'seq 1 300000',
      timeoutMs: 60_000,
      streamOutput: true,
    });

    await node.messaging.publish(topics.requests, request);
    const result = await resultOf(request);
    const chunks = await outputOf(request);

    const output = result.payload.output;
    expect(output.length).toBeGreaterThan(1_900_000);
    expect(output.endsWith('\n299999\n300000')).toBe(true);
    const text = joined(chunks);
    expect(text.length).toBe(output.length);
    expect(text === output).toBe(true);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(RESULT_OUTPUT_MAX_BYTES);
    // Coalesced: about 16 Ki characters a chunk, not one per SSH read.
    expect(chunks.length).toBeLessThan(Math.ceil(output.length / 16_384) * 2);
  }, 90_000);
});
