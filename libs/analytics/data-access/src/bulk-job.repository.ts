import type { Connection, Model } from 'mongoose';
import { bulkJobProgress } from '@toolkit/analytics-domain';
import type { BulkJobItemState, QueryFilter } from '@toolkit/analytics-domain';
import { isBatch } from '@toolkit/contracts';
import type { ExecutionBatch, ExecutionRequestMessage } from '@toolkit/contracts';
import { AppError } from '@toolkit/errors';
import { isDuplicateKey, toStorageError } from '@toolkit/mongo';
import { bulkJobModel } from './bulk-job.schema';
import type { BulkJobDoc } from './bulk-job.schema';
import type { SortSpec } from './command-log.repository';
import { executionModel } from './execution.schema';
import type { ExecutionDoc } from './execution.schema';
import type { Progress } from './execution.repository';
import { writeGateOf } from './write-gate';
import type { WriteGate } from './write-gate';

/** What a job's request messages say about it (every message of the job repeats it). */
interface JobFacts {
  user: { id: number | null; username: string };
  created: Date;
  notes: string;
  total: number;
  accepted: number;
  rejected: number;
}

type Described = Pick<BulkJobDoc, 'user' | 'created' | 'notes' | 'total' | 'accepted' | 'rejected'>;
type JobState = Omit<BulkJobDoc, '_id' | 'rev' | 'last_updated'>;
type ItemRow = BulkJobItemState & Pick<ExecutionDoc, 'user' | 'requested_at'>;

/** Writes of one job that may lose to another replica's before the batch is retried. */
const MAX_ATTEMPTS = 5;

const PROGRESS_FIELDS = { _id: 0, status: 1, started_at: 1, finished_at: 1 } as const;
/** Before a request message is read, the items also say who asked, and when. */
const PROVISIONAL_FIELDS = { ...PROGRESS_FIELDS, user: 1, requested_at: 1 } as const;

function factsOf(batch: ExecutionBatch): JobFacts {
  const { job } = batch;
  return {
    user: { id: job.requestedBy.userId ?? null, username: job.requestedBy.username },
    created: new Date(job.requestedAt),
    notes: job.notes ?? '',
    total: job.total,
    accepted: job.accepted,
    rejected: job.rejected,
  };
}

function describedBy(stored: BulkJobDoc): Described {
  const { user, created, notes, total, accepted, rejected } = stored;
  return { user, created, notes, total, accepted, rejected };
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

/**
 * Bulk jobs (`bulk_jobs`), one document per job. The requests consumer describes a job
 * from its batch messages' `job` (idempotent: each message repeats it); after every
 * consumed batch of requests, events or results, each job it names is refreshed: its
 * counts, status and times recomputed from its executions (one `{bulk_job}` read with a
 * small projection), never incremented, so redelivered messages change nothing.
 *
 * Reads and writes filter on `_id` or on the indexed top-level `bulk_job` (FerretDB 1.24
 * pushes both down to PostgreSQL). A job's messages travel on several partitions (one per
 * device), so two replicas may refresh the same job at once: the write names the revision
 * it was computed from (`{_id, rev}`), and the one that lost reads and recomputes; so do two
 * refreshes of one process (only their writes take the shared write gate).
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
   * After the requests' executions are recorded: describes the jobs of the batch messages
   * and refreshes every job the messages name.
   */
  async recordRequests(
    messages: readonly ExecutionRequestMessage[],
    onProgress?: Progress,
  ): Promise<void> {
    const facts = new Map<string, JobFacts>();
    const ids = new Set<string>();
    for (const message of messages) {
      if (isBatch(message)) {
        facts.set(message.bulkJobId, factsOf(message));
        ids.add(message.bulkJobId);
      } else if (message.bulkJobId) ids.add(message.bulkJobId);
    }
    for (const id of ids) {
      await this.sync(id, facts.get(id));
      await onProgress?.();
    }
  }

  /** After events or results are recorded: refreshes the jobs they name (once each). */
  async refresh(jobIds: Iterable<string | undefined>, onProgress?: Progress): Promise<void> {
    for (const id of new Set(jobIds)) {
      if (id === undefined) continue;
      await this.sync(id, undefined);
      await onProgress?.();
    }
  }

  private async sync(id: string, facts: JobFacts | undefined): Promise<void> {
    try {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        if (await this.syncOnce(id, facts)) return;
      }
    } catch (error) {
      throw toStorageError(error, 'bulk job');
    }
    throw new AppError({
      code: 'bulk-job-contended',
      category: 'conflict',
      retriable: true,
      message: `Bulk job ${id} changed under every one of ${MAX_ATTEMPTS} refreshes.`,
    });
  }

  /**
   * One read-compute-write; false when another writer got there first. Only the write
   * takes the process's write gate: the reads (up to a job's 1,000 items) do not hold up
   * the other repositories' writes, and the revision check catches what they miss.
   */
  private async syncOnce(id: string, facts: JobFacts | undefined): Promise<boolean> {
    const stored = (await this.jobs.collection.findOne({
      _id: id,
    } as QueryFilter)) as unknown as BulkJobDoc | null;
    const described = facts !== undefined || (stored !== null && stored.accepted !== null);
    const items = (await this.executions.collection
      .find({ bulk_job: id }, { projection: described ? PROGRESS_FIELDS : PROVISIONAL_FIELDS })
      .toArray()) as unknown as ItemRow[];
    const next = this.nextState(stored, facts, items);
    if (stored && sameState(stored, next)) return true;
    const last_updated = this.now();
    if (!stored) {
      try {
        await this.gate.run(() =>
          this.jobs.collection.insertOne({ _id: id, ...next, last_updated, rev: 1 } as never),
        );
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    }
    const { rev } = stored;
    const written = await this.gate.run(() =>
      this.jobs.collection.updateOne({ _id: id, rev } as QueryFilter, {
        $set: { ...next, last_updated, rev: rev + 1 },
      }),
    );
    return written.matchedCount === 1;
  }

  private nextState(
    stored: BulkJobDoc | null,
    facts: JobFacts | undefined,
    items: readonly ItemRow[],
  ): JobState {
    const described: Described =
      facts ??
      (stored && stored.accepted !== null ? describedBy(stored) : this.provisional(stored, items));
    return { ...described, ...bulkJobProgress(items, described.accepted) };
  }

  /** Before any request message of the job is read: who and when, from its items. */
  private provisional(stored: BulkJobDoc | null, items: readonly ItemRow[]): Described {
    let created: Date | undefined;
    let user: BulkJobDoc['user'] = null;
    for (const item of items) {
      if (item.requested_at && (!created || item.requested_at < created))
        created = item.requested_at;
      user ??= item.user ?? null;
    }
    return {
      user: user ?? stored?.user ?? null,
      created: created ?? stored?.created ?? this.now(),
      notes: stored?.notes ?? '',
      total: null,
      accepted: null,
      rejected: null,
    };
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
        this.jobs.collection.find(filter).sort(sort).skip(offset).limit(limit).toArray(),
      ]);
      return { count, results: results as unknown as BulkJobDoc[] };
    } catch (error) {
      throw toStorageError(error, 'bulk job');
    }
  }

  async findOne(filter: QueryFilter): Promise<BulkJobDoc | undefined> {
    try {
      const doc = await this.jobs.collection.findOne(filter);
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
