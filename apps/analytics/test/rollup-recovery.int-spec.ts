import request from 'supertest';
import { CommandLogRepository } from '@toolkit/analytics-data-access';
import type { ExecutionResult } from '@toolkit/contracts';
import { anExecutionResult, connectTestInfra } from '@toolkit/testing';
import type { TestInfra } from '@toolkit/testing';
import { appOnly, internalHeaders } from './support';

/**
 * Analytics killed or failing in the middle of a batch's rollup writes: the redelivered
 * batch (here: the same results ingested again by a new repository, as after a restart)
 * counts every log exactly once, whichever write the batch stopped at. Each test has its
 * own database; the reference is the same results ingested once, without a fault.
 */
describe('rollups when a batch stops part-way (real MongoDB-wire server)', () => {
  let ctx: Awaited<ReturnType<typeof appOnly>>;

  beforeEach(async () => {
    ctx = await appOnly();
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await ctx.infra.close();
  });

  /** 60 results over 60 devices and 3 commands, one in six failed: more cells than one write command holds. */
  const aBatch = (): ExecutionResult[] =>
    Array.from({ length: 60 }, (_, i) =>
      anExecutionResult({
        device: { id: 5_000 + i, name: `rr-${i}`, platform: i % 2 ? 'cisco_ios' : 'arista_eos' },
        command: { id: 70 + (i % 3), name: `show thing ${i % 3}` },
        ...(i % 6 === 0
          ? {
              success: false,
              outcome: 'failed' as const,
              errorClass: 'syntax_error',
              errorMessage: '% Invalid input detected',
            }
          : {}),
      }),
    );

  const statisticsOf = async (app: typeof ctx.app) =>
    (
      await request(app)
        .get('/api/plugins/toolkit/command-logs/statistics/?top=100')
        .set(internalHeaders())
    ).body as Record<string, unknown>;

  async function reference(results: ExecutionResult[]): Promise<Record<string, unknown>> {
    const clean = await appOnly();
    try {
      await clean.logs.ingest(results);
      return await statisticsOf(clean.app);
    } finally {
      await clean.infra.close();
    }
  }

  const crash = () => Promise.reject(new Error('killed'));
  const faults: [string, (logs: CommandLogRepository) => void][] = [
    [
      'writing the ledger entries',
      (logs) => jest.spyOn(logs.ledger.collection, 'insertMany').mockImplementationOnce(crash),
    ],
    [
      'writing the intent',
      (logs) => jest.spyOn(logs.intents.collection, 'insertOne').mockImplementationOnce(crash),
    ],
    [
      'applying the second write command of increments',
      (logs) => {
        const collection = logs.rollups.collection;
        const bulkWrite = collection.bulkWrite.bind(collection);
        jest
          .spyOn(collection, 'bulkWrite')
          .mockImplementationOnce(bulkWrite)
          .mockImplementationOnce(crash);
      },
    ],
    [
      'marking the batch finished',
      (logs) => {
        const collection = logs.ledger.collection;
        const insertMany = collection.insertMany.bind(collection);
        jest
          .spyOn(collection, 'insertMany')
          .mockImplementationOnce(insertMany)
          .mockImplementationOnce(crash);
      },
    ],
  ];

  it.each(faults)(
    'when a batch stops while %s, then the redelivered batch counts each log once',
    async (_where, inject) => {
      const results = aBatch();
      const expected = await reference(results);
      inject(ctx.logs);

      await expect(ctx.logs.ingest(results)).rejects.toThrow();
      jest.restoreAllMocks();
      const restarted = new CommandLogRepository(ctx.infra.mongo.connection);
      const again = await restarted.ingest(results);
      const twice = await restarted.ingest(results);
      const stats = await statisticsOf(ctx.app);

      expect(again).toMatchObject({ inserted: 0, duplicates: 60 });
      expect(twice).toMatchObject({ inserted: 0, duplicates: 60 });
      expect(stats).toMatchObject({ source: 'rollups', total_logs: 60 });
      expect(stats).toEqual(expected);
    },
  );

  describe('when two replicas finish the same half-applied batch at once', () => {
    let second: TestInfra;

    beforeEach(async () => {
      second = await connectTestInfra('analytics', { mongoUri: ctx.infra.mongoUri });
    });

    afterEach(async () => {
      await second.close();
    });

    it('then each rollup cell takes the batch once', async () => {
      const results = aBatch();
      const expected = await reference(results);
      faults[2]?.[1](ctx.logs);
      await expect(ctx.logs.ingest(results)).rejects.toThrow();
      jest.restoreAllMocks();

      const [a, b] = [ctx.infra, second].map(
        (infra) => new CommandLogRepository(infra.mongo.connection),
      ) as [CommandLogRepository, CommandLogRepository];
      await Promise.all([a.ingest(results), b.ingest(results)]);
      const stats = await statisticsOf(ctx.app);

      expect(stats).toMatchObject({ source: 'rollups', total_logs: 60 });
      expect(stats).toEqual(expected);
    });
  });
});
