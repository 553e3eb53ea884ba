/**
 * Per-command timings of the results ingest (no Kafka): repositories over one database,
 * batches of --batch results, driver command monitoring. Diagnostic, not a test.
 */
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { CommandLogRepository, ExecutionRepository } from '@toolkit/analytics-data-access';
import { sampleResult } from './bench-results';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

async function main() {
  // eslint-disable-next-line no-restricted-syntax -- diagnostic script reads the infra env
  const uri = process.env['MONGODB_URI'] ?? 'mongodb://127.0.0.1:27117/';
  const connection = mongoose.createConnection();
  await connection.openUri(uri, {
    dbName: `probe_${randomUUID().slice(0, 8)}`,
    monitorCommands: true,
    autoIndex: false,
    autoCreate: false,
  });
  const logs = new CommandLogRepository(connection);
  const executions = new ExecutionRepository(connection);
  for (const m of [...logs.models(), ...executions.models()]) {
    await m.createCollection();
    await m.createIndexes();
  }
  const started = new Map<number, { name: string; coll: string; t: number; n: number }>();
  const rows: string[] = [];
  const client = connection.getClient();
  client.on('commandStarted', (e) => {
    const cmd = e.command as Record<string, unknown>;
    const n =
      (cmd['updates'] as unknown[] | undefined)?.length ??
      (cmd['documents'] as unknown[] | undefined)?.length ??
      0;
    started.set(e.requestId, {
      name: e.commandName,
      coll: String(cmd[e.commandName]),
      t: Date.now(),
      n,
    });
  });
  client.on('commandSucceeded', (e) => {
    const s = started.get(e.requestId);
    if (s) rows.push(`${s.name} ${s.coll} stmts=${s.n} ${Date.now() - s.t}ms`);
  });
  const batch = arg('batch', 200);
  const total = arg('logs', 2000);
  const now = Date.now();
  for (let i = 0; i < total; i += batch) {
    const results = Array.from({ length: batch }, (_, k) => sampleResult(i + k, now));
    const t = Date.now();
    rows.length = 0;
    const outcome = await logs.ingest(results);
    const tLogs = Date.now() - t;
    await executions.recordResults(results, outcome.logIds);
    const summary = new Map<string, [number, number]>();
    for (const r of rows) {
      const [name, coll, , ms] = r.split(' ');
      const key = `${name} ${coll}`;
      const v = summary.get(key) ?? [0, 0];
      summary.set(key, [v[0] + 1, v[1] + Number(ms?.replace('ms', ''))]);
    }
    console.log(
      `batch @${i + batch}: logs+rollups ${tLogs} ms, total ${Date.now() - t} ms :: ` +
        [...summary].map(([k, [n, ms]]) => `${k} x${n}=${ms}ms`).join(', '),
    );
  }
  await connection.dropDatabase();
  await connection.close();
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
