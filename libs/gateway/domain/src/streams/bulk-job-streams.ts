import type { BulkJobRepresentation, ExecutionRepresentation } from '@toolkit/api-contracts';
import type { ExecutionCompletion, ExecutionEvent } from '@toolkit/contracts';
import { isFinished } from '../executions/execution-answer';
import type { StreamCounters, StreamEvent, StreamSink } from './execution-streams';

/** How a bulk job stream reads the job and its items, as its caller sees them. */
export interface BulkJobSource {
  job(): Promise<BulkJobRepresentation | undefined>;
  /** The job's executions in position order, `limit` from `offset`. */
  items(
    offset: number,
    limit: number,
  ): Promise<{ count: number; results: ExecutionRepresentation[] }>;
}

/** One item as a bulk job stream reports it. */
export interface ItemState {
  execution_id: string;
  position: number | null;
  status: string;
  success?: boolean;
  error_class?: string | null;
  command_log_id?: number | null;
}

interface Follower {
  readonly sink: StreamSink;
  readonly source: BulkJobSource;
  /** Items' last reported status, by execution id: each status is reported once. */
  readonly reported: Map<string, string>;
  finished: number;
  ended: boolean;
  lastEventAt: number;
}

const ITEM_PAGE = 200;

/**
 * Live streams of bulk jobs: every item's status changes (running, then its outcome) once,
 * the job's progress after each finished item, and the job when it completes. Items that
 * finished before the client came are reported from analytics first; what happens
 * meanwhile is merged without repeats. A client that falls behind is dropped (its socket
 * is the only buffer).
 */
export class BulkJobStreams {
  private readonly byJob = new Map<string, Set<Follower>>();
  private counters: StreamCounters = { eventSent: () => undefined, dropped: () => undefined };

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxBufferedBytes = 1024 * 1024,
    private readonly idleMs = 600_000,
  ) {}

  countWith(counters: StreamCounters): void {
    this.counters = counters;
  }

  get open(): number {
    let count = 0;
    for (const followers of this.byJob.values()) count += followers.size;
    return count;
  }

  /**
   * Follows a job the caller may read (`job`, just read): its progress, the items that
   * have a result already, then what happens; a completed job ends the stream after that.
   */
  async subscribe(
    job: BulkJobRepresentation,
    sink: StreamSink,
    source: BulkJobSource,
  ): Promise<void> {
    const follower: Follower = {
      sink,
      source,
      reported: new Map(),
      finished: 0,
      ended: false,
      lastEventAt: this.now(),
    };
    let followers = this.byJob.get(job.id);
    if (!followers) {
      followers = new Set();
      this.byJob.set(job.id, followers);
    }
    followers.add(follower);
    this.send(job.id, follower, 'progress', progressOf(job));
    for (let offset = 0; !follower.ended; offset += ITEM_PAGE) {
      const page = await source.items(offset, ITEM_PAGE);
      for (const execution of page.results) this.item(job.id, follower, itemOf(execution));
      if (offset + ITEM_PAGE >= page.count) break;
    }
    // Completed now, or between the caller's read and the subscription (its last
    // completion would be missed): look once more.
    const again = job.status === 'completed' ? job : await source.job().catch(() => undefined);
    if (again?.status === 'completed') await this.complete(job.id, follower, again);
  }

  unsubscribe(jobId: string, sink: StreamSink): void {
    const followers = this.byJob.get(jobId);
    for (const follower of followers ?? [])
      if (follower.sink === sink) {
        follower.ended = true;
        followers?.delete(follower);
      }
    if (followers?.size === 0) this.byJob.delete(jobId);
  }

  /** An item started (events topic). */
  onEvent(event: ExecutionEvent): void {
    if (!event.bulkJobId || (event.phase !== 'started' && event.phase !== 'progress')) return;
    for (const follower of this.byJob.get(event.bulkJobId) ?? [])
      this.item(event.bulkJobId, follower, {
        execution_id: event.executionId,
        position: null,
        status: 'running',
      });
  }

  /** An item's result is stored (completions topic). */
  async onCompletion(completion: ExecutionCompletion): Promise<void> {
    const jobId = completion.bulkJobId;
    if (!jobId) return;
    const followers = [...(this.byJob.get(jobId) ?? [])];
    if (followers.length === 0) return;
    const item: ItemState = {
      execution_id: completion.executionId,
      position: completion.position ?? null,
      status: completion.outcome,
      success: completion.success,
      error_class: completion.errorClass,
      command_log_id: completion.commandLogId,
    };
    for (const follower of followers) this.item(jobId, follower, item);
    // Progress and completion as analytics counts them (one read per job, shared).
    const job = await followers[0]?.source.job().catch(() => undefined);
    if (!job) return;
    for (const follower of followers) {
      this.send(jobId, follower, 'progress', progressOf(job));
      if (job.status === 'completed') await this.complete(jobId, follower, job);
    }
  }

  /** Idle streams end; a job quiet for `recheckAfterMs` is read again (missed completions). */
  async sweep(recheckAfterMs: number): Promise<void> {
    const now = this.now();
    for (const [jobId, followers] of [...this.byJob]) {
      for (const follower of [...followers]) {
        if (now - follower.lastEventAt > this.idleMs) this.end(jobId, follower, 'idle');
        else if (now - follower.lastEventAt > recheckAfterMs) {
          follower.lastEventAt = now;
          const job = await follower.source.job().catch(() => undefined);
          if (job?.status === 'completed') await this.complete(jobId, follower, job);
        }
      }
    }
  }

  closeAll(): void {
    for (const [jobId, followers] of [...this.byJob])
      for (const follower of [...followers]) this.end(jobId, follower, 'shutdown');
  }

  /** Reports the items not reported in their final state yet, the job, and ends. */
  private async complete(
    jobId: string,
    follower: Follower,
    known?: BulkJobRepresentation,
  ): Promise<void> {
    if (follower.ended) return;
    const job = known ?? (await follower.source.job());
    if (!job) return;
    for (let offset = 0; !follower.ended; offset += ITEM_PAGE) {
      const page = await follower.source.items(offset, ITEM_PAGE);
      for (const execution of page.results) this.item(jobId, follower, itemOf(execution));
      if (offset + ITEM_PAGE >= page.count) break;
    }
    this.send(jobId, follower, 'job', job as unknown as Record<string, unknown>);
    this.end(jobId, follower, 'finished');
  }

  private item(jobId: string, follower: Follower, item: ItemState): void {
    const previous = follower.reported.get(item.execution_id);
    if (previous === item.status) return;
    // A result never goes back to running (an event read after its completion).
    if (previous !== undefined && previous !== 'queued' && previous !== 'running') return;
    if (item.status === 'queued' && previous !== undefined) return;
    follower.reported.set(item.execution_id, item.status);
    if (isFinished({ status: item.status as ExecutionRepresentation['status'] }))
      follower.finished += 1;
    this.send(jobId, follower, 'item', item as unknown as Record<string, unknown>);
  }

  private send(
    jobId: string,
    follower: Follower,
    event: 'progress' | 'item' | 'job',
    data: Record<string, unknown>,
  ): void {
    if (follower.ended) return;
    follower.lastEventAt = this.now();
    const streamEvent: StreamEvent = { id: String(follower.finished), event, data };
    follower.sink.write(streamEvent);
    this.counters.eventSent(event);
    if (follower.sink.buffered > this.maxBufferedBytes) {
      this.counters.dropped('slow_client');
      follower.ended = true;
      this.byJob.get(jobId)?.delete(follower);
      follower.sink.close();
    }
  }

  private end(jobId: string, follower: Follower, reason: string): void {
    if (follower.ended) return;
    follower.sink.write({ id: String(follower.finished), event: 'end', data: { reason } });
    this.counters.eventSent('end');
    follower.ended = true;
    const followers = this.byJob.get(jobId);
    followers?.delete(follower);
    if (followers?.size === 0) this.byJob.delete(jobId);
    follower.sink.close();
  }
}

function itemOf(execution: ExecutionRepresentation): ItemState {
  return {
    execution_id: execution.id,
    position: execution.bulk_position ?? null,
    status: execution.status,
    ...(execution.result
      ? {
          success: execution.result.success,
          error_class: execution.result.error_class,
          command_log_id: execution.result.command_log_id,
        }
      : {}),
  };
}

function progressOf(job: BulkJobRepresentation): Record<string, unknown> {
  return {
    status: job.status,
    total: job.total,
    accepted: job.accepted,
    done: job.done,
    counts: job.counts,
    summary: job.summary,
  };
}
