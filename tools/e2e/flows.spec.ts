import { canTransition, statusOfOutcome } from '@toolkit/analytics-domain';
import type { JobItem, StatusPoint } from '@toolkit/analytics-domain';
import {
  deadLetterTopic,
  executionCancellationsTopic,
  executionCompletionsTopic,
  executionEventsTopic,
  executionRequestsTopic,
  executionResultsTopic,
} from '@toolkit/contracts';
import type { ExecutionCompletion, ExecutionRequest, ExecutionResult } from '@toolkit/contracts';
import { AppError } from '@toolkit/errors';
import { CancellationBook, ExecuteRequest } from '@toolkit/executor-domain';
import type {
  BatchProgressStore,
  ClaimStore,
  DeviceRunInput,
  ExecutionClaim,
} from '@toolkit/executor-domain';
import type { RunningConsumer } from '@toolkit/messaging';
import { createRegistry } from '@toolkit/metrics';
import {
  InMemoryMessaging,
  anExecutionBatch,
  anExecutionRequest,
  memoryLogger,
} from '@toolkit/testing';
import { createAnalyticsMetrics } from '../../apps/analytics/src/analytics-metrics';
import { startConsumers } from '../../apps/analytics/src/consumers/execution.consumers';
import { startExecutionConsumer } from '../../apps/executor/src/execution.consumer';
import { KafkaExecutionPublisher } from '../../apps/executor/src/execution.publisher';
import { createExecutorMetrics } from '../../apps/executor/src/executor.metrics';
import { KafkaExecutionBus } from '../../apps/gateway/src/executions/execution-adapters';

/**
 * Domain flows on the in-memory bus, without servers: the gateway's execution publishing
 * (`KafkaExecutionBus`) -> the executor's consumer and publisher as the service wires them,
 * around the pure ExecuteRequest use case with a stub device runner and in-memory claim and
 * progress stores -> the results topic -> analytics' consumers as the service wires them,
 * over in-memory repositories that keep one log per execution and move statuses with the
 * domain's transition rule -> the completions topic the gateways wait on.
 */

const TOPICS = [
  executionCompletionsTopic,
  executionRequestsTopic,
  executionResultsTopic,
  executionEventsTopic,
  executionCancellationsTopic,
  deadLetterTopic,
];

interface MemoryClaims extends ClaimStore {
  claims: Map<string, ExecutionClaim>;
  /** The next `count` claims fail as a database outage would (retriable). */
  failNextClaims(count: number): void;
}

/** Claims kept in a map: the durable record of config runs, as the repository keeps it. */
function memoryClaims(): MemoryClaims {
  const claims = new Map<string, ExecutionClaim>();
  let failing = 0;
  return {
    claims,
    failNextClaims: (count) => {
      failing = count;
    },
    claim: async (executionId, executorId, startedAt) => {
      if (failing > 0) {
        failing--;
        throw AppError.unavailable('MongoDB');
      }
      const existing = claims.get(executionId);
      if (existing) return { inserted: false, existing };
      claims.set(executionId, { status: 'started', executionId, executorId, startedAt });
      return { inserted: true };
    },
    finish: async (executionId, result) => {
      const claim = claims.get(executionId);
      if (claim) claims.set(executionId, { ...claim, status: 'finished', result });
    },
  };
}

function memoryProgress(): BatchProgressStore {
  const done = new Map<string, number>();
  return {
    doneCount: async (batchId) => done.get(batchId) ?? 0,
    record: async (batchId, count) =>
      void done.set(batchId, Math.max(done.get(batchId) ?? 0, count)),
  };
}

/**
 * Analytics' storage in memory: a log per execution (a redelivered result is a duplicate,
 * as the log's `_id` makes it in MongoDB) and statuses moved by the domain's rule.
 */
function memoryAnalytics() {
  const logs = new Map<string, { id: number; result: ExecutionResult }>();
  const statuses = new Map<string, StatusPoint>();
  const jobItems: JobItem[] = [];
  const move = (executionId: string, next: StatusPoint) => {
    if (canTransition(statuses.get(executionId), next)) statuses.set(executionId, next);
  };
  return {
    logs,
    statuses,
    jobItems,
    deps: {
      logs: {
        ingest: async (results: readonly ExecutionResult[]) => {
          let inserted = 0;
          const logIds = new Map<string, number>();
          for (const result of results) {
            const existing = logs.get(result.executionId);
            if (!existing) {
              logs.set(result.executionId, { id: logs.size + 1, result });
              inserted++;
            }
            logIds.set(result.executionId, logs.get(result.executionId)?.id ?? 0);
          }
          return { inserted, duplicates: results.length - inserted, rollupCells: 0, logIds };
        },
      },
      executions: {
        recordResults: async (results: readonly ExecutionResult[]) => {
          for (const r of results)
            move(r.executionId, { status: statusOfOutcome(r.outcome), attempt: r.attempt });
          return new Map(results.map((r) => [r.executionId, statuses.get(r.executionId)!]));
        },
        recordEvents: async () => new Map<string, StatusPoint>(),
        recordRequests: async () => new Map<string, StatusPoint>(),
      },
      bulkJobs: {
        record: async (items: readonly JobItem[]) => {
          jobItems.push(...items);
        },
      },
    },
  };
}

/** The stub device: answers every command with its text, in order of arrival. */
function stubRunner() {
  const runs: DeviceRunInput[] = [];
  return {
    runs,
    run: async (input: DeviceRunInput) => {
      runs.push(input);
      return {
        output: `${input.deviceName}# ${input.command}\nok`,
        exitCode: null,
        stderr: '',
        connectMs: 1,
      };
    },
  };
}

async function startFlow(options: { executors?: number } = {}) {
  const bus = new InMemoryMessaging({
    service: 'flow',
    topics: TOPICS,
    partitions: 3,
    retryBaseMs: 1,
    retryMaxMs: 5,
  });
  const { logger } = memoryLogger('flow');
  const runner = stubRunner();
  const claims = memoryClaims();
  const consumers: RunningConsumer[] = [];
  for (let n = 1; n <= (options.executors ?? 1); n++) {
    const publisher = new KafkaExecutionPublisher(
      bus,
      { results: executionResultsTopic, events: executionEventsTopic },
      logger,
    );
    const useCase = new ExecuteRequest({
      executorId: `executor-${n}`,
      maxCommandTimeoutMs: 60_000,
      runner,
      claims,
      publisher,
      startedEventDelayMs: 0,
      deferResultAck: true,
      cancellations: new CancellationBook({
        horizonMs: 60_000,
        jobHorizonMs: 60_000,
        maxEntries: 100,
      }),
      credentials: { open: () => ({ username: 'netops', password: 'pw' }) },
    });
    consumers.push(
      await startExecutionConsumer({
        messaging: bus,
        contract: executionRequestsTopic,
        groupId: 'toolkit-executor',
        useCase,
        progress: memoryProgress(),
        metrics: createExecutorMetrics(createRegistry(`executor-${n}`, { defaultMetrics: false }), {
          openSessions: () => 0,
          breakers: () => ({ open: 0, halfOpen: 0, openDevices: [] }),
        }),
        logger,
        partitionsConsumedConcurrently: 1,
        batchParallelism: 4,
        maxBatchSize: 100,
        maxWaitTimeMs: 100,
        sessionTimeoutMs: 30_000,
      }),
    );
  }
  const analytics = memoryAnalytics();
  consumers.push(
    ...(await startConsumers({
      messaging: bus,
      ...analytics.deps,
      metrics: createAnalyticsMetrics(createRegistry('analytics', { defaultMetrics: false })),
      groupPrefix: 'analytics',
      batchSize: 100,
      consumeRequests: true,
      maxWaitTimeMs: 100,
    })),
  );
  const gateway = new KafkaExecutionBus(bus);
  const results = () => bus.envelopes<ExecutionResult>(executionResultsTopic);
  const completions = () =>
    bus.envelopes<ExecutionCompletion>(executionCompletionsTopic).map((e) => e.payload);
  return { bus, gateway, runner, claims, consumers, results, analytics, completions };
}

type Flow = Awaited<ReturnType<typeof startFlow>>;

describe('execution flow on the in-memory bus (gateway -> executor -> analytics)', () => {
  let flow: Flow;

  afterEach(async () => {
    await flow.bus.disconnect();
  });

  it('when the gateway publishes a show request, then the executor runs it once and one result is published, keyed by device, from a correlated request', async () => {
    flow = await startFlow();
    const request = anExecutionRequest({ renderedCommand: 'show version' });

    await flow.gateway.publishRequest(request, 'corr-1');
    await flow.bus.idle();

    expect(flow.runner.runs.map((r) => r.command)).toEqual(['show version']);
    const results = flow.results();
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({
      type: 'execution.finished',
      payload: {
        executionId: request.executionId,
        outcome: 'succeeded',
        success: true,
        output: 'R1# show version\nok',
        executorId: 'executor-1',
      },
    });
    expect(flow.bus.records(executionResultsTopic)[0]?.key).toBe(String(request.device.id));
    // The request carries the correlation id; the executor's results do not (yet) repeat it.
    expect(flow.bus.envelopes(executionRequestsTopic)[0]?.correlationId).toBe('corr-1');
    expect(
      flow.bus.envelopes<{ phase: string }>(executionEventsTopic).map((e) => e.payload.phase),
    ).toEqual(['started', 'finished']);
    expect(flow.bus.deadLetters()).toEqual([]);
  });

  it("when one device gets several requests, then they run in publishing order and their results keep it on the device's partition", async () => {
    flow = await startFlow();
    const device = {
      id: 42,
      name: 'edge-42',
      host: '10.0.0.42',
      port: 22,
      platform: 'cisco_ios' as const,
    };
    const requests = ['show a', 'show b', 'show c'].map((command) =>
      anExecutionRequest({ device, renderedCommand: command }),
    );

    for (const r of requests) await flow.gateway.publishRequest(r);
    await flow.bus.idle();

    expect(flow.runner.runs.map((r) => r.command)).toEqual(['show a', 'show b', 'show c']);
    const records = flow.bus.records(executionResultsTopic);
    expect(new Set(records.map((r) => r.partition)).size).toBe(1);
    expect(flow.results().map((e) => e.payload.executionId)).toEqual(
      requests.map((r) => r.executionId),
    );
  });

  it('when a config request is delivered twice, then it runs once and the second delivery republishes its result', async () => {
    flow = await startFlow();
    const request = anExecutionRequest({ commandType: 'config', renderedCommand: 'hostname r1' });

    await flow.gateway.publishRequest(request);
    await flow.bus.idle();
    await flow.gateway.publishRequest(request);
    await flow.bus.idle();

    expect(flow.runner.runs).toHaveLength(1);
    const results = flow.results().map((e) => e.payload);
    expect(results).toHaveLength(2);
    expect(results[1]).toEqual(results[0]);
    expect(flow.claims.claims.get(request.executionId)?.status).toBe('finished');
  });

  it('when the claim store is briefly down, then the request is retried and succeeds with one result', async () => {
    flow = await startFlow();
    flow.claims.failNextClaims(2);
    const request = anExecutionRequest({ commandType: 'config', renderedCommand: 'hostname r2' });

    await flow.gateway.publishRequest(request);
    await flow.bus.idle();

    expect(flow.runner.runs).toHaveLength(1);
    expect(flow.results().map((e) => e.payload.executionId)).toEqual([request.executionId]);
    expect(
      flow.bus.outcomes.filter(
        (o) => o.topic === executionRequestsTopic.topic && o.groupId === 'toolkit-executor',
      ),
    ).toMatchObject([
      { kind: 'failed', attempt: 1 },
      { kind: 'failed', attempt: 2 },
      { kind: 'handled' },
    ]);
    expect(flow.bus.deadLetters()).toEqual([]);
  });

  it('when a poison message reaches the requests topic, then it is dead-lettered and the next request still runs', async () => {
    flow = await startFlow();
    const request = anExecutionRequest();

    flow.bus.produceRaw(executionRequestsTopic, {
      key: String(request.device.id),
      value: '{"eventId":1}',
    });
    await flow.gateway.publishRequest(request);
    await flow.bus.idle();

    // Each group that reads the topic (the executors, analytics) dead-letters it once.
    const deadLetters = flow.bus.deadLetters();
    expect(deadLetters.map((d) => d.consumerGroup).sort()).toEqual([
      'analytics-requests',
      'toolkit-executor',
    ]);
    for (const d of deadLetters)
      expect(d).toMatchObject({
        sourceTopic: executionRequestsTopic.topic,
        reason: 'invalid-envelope',
      });
    expect(flow.results().map((e) => e.payload.executionId)).toEqual([request.executionId]);
    await expect(flow.bus.ping()).resolves.toBeUndefined();
  });

  it("when a bulk job's device batch is published, then its items run in order on that device and each gets one result", async () => {
    flow = await startFlow();
    const items = ['show 1', 'show 2', 'show 3'].map((command) =>
      anExecutionRequest({ renderedCommand: command }),
    );
    const batch = anExecutionBatch(items);

    await flow.gateway.publishBatches([batch]);
    await flow.bus.idle();

    expect(flow.runner.runs.map((r) => r.command)).toEqual(['show 1', 'show 2', 'show 3']);
    expect(flow.results().map((e) => e.payload.executionId)).toEqual(
      items.map((i) => i.executionId),
    );
    expect(flow.results().every((e) => e.payload.bulkJobId === batch.bulkJobId)).toBe(true);
  });

  it('when two executors share the group, then every request runs exactly once across them', async () => {
    flow = await startFlow({ executors: 2 });
    const requests: ExecutionRequest[] = Array.from({ length: 30 }, (_, i) =>
      anExecutionRequest({
        device: { id: i + 1, name: `d${i + 1}`, host: '10.0.0.1', port: 22, platform: 'cisco_ios' },
      }),
    );

    for (const r of requests) await flow.gateway.publishRequest(r);
    await flow.bus.idle();

    const ids = flow.results().map((e) => e.payload.executionId);
    expect(ids.sort()).toEqual(requests.map((r) => r.executionId).sort());
    expect(new Set(flow.results().map((e) => e.payload.executorId))).toEqual(
      new Set(['executor-1', 'executor-2']),
    );
    await expect(flow.bus.countGroupMembers('toolkit-executor')).resolves.toBe(2);
  });

  it('when a result reaches analytics, then it is logged once, its execution moves to its outcome, and one completion names the log', async () => {
    flow = await startFlow();
    const request = anExecutionRequest({ renderedCommand: 'show clock' });

    await flow.gateway.publishRequest(request, 'corr-2');
    await flow.bus.idle();

    expect([...flow.analytics.logs.keys()]).toEqual([request.executionId]);
    expect(flow.analytics.statuses.get(request.executionId)?.status).toBe('succeeded');
    expect(flow.completions()).toEqual([
      expect.objectContaining({
        executionId: request.executionId,
        outcome: 'succeeded',
        success: true,
        commandLogId: 1,
      }),
    ]);
  });

  it('when a result is delivered again, then analytics keeps one log and announces the same log again', async () => {
    flow = await startFlow();
    const request = anExecutionRequest({ renderedCommand: 'show clock' });
    await flow.gateway.publishRequest(request);
    await flow.bus.idle();
    const [first] = flow.results();

    await flow.bus.publish(executionResultsTopic, first!.payload);
    await flow.bus.idle();

    expect(flow.analytics.logs.size).toBe(1);
    expect(flow.completions().map((c) => [c.executionId, c.commandLogId])).toEqual([
      [request.executionId, 1],
      [request.executionId, 1],
    ]);
  });

  it('when a bulk batch runs, then analytics folds each finished item into its job and announces it', async () => {
    flow = await startFlow();
    const batch = anExecutionBatch(
      ['show 1', 'show 2', 'show 3'].map((command) =>
        anExecutionRequest({ renderedCommand: command }),
      ),
    );

    await flow.gateway.publishBatches([batch]);
    await flow.bus.idle();

    expect(flow.analytics.logs.size).toBe(3);
    expect(
      flow.analytics.jobItems
        .filter((item) => item.point?.status === 'succeeded')
        .map((item) => [item.jobId, item.executionId])
        .sort(),
    ).toEqual(batch.items.map((item) => [batch.bulkJobId, item.executionId]).sort());
    expect(flow.completions()).toHaveLength(3);
  });
});
