import type { Connection, Model } from 'mongoose';
import type { mongo } from 'mongoose';
import {
  ALL_SECTIONS,
  StatisticsAccumulator,
  cellOf,
  commandLogFromResult,
  floorHour,
  planStatistics,
  rollupIncrements,
} from '@toolkit/analytics-domain';
import type {
  CommandLogFacts,
  CommandLogRecord,
  QueryFilter,
  RollupIncrement,
  StatSection,
  StatisticsOptions,
} from '@toolkit/analytics-domain';
import type { CommandLogStatistics } from '@toolkit/api-contracts';
import type { ExecutionResult } from '@toolkit/contracts';
import { AppError } from '@toolkit/errors';
import { SequenceAllocator, toStorageError } from '@toolkit/mongo';
import { commandLogModel } from './command-log.schema';
import { rollupModel } from './rollup.schema';
import type { RollupDoc } from './rollup.schema';

export const COMMAND_LOG_SEQUENCE = 'command_logs';

/**
 * Operations per bulk write. FerretDB 1.24 (SQLite) stalls on update commands of about
 * 100 statements or more (probed: 50 take ~150 ms, 100 time out), so writes are chunked.
 */
export const WRITE_CHUNK = 50;

const FACTS_PROJECTION = {
  _id: 1,
  execution_id: 1,
  hour: 1,
  platform: 1,
  success: 1,
  error_class: 1,
  command: 1,
  device: 1,
  error_message: 1,
  execution_duration: 1,
  execution_time: 1,
  rollup_pending: 1,
} as const;

type FactsRow = CommandLogFacts & {
  _id: number;
  execution_id: string;
  execution_time: Date;
  rollup_pending?: boolean;
};

export interface IngestOutcome {
  /** Logs written by this call. */
  inserted: number;
  /** Results whose log already existed (redeliveries). */
  duplicates: number;
  /** Rollup cells upserted. */
  rollupCells: number;
  /** execution id -> command log id, for every result of the batch. */
  logIds: Map<string, number>;
}

export type SortSpec = [string, 1 | -1][];

/**
 * Command logs and their rollups, written together: logs are inserted idempotently on
 * the execution id, then the rollups of the logs not yet counted are incremented, then
 * the logs are marked counted. A crash between the last two steps can count one batch
 * twice (no transactions on FerretDB); a crash before it loses nothing, since the
 * redelivered batch finds `rollup_pending` still set.
 */
export class CommandLogRepository {
  readonly logs: Model<CommandLogRecord>;
  readonly rollups: Model<RollupDoc>;
  private readonly ids: SequenceAllocator;

  constructor(connection: Connection, options: { idBlockSize?: number; now?: () => Date } = {}) {
    this.logs = commandLogModel(connection);
    this.rollups = rollupModel(connection);
    this.ids = new SequenceAllocator(connection, options.idBlockSize ?? 1000);
    this.now = options.now ?? (() => new Date());
  }

  private readonly now: () => Date;

  models(): Model<never>[] {
    return [this.logs, this.rollups] as unknown as Model<never>[];
  }

  /** MongoDB only (FerretDB 1.24 has no TTL indexes): expire logs by execution_time. */
  async ensureTtlIndex(seconds: number): Promise<void> {
    await this.logs.collection.createIndex(
      { execution_time: 1 },
      { expireAfterSeconds: seconds, name: 'execution_time_ttl' },
    );
  }

  async ingest(results: readonly ExecutionResult[]): Promise<IngestOutcome> {
    try {
      return await this.ingestUnsafe(results);
    } catch (error) {
      throw toStorageError(error, 'command log', ['execution_id']);
    }
  }

  private async ingestUnsafe(results: readonly ExecutionResult[]): Promise<IngestOutcome> {
    const byExecution = new Map<string, ExecutionResult>();
    for (const r of results) if (!byExecution.has(r.executionId)) byExecution.set(r.executionId, r);
    const executionIds = [...byExecution.keys()];
    const existing = await this.findFacts({ execution_id: { $in: executionIds } });
    const logIds = new Map<string, number>(existing.map((e) => [e.execution_id, e._id]));
    const fresh = executionIds.filter((id) => !logIds.has(id));
    const pending: FactsRow[] = existing.filter((e) => e.rollup_pending === true);
    let inserted = 0;
    if (fresh.length > 0) {
      const ids = await this.ids.take(COMMAND_LOG_SEQUENCE, fresh.length);
      const now = this.now();
      const docs = fresh.map((executionId, i) =>
        commandLogFromResult(
          byExecution.get(executionId) as ExecutionResult,
          ids[i] as number,
          now,
        ),
      );
      const failed = await this.insertIgnoringDuplicates(docs);
      const raced: string[] = [];
      docs.forEach((doc, i) => {
        if (failed.has(i)) raced.push(doc.execution_id);
        else {
          inserted++;
          logIds.set(doc.execution_id, doc._id);
          pending.push(doc);
        }
      });
      if (raced.length > 0) {
        // Another consumer inserted the same execution between our read and our write.
        for (const row of await this.findFacts({ execution_id: { $in: raced } }))
          logIds.set(row.execution_id, row._id);
      }
    }
    const increments = rollupIncrements(pending);
    await this.applyIncrements(increments, true);
    if (pending.length > 0)
      await this.logs.collection.updateMany(
        { _id: { $in: pending.map((p) => p._id) } } as QueryFilter,
        { $set: { rollup_pending: false } },
      );
    return {
      inserted,
      duplicates: executionIds.length - fresh.length + (results.length - executionIds.length),
      rollupCells: increments.length,
      logIds,
    };
  }

  private async findFacts(filter: QueryFilter): Promise<FactsRow[]> {
    return (await this.logs.collection
      .find(filter, { projection: FACTS_PROJECTION })
      .toArray()) as unknown as FactsRow[];
  }

  /** Indexes (within `docs`) of the documents refused as duplicates. */
  private async insertIgnoringDuplicates(docs: CommandLogRecord[]): Promise<Set<number>> {
    try {
      await this.logs.collection.insertMany(docs as never[], { ordered: false });
      return new Set();
    } catch (error) {
      const writeErrors = writeErrorsOf(error);
      if (!writeErrors || writeErrors.some((w) => w.code !== 11000)) throw error;
      return new Set(writeErrors.map((w) => w.index));
    }
  }

  private async applyIncrements(increments: RollupIncrement[], upsert: boolean): Promise<void> {
    if (increments.length === 0) return;
    const ops: mongo.AnyBulkWriteOperation<RollupDoc>[] = increments.map(({ grain, id, cell }) => {
      const inc: Record<string, number> = {
        count: cell.count,
        dur_count: cell.dur_count,
        dur_sum_ms: cell.dur_sum_ms,
      };
      for (const [key, n] of Object.entries(cell.hist)) inc[`hist.${key}`] = n;
      const setOnInsert: Record<string, unknown> = {
        grain,
        hour: cell.hour,
        platform: cell.platform,
        success: cell.success,
        error_class: cell.error_class,
      };
      if (cell.command) setOnInsert['command'] = cell.command;
      if (cell.device) setOnInsert['device'] = cell.device;
      if (cell.error_message !== undefined) setOnInsert['error_message'] = cell.error_message;
      return {
        updateOne: {
          filter: { _id: id },
          update: upsert ? { $inc: inc, $setOnInsert: setOnInsert } : { $inc: inc },
          upsert,
        },
      };
    });
    // Concurrent upserts of the same new cell race: the loser gets a duplicate key error
    // and nothing applied, so exactly the failed increments are sent again.
    for (let start = 0; start < ops.length; start += WRITE_CHUNK) {
      let pending = ops.slice(start, start + WRITE_CHUNK);
      for (let attempt = 1; pending.length > 0; attempt++) {
        try {
          await this.rollups.collection.bulkWrite(pending as mongo.AnyBulkWriteOperation[], {
            ordered: false,
          });
          break;
        } catch (error) {
          const writeErrors = writeErrorsOf(error);
          if (attempt >= 5 || !writeErrors || writeErrors.some((w) => w.code !== 11000))
            throw error;
          const failed = pending;
          pending = writeErrors.map((w) => failed[w.index] as (typeof ops)[number]);
        }
      }
    }
  }

  async list(
    filter: QueryFilter,
    sort: SortSpec,
    offset: number,
    limit: number,
  ): Promise<{ count: number; results: CommandLogRecord[] }> {
    try {
      const [count, results] = await Promise.all([
        this.logs.collection.countDocuments(filter),
        this.logs.collection
          .find(filter, { projection: { rollup_pending: 0, hour: 0 } })
          .sort(sort)
          .skip(offset)
          .limit(limit)
          .toArray(),
      ]);
      return { count, results: results as unknown as CommandLogRecord[] };
    } catch (error) {
      throw toStorageError(error, 'command log');
    }
  }

  async findOne(filter: QueryFilter): Promise<CommandLogRecord | undefined> {
    const doc = await this.logs.collection.findOne(filter);
    return (doc as unknown as CommandLogRecord | null) ?? undefined;
  }

  /** A cursor over matching logs for exports: the caller streams it with backpressure. */
  cursor(filter: QueryFilter, sort: SortSpec, batchSize = 1000) {
    return this.logs.collection
      .find(filter, { projection: { rollup_pending: 0, hour: 0 } })
      .sort(sort)
      .batchSize(batchSize);
  }

  /**
   * Deletes the given logs (all or nothing: every id must match `scope`), and takes them
   * out of the rollups. Not found when any id is missing or outside the caller's scope.
   */
  async deleteByIds(ids: readonly number[], scope: QueryFilter): Promise<number> {
    const unique = [...new Set(ids)];
    const filter = { $and: [{ _id: { $in: unique } }, scope] };
    const rows = await this.findFacts(filter);
    if (rows.length !== unique.length) throw AppError.notFound('command log');
    await this.logs.collection.deleteMany({ _id: { $in: unique } } as QueryFilter);
    await this.uncount(rows);
    return rows.length;
  }

  private async uncount(rows: FactsRow[]): Promise<void> {
    const counted = rows.filter((r) => r.rollup_pending !== true);
    if (counted.length === 0) return;
    await this.applyIncrements(rollupIncrements(counted, -1), false);
    await this.rollups.collection.deleteMany({ count: { $lte: 0 } });
  }

  /**
   * Retention: deletes logs (and rollup hours) older than the hour of `cutoff`, at most
   * `maxDocs` logs per call in chunks of `chunk`, so one run never holds the server long.
   * Returns the number of logs deleted.
   */
  async purgeOlderThan(cutoff: Date, options: { chunk: number; maxDocs: number }): Promise<number> {
    const before = floorHour(cutoff);
    let deleted = 0;
    while (deleted < options.maxDocs) {
      const ids = (
        await this.logs.collection
          .find({ execution_time: { $lt: before } }, { projection: { _id: 1 } })
          .limit(Math.min(options.chunk, options.maxDocs - deleted))
          .toArray()
      ).map((d) => d._id);
      if (ids.length === 0) break;
      const result = await this.logs.collection.deleteMany({ _id: { $in: ids } } as QueryFilter);
      deleted += result.deletedCount;
      if (ids.length < options.chunk) break;
    }
    // Whole hours only, so the rollups stay equal to the logs once the hour is purged.
    await this.rollups.collection.deleteMany({ hour: { $lt: before } });
    return deleted;
  }

  /**
   * Statistics over the logs matching `filter`: from rollups where their dimensions cover
   * the filter (plus the partial hours at the edges of a time range, read from the logs),
   * from a projected streaming scan of the logs otherwise.
   */
  async statistics(
    filter: QueryFilter,
    options: StatisticsOptions & { now: Date },
  ): Promise<CommandLogStatistics> {
    try {
      const main = new StatisticsAccumulator(options);
      const usedLogs = await this.accumulate(filter, ALL_SECTIONS, main);
      const since = new Date(options.now.getTime() - 24 * 3_600_000);
      const last24 = new StatisticsAccumulator(options);
      await this.accumulate(
        { $and: [filter, { execution_time: { $gte: since } }] },
        ['totals'],
        last24,
      );
      const { total, successful } = last24.counts();
      main.setLast24h(total, successful);
      return main.result(usedLogs ? 'logs' : 'rollups');
    } catch (error) {
      throw toStorageError(error, 'statistics');
    }
  }

  /** Returns true when every section came from the logs. */
  private async accumulate(
    filter: QueryFilter,
    sections: readonly StatSection[],
    into: StatisticsAccumulator,
  ): Promise<boolean> {
    const plan = planStatistics(filter, sections);
    const { from, to } = plan.window;
    const hourRange: Record<string, Date> = {};
    if (from) hourRange['$gte'] = from;
    if (to) hourRange['$lt'] = to;
    for (const { grain, sections: grainSections } of plan.fromRollups) {
      const query: QueryFilter[] = [{ grain }];
      if (Object.keys(plan.split.rest).length > 0) query.push(plan.split.rest);
      if (from || to) query.push({ hour: hourRange });
      const cursor = this.rollups.collection
        .find(query.length === 1 ? (query[0] as QueryFilter) : { $and: query })
        .batchSize(5_000);
      for await (const doc of cursor) into.add(doc as unknown as RollupDoc, grainSections);
    }
    const rollupSections = plan.fromRollups.flatMap((r) => r.sections);
    const edges: QueryFilter[] = [];
    if (from) edges.push({ execution_time: { $lt: from } });
    if (to) edges.push({ execution_time: { $gte: to } });
    let rawFilter: QueryFilter | undefined;
    if (plan.fromLogs.length > 0) rawFilter = filter;
    else if (rollupSections.length > 0 && edges.length > 0)
      rawFilter = {
        $and: [filter, edges.length === 1 ? (edges[0] as QueryFilter) : { $or: edges }],
      };
    if (rawFilter) {
      const cursor = this.logs.collection
        .find(rawFilter, { projection: FACTS_PROJECTION })
        .batchSize(5_000);
      for await (const doc of cursor) {
        const row = doc as unknown as FactsRow;
        const isEdge =
          (from !== undefined && row.execution_time < from) ||
          (to !== undefined && row.execution_time >= to);
        const feeds = isEdge ? [...plan.fromLogs, ...rollupSections] : plan.fromLogs;
        if (feeds.length > 0) into.add(cellOf(row), feeds);
      }
    }
    return plan.fromRollups.length === 0;
  }
}

/** The driver reports one write error as an object and several as an array. */
function writeErrorsOf(error: unknown): { index: number; code: number }[] | undefined {
  const raw = (error as { writeErrors?: unknown }).writeErrors;
  if (raw === undefined || raw === null) return undefined;
  return (Array.isArray(raw) ? raw : [raw]) as { index: number; code: number }[];
}
