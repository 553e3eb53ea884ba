import type { Connection, Model } from 'mongoose';
import { bulkJobProgress, emptyCounts, itemCode, storedUserOf } from '@toolkit/analytics-domain';
import type { JobItem, QueryFilter } from '@toolkit/analytics-domain';
import { isBatch } from '@toolkit/contracts';
import type { ExecutionBatch, ExecutionRequestMessage } from '@toolkit/contracts';
import { isDuplicateKey, toStorageError } from '@toolkit/mongo';
import { bulkJobModel } from './bulk-job.schema';
import type { BulkJobDoc } from './bulk-job.schema';
import type { SortSpec } from './command-log.repository';
import { executionModel } from './execution.schema';
import type { ExecutionDoc } from './execution.schema';
import type { Progress } from './execution.repository';
import { writeGateOf } from './write-gate';
import type { WriteGate } from './write-gate';

/** Progress writes that may lose to other item updates before this one gives up. */
const MAX_PROGRESS_ATTEMPTS = 3;

/** What a job's request messages say about it (every message of the job repeats it). */
type Described = Pick<BulkJobDoc, 'user' | 'created' | 'notes' | 'total' | 'accepted' | 'rejected'>;
type JobState = Described &
  Pick<BulkJobDoc, 'counts' | 'done' | 'status' | 'started_at' | 'finished_at'>;

/** The item map stays in storage: readers get the job without it. */
const READER_PROJECTION = {
  items: 0,
  first_started: 0,
  last_finished: 0,
  first_requested: 0,
  requester: 0,
  tracked: 0,
  rev: 0,
} as const;

const SEED_FIELDS = {
  _id: 1,
  status: 1,
  attempts: 1,
  started_at: 1,
  finished_at: 1,
  requested_at: 1,
  user: 1,
} as const;

function describedBy(batch: ExecutionBatch): Described {
  const { job } = batch;
  return {
    user: storedUserOf(job.requestedBy),
    created: new Date(job.requestedAt),
    notes: job.notes ?? '',
    total: job.total,
    accepted: job.accepted,
    rejected: job.rejected,
  };
}

const time = (d: Date | null | undefined) => (d ? new Date(d).getTime() : null);

function sameState(stored: BulkJobDoc, next: JobState): boolean {
  return (
    stored.status === next.status &&
    stored.done === next.done &&
    stored.notes === next.notes &&
    stored.total === next.total &&
    stored.accepted === next.accepted &&
    stored.rejected === next.rejected &&
    time(stored.created) === time(next.created) &&
    time(stored.started_at) === time(next.started_at) &&
    time(stored.finished_at) === time(next.finished_at) &&
    JSON.stringify(stored.user) === JSON.stringify(next.user) &&
    JSON.stringify(stored.counts) === JSON.stringify(next.counts)
  );
}

/** The job's progress from its stored items, and its description or, before one is read, what its items tell. */
function stateOf(doc: BulkJobDoc): JobState {
  const described: Described =
    doc.accepted !== null && doc.accepted !== undefined
      ? {
          user: doc.user,
          created: doc.created,
          notes: doc.notes,
          total: doc.total,
          accepted: doc.accepted,
          rejected: doc.rejected,
        }
      : {
          user: doc.user ?? doc.requester ?? null,
          created: doc.first_requested ?? doc.created,
          notes: doc.notes ?? '',
          total: null,
          accepted: null,
          rejected: null,
        };
  const progress = bulkJobProgress(
    {
      codes: Object.values(doc.items ?? {}),
      firstStarted: doc.first_started ?? null,
      lastFinished: doc.last_finished ?? null,
    },
    described.accepted,
  );
  return { ...described, ...progress };
}

/** One job's part of a consumed batch: its items, and its description when a request message carried it. */
interface JobWrite {
  items: JobItem[];
  described?: Described;
}

function byJob(items: readonly JobItem[], messages: readonly ExecutionRequestMessage[]) {
  const jobs = new Map<string, JobWrite>();
  const of = (id: string) => {
    let job = jobs.get(id);
    if (!job) jobs.set(id, (job = { items: [] }));
    return job;
  };
  for (const message of messages)
    if (isBatch(message)) of(message.bulkJobId).described = describedBy(message);
  for (const item of items) of(item.jobId).items.push(item);
  return jobs;
}

/**
 * The update that folds one job's items into its document: `$max` of each item's status code
 * and of the latest finish, `$min` of the earliest start and request, the description when a
 * request message carried it; every operator is idempotent, so a redelivered batch changes
 * nothing but `rev`. Creates the document when it is new.
 */
function itemUpdate(job: JobWrite, now: Date): Record<string, Record<string, unknown>> {
  const max: Record<string, number | Date> = {};
  const min: Record<string, Date> = {};
  let requester: JobItem['requester'];
  const raise = (field: string, value: number | Date | undefined) => {
    const held = max[field];
    if (value !== undefined && (held === undefined || held < value)) max[field] = value;
  };
  const lower = (field: string, value: Date | undefined) => {
    const held = min[field];
    if (value !== undefined && (held === undefined || value < held)) min[field] = value;
  };
  for (const item of job.items) {
    raise(`items.${item.executionId}`, itemCode(item.point));
    raise('last_finished', item.finishedAt);
    lower('first_started', item.startedAt);
    lower('first_requested', item.requestedAt);
    requester ??= item.requester;
  }
  const set: Record<string, unknown> = { ...job.described };
  if (requester) set['requester'] = requester;
  const onInsert: Record<string, unknown> = {
    tracked: true,
    counts: emptyCounts(),
    done: 0,
    status: 'queued',
    started_at: null,
    finished_at: null,
    last_updated: now,
  };
  if (!job.described)
    Object.assign(onInsert, {
      user: null,
      created: min['first_requested'] ?? now,
      notes: '',
      total: null,
      accepted: null,
      rejected: null,
    });
  const update: Record<string, Record<string, unknown>> = {
    $inc: { rev: 1 },
    $setOnInsert: onInsert,
  };
  if (Object.keys(max).length > 0) update['$max'] = max;
  if (Object.keys(min).length > 0) update['$min'] = min;
  if (Object.keys(set).length > 0) update['$set'] = set;
  return update;
}

/**
 * Bulk jobs (`bulk_jobs`), one document per job, holding each item's latest status. After
 * every consumed batch of requests, events or results, the executions are recorded first;
 * then each job the batch names gets one update that raises its items to what storage now
 * holds for them (`$max` of a code that grows with every accepted move: redelivered or
 * reordered messages change nothing), which returns the document; its counts, status and
 * times are recomputed from `items` and written only when they changed, and only if no
 * other item write came in between (`rev`; else read again: writeProgress). A job costs two
 * writes per batch, each carrying its item map (at most 1,000 entries); the earlier design
 * read all the job's executions after every batch: quadratic, and a full scan on FerretDB
 * 1.24 (docs/benchmarks.md).
 *
 * A document written before it kept `items` (no `tracked`) is seeded once from the job's
 * executions. Reads and writes filter on `_id` (FerretDB 1.24 pushes it down).
 */
export class BulkJobRepository {
  readonly jobs: Model<BulkJobDoc>;
  private readonly executions: Model<ExecutionDoc>;
  private readonly gate: WriteGate;

  constructor(
    connection: Connection,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.jobs = bulkJobModel(connection);
    this.executions = executionModel(connection);
    this.gate = writeGateOf(connection);
  }

  models(): Model<never>[] {
    return [this.jobs] as unknown as Model<never>[];
  }

  /**
   * After a batch's executions are recorded: folds its bulk items (with their stored
   * statuses) into their jobs, with the description of every job whose batch messages are
   * among `messages`.
   */
  async record(
    items: readonly JobItem[],
    messages: readonly ExecutionRequestMessage[] = [],
    onProgress?: Progress,
  ): Promise<void> {
    try {
      for (const [id, job] of byJob(items, messages)) {
        await this.recordJob(id, job);
        await onProgress?.();
      }
    } catch (error) {
      throw toStorageError(error, 'bulk job');
    }
  }

  private async recordJob(id: string, job: JobWrite): Promise<void> {
    let doc = await this.foldItems(id, itemUpdate(job, this.now()));
    if (doc.tracked !== true) doc = await this.seed(id);
    await this.writeProgress(id, doc);
  }

  /**
   * Writes the progress `doc`'s items give, unless unchanged, if no item update came in
   * between (`rev`). One did: its writer writes the progress after it, unless it stopped
   * first (killed, evicted): so the job is read again and the progress computed again, a few
   * times, rather than left to a writer that may never come.
   */
  private async writeProgress(id: string, first: BulkJobDoc): Promise<void> {
    let doc: BulkJobDoc | null = first;
    for (let attempt = 1; doc && attempt <= MAX_PROGRESS_ATTEMPTS; attempt++) {
      const next = stateOf(doc);
      if (sameState(doc, next)) return;
      const { rev } = doc;
      const written = await this.gate.run(() =>
        this.jobs.collection.updateOne({ _id: id, rev } as QueryFilter, {
          $set: { ...next, last_updated: this.now() },
        }),
      );
      if (written.matchedCount === 1) return;
      doc = (await this.jobs.collection.findOne({ _id: id } as QueryFilter)) as BulkJobDoc | null;
    }
  }

  /** The item update, upserting; two replicas creating one job at once: the loser updates. */
  private async foldItems(id: string, update: Record<string, unknown>): Promise<BulkJobDoc> {
    for (let attempt = 1; ; attempt++) {
      try {
        const doc = await this.gate.run(() =>
          this.jobs.collection.findOneAndUpdate({ _id: id } as QueryFilter, update, {
            upsert: true,
            returnDocument: 'after',
          }),
        );
        return doc as unknown as BulkJobDoc;
      } catch (error) {
        if (attempt < 3 && isDuplicateKey(error)) continue;
        throw error;
      }
    }
  }

  /** A document from before `items`: its items from the job's executions, once. */
  private async seed(id: string): Promise<BulkJobDoc> {
    const rows = (await this.executions.collection
      .find({ bulk_job: id }, { projection: SEED_FIELDS })
      .toArray()) as unknown as ExecutionDoc[];
    const items: JobItem[] = rows.map((row) => ({
      jobId: id,
      executionId: row._id,
      point: row.status ? { status: row.status, attempt: row.attempts ?? 1 } : undefined,
      startedAt: row.started_at ?? undefined,
      finishedAt: row.finished_at ?? undefined,
      requestedAt: row.requested_at ?? undefined,
      requester: row.user ?? undefined,
    }));
    const update = itemUpdate({ items }, this.now());
    delete update['$setOnInsert'];
    update['$set'] = { ...update['$set'], tracked: true };
    return this.foldItems(id, update);
  }

  async list(
    filter: QueryFilter,
    sort: SortSpec,
    offset: number,
    limit: number,
  ): Promise<{ count: number; results: BulkJobDoc[] }> {
    try {
      const [count, results] = await Promise.all([
        this.jobs.collection.countDocuments(filter),
        this.jobs.collection
          .find(filter, { projection: READER_PROJECTION })
          .sort(sort)
          .skip(offset)
          .limit(limit)
          .toArray(),
      ]);
      return { count, results: results as unknown as BulkJobDoc[] };
    } catch (error) {
      throw toStorageError(error, 'bulk job');
    }
  }

  async findOne(filter: QueryFilter): Promise<BulkJobDoc | undefined> {
    try {
      const doc = await this.jobs.collection.findOne(filter, { projection: READER_PROJECTION });
      return (doc as unknown as BulkJobDoc | null) ?? undefined;
    } catch (error) {
      throw toStorageError(error, 'bulk job');
    }
  }

  /** Jobs requested before `cutoff` (their executions go by the same age). */
  async purgeOlderThan(cutoff: Date, options: { chunk: number; maxDocs: number }): Promise<number> {
    let deleted = 0;
    while (deleted < options.maxDocs) {
      const ids = (
        await this.jobs.collection
          .find({ created: { $lt: cutoff } }, { projection: { _id: 1 } })
          .limit(Math.min(options.chunk, options.maxDocs - deleted))
          .toArray()
      ).map((d) => d._id);
      if (ids.length === 0) break;
      const result = await this.gate.run(() =>
        this.jobs.collection.deleteMany({ _id: { $in: ids } }),
      );
      deleted += result.deletedCount;
      if (ids.length < options.chunk) break;
    }
    return deleted;
  }
}
