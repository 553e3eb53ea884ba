import { executionResultsTopic, onTopic } from '@toolkit/contracts';
import { KafkaMessaging } from '@toolkit/messaging';
import { anExecutionResult, memoryLogger, testInfra } from '@toolkit/testing';
import { KafkaExecutionPublisher } from '../src/execution.publisher';
import { results, uniqueTopics } from './executor-harness';

// A results topic that accepts less than one result needs (an operator-owned topic still
// at a small limit): the result is published cut down, with a note, and the results
// coalesced into the same produce request are not refused with it.
describe('execution publisher, result larger than the results topic accepts', () => {
  const { logger, lines } = memoryLogger('executor');
  let messaging: KafkaMessaging;

  beforeAll(async () => {
    messaging = new KafkaMessaging({ service: 'executor', brokers: testInfra().brokers, logger });
    await messaging.connect();
  });

  afterAll(async () => {
    await messaging.disconnect();
  });

  it('when one of several coalesced results is too large, then it arrives cut with a note and the others arrive whole', async () => {
    const base = uniqueTopics(1);
    const topics = {
      ...base,
      results: onTopic({ ...executionResultsTopic, maxMessageBytes: 200_000 }, base.results.topic),
    };
    await messaging.ensureTopics([topics.results, topics.events], {
      partitions: 1,
      replicationFactor: 1,
    });
    const publisher = new KafkaExecutionPublisher(messaging, topics, logger);
    const small = [anExecutionResult(), anExecutionResult()];
    const big = anExecutionResult({ output: 'interface Ethernet1/1\n'.repeat(25_000) });

    // Added together: the first goes at once, the other two are coalesced into one send.
    await Promise.all([small[0], big, small[1]].map((r) => r && publisher.publishResult(r)));
    const got = await results(topics, 3);
    const byId = new Map(got.map((r) => [r.executionId, r]));
    const cut = byId.get(big.executionId);

    expect(small.map((r) => byId.get(r.executionId))).toEqual(small);
    expect(cut?.output.length).toBeLessThan(200_000);
    expect(cut?.output.length).toBeGreaterThan(100_000);
    expect(big.output.startsWith(cut?.output ?? '-')).toBe(true);
    expect(cut?.errorMessage).toMatch(
      /^Output cut to \d+ of 550000 bytes: the results topic accepts messages up to 183616 bytes\.$/,
    );
    expect(lines().some((l) => l['executionId'] === big.executionId)).toBe(true);
  });
});
