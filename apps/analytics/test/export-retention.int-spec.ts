import request from 'supertest';
import { parseCsv } from '@toolkit/analytics-domain';
import { COMMAND_LOG_CSV_COLUMNS } from '@toolkit/api-contracts';
import type { ExecutionResult } from '@toolkit/contracts';
import { anExecutionResult } from '@toolkit/testing';
import { createAnalyticsMetrics } from '../src/analytics-metrics';
import { RetentionJob } from '../src/retention';
import { appOnly, internalHeaders } from './support';

const at = (iso: string) => ({
  requestedAt: iso,
  startedAt: iso,
  finishedAt: iso,
  connectMs: 1,
  durationMs: 250,
});
const NASTY = 'Interface, "Gi0/1"\r\nline two, with "quotes"\nline three\t=SUM(A1)';

describe('command log exports and retention', () => {
  let ctx: Awaited<ReturnType<typeof appOnly>>;
  let seeded: ExecutionResult[];

  beforeAll(async () => {
    ctx = await appOnly(() => new Date('2026-05-20T12:00:00Z'));
    seeded = [
      anExecutionResult({
        output: NASTY,
        timings: at('2026-05-01T00:00:00.000Z'),
        device: { id: 1, name: 'a,b', platform: 'linux' },
      }),
      anExecutionResult({ output: 'plain', timings: at('2026-05-02T23:59:59.999Z') }),
      anExecutionResult({
        output: '-- leading dash',
        success: false,
        outcome: 'failed',
        errorClass: 'command_failed',
        errorMessage: 'Failed, "really"',
        timings: at('2026-05-03T00:00:00.000Z'),
      }),
    ];
    await ctx.logs.ingest(seeded);
  });

  afterAll(async () => {
    await ctx.infra.close();
  });

  const exportOf = (query: string) =>
    request(ctx.app)
      .get(`/api/plugins/toolkit/command-logs/export/${query}`)
      .set(internalHeaders())
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => done(null, text));
      });

  it('when exported as CSV, then it parses back to the stored values (commas, quotes, newlines; a leading formula character quoted) with the original columns first', async () => {
    const response = await exportOf('?format=csv&ordering=execution_time');

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(response.headers['content-disposition']).toMatch(
      /^attachment; filename="command_logs_\d{8}_\d{6}\.csv"$/,
    );
    const rows = parseCsv(response.body as string);
    expect(rows[0]).toEqual([...COMMAND_LOG_CSV_COLUMNS]);
    expect(rows[0]?.slice(0, 8)).toEqual([
      'ID',
      'Command',
      'Device',
      'User',
      'Success',
      'Created',
      'Execution Time',
      'Error Message',
    ]);
    const column = (name: string) => COMMAND_LOG_CSV_COLUMNS.indexOf(name as never);
    expect(rows.slice(1).map((r) => r[column('Output')])).toEqual([
      NASTY,
      'plain',
      // A spreadsheet would read it as a formula: OWASP's leading quote.
      "'-- leading dash",
    ]);
    expect(rows[1]?.[column('Device')]).toBe('a,b');
    expect(rows[3]?.[column('Error Message')]).toBe('Failed, "really"');
    expect(rows[3]?.[column('Success')]).toBe('false');
    expect(rows[1]?.[column('Execution Time')]).toBe('2026-05-01T00:00:00.000Z');
  });

  it('when exported as JSON and NDJSON (format or export_format), then both hold every matching log', async () => {
    const json = await exportOf('?export_format=json&success=true');
    const ndjson = await exportOf('?format=ndjson');

    const parsed = JSON.parse(json.body as string);
    expect(parsed.count).toBe(2);
    expect(parsed.results).toHaveLength(2);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    const lines = (ndjson.body as string)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.execution_id).sort()).toEqual(
      seeded.map((s) => s.executionId).sort(),
    );
    expect(lines.find((l) => l.output === NASTY)).toBeDefined();
  });

  it('when start_date and end_date are given, then both days are included whole', async () => {
    const both = await exportOf('?format=ndjson&start_date=2026-05-01&end_date=2026-05-02');
    const last = await exportOf('?format=ndjson&start_date=2026-05-03&end_date=2026-05-03');

    expect((both.body as string).trim().split('\n')).toHaveLength(2);
    expect((last.body as string).trim().split('\n')).toHaveLength(1);
  });

  it('when a date or the format is malformed, then 400 names the parameter', async () => {
    const start = await request(ctx.app)
      .get('/api/plugins/toolkit/command-logs/export/?start_date=2026-13-01')
      .set(internalHeaders());
    const end = await request(ctx.app)
      .get('/api/plugins/toolkit/command-logs/export/?end_date=yesterday')
      .set(internalHeaders());
    const format = await request(ctx.app)
      .get('/api/plugins/toolkit/command-logs/export/?format=xml')
      .set(internalHeaders());

    expect(start.status).toBe(400);
    // Field errors, and the original's `error` key for clients written against it.
    expect(start.body).toEqual({
      start_date: ['Invalid start_date format. Use YYYY-MM-DD.'],
      error: 'Invalid start_date format. Use YYYY-MM-DD.',
    });
    expect(end.body).toEqual({
      end_date: ['Invalid end_date format. Use YYYY-MM-DD.'],
      error: 'Invalid end_date format. Use YYYY-MM-DD.',
    });
    expect(format.status).toBe(400);
    expect(Object.keys(format.body)).toEqual(['format', 'error']);
  });

  it('when exported, then no secret-looking field or value is present', async () => {
    const json = await exportOf('?format=json');

    expect(json.body as string).not.toMatch(/password|passphrase|secret|private_key|credential/i);
  });

  it('when the retention job runs, then logs older than the retention age are deleted with their rollups', async () => {
    const old = anExecutionResult({
      device: { id: 77, name: 'old', platform: 'linux' },
      timings: at('2025-01-01T00:00:00.000Z'),
    });
    await ctx.logs.ingest([old]);
    const job = new RetentionJob(
      {
        logs: ctx.logs,
        executions: ctx.executions,
        bulkJobs: ctx.bulkJobs,
        logger: ctx.infra.logger,
        metrics: createAnalyticsMetrics(ctx.infra.registry),
        now: () => new Date('2026-05-20T12:00:00Z'),
      },
      { days: 30, intervalMs: 60_000, maxPerRun: 1000, chunk: 2 },
    );

    const deleted = await job.runOnce();
    const remaining = await request(ctx.app)
      .get('/api/plugins/toolkit/command-logs/')
      .set(internalHeaders());
    const stats = await request(ctx.app)
      .get('/api/plugins/toolkit/command-logs/statistics/')
      .set(internalHeaders());

    expect(deleted).toBe(1);
    expect(remaining.body.count).toBe(3);
    expect(stats.body.total_logs).toBe(3);
  });
});
