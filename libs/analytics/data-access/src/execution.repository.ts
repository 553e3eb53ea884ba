import type { Connection, Model, mongo } from 'mongoose';
import { STATUS_RANK, statusOfOutcome } from '@toolkit/analytics-domain';
import type { QueryFilter } from '@toolkit/analytics-domain';
import type { ExecutionStatus } from '@toolkit/api-contracts';
import type { ExecutionEvent, ExecutionRequest, ExecutionResult } from '@toolkit/contracts';
import { toStorageError } from '@toolkit/mongo';
import { executionModel } from './execution.schema';
import type { ExecutionDoc } from './execution.schema';
import { WRITE_CHUNK } from './command-log.repository';
import type { SortSpec } from './command-log.repository';

type Op = mongo.AnyBulkWriteOperation<ExecutionDoc>;

/**
 * Execution status, converging whatever the arrival order: each message writes the
 * descriptive fields it carries (upsert on the execution id, idempotent), then a status
 * transition guarded so that it only moves forward (see canTransition in the domain).
 */
export class ExecutionRepository {
  readonly executions: Model<ExecutionDoc>;

  constructor(
    connection: Connection,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.executions = executionModel(connection);
  }

  models(): Model<never>[] {
    return [this.executions] as unknown as Model<never>[];
  }

  /** Queued executions, from the requests topic. The credential envelope is never read. */
  async recordRequests(requests: readonly ExecutionRequest[]): Promise<void> {
    const now = this.now();
    const ops: Op[] = [];
    for (const r of requests) {
      ops.push(
        this.describe(r.executionId, now, {
          command: { id: r.command.id ?? null, name: r.command.name },
          command_type: r.commandType,
          device: { id: r.device.id, name: r.device.name },
          platform: r.device.platform,
          user: { id: r.requestedBy.userId ?? null, username: r.requestedBy.username },
          bulk_job: r.bulkJobId ?? null,
          bulk_position: r.position ?? null,
          requested_at: new Date(r.requestedAt),
        }),
        this.transition(r.executionId, 'queued', 1, {}),
      );
    }
    await this.write(ops);
  }

  async recordEvents(events: readonly ExecutionEvent[]): Promise<void> {
    const now = this.now();
    const ops: Op[] = [];
    for (const e of events) {
      const described: Partial<ExecutionDoc> = { device: { id: e.device.id, name: e.device.name } };
      if (e.bulkJobId) described.bulk_job = e.bulkJobId;
      ops.push(this.describe(e.executionId, now, described));
      if (e.phase === 'started' || e.phase === 'progress')
        ops.push(
          this.transition(e.executionId, 'running', e.attempt, {
            started_at: new Date(e.at),
            executor: e.executorId,
          }),
        );
    }
    await this.write(ops);
  }

  async recordResults(
    results: readonly ExecutionResult[],
    logIds: ReadonlyMap<string, number>,
  ): Promise<void> {
    const now = this.now();
    const ops: Op[] = [];
    for (const r of results) {
      const described: Partial<ExecutionDoc> = {
        command: { id: r.command.id ?? null, name: r.command.name },
        command_type: r.commandType,
        device: { id: r.device.id, name: r.device.name },
        platform: r.device.platform,
        user: { id: r.requestedBy.userId ?? null, username: r.requestedBy.username },
        requested_at: new Date(r.timings.requestedAt),
      };
      if (r.bulkJobId) described.bulk_job = r.bulkJobId;
      if (r.position !== undefined) described.bulk_position = r.position;
      ops.push(
        this.describe(r.executionId, now, described),
        this.transition(r.executionId, statusOfOutcome(r.outcome), r.attempt, {
          started_at: new Date(r.timings.startedAt),
          finished_at: new Date(r.timings.finishedAt),
          executor: r.executorId,
          result: {
            success: r.success,
            output: r.output,
            error_message: r.errorMessage ?? '',
            error_class: r.errorClass,
            execution_duration: r.timings.durationMs / 1000,
            syntax_error: r.syntaxError.detected,
            parsed_output: r.parsedOutput !== null && r.parsedOutput.length > 0,
            command_log_id: logIds.get(r.executionId) ?? null,
          },
        }),
      );
    }
    await this.write(ops);
  }

  private describe(id: string, now: Date, fields: Partial<ExecutionDoc>): Op {
    return {
      updateOne: {
        filter: { _id: id },
        update: {
          $set: { ...fields, last_updated: now },
          $setOnInsert: {
            created: now,
            ...('bulk_job' in fields ? {} : { bulk_job: null }),
            ...('bulk_position' in fields ? {} : { bulk_position: null }),
          },
        },
        upsert: true,
      },
    };
  }

  private transition(
    id: string,
    status: ExecutionStatus,
    attempt: number,
    fields: Partial<ExecutionDoc>,
  ): Op {
    const rank = STATUS_RANK[status];
    const forward: QueryFilter[] = [
      { status_rank: { $exists: false } },
      { status_rank: null },
      { status_rank: { $lt: rank } },
    ];
    if (rank > 0) forward.push({ status_rank: rank, attempts: { $lt: attempt } });
    return {
      updateOne: {
        filter: { _id: id, $or: forward },
        update: { $set: { ...fields, status, status_rank: rank, attempts: attempt } },
      },
    };
  }

  private async write(ops: Op[]): Promise<void> {
    if (ops.length === 0) return;
    // Ordered: the describe upsert of an execution precedes its guarded transition. Two
    // consumers upserting the same new id race (duplicate key on one of them); every op is
    // idempotent, so the batch is simply written again.
    for (let start = 0; start < ops.length; start += WRITE_CHUNK) {
      const chunk = ops.slice(start, start + WRITE_CHUNK);
      for (let attempt = 1; ; attempt++) {
        try {
          await this.executions.collection.bulkWrite(chunk as mongo.AnyBulkWriteOperation[], {
            ordered: true,
          });
          break;
        } catch (error) {
          if (attempt < 5 && isDuplicateKey(error)) continue;
          throw toStorageError(error, 'execution');
        }
      }
    }
  }

  async list(
    filter: QueryFilter,
    sort: SortSpec,
    offset: number,
    limit: number,
  ): Promise<{ count: number; results: ExecutionDoc[] }> {
    try {
      const [count, results] = await Promise.all([
        this.executions.collection.countDocuments(filter),
        this.executions.collection.find(filter).sort(sort).skip(offset).limit(limit).toArray(),
      ]);
      return { count, results: results as unknown as ExecutionDoc[] };
    } catch (error) {
      throw toStorageError(error, 'execution');
    }
  }

  async findOne(filter: QueryFilter): Promise<ExecutionDoc | undefined> {
    const doc = await this.executions.collection.findOne(filter);
    return (doc as unknown as ExecutionDoc | null) ?? undefined;
  }

  /** The items of a bulk job, by position (at most the job's size, 1000). */
  async bulkJobItems(bulkJobId: string, scope: QueryFilter): Promise<ExecutionDoc[]> {
    const docs = await this.executions.collection
      .find({ $and: [{ bulk_job: bulkJobId }, scope] })
      .sort({ bulk_position: 1, _id: 1 })
      .limit(10_000)
      .toArray();
    return docs as unknown as ExecutionDoc[];
  }

  async purgeOlderThan(cutoff: Date, options: { chunk: number; maxDocs: number }): Promise<number> {
    let deleted = 0;
    while (deleted < options.maxDocs) {
      const ids = (
        await this.executions.collection
          .find({ created: { $lt: cutoff } }, { projection: { _id: 1 } })
          .limit(Math.min(options.chunk, options.maxDocs - deleted))
          .toArray()
      ).map((d) => d._id);
      if (ids.length === 0) break;
      deleted += (await this.executions.collection.deleteMany({ _id: { $in: ids } })).deletedCount;
      if (ids.length < options.chunk) break;
    }
    return deleted;
  }
}

function isDuplicateKey(error: unknown): boolean {
  const e = error as { code?: number; writeErrors?: { code?: number }[] };
  return e?.code === 11000 || (e?.writeErrors ?? []).some((w) => w.code === 11000);
}
