import request from 'supertest';
import type { ExecutionResult } from '@toolkit/contracts';
import { anExecutionResult } from '@toolkit/testing';
import { anUnknownConfigResult, appOnly, internalHeaders } from './support';

/**
 * A config run whose executor stalled is reported `unknown` by the executor that got the
 * request next; when the first one finishes after all, its definitive result replaces the
 * `unknown` log (same id), and the statistics move with it. Each test has its own database.
 */
describe('command logs: an unknown outcome gives way to the definitive one', () => {
  let ctx: Awaited<ReturnType<typeof appOnly>>;

  beforeEach(async () => {
    ctx = await appOnly();
  });

  afterEach(async () => {
    await ctx.infra.close();
  });

  const device = { id: 31, name: 'dist-sw-07', platform: 'arista_eos' as const };
  const unknownOf = (executionId?: string): ExecutionResult =>
    anUnknownConfigResult({ ...(executionId ? { executionId } : {}), device });
  const definitiveOf = (executionId: string): ExecutionResult =>
    anExecutionResult({
      executionId,
      commandType: 'config',
      device,
      output: 'dist-sw-07(config)#',
      executorId: 'slow',
    });
  const logsOf = async (executionId: string) =>
    (
      await request(ctx.app)
        .get(`/api/plugins/toolkit/command-logs/?execution_id=${executionId}`)
        .set(internalHeaders())
    ).body as { count: number; results: Record<string, unknown>[] };
  const statistics = async () =>
    (
      await request(ctx.app)
        .get('/api/plugins/toolkit/command-logs/statistics/')
        .set(internalHeaders())
    ).body as {
      total_logs: number;
      success_rate: number;
      by_error_class: { error_class: string; count: number }[];
    };

  it('when the definitive result arrives after the unknown one, then the log is replaced in place and counted once as a success', async () => {
    const unknown = unknownOf();
    await ctx.logs.ingest([unknown]);
    const before = await logsOf(unknown.executionId);

    const outcome = await ctx.logs.ingest([definitiveOf(unknown.executionId)]);
    const after = await logsOf(unknown.executionId);
    const stats = await statistics();

    expect(outcome.duplicates).toBe(1);
    expect(after.count).toBe(1);
    expect(after.results[0]).toMatchObject({
      id: before.results[0]?.['id'],
      created: before.results[0]?.['created'],
      success: true,
      output: 'dist-sw-07(config)#',
    });
    expect(stats.total_logs).toBe(1);
    expect(stats.success_rate).toBe(100);
    expect(stats.by_error_class).toEqual([]);
  });

  it('when the unknown result is redelivered after the definitive one, or both come in one batch, then the definitive one stays', async () => {
    const late = unknownOf();
    const batched = unknownOf();
    await ctx.logs.ingest([definitiveOf(late.executionId)]);

    await ctx.logs.ingest([late]);
    await ctx.logs.ingest([batched, definitiveOf(batched.executionId)]);
    const stats = await statistics();

    for (const id of [late.executionId, batched.executionId]) {
      const logs = await logsOf(id);
      expect(logs.count).toBe(1);
      expect(logs.results[0]).toMatchObject({ success: true, output: 'dist-sw-07(config)#' });
    }
    expect(stats.total_logs).toBe(2);
    expect(stats.success_rate).toBe(100);
  });

  it('when two definitive results arrive, then the first is kept (only unknown gives way)', async () => {
    const first = anExecutionResult({ device, success: false, outcome: 'failed' });
    await ctx.logs.ingest([first]);

    await ctx.logs.ingest([definitiveOf(first.executionId)]);
    const logs = await logsOf(first.executionId);
    const stats = await statistics();

    expect(logs.results[0]).toMatchObject({ success: false });
    expect(stats.total_logs).toBe(1);
    expect(stats.success_rate).toBe(0);
  });
});
