import type { Connection, Model, mongo } from 'mongoose';
import {
  STATUS_RANK,
  canTransition,
  statusOfOutcome,
  storableStrings,
  storedUserOf,
} from '@toolkit/analytics-domain';
import type { QueryFilter, StatusPoint } from '@toolkit/analytics-domain';
import type { ExecutionEvent, ExecutionRequest, ExecutionResult } from '@toolkit/contracts';
import { isDuplicateKey, toStorageError } from '@toolkit/mongo';
import { executionModel } from './execution.schema';
import type { ExecutionDoc } from './execution.schema';
import type { SortSpec } from './command-log.repository';
import { WRITE_CHUNK, writeGateOf } from './write-gate';
import type { WriteGate } from './write-gate';

type Op = mongo.AnyBulkWriteOperation<ExecutionDoc>;

/** Up to this many ids, statuses are read by `_id` one by one rather than with one `$in`. */
const FEW_IDS = 32;

/** Called between write commands: the consumer heartbeats there. */
export type Progress = () => Promise<void>;

interface Step {
  describe: { id: string; fields: Partial<ExecutionDoc> };
  transition?: { point: StatusPoint; fields: Partial<ExecutionDoc> };
}

/**
 * Execution status, converging whatever the arrival order: each message writes the
 * descriptive fields it carries (idempotent), and a status transition that applies only
 * when it moves forward (canTransition in the domain).
 *
 * Every statement filters on `_id` alone (a guard in the filter, `{_id, $or: [...]}`, made
 * each of 400 statements per batch of 200 scan and decode the whole collection in FerretDB
 * 1.24, so a batch took longer as the collection grew; docs/benchmarks.md). So a batch reads
 * the status of its executions with one query, decides the transitions in code, and writes one
 * statement per execution (an insert when new), inside the process's write gate (no other
 * writer of this process runs in between). Two replicas writing the same execution at the same
 * instant could still interleave; the messages of one execution share a key (device id), so
 * this needs two topics' consumers of one device on different replicas at the same
 * millisecond.
 */
export class ExecutionRepository {
  readonly executions: Model<ExecutionDoc>;
  private readonly gate: WriteGate;

  constructor(
    connection: Connection,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.executions = executionModel(connection);
    this.gate = writeGateOf(connection);
  }

  models(): Model<never>[] {
    return [this.executions] as unknown as Model<never>[];
  }

  /**
   * Queued executions, from the requests topic. The credential envelope is never read.
   * Like the other record methods, returns each execution's status once recorded.
   */
  async recordRequests(
    requests: readonly ExecutionRequest[],
    onProgress?: Progress,
  ): Promise<Map<string, StatusPoint>> {
    const now = this.now();
    const steps: Step[] = [];
    for (const r of requests) {
      steps.push({
        describe: this.describe(r.executionId, now, {
          command: { id: r.command.id ?? null, name: r.command.name },
          command_type: r.commandType,
          device: { id: r.device.id, name: r.device.name },
          platform: r.device.platform,
          user: storedUserOf(r.requestedBy),
          bulk_job: r.bulkJobId ?? null,
          bulk_position: r.position ?? null,
          requested_at: new Date(r.requestedAt),
          rendered_command: r.renderedCommand,
          notes: r.notes ?? '',
        }),
        transition: { point: { status: 'queued', attempt: 1 }, fields: {} },
      });
    }
    return this.write(steps, onProgress);
  }

  async recordEvents(
    events: readonly ExecutionEvent[],
    onProgress?: Progress,
  ): Promise<Map<string, StatusPoint>> {
    const now = this.now();
    const steps: Step[] = [];
    for (const e of events) {
      const described: Partial<ExecutionDoc> = { device: { id: e.device.id, name: e.device.name } };
      if (e.bulkJobId) described.bulk_job = e.bulkJobId;
      const step: Step = { describe: this.describe(e.executionId, now, described) };
      if (e.phase === 'started' || e.phase === 'progress')
        step.transition = {
          point: { status: 'running', attempt: e.attempt },
          fields: { started_at: new Date(e.at), executor: e.executorId },
        };
      steps.push(step);
    }
    return this.write(steps, onProgress);
  }

  /** Returns each execution's status once the results are recorded. */
  async recordResults(
    given: readonly ExecutionResult[],
    logIds: ReadonlyMap<string, number>,
    onProgress?: Progress,
  ): Promise<Map<string, StatusPoint>> {
    // Device output may hold NUL bytes, which the store cannot keep.
    const results = given.map((r) => storableStrings(r));
    const now = this.now();
    const steps: Step[] = [];
    for (const r of results) {
      const described: Partial<ExecutionDoc> = {
        command: { id: r.command.id ?? null, name: r.command.name },
        command_type: r.commandType,
        device: { id: r.device.id, name: r.device.name },
        platform: r.device.platform,
        user: storedUserOf(r.requestedBy),
        requested_at: new Date(r.timings.requestedAt),
        rendered_command: r.renderedCommand,
        notes: r.notes ?? '',
      };
      if (r.bulkJobId) described.bulk_job = r.bulkJobId;
      if (r.position !== undefined) described.bulk_position = r.position;
      steps.push({
        describe: this.describe(r.executionId, now, described),
        transition: {
          point: { status: statusOfOutcome(r.outcome), attempt: r.attempt },
          fields: {
            started_at: new Date(r.timings.startedAt),
            finished_at: new Date(r.timings.finishedAt),
            executor: r.executorId,
            result: {
              success: r.success,
              output: r.output,
              error_message: r.errorMessage ?? '',
              error_class: r.errorClass,
              execution_duration: r.timings.durationMs / 1000,
              syntax_error: { ...r.syntaxError },
              parsed_output: r.parsedOutput !== null && r.parsedOutput.length > 0,
              parsed_json: r.parsedOutput === null ? null : JSON.stringify(r.parsedOutput),
              parse_error: r.parseError,
              parse_template: r.parseTemplate,
              command_log_id: logIds.get(r.executionId) ?? null,
            },
          },
        },
      });
    }
    return this.write(steps, onProgress);
  }

  private describe(id: string, now: Date, fields: Partial<ExecutionDoc>): Step['describe'] {
    return { id, fields: { ...fields, last_updated: now } };
  }

  /**
   * Which executions exist, and their status. A few ids are read one `_id` equality each
   * (FerretDB 1.24 on PostgreSQL scans the table in C for it); a large batch is one `$in`
   * query, which FerretDB answers by decoding every execution in Go, whatever its size: for
   * a few ids, reads by `_id` cost far less (docs/benchmarks.md, execution API). A
   * synchronous execution's batches hold one or two ids: this is most of its latency.
   * MongoDB 7 serves both from the `_id` index.
   */
  private async currentStatuses(
    ids: readonly string[],
  ): Promise<{ found: Set<string>; current: Map<string, StatusPoint> }> {
    const found = new Set<string>();
    const current = new Map<string, StatusPoint>();
    const projection = { projection: { status: 1, attempts: 1 } };
    const docs =
      ids.length <= FEW_IDS
        ? (
            await Promise.all(
              ids.map((id) =>
                this.executions.collection.findOne({ _id: id } as QueryFilter, projection),
              ),
            )
          ).filter((d) => d !== null)
        : await this.executions.collection
            .find({ _id: { $in: ids } } as QueryFilter, projection)
            .toArray();
    for (const raw of docs) {
      const doc = raw as unknown as Pick<ExecutionDoc, '_id' | 'status' | 'attempts'>;
      found.add(doc._id);
      if (doc.status) current.set(doc._id, { status: doc.status, attempt: doc.attempts ?? 1 });
    }
    return { found, current };
  }

  /**
   * One statement per execution: the descriptive fields of all its messages, plus the
   * transitions that move forward, folded in arrival order; an insert when it is new.
   * Another process inserting the same new execution meanwhile makes the insert fail
   * (duplicate key): the whole batch is read and folded again.
   */
  private async write(
    steps: readonly Step[],
    onProgress?: Progress,
  ): Promise<Map<string, StatusPoint>> {
    if (steps.length === 0) return new Map();
    return this.gate.run(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.writeOnce(steps, onProgress);
        } catch (error) {
          if (attempt < 5 && isDuplicateKey(error)) continue;
          throw toStorageError(error, 'execution');
        }
      }
    });
  }

  private async writeOnce(
    steps: readonly Step[],
    onProgress?: Progress,
  ): Promise<Map<string, StatusPoint>> {
    const ids = [...new Set(steps.map((s) => s.describe.id))];
    const { found, current } = await this.currentStatuses(ids);
    const merged = new Map<string, Partial<ExecutionDoc>>();
    for (const { describe, transition } of steps) {
      const set = merged.get(describe.id) ?? {};
      Object.assign(set, describe.fields);
      if (transition && canTransition(current.get(describe.id), transition.point)) {
        current.set(describe.id, transition.point);
        const { status, attempt } = transition.point;
        Object.assign(set, transition.fields, {
          status,
          status_rank: STATUS_RANK[status],
          attempts: attempt,
        });
      }
      merged.set(describe.id, set);
    }
    const ops: Op[] = [...merged].map(([id, set]) =>
      found.has(id)
        ? { updateOne: { filter: { _id: id }, update: { $set: set } } }
        : {
            insertOne: {
              document: {
                _id: id,
                created: set.last_updated,
                bulk_job: null,
                bulk_position: null,
                ...set,
              } as ExecutionDoc,
            },
          },
    );
    for (let start = 0; start < ops.length; start += WRITE_CHUNK) {
      const chunk = ops.slice(start, start + WRITE_CHUNK);
      await this.executions.collection.bulkWrite(chunk as mongo.AnyBulkWriteOperation[], {
        ordered: false,
      });
      await onProgress?.();
    }
    return current;
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
      const result = await this.gate.run(() =>
        this.executions.collection.deleteMany({ _id: { $in: ids } }),
      );
      deleted += result.deletedCount;
      if (ids.length < options.chunk) break;
    }
    return deleted;
  }
}
