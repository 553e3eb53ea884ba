import request from 'supertest';
import { bucketIndex, bucketRepresentativeMs } from '@toolkit/analytics-domain';
import type { ExecutionResult, PlatformDriver } from '@toolkit/contracts';
import { mulberry32 } from '@toolkit/prng';
import { anExecutionResult } from '@toolkit/testing';
import { appOnly, internalHeaders } from './support';

const NOW = new Date('2026-06-10T12:34:56.789Z');
const PLATFORMS: PlatformDriver[] = ['cisco_ios', 'arista_eos', 'juniper_junos', 'linux'];
const ERRORS = [
  ['auth_failed', 'Authentication failed'],
  ['connect_timeout', 'Connection timed out after 10s'],
  ['syntax_error', 'Syntax error detected: syntax, "quoted", and, commas'],
] as const;

/** Random logs over the 3 days before NOW, from a seeded PRNG (reproducible). */
function randomResults(seed: number, n: number): ExecutionResult[] {
  const rnd = mulberry32(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(rnd() * items.length)] as T;
  return Array.from({ length: n }, () => {
    const t = new Date(NOW.getTime() - Math.floor(rnd() * 3 * 86_400_000)).toISOString();
    const failed = rnd() < 0.3;
    const [errorClass, errorMessage] = pick(ERRORS);
    const deviceId = 1 + Math.floor(rnd() * 6);
    const commandId = 1 + Math.floor(rnd() * 4);
    return anExecutionResult({
      command: { id: commandId, name: `cmd-${commandId}` },
      device: {
        id: deviceId,
        name: `dev-${deviceId}`,
        platform: PLATFORMS[deviceId % 4] as PlatformDriver,
      },
      username: pick(['netops', 'admin']),
      success: !failed,
      outcome: failed ? 'failed' : 'succeeded',
      errorClass: failed ? errorClass : null,
      errorMessage: failed ? errorMessage : null,
      timings: {
        requestedAt: t,
        startedAt: t,
        finishedAt: t,
        connectMs: 1,
        durationMs: Math.floor(rnd() ** 3 * 60_000),
      },
    });
  });
}

/** The statistics computed naively from the results themselves. */
function bruteForce(results: ExecutionResult[], bucket: 'hour' | 'day') {
  const size = bucket === 'hour' ? 3_600_000 : 86_400_000;
  const count = <K>(key: (r: ExecutionResult) => K | undefined) => {
    const m = new Map<string, number>();
    for (const r of results) {
      const k = key(r);
      if (k !== undefined) m.set(JSON.stringify(k), (m.get(JSON.stringify(k)) ?? 0) + 1);
    }
    return m;
  };
  const ok = results.filter((r) => r.success).length;
  const since = NOW.getTime() - 86_400_000;
  const recent = results.filter((r) => Date.parse(r.timings.startedAt) >= since);
  const reps = results
    .map((r) => bucketRepresentativeMs(bucketIndex(r.timings.durationMs)))
    .sort((a, b) => a - b);
  const pct = (p: number) =>
    reps.length === 0
      ? null
      : Math.round((reps[Math.max(1, Math.ceil((p / 100) * reps.length)) - 1] as number) * 1000) /
        1e6;
  const series = count((r) => Math.floor(Date.parse(r.timings.startedAt) / size) * size);
  return {
    total_logs: results.length,
    success_rate: results.length === 0 ? 0 : Math.round((ok / results.length) * 10_000) / 100,
    last_24h: {
      total: recent.length,
      successful: recent.filter((r) => r.success).length,
      failed: recent.filter((r) => !r.success).length,
    },
    commands: count((r) => [r.command.id, r.command.name]),
    devices: count((r) => [r.device.id, r.device.name]),
    platforms: count((r) => r.device.platform),
    errors: count((r) => (r.success ? undefined : r.errorMessage)),
    errorClasses: count((r) => r.errorClass ?? undefined),
    p: { p50: pct(50), p95: pct(95), p99: pct(99) },
    series,
  };
}

describe('command log statistics (rollups versus brute force)', () => {
  let ctx: Awaited<ReturnType<typeof appOnly>>;
  let results: ExecutionResult[];

  beforeAll(async () => {
    ctx = await appOnly(() => NOW);
    results = randomResults(20_260_610, 600);
    for (let i = 0; i < results.length; i += 150) await ctx.logs.ingest(results.slice(i, i + 150));
  });

  afterAll(async () => {
    await ctx.infra.close();
  });

  const cases: [string, (r: ExecutionResult) => boolean, 'rollups' | 'logs'][] = [
    ['', () => true, 'rollups'],
    ['platform=linux', (r) => r.device.platform === 'linux', 'rollups'],
    ['device_id=3&success=false', (r) => r.device.id === 3 && !r.success, 'rollups'],
    ['command=2', (r) => r.command.id === 2, 'rollups'],
    ['error_class=auth_failed', (r) => r.errorClass === 'auth_failed', 'rollups'],
    [
      'execution_time_after=2026-06-08T13:17:00Z&execution_time_before=2026-06-10T03:59:59.500Z',
      (r) =>
        r.timings.startedAt >= '2026-06-08T13:17:00.000Z' &&
        r.timings.startedAt <= '2026-06-10T03:59:59.500Z',
      'rollups',
    ],
    [
      'execution_time__gte=2026-06-10T11:10:00Z',
      (r) => r.timings.startedAt >= '2026-06-10T11:10:00.000Z',
      'rollups',
    ],
    [
      'execution_time__gt=2026-06-10T11:10:00Z&execution_time__lt=2026-06-10T12:20:00Z',
      (r) =>
        r.timings.startedAt > '2026-06-10T11:10:00.000Z' &&
        r.timings.startedAt < '2026-06-10T12:20:00.000Z',
      'logs',
    ],
    ['username=netops', (r) => r.username === 'netops', 'logs'],
    ['q=dev-1', (r) => r.device.name.includes('dev-1') || r.command.name.includes('dev-1'), 'logs'],
  ];

  it.each(cases)(
    'when filtered by "%s", then statistics equal a brute-force computation',
    async (query, keep, source) => {
      const subset = results.filter(keep);
      const expected = bruteForce(subset, 'hour');

      const response = await request(ctx.app)
        .get(`/api/plugins/toolkit/command-logs/statistics/?bucket=hour&top=100&${query}`)
        .set(internalHeaders());

      expect(response.status).toBe(200);
      const body = response.body;
      expect(body.source).toBe(source);
      expect(body.total_logs).toBe(expected.total_logs);
      expect(body.success_rate).toBe(expected.success_rate);
      expect(body.last_24h).toEqual(expected.last_24h);
      const asMap = (rows: { key: unknown; count: number }[]) =>
        new Map(rows.map((r) => [JSON.stringify(r.key), r.count]));
      expect(
        asMap(
          body.top_commands.map(
            (c: { command_id: number; command_name: string; count: number }) => ({
              key: [c.command_id, c.command_name],
              count: c.count,
            }),
          ),
        ),
      ).toEqual(expected.commands);
      expect(
        asMap(
          body.by_device.map((d: { device_id: number; device_name: string; total: number }) => ({
            key: [d.device_id, d.device_name],
            count: d.total,
          })),
        ),
      ).toEqual(expected.devices);
      expect(
        asMap(
          body.by_platform.map((d: { platform: string; total: number }) => ({
            key: d.platform,
            count: d.total,
          })),
        ),
      ).toEqual(expected.platforms);
      expect(
        asMap(
          body.common_errors.map((e: { error: string; count: number }) => ({
            key: e.error,
            count: e.count,
          })),
        ),
      ).toEqual(
        new Map(
          [...expected.errors].map(([k, v]) => [
            JSON.stringify((JSON.parse(k) as string).slice(0, 100)),
            v,
          ]),
        ),
      );
      expect(
        asMap(
          body.by_error_class.map((e: { error_class: string; count: number }) => ({
            key: e.error_class,
            count: e.count,
          })),
        ),
      ).toEqual(expected.errorClasses);
      expect({
        p50: body.execution_duration.p50,
        p95: body.execution_duration.p95,
        p99: body.execution_duration.p99,
      }).toEqual(expected.p);
      const nonEmpty = body.time_series.points.filter((p: { total: number }) => p.total > 0);
      expect(
        new Map(
          nonEmpty.map((p: { start: string; total: number }) => [
            JSON.stringify(Date.parse(p.start)),
            p.total,
          ]),
        ),
      ).toEqual(expected.series);
    },
  );

  it('when bucketed by day, then points are UTC days with zero-filled gaps and add up to the total', async () => {
    const response = await request(ctx.app)
      .get('/api/plugins/toolkit/command-logs/statistics/?bucket=day')
      .set(internalHeaders());

    const points = response.body.time_series.points as {
      start: string;
      total: number;
      successful: number;
      failed: number;
    }[];
    expect(response.body.time_series.bucket).toBe('day');
    expect(points.map((p) => p.start)).toEqual([
      '2026-06-07T00:00:00.000Z',
      '2026-06-08T00:00:00.000Z',
      '2026-06-09T00:00:00.000Z',
      '2026-06-10T00:00:00.000Z',
    ]);
    expect(points.reduce((s, p) => s + p.total, 0)).toBe(results.length);
    expect(points.every((p) => p.successful + p.failed === p.total)).toBe(true);
  });

  it('when percentiles come from histogram buckets, then they are within 5 % of the exact values', async () => {
    const exact = results.map((r) => r.timings.durationMs / 1000).sort((a, b) => a - b);
    const rank = (p: number) => exact[Math.ceil((p / 100) * exact.length) - 1] as number;

    const body = (
      await request(ctx.app)
        .get('/api/plugins/toolkit/command-logs/statistics/')
        .set(internalHeaders())
    ).body;

    for (const p of [50, 95, 99] as const) {
      const got = body.execution_duration[`p${p}`] as number;
      expect(Math.abs(got - rank(p))).toBeLessThanOrEqual(Math.max(0.0005, rank(p) * 0.05));
    }
  });

  it('when bucket or top are invalid, then 400 names them', async () => {
    const response = await request(ctx.app)
      .get('/api/plugins/toolkit/command-logs/statistics/?bucket=week&top=0')
      .set(internalHeaders());

    expect(response.status).toBe(400);
    expect(Object.keys(response.body).sort()).toEqual(['bucket', 'top']);
  });
});
