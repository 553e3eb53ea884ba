import request from 'supertest';
import { CommandLogRepository } from '@toolkit/analytics-data-access';
import type { ExecutionResult } from '@toolkit/contracts';
import { anExecutionResult, connectTestInfra } from '@toolkit/testing';
import type { TestInfra } from '@toolkit/testing';
import { anUnknownConfigResult, appOnly, internalHeaders } from './support';

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

  /** The n-th call of `method` (1-based) fails: before it reaches the server, or after it applied (a lost reply). */
  function failCall<T extends object>(
    target: T,
    method: keyof T & string,
    n: number,
    when: 'before' | 'after' = 'before',
  ): void {
    const real = (target[method] as (...args: unknown[]) => Promise<unknown>).bind(target);
    const spy = jest.spyOn(target, method as never) as jest.SpyInstance;
    for (let i = 1; i < n; i++) spy.mockImplementationOnce(real);
    spy.mockImplementationOnce(async (...args: unknown[]) => {
      if (when === 'after') await real(...args);
      throw new Error(when === 'after' ? 'reply lost' : 'killed');
    });
  }
  const faults: Record<string, (logs: CommandLogRepository) => void> = {
    'writing the ledger entries': (logs) => failCall(logs.ledger.collection, 'insertMany', 1),
    'writing the intent': (logs) => failCall(logs.intents.collection, 'insertOne', 1),
    'writing the second part of the intent': (logs) =>
      failCall(logs.intents.collection, 'insertOne', 2),
    'applying the second write command of increments': (logs) =>
      failCall(logs.rollups.collection, 'bulkWrite', 2),
    'applying the first write command of increments (applied, its reply lost)': (logs) =>
      failCall(logs.rollups.collection, 'bulkWrite', 1, 'after'),
  };
  /** Small parts and write commands, so that one batch spans several of each. */
  const small = { intentPartCells: 40, writeChunk: 20 };

  /** The batch ingested twice more by a restarted process: nothing new, same statistics. */
  async function redelivered(results: ExecutionResult[]) {
    const restarted = new CommandLogRepository(ctx.infra.mongo.connection);
    const again = await restarted.ingest(results);
    const twice = await restarted.ingest(results);
    return { again, twice, stats: await statisticsOf(ctx.app) };
  }

  it.each(Object.keys(faults))(
    'when a batch stops while %s, then the redelivered batch counts each log once',
    async (where) => {
      const results = aBatch();
      const expected = await reference(results);
      const failing = new CommandLogRepository(ctx.infra.mongo.connection, small);
      faults[where]?.(failing);

      await expect(failing.ingest(results)).rejects.toThrow();
      jest.restoreAllMocks();
      const { again, twice, stats } = await redelivered(results);

      expect(again).toMatchObject({ inserted: 0, duplicates: 60 });
      expect(twice).toMatchObject({ inserted: 0, duplicates: 60 });
      expect(stats).toMatchObject({ source: 'rollups', total_logs: 60 });
      expect(stats).toEqual(expected);
    },
  );

  it('when a process stops after its increments, before another batch wrote its finished marker, then the redelivered batch counts each log once', async () => {
    const results = aBatch();
    const expected = await reference(results);
    const stopped = new CommandLogRepository(ctx.infra.mongo.connection, small);

    const first = await stopped.ingest(results);
    const { again, twice, stats } = await redelivered(results);

    expect(first).toMatchObject({ inserted: 60, duplicates: 0 });
    expect(again).toMatchObject({ inserted: 0, duplicates: 60 });
    expect(twice).toMatchObject({ inserted: 0, duplicates: 60 });
    expect(stats).toEqual(expected);
  });

  it("when a batch follows another, then the earlier one's finished marker is written with its entries", async () => {
    const logs = new CommandLogRepository(ctx.infra.mongo.connection);
    const markers = () =>
      logs.ledger.collection.countDocuments({ _id: { $regex: '^finished:' } } as never);

    await logs.ingest(aBatch());
    const afterFirst = await markers();
    await logs.ingest(aBatch());

    expect([afterFirst, await markers()]).toEqual([0, 1]);
  });

  it('when a failed batch is retried after another batch of the same process wrote the same cells, then both count once', async () => {
    const first = aBatch();
    // The same devices and commands: the same rollup cells.
    const second = aBatch();
    const expected = await reference([...first, ...second]);
    const logs = new CommandLogRepository(ctx.infra.mongo.connection, small);
    faults['applying the second write command of increments']?.(logs);

    await expect(logs.ingest(first)).rejects.toThrow();
    jest.restoreAllMocks();
    await logs.ingest(second);
    await logs.ingest(first);
    const stats = await statisticsOf(ctx.app);

    expect(stats).toMatchObject({ source: 'rollups', total_logs: 120 });
    expect(stats).toEqual(expected);
  });

  it('when a batch that only moves a superseded log stops half-way, then the redelivered result finishes the move', async () => {
    const device = { id: 5_999, name: 'rr-config', platform: 'arista_eos' as const };
    const unknown = anUnknownConfigResult({ device });
    const definitive = anExecutionResult({
      executionId: unknown.executionId,
      commandType: 'config',
      device,
      output: 'ok',
    });
    const clean = await appOnly();
    await clean.logs.ingest([unknown]);
    await clean.logs.ingest([definitive]);
    const expected = await statisticsOf(clean.app);
    await clean.infra.close();
    const logs = new CommandLogRepository(ctx.infra.mongo.connection, { writeChunk: 2 });
    await logs.ingest([unknown]);
    faults['applying the second write command of increments']?.(logs);

    await expect(logs.ingest([definitive])).rejects.toThrow();
    jest.restoreAllMocks();
    await new CommandLogRepository(ctx.infra.mongo.connection).ingest([definitive]);
    const stats = await statisticsOf(ctx.app);

    expect(stats).toMatchObject({ source: 'rollups', total_logs: 1, success_rate: 100 });
    expect(stats).toEqual(expected);
  });

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
      const failing = new CommandLogRepository(ctx.infra.mongo.connection, small);
      faults['applying the second write command of increments']?.(failing);
      await expect(failing.ingest(results)).rejects.toThrow();
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
