import type { ExecutionResult } from '@toolkit/contracts';
import { ExecuteRequest } from '@toolkit/executor-domain';
import type { DeviceRunInput, DeviceRunOutput } from '@toolkit/executor-domain';
import { KafkaMessaging } from '@toolkit/messaging';
import type { RunningConsumer } from '@toolkit/messaging';
import { createRegistry } from '@toolkit/metrics';
import { anExecutionRequest, memoryLogger, testInfra } from '@toolkit/testing';
import { startExecutionConsumer } from '../src/execution.consumer';
import { KafkaExecutionPublisher } from '../src/execution.publisher';
import { createExecutorMetrics } from '../src/executor.metrics';
import { results, uniqueTopics } from './executor-harness';

// The consumer's batch retry over a real broker: one result's acknowledgement fails (a
// broker error, injected at the publisher port), so the batch is retried. Nothing may run
// twice on the device, the failed result must still arrive, and results the broker had
// already acknowledged must not be published again.
describe('execution consumer, batch retried after a failed acknowledgement', () => {
  const { logger } = memoryLogger('executor');
  let messaging: KafkaMessaging;
  let consumer: RunningConsumer | undefined;

  beforeAll(async () => {
    messaging = new KafkaMessaging({ service: 'executor', brokers: testInfra().brokers, logger });
    await messaging.connect();
  });

  afterAll(async () => {
    await consumer?.stop();
    await messaging.disconnect();
  });

  it('when one acknowledgement fails, then no command runs twice, the failed result is republished and acknowledged ones are not', async () => {
    const topics = uniqueTopics(1);
    await messaging.ensureTopics([topics.requests, topics.results], {
      partitions: 1,
      replicationFactor: 1,
    });
    const device = (id: number) => ({
      id,
      name: `d${id}`,
      host: '127.0.0.1',
      port: 1,
      platform: 'cisco_ios' as const,
    });
    const requests = [
      anExecutionRequest({ device: device(1), renderedCommand: 'show clock' }),
      anExecutionRequest({ device: device(1), renderedCommand: 'show version' }),
      anExecutionRequest({ device: device(2), renderedCommand: 'show clock' }),
    ];
    const failOnce = requests[1]?.executionId;
    const runs: string[] = [];
    const real = new KafkaExecutionPublisher(messaging, topics, logger);
    let failed = false;
    const useCase = new ExecuteRequest({
      executorId: 'ex-retry',
      maxCommandTimeoutMs: 5_000,
      runner: {
        run: async (input: DeviceRunInput): Promise<DeviceRunOutput> => {
          runs.push(input.executionId);
          return { output: `out ${input.command}`, exitCode: null, stderr: '', connectMs: null };
        },
      },
      credentials: { open: () => ({ username: 'u', password: 'p' }) },
      claims: { claim: async () => ({ inserted: true }), finish: async () => undefined },
      publisher: {
        publishResult: (result: ExecutionResult) => {
          if (result.executionId === failOnce && !failed) {
            failed = true;
            return Promise.reject(new Error('broker did not acknowledge'));
          }
          return real.publishResult(result);
        },
        publishEvent: (event) => real.publishEvent(event),
      },
      deferResultAck: true,
      startedEventDelayMs: null,
    });

    consumer = await startExecutionConsumer({
      messaging,
      contract: topics.requests,
      groupId: `retry-${topics.id}`,
      useCase,
      progress: { doneCount: () => Promise.resolve(0), record: () => Promise.resolve() },
      metrics: createExecutorMetrics(createRegistry('executor', { defaultMetrics: false }), {
        openSessions: () => 0,
        breakers: () => ({ open: 0, halfOpen: 0, openDevices: [] }),
      }),
      logger,
      partitionsConsumedConcurrently: 1,
      batchParallelism: 8,
      maxBatchSize: 10,
      maxWaitTimeMs: 500,
      sessionTimeoutMs: 6_000,
    });
    await messaging.publishMany(topics.requests, requests);
    const got = await results(topics, 3);
    // Anything published twice would arrive within this wait.
    const late = await results(topics, 4, () => true, 3_000).catch(() => undefined);

    expect(failed).toBe(true);
    expect([...runs].sort()).toEqual(requests.map((r) => r.executionId).sort());
    expect(got.map((r) => r.executionId).sort()).toEqual(requests.map((r) => r.executionId).sort());
    expect(late).toBeUndefined();
  });
});
