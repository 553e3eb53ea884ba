import { randomBytes } from 'node:crypto';
import type { Connection, Model } from 'mongoose';
import type { mongo } from 'mongoose';
import {
  ALL_SECTIONS,
  StatisticsAccumulator,
  alreadyCounted,
  cellOf,
  commandLogFromResult,
  floorHour,
  mergeIncrements,
  oneResultPerExecution,
  planStatistics,
  rollupIncrements,
  supersedes,
  UNKNOWN_ERROR_CLASS,
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
import { chunksOf } from '@toolkit/contracts';
import type { ExecutionResult } from '@toolkit/contracts';
import { AppError } from '@toolkit/errors';
import { SequenceAllocator, toStorageError } from '@toolkit/mongo';
import { commandLogModel } from './command-log.schema';
import { rollupIntentModel, rollupLedgerModel, rollupModel } from './rollup.schema';
import type { RollupDoc, RollupIntentDoc, RollupLedgerDoc } from './rollup.schema';
import { WRITE_CHUNK, WriteGate, writeGateOf } from './write-gate';

export const COMMAND_LOG_SEQUENCE = 'command_logs';

/** Logs per insert command (one SQLite transaction on FerretDB: bounded in time). */
const INSERT_CHUNK = 200;

/** Ledger entries are kept this long; a refused log created before is taken as counted. */
const LEDGER_HORIZON_MS = 86_400_000;
const LEDGER_TRIM_EVERY_MS = 600_000;
/** Intents outlive their ledger entries: an entry never names a trimmed intent. */
const INTENT_HORIZON_MS = 2 * LEDGER_HORIZON_MS;

/** The ledger entry that says a batch's increments are all applied (no log id has a `:`). */
const finishedMarker = (token: string) => `finished:${token}`;

/** The ledger entry of a log whose counts a batch moves (superseded), naming that batch. */
const movedEntry = (executionId: string) => `moved:${executionId}`;

/**
 * Increments per intent document, and bytes (JSON) before one is cut short: an `errors`
 * cell carries its message (up to 4,096 characters), and a document holds at most 16 MB.
 */
const INTENT_PART_CELLS = 500;
const INTENT_PART_BYTES = 4 * 1024 * 1024;

/** A writer lane's key in rollup cells' `seq` (a field name: no dots or `$`). */
const newLane = () => randomBytes(9).toString('base64url');

/** Called between write commands: the consumer heartbeats there. */
export type Progress = () => Promise<void>;

const FACTS_PROJECTION = {
  _id: 1,
  id: 1,
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
  created: 1,
} as const;

type FactsRow = CommandLogFacts & {
  _id: string;
  id: number;
  execution_id: string;
  execution_time: Date;
  created: Date;
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
 * the execution id (their `_id`); then the logs not yet counted get ledger entries naming
 * this batch, the batch's rollup increments are written as an intent, applied (each cell
 * write guarded by the writer's lane and batch number) and the batch marked finished. A
 * redelivered batch finishes the intents its logs name that are not, and counts only
 * the logs no intent covers: a crash anywhere counts each log once, without transactions
 * (FerretDB 1.24 has none; see RollupIntentDoc and docs/decisions/0003-analytics-ingest.md
 * for what remains: a consumer evicted mid-batch that goes on writing).
 *
 * Every write statement filters on a string `_id` (the only filter FerretDB 1.24 pushes
 * down; anything else scans and decodes the whole collection per statement), so the cost
 * of a batch does not grow with the collection. The API's filters name the integer id
 * `_id` (list spec); reads map that path to the stored `id` field.
 */
export class CommandLogRepository {
  readonly logs: Model<CommandLogRecord>;
  readonly rollups: Model<RollupDoc>;
  readonly ledger: Model<RollupLedgerDoc>;
  readonly intents: Model<RollupIntentDoc>;
  private readonly ids: SequenceAllocator;
  private ledgerTrimmedAt = 0;
  private readonly gate: WriteGate;
  /** One batch at a time: a lane applies its batches in order. */
  private readonly batches = new WriteGate();
  private lane = newLane();
  private seq = 0;
  /** Markers of finished batches, written with the next batch's ledger entries. */
  private markers: RollupLedgerDoc[] = [];

  constructor(
    connection: Connection,
    options: {
      idBlockSize?: number;
      now?: () => Date;
      /** Statements per rollup write command (tests make batches span several). */
      writeChunk?: number;
      /** Increments per intent document. */
      intentPartCells?: number;
    } = {},
  ) {
    this.logs = commandLogModel(connection);
    this.rollups = rollupModel(connection);
    this.ledger = rollupLedgerModel(connection);
    this.intents = rollupIntentModel(connection);
    this.ids = new SequenceAllocator(connection, options.idBlockSize ?? 1000);
    this.gate = writeGateOf(connection);
    this.now = options.now ?? (() => new Date());
    this.writeChunk = options.writeChunk ?? WRITE_CHUNK;
    this.intentPartCells = options.intentPartCells ?? INTENT_PART_CELLS;
  }

  private readonly writeChunk: number;
  private readonly intentPartCells: number;

  private readonly now: () => Date;

  models(): Model<never>[] {
    return [this.logs, this.rollups, this.ledger, this.intents] as unknown as Model<never>[];
  }

  /** MongoDB only (FerretDB 1.24 has no TTL indexes): expire logs by execution_time. */
  async ensureTtlIndex(seconds: number): Promise<void> {
    await this.logs.collection.createIndex(
      { execution_time: 1 },
      { expireAfterSeconds: seconds, name: 'execution_time_ttl' },
    );
  }

  /**
   * A batch that fails leaves its lane: its intent may be half applied, and a later batch
   * of the same lane raising a cell's `seq` would hide that from the batch's retry.
   */
  async ingest(results: readonly ExecutionResult[], onProgress?: Progress): Promise<IngestOutcome> {
    try {
      return await this.inLane(() => this.ingestUnsafe(results, onProgress));
    } catch (error) {
      throw toStorageError(error, 'command log', ['execution_id']);
    }
  }

  /** Runs rollup writes after the lane's earlier ones; a failure moves to a new lane. */
  private inLane<T>(work: () => Promise<T>): Promise<T> {
    return this.batches.run(async () => {
      try {
        return await work();
      } catch (error) {
        this.lane = newLane();
        this.seq = 0;
        throw error;
      }
    });
  }

  /**
   * Insert first (a redelivered log is refused by its `_id`), then read back only the
   * refused ones. Ids are taken for every result, so a redelivery leaves gaps.
   */
  private async ingestUnsafe(
    results: readonly ExecutionResult[],
    onProgress?: Progress,
  ): Promise<IngestOutcome> {
    const byExecution = oneResultPerExecution(results);
    const executionIds = [...byExecution.keys()];
    const logIds = new Map<string, number>();
    const uncounted: FactsRow[] = [];
    /** Logs no batch has counted (a replaced log keeps the entry of the batch that did). */
    const fresh: string[] = [];
    const refused: string[] = [];
    const ids = await this.ids.take(COMMAND_LOG_SEQUENCE, executionIds.length);
    const now = this.now();
    const docs = executionIds.map((executionId, i) =>
      commandLogFromResult(byExecution.get(executionId) as ExecutionResult, ids[i] as number, now),
    );
    for (let start = 0; start < docs.length; start += INSERT_CHUNK) {
      const chunk = docs.slice(start, start + INSERT_CHUNK);
      const failed = await this.gate.run(() => this.insertIgnoringDuplicates(chunk));
      chunk.forEach((doc, i) => {
        if (failed.has(i)) refused.push(doc._id);
        else {
          logIds.set(doc._id, doc.id);
          uncounted.push(doc);
          fresh.push(doc._id);
        }
      });
      await onProgress?.();
    }
    const superseded: FactsRow[] = [];
    if (refused.length > 0) {
      // A redelivery (or a race with another consumer): rare, so one query each.
      const rows = await this.findFacts({ _id: { $in: refused } } as QueryFilter);
      for (const row of rows) logIds.set(row._id, row.id);
      if (refused.some((id) => !logIds.has(id)))
        throw AppError.unavailable('command log (refused insert not found: retry)');
      const counted = await this.countedAmong(refused, onProgress);
      for (const row of rows) {
        const replacement = await this.supersede(row, byExecution.get(row._id), now);
        const isCounted = alreadyCounted(row, counted.has(row._id), now, LEDGER_HORIZON_MS);
        if (replacement && isCounted) superseded.push(row);
        if (!isCounted) fresh.push(row._id);
        if (replacement || !isCounted) uncounted.push(replacement ?? row);
      }
    }
    // A superseded log leaves its old cells (-1) for its new ones (in `uncounted`).
    const increments = mergeIncrements([
      ...rollupIncrements(uncounted),
      ...rollupIncrements(superseded, -1),
    ]);
    const moved = superseded.map((row) => row._id);
    if (increments.length > 0) await this.count(fresh, moved, increments, now, onProgress);
    if (superseded.length > 0)
      await this.gate.run(() => this.rollups.collection.deleteMany({ count: { $lte: 0 } }));
    await this.trimLedger(now);
    return {
      inserted: executionIds.length - refused.length,
      duplicates: refused.length + (results.length - executionIds.length),
      rollupCells: increments.length,
      logIds,
    };
  }

  /**
   * Which of the refused logs are counted: those whose ledger entry names a batch that
   * finished (its marker), or whose intent is whole (finished here first: that batch stopped
   * during its increments), or no batch at all (entries from before intents). An entry whose
   * batch left no whole intent stopped before its increments: not counted. A batch that only
   * moved a superseded log's counts is found by that log's `moved:` entry.
   */
  private async countedAmong(
    refused: readonly string[],
    onProgress?: Progress,
  ): Promise<Set<string>> {
    const entries = (await this.ledger.collection
      .find({ _id: { $in: [...refused, ...refused.map(movedEntry)] } } as QueryFilter, {
        projection: { _id: 1, token: 1, parts: 1 },
      })
      .toArray()) as unknown as Pick<RollupLedgerDoc, '_id' | 'token' | 'parts'>[];
    const parts = new Map<string, number>();
    for (const e of entries) if (e.token) parts.set(e.token, e.parts ?? 1);
    const known = new Set<string>();
    if (parts.size > 0) {
      const markers = await this.ledger.collection
        .find({ _id: { $in: [...parts.keys()].map(finishedMarker) } } as QueryFilter, {
          projection: { token: 1 },
        })
        .toArray();
      for (const marker of markers) known.add(String(marker['token']));
    }
    const unfinished = [...parts].filter(([token]) => !known.has(token));
    if (unfinished.length > 0) {
      const ids = unfinished.flatMap(([token, n]) => intentPartIds(token, n));
      const stored = (await this.intents.collection
        .find({ _id: { $in: ids } } as QueryFilter)
        .toArray()) as unknown as RollupIntentDoc[];
      for (const [token, n] of unfinished) {
        const whole = stored.filter((part) => part.token === token).sort((x, y) => x.part - y.part);
        if (whole.length !== n) continue;
        await this.finish(token, whole, this.now(), onProgress);
        known.add(token);
      }
    }
    const logs = new Set(refused);
    return new Set(
      entries
        .filter((e) => logs.has(e._id) && (e.token === undefined || known.has(e.token)))
        .map((e) => e._id),
    );
  }

  /**
   * Counts a batch: ledger entries naming the batch for its fresh logs (and its moved ones),
   * then its intent, then the increments; a ledger marker saying the batch finished goes with
   * the next batch's entries.
   * Stopping anywhere is recovered by the redelivered batch (countedAmong). Inserts only (an
   * update by `_id` scans the collection on FerretDB 1.24, and intents are large).
   */
  private async count(
    fresh: readonly string[],
    moved: readonly string[],
    increments: RollupIncrement[],
    now: Date,
    onProgress?: Progress,
  ): Promise<void> {
    const seq = ++this.seq;
    const token = `${this.lane}-${seq}`;
    const cut = chunksOf(increments, INTENT_PART_BYTES, this.intentPartCells);
    const intent: RollupIntentDoc[] = cut.map((part, index) => ({
      _id: intentPartIds(token, cut.length)[index] as string,
      token,
      part: index,
      parts: cut.length,
      lane: this.lane,
      seq,
      created: now,
      increments: part,
    }));
    const ids = [...fresh, ...moved.map(movedEntry)];
    // The earlier batches' markers go with the first entries (a statement fewer per batch;
    // a marker lost with the process costs its batch a finish again if it is redelivered).
    const markers = this.markers.splice(0);
    for (let start = 0; start < ids.length; start += INSERT_CHUNK) {
      const entries: RollupLedgerDoc[] = ids
        .slice(start, start + INSERT_CHUNK)
        .map((id) => ({ _id: id, created: now, token, parts: cut.length }));
      await this.writeEntries(start === 0 ? [...markers, ...entries] : entries);
      await onProgress?.();
    }
    for (const part of intent) {
      await this.gate.run(() => this.intents.collection.insertOne(part as never));
      await onProgress?.();
    }
    await this.finish(token, intent, now, onProgress);
  }

  /**
   * Inserts ledger entries (and markers). An entry that exists names a batch that left no
   * whole intent (it stopped first: countedAmong did not count its log): removed, then
   * inserted again.
   */
  private async writeEntries(entries: RollupLedgerDoc[]): Promise<void> {
    const refused = await this.gate.run(() =>
      insertIgnoringDuplicates(this.ledger.collection, entries),
    );
    // A marker already written (another replica finished that batch too) stays as it is.
    const stale = entries.filter(
      (entry, index) => refused.has(index) && !entry._id.startsWith(finishedMarker('')),
    );
    if (stale.length === 0) return;
    await this.gate.run(() =>
      this.ledger.collection.deleteMany({ _id: { $in: stale.map((e) => e._id) } } as QueryFilter),
    );
    await this.gate.run(() =>
      this.ledger.collection.insertMany(stale as never[], { ordered: false }),
    );
  }

  /** Applies an intent's increments (each cell once), then marks its batch finished. */
  private async finish(
    token: string,
    parts: readonly RollupIntentDoc[],
    now: Date,
    onProgress?: Progress,
  ): Promise<void> {
    for (const part of parts)
      await this.applyIncrements(part.increments, {
        lane: part.lane,
        seq: part.seq,
        onProgress,
      });
    this.markers.push({ _id: finishedMarker(token), created: now, token });
  }

  /**
   * Replaces a stored log by the result that supersedes it (see `supersedes`), in place,
   * keeping its id and creation time; the caller moves its rollup counts. Returns the new
   * facts, or undefined when nothing was replaced.
   *
   * Without transactions, a crash between this replacement and the batch's ledger entries
   * leaves that execution counted as `unknown` in the statistics (the log itself is right);
   * once its `moved:` entry is written, the move is finished by a redelivery.
   */
  private async supersede(
    stored: FactsRow,
    incoming: ExecutionResult | undefined,
    now: Date,
  ): Promise<FactsRow | undefined> {
    if (!supersedes(stored, incoming)) return undefined;
    const doc = {
      ...commandLogFromResult(incoming, stored.id, now),
      created: new Date(stored.created),
    };
    const { modifiedCount } = await this.gate.run(() =>
      this.logs.collection.replaceOne(
        { _id: stored._id, error_class: UNKNOWN_ERROR_CLASS } as QueryFilter,
        doc,
      ),
    );
    return modifiedCount === 1 ? doc : undefined;
  }

  private async trimLedger(now: Date): Promise<void> {
    if (now.getTime() - this.ledgerTrimmedAt < LEDGER_TRIM_EVERY_MS) return;
    this.ledgerTrimmedAt = now.getTime();
    const before = new Date(now.getTime() - LEDGER_HORIZON_MS);
    await this.gate.run(() => this.ledger.collection.deleteMany({ created: { $lt: before } }));
    const intentsBefore = new Date(now.getTime() - INTENT_HORIZON_MS);
    await this.gate.run(() =>
      this.intents.collection.deleteMany({ created: { $lt: intentsBefore } }),
    );
  }

  private async findFacts(filter: QueryFilter): Promise<FactsRow[]> {
    return (await this.logs.collection
      .find(filter, { projection: FACTS_PROJECTION })
      .toArray()) as unknown as FactsRow[];
  }

  private insertIgnoringDuplicates(docs: CommandLogRecord[]): Promise<Set<number>> {
    return insertIgnoringDuplicates(this.logs.collection, docs);
  }

  /**
   * Adds a batch's increments to their cells, each write guarded by the batch's place in
   * its lane (`seq.<lane>` below it, then set to it): a cell takes the batch once however
   * often it is sent. A positive count may create its cell; an uncounting never does.
   * A guarded upsert that finds the cell already past the batch is refused as a duplicate
   * key, and so is one that lost the race to create a new cell: each is sent once more, and
   * a second refusal means the cell has the batch. FerretDB 1.24 stops an unordered bulk
   * write at its first error, so what followed it is sent again (idempotent).
   */
  private async applyIncrements(
    increments: readonly RollupIncrement[],
    options: { lane: string; seq: number; onProgress?: Progress },
  ): Promise<void> {
    const { lane, seq, onProgress } = options;
    const guard = `seq.${lane}`;
    const ops: mongo.AnyBulkWriteOperation<RollupDoc>[] = increments.map(({ grain, id, cell }) => {
      const inc: Record<string, number> = {
        count: cell.count,
        dur_count: cell.dur_count,
        dur_sum_ms: cell.dur_sum_ms,
      };
      for (const [key, n] of Object.entries(cell.hist)) inc[`hist.${key}`] = n;
      const upsert = cell.count > 0;
      const update: Record<string, unknown> = { $inc: inc, $set: { [guard]: seq } };
      if (upsert) {
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
        update['$setOnInsert'] = setOnInsert;
      }
      return {
        updateOne: {
          filter: { _id: id, [guard]: { $not: { $gte: seq } } } as never,
          update: update as never,
          upsert,
        },
      };
    });
    for (let start = 0; start < ops.length; start += this.writeChunk) {
      let pending = ops.slice(start, start + this.writeChunk);
      const chunkSize = pending.length;
      const refusals = new Map<(typeof ops)[number], number>();
      for (let attempt = 1; pending.length > 0; attempt++) {
        try {
          const chunk = pending;
          await this.gate.run(() =>
            this.rollups.collection.bulkWrite(chunk as mongo.AnyBulkWriteOperation[], {
              ordered: false,
            }),
          );
          await onProgress?.();
          break;
        } catch (error) {
          const writeErrors = writeErrorsOf(error);
          // Each round drops or refuses at least one op: at most two rounds per op.
          if (
            attempt > 2 * chunkSize + 1 ||
            !writeErrors ||
            writeErrors.length === 0 ||
            writeErrors.some((w) => w.code !== 11000)
          )
            throw error;
          const first = Math.min(...writeErrors.map((w) => w.index));
          const refused = new Set(writeErrors.map((w) => w.index));
          pending = pending.filter((op, index) => {
            if (index < first) return false;
            if (!refused.has(index)) return true;
            const times = (refusals.get(op) ?? 0) + 1;
            refusals.set(op, times);
            return times < 2;
          });
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
      const stored = toStoredFilter(filter);
      const [count, results] = await Promise.all([
        this.logs.collection.countDocuments(stored),
        this.logs.collection
          .find(stored, { projection: { hour: 0 } })
          .sort(toStoredSort(sort))
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
    const doc = await this.logs.collection.findOne(toStoredFilter(filter));
    return (doc as unknown as CommandLogRecord | null) ?? undefined;
  }

  /**
   * A cursor over matching logs for exports: the caller streams it with backpressure, so
   * at most one batch (`batchSize` logs, under 1 MB at 500) is held in memory. No
   * projection (callers pick the fields they render): FerretDB would apply it per
   * document in Go.
   */
  cursor(filter: QueryFilter, sort: SortSpec, batchSize = 500) {
    return this.logs.collection
      .find(toStoredFilter(filter))
      .sort(toStoredSort(sort))
      .batchSize(batchSize);
  }

  /**
   * Deletes the given logs (all or nothing: every id must match `scope`), and takes them
   * out of the rollups. Not found when any id is missing or outside the caller's scope.
   */
  async deleteByIds(ids: readonly number[], scope: QueryFilter): Promise<number> {
    const unique = [...new Set(ids)];
    const filter = { $and: [{ id: { $in: unique } }, toStoredFilter(scope)] };
    const rows = await this.findFacts(filter);
    if (rows.length !== unique.length) throw AppError.notFound('command log');
    await this.gate.run(() =>
      this.logs.collection.deleteMany({ id: { $in: unique } } as QueryFilter),
    );
    await this.uncount(rows);
    return rows.length;
  }

  private async uncount(rows: FactsRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.inLane(() =>
      this.applyIncrements(rollupIncrements(rows, -1), { lane: this.lane, seq: ++this.seq }),
    );
    await this.gate.run(() => this.rollups.collection.deleteMany({ count: { $lte: 0 } }));
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
      const result = await this.gate.run(() =>
        this.logs.collection.deleteMany({ _id: { $in: ids } } as QueryFilter),
      );
      deleted += result.deletedCount;
      if (ids.length < options.chunk) break;
    }
    // Whole hours only, so the rollups stay equal to the logs once the hour is purged.
    await this.gate.run(() => this.rollups.collection.deleteMany({ hour: { $lt: before } }));
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
      // Ids only: the plan matches the dotted paths against the rollups' dimensions, and
      // the logs queries map them to the top-level copies (accumulate).
      filter = renameKeys(filter, ID_PATHS) as QueryFilter;
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

  /** Whether any log was counted in the hour starting at `hour` (a rollup exists). */
  private async hourHasLogs(hour: Date): Promise<boolean> {
    const found = await this.rollups.collection.findOne(
      { grain: 'totals', hour },
      { projection: { _id: 1 } },
    );
    return found !== null;
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
    if (plan.fromRollups.length > 0) {
      // One query per grain, concurrently, each with `grain` as a top-level equality:
      // FerretDB on PostgreSQL pushes that down (only the grain's documents are decoded),
      // MongoDB reads the {grain, hour} index. (On FerretDB's SQLite backend, which pushes
      // nothing down, each query decodes the whole rollups collection.)
      // The rest of the filter keeps its top-level equalities (platform, success...),
      // which FerretDB pushes down too; time bounds are whole hours here.
      const range = from || to ? { hour: hourRange } : {};
      await Promise.all(
        plan.fromRollups.map(async ({ grain, sections }) => {
          const cursor = this.rollups.collection
            .find({ ...plan.split.rest, grain, ...range } as QueryFilter)
            .batchSize(5_000);
          for await (const raw of cursor) into.add(raw as unknown as RollupDoc, sections);
        }),
      );
    }
    const rollupSections = plan.fromRollups.flatMap((r) => r.sections);
    // Only edges that can hold logs: a bound on an hour boundary leaves none, and an hour
    // without any rollup has no logs. Reading an edge is an indexed range on MongoDB but a
    // scan of every log on FerretDB (which pushes no range filter down).
    const { lower, upper } = plan.split;
    const edges: QueryFilter[] = [];
    if (
      from &&
      lower &&
      lower.at.getTime() + (lower.inclusive ? 0 : 1) < from.getTime() &&
      (await this.hourHasLogs(floorHour(lower.at)))
    )
      edges.push({ execution_time: { $lt: from } });
    if (
      to &&
      upper &&
      upper.at.getTime() + (upper.inclusive ? 1 : 0) > to.getTime() &&
      (await this.hourHasLogs(to))
    )
      edges.push({ execution_time: { $gte: to } });
    let rawFilter: QueryFilter | undefined;
    if (plan.fromLogs.length > 0) rawFilter = filter;
    else if (rollupSections.length > 0 && edges.length > 0)
      rawFilter = {
        $and: [filter, edges.length === 1 ? (edges[0] as QueryFilter) : { $or: edges }],
      };
    if (rawFilter) {
      const cursor = this.logs.collection
        .find(renameKeys(rawFilter, TOP_LEVEL_COPIES) as QueryFilter, {
          projection: FACTS_PROJECTION,
        })
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

/**
 * The list spec's `_id` path is the API's integer id, stored as `id` on logs; the
 * execution id is the stored `_id` (primary key, no second index).
 */
const ID_PATHS: Record<string, string> = { _id: 'id', execution_id: '_id' };
/**
 * Ids inside sub-documents have top-level copies on logs (FerretDB on PostgreSQL pushes
 * down top-level equalities only). Rollups keep the dotted paths.
 */
const TOP_LEVEL_COPIES: Record<string, string> = {
  'command.id': 'command_id',
  'device.id': 'device_id',
  'user.id': 'user_id',
};
const STORED_PATHS: Record<string, string> = { ...ID_PATHS, ...TOP_LEVEL_COPIES };

/** The list spec's paths mapped to the stored fields of a log. */
export function toStoredFilter(filter: QueryFilter): QueryFilter {
  return renameKeys(filter, STORED_PATHS) as QueryFilter;
}

function renameKeys(value: unknown, paths: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => renameKeys(v, paths));
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  if (value instanceof RegExp) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>))
    out[paths[key] ?? key] = renameKeys(v, paths);
  return out;
}

function toStoredSort(sort: SortSpec): SortSpec {
  return sort.map(([field, direction]) => [STORED_PATHS[field] ?? field, direction]);
}

/** Inserts `docs`; returns the indexes (within `docs`) of those refused as duplicates. */
async function insertIgnoringDuplicates(
  collection: mongo.Collection,
  docs: readonly object[],
): Promise<Set<number>> {
  try {
    await collection.insertMany(docs as mongo.OptionalId<mongo.Document>[], { ordered: false });
    return new Set();
  } catch (error) {
    const writeErrors = writeErrorsOf(error);
    // Only duplicates are expected. FerretDB 1.24 reports some failures (a string it cannot
    // store) with an empty list and stops there: taking that for "nothing refused" lost the
    // rest of the batch while the statistics counted it.
    if (!writeErrors || writeErrors.length === 0 || writeErrors.some((w) => w.code !== 11000))
      throw error;
    return new Set(writeErrors.map((w) => w.index));
  }
}

/** The driver reports one write error as an object and several as an array. */
function writeErrorsOf(error: unknown): { index: number; code: number }[] | undefined {
  const raw = (error as { writeErrors?: unknown }).writeErrors;
  if (raw === undefined || raw === null) return undefined;
  return (Array.isArray(raw) ? raw : [raw]) as { index: number; code: number }[];
}

/** The ids of a batch's intent documents. */
function intentPartIds(token: string, parts: number): string[] {
  return Array.from({ length: parts }, (_, index) => `${token}#${index}`);
}
