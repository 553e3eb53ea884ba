import request from 'supertest';
import { anExecutionResult } from '@toolkit/testing';
import { appOnly, internalHeaders } from './support';

/**
 * Devices may print NUL bytes, which FerretDB cannot keep: it refused the insert there,
 * reporting no write error, and the ingest took that for success: the logs after it were
 * lost while the statistics counted them, once per redelivery. Such text is stored with
 * U+FFFD instead, and a refusal the ingest does not understand fails the batch.
 */
describe('command logs: device output the store cannot keep as it is', () => {
  let ctx: Awaited<ReturnType<typeof appOnly>>;

  beforeEach(async () => {
    ctx = await appOnly();
  });

  afterEach(async () => {
    await ctx.infra.close();
  });

  it('when a result holds NUL characters, then every log is stored, NULs as U+FFFD, and counted once, also when redelivered', async () => {
    const results = Array.from({ length: 7 }, (_, i) =>
      anExecutionResult({
        output: i === 3 ? 'bad\u0000output' : `ok ${i}`,
        ...(i === 5
          ? {
              errorMessage: 'x\u0000y',
              success: false as const,
              errorClass: 'command_failed' as const,
            }
          : {}),
      }),
    );

    await ctx.logs.ingest(results);
    await ctx.logs.ingest(results);
    const list = await request(ctx.app)
      .get('/api/plugins/toolkit/command-logs/?limit=100&ordering=id')
      .set(internalHeaders());
    const stats = await request(ctx.app)
      .get('/api/plugins/toolkit/command-logs/statistics/')
      .set(internalHeaders());

    expect([list.body.count, stats.body.total_logs]).toEqual([7, 7]);
    expect(list.body.results[3].output).toBe('bad\uFFFDoutput');
    expect(list.body.results[5].error_message).toBe('x\uFFFDy');
  });
});
