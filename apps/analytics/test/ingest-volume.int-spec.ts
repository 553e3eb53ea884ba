import request from 'supertest';
import type { ExecutionResult } from '@toolkit/contracts';
import { anExecutionResult, eventually } from '@toolkit/testing';
import { internalHeaders, wiredService } from './support';

/**
 * The FerretDB stall (issue 7): ingest slowed with every batch (update statements that
 * scanned the collection) until a batch outlasted the Kafka session, was redelivered and
 * never committed; update commands matching 100 documents hung FerretDB's connection pool
 * for good. A few thousand results through the real consumer must all land, and land once.
 */
const RESULTS = 2_000;
const REDELIVERED = 300;
const DEVICE_BASE = 960_000;

function ingested(metrics: string, outcome: 'inserted' | 'duplicate'): number {
  const line = metrics
    .split('\n')
    .find(
      (l) =>
        l.startsWith('toolkit_analytics_results_ingested_total{') &&
        l.includes(`outcome="${outcome}"`),
    );
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('analytics ingest volume over real Kafka and the MongoDB-wire server', () => {
  let svc: Awaited<ReturnType<typeof wiredService>>;

  beforeAll(async () => {
    svc = await wiredService();
  });

  afterAll(async () => {
    await svc.close();
  });

  const api = () => request(svc.app);
  const metrics = async () => (await api().get('/metrics')).text;

  it(`when ${RESULTS} results arrive and ${REDELIVERED} of them again, then every one has exactly one log, one execution and one count in the rollups`, async () => {
    const results: ExecutionResult[] = Array.from({ length: RESULTS }, (_, i) =>
      anExecutionResult({
        device: { id: DEVICE_BASE + (i % 40), name: `vol-${i % 40}`, platform: 'linux' },
        ...(i % 9 === 0
          ? { success: false, outcome: 'failed' as const, errorClass: 'command_timeout' }
          : {}),
      }),
    );
    for (let i = 0; i < RESULTS; i += 500)
      await svc.infra.messaging.publishMany(svc.topics.results, results.slice(i, i + 500));

    // Progress is read from the consumer's counter, not by counting logs (a count scans
    // the collection on FerretDB and would slow the ingest it waits for).
    await eventually(
      async () => expect(ingested(await metrics(), 'inserted')).toBe(RESULTS),
      240_000,
      1_000,
    );
    await svc.infra.messaging.publishMany(svc.topics.results, results.slice(0, REDELIVERED));
    await eventually(
      async () => expect(ingested(await metrics(), 'duplicate')).toBe(REDELIVERED),
      60_000,
      500,
    );

    const list = await api()
      .get('/api/plugins/toolkit/command-logs/?limit=1&ordering=id')
      .set(internalHeaders());
    const stats = await api()
      .get('/api/plugins/toolkit/command-logs/statistics/')
      .set(internalHeaders());
    const sample = results[RESULTS - 1] as ExecutionResult;
    const execution = await api()
      .get(`/api/plugins/toolkit/executions/${sample.executionId}/`)
      .set(internalHeaders());
    const redelivered = await api()
      .get(
        `/api/plugins/toolkit/command-logs/?execution_id=${(results[0] as ExecutionResult).executionId}`,
      )
      .set(internalHeaders());

    expect(list.status).toBe(200);
    expect(list.body.count).toBe(RESULTS);
    expect(stats.body.total_logs).toBe(RESULTS);
    const successful = results.filter((r) => r.success).length;
    expect(stats.body.success_rate).toBeCloseTo((100 * successful) / RESULTS, 2);
    expect(ingested(await metrics(), 'inserted')).toBe(RESULTS);
    expect(execution.body).toMatchObject({
      id: sample.executionId,
      status: sample.outcome,
    });
    expect(redelivered.body.count).toBe(1);
  }, 300_000);
});
