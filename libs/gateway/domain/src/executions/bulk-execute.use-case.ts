import { bulkExecuteItemSchema, executeLoginProblems } from '@toolkit/api-contracts';
import type {
  BulkExecuteRequestBody,
  BulkExecuteResult,
  BulkJobRepresentation,
  BulkRenderRequest,
  BulkRenderResponse,
  BulkSummary,
  ExecutionRepresentation,
  RenderRequest,
  RenderResponse,
} from '@toolkit/api-contracts';
import type {
  Constraints,
  ExecutionBatch,
  ExecutionCancellation,
  ExecutionCompletion,
  ExecutionRequest,
  Principal,
} from '@toolkit/contracts';
import { MAX_TIMEOUT_MS, chunksOf } from '@toolkit/contracts';
import { AppError } from '@toolkit/errors';
import type { Clock } from '../ports';
import type { CompletionWaiters } from './completion-waiters';
import type { CallContext, TicketStore } from './execute-command.use-case';
import {
  checkCanceller,
  findCancelTarget,
  isNotQueued,
  loginBlocked,
  notQueued,
  rateLimited,
  refuseWhileShuttingDown,
} from './execute-command.use-case';
import type { Fingerprints, IdempotencyRecord, IdempotencyStore } from './idempotency';
import { IdempotencyKeys } from './idempotency';
import type { RateLimiter } from './rate-limit';

/** Port: the catalog renders many items for one requester (one internal call). */
export interface BulkRenderer {
  renderMany(request: BulkRenderRequest, context: CallContext): Promise<BulkRenderResponse>;
}

/** Port: Kafka (acks=all): every batch is on the broker when it resolves. */
export interface BulkBus {
  publishBatches(batches: readonly ExecutionBatch[], correlationId?: string): Promise<void>;
  publishCancellation(cancellation: ExecutionCancellation, correlationId?: string): Promise<void>;
}

/** Port: bulk jobs as analytics recorded them. */
export interface BulkJobReader {
  get(
    jobId: string,
    requester: Principal,
    context: CallContext,
    constraints?: Constraints,
  ): Promise<BulkJobRepresentation | undefined>;
}

/** A refused item: what a single execute of it would have answered. */
export interface RejectedItem {
  position: number;
  commandId: number | null;
  deviceId: number | null;
  /** Names, when the catalog gave them (objects the requester may see). */
  commandName?: string;
  deviceName?: string;
  status: number;
  body: Record<string, unknown>;
}

export interface AcceptedItem {
  position: number;
  executionId: string;
  command: { id: number; name: string };
  device: { id: number; name: string };
}

export interface BulkSubmitInput {
  requester: Principal;
  groupNames: readonly string[];
  body: BulkExecuteRequestBody;
  permissions: RenderRequest['permissions'];
  idempotencyKey?: string;
  context: CallContext;
  /** Aborts a synchronous wait (the client went away); the job goes on. */
  signal?: AbortSignal;
}

export interface BulkSubmitOutcome {
  jobId: string;
  /** An earlier request with the same key started this job: its items are not known here. */
  replayed: boolean;
  total: number;
  accepted: readonly AcceptedItem[];
  rejected: readonly RejectedItem[];
  /**
   * `accepted`: asynchronous; `finished`: every item has a result; `timed-out`: the wait
   * ran out (pending items go on); `interrupted`: shutdown or the client went away.
   */
  kind: 'accepted' | 'finished' | 'timed-out' | 'interrupted';
}

export interface BulkSettings {
  /** Added to the longest device's work for results to travel back (sync waits). */
  waitGraceMs: number;
  /** The longest a synchronous bulk request waits; pending items are reported as such. */
  maxWaitMs: number;
  /** Intervals at which a waiting request asks analytics how far the job got. */
  pollIntervalsMs: readonly number[];
  /** Largest JSON size of one device message's items (Kafka's message limit is 1 MiB). */
  maxBatchBytes: number;
  /** Devices whose items are checked against the rate limit at the same time. */
  limitConcurrency: number;
}

export interface BulkExecutionDeps {
  renderer: BulkRenderer;
  bus: BulkBus;
  jobs: BulkJobReader;
  tickets: TicketStore;
  rateLimiter: RateLimiter;
  idempotency: IdempotencyStore;
  fingerprints: Fingerprints;
  waiters: CompletionWaiters;
  clock: Clock;
  newId: () => string;
  /** A stable id derived from a namespace id and a name (UUID v5): item ids of a job. */
  deriveId: (namespace: string, name: string) => string;
  settings: BulkSettings;
  warn: (error: unknown, message: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

interface ParsedItem {
  position: number;
  executionId: string;
  commandId: number;
  deviceId: number;
  timeoutMs: number;
  notes: string | undefined;
  render: BulkRenderRequest['items'][number];
}

interface Checked {
  item: ParsedItem;
  rendered: RenderResponse;
  /** The rate-limit reservation taken for it (released if publishing fails). */
  slotId?: string | null;
}

/**
 * Many commands on many devices in one request: every item checked first (shape,
 * permission, rendering, platform, credentials, the device's login-failure limit and rate
 * limit) and refused on its own; the rest published as one message per device, its items
 * in the order given, to run on one session; then (synchronous) the wait for every item's
 * result. Each item is an execution of its own (id derived from the job id and its
 * position, so that a retry with the same Idempotency-Key publishes the same ids).
 */
export class BulkExecutionService {
  private readonly keys: IdempotencyKeys;
  /** Synchronous jobs of this replica: the items still without a result. */
  private readonly waiting = new Map<string, Set<string>>();

  constructor(private readonly deps: BulkExecutionDeps) {
    this.keys = new IdempotencyKeys(deps);
  }

  async submit(input: BulkSubmitInput): Promise<BulkSubmitOutcome> {
    refuseWhileShuttingDown(this.deps.waiters);
    let jobId = this.deps.newId();
    let claim: IdempotencyRecord | undefined;
    if (input.idempotencyKey !== undefined) {
      const key = await this.keys.claim({
        userId: input.requester.id,
        key: input.idempotencyKey,
        request: { bulk: input.body },
        id: jobId,
        published: async (id) =>
          (await this.readJob(id, input.requester, input.context)) !== undefined,
      });
      if (key.replay) return this.replay(key.executionId, input);
      claim = key.record;
      jobId = key.record.executionId;
    }
    let prepared: { accepted: Checked[]; rejected: RejectedItem[] };
    try {
      prepared = await this.prepare(input, jobId);
      if (prepared.accepted.length === 0) throw nothingToRun(prepared.rejected);
      await this.publish(input, jobId, prepared);
    } catch (error) {
      if (claim) await this.keys.settleAfterFailure(claim, isNotQueued(error));
      throw error;
    }
    if (claim) await this.keys.accepted(claim);
    const accepted = prepared.accepted.map(({ item, rendered }) => ({
      position: item.position,
      executionId: item.executionId,
      command: { id: rendered.command.id, name: rendered.command.name },
      device: { id: rendered.device.id, name: rendered.device.name },
    }));
    const base = {
      jobId,
      replayed: false,
      total: input.body.executions.length,
      accepted,
      rejected: prepared.rejected,
    };
    if (input.body.async) return { ...base, kind: 'accepted' };
    return { ...base, kind: await this.waitFor(jobId, input, prepared.accepted) };
  }

  /** An execution's completion read by this replica: a synchronous job may be done. */
  wake(completion: ExecutionCompletion): void {
    if (completion.bulkJobId === undefined) return;
    const left = this.waiting.get(completion.bulkJobId);
    if (!left) return;
    left.delete(completion.executionId);
    if (left.size === 0) this.deps.waiters.notify(completion.bulkJobId);
  }

  /**
   * `POST bulk-jobs/{id}/cancel/`: its requester or a superuser; the items not started yet
   * are cancelled by the executors that hold them (running items finish).
   */
  async cancel(input: {
    jobId: string;
    caller: Principal;
    viewGrant: Constraints | false;
    context: CallContext;
  }): Promise<{ status: BulkJobRepresentation['status'] }> {
    const { jobId, caller, context } = input;
    const { record: job, ticket } = await findCancelTarget({
      what: 'bulk job',
      read: () => this.deps.jobs.get(jobId, caller, context),
      ticket: () => this.deps.tickets.find(jobId),
    });
    await checkCanceller({
      what: 'bulk job',
      requesterId: job?.user?.id ?? ticket?.userId,
      caller,
      viewGrant: input.viewGrant,
      visibleWith: async (grant) =>
        (await this.deps.jobs.get(jobId, caller, context, grant)) !== undefined,
    });
    if (job?.status === 'completed')
      throw AppError.conflict('The bulk job has already finished: every item has a result.');
    await this.deps.bus
      .publishCancellation(
        {
          bulkJobId: jobId,
          requestedBy: { userId: caller.id, username: caller.username },
          requestedAt: this.deps.clock.now().toISOString(),
        },
        context.requestId,
      )
      .catch((error: unknown) => {
        throw notQueued(error, 'The cancellation could not be sent');
      });
    return { status: job?.status ?? 'queued' };
  }

  /** Shape, then the catalog's checks (one call), then the per-device limits. */
  private async prepare(
    input: BulkSubmitInput,
    jobId: string,
  ): Promise<{ accepted: Checked[]; rejected: RejectedItem[] }> {
    const rejected: RejectedItem[] = [];
    const parsed: ParsedItem[] = [];
    input.body.executions.forEach((raw, position) => {
      const item = this.parseItem(raw, position, input.body, jobId);
      if ('status' in item) rejected.push(item);
      else parsed.push(item);
    });
    const checked: Checked[] = [];
    if (parsed.length > 0) {
      const answer = await this.deps.renderer.renderMany(
        {
          requester: { id: input.requester.id, username: input.requester.username },
          permissions: input.permissions,
          items: parsed.map((p) => p.render),
        },
        input.context,
      );
      const maxItemBytes = this.deps.settings.maxBatchBytes - ITEM_ENVELOPE_BYTES;
      parsed.forEach((item, index) => {
        const outcome = answer.results[index];
        if (outcome && 'rendered' in outcome) {
          // An item the requests topic cannot carry is refused alone, not the whole job.
          if (Buffer.byteLength(JSON.stringify(outcome.rendered)) > maxItemBytes)
            rejected.push({
              position: item.position,
              commandId: item.commandId,
              deviceId: item.deviceId,
              commandName: outcome.rendered.command.name,
              deviceName: outcome.rendered.device.name,
              status: 400,
              body: {
                variables: [
                  `The rendered item (command, variables and parsing templates) is larger than ${maxItemBytes} bytes.`,
                ],
              },
            });
          else checked.push({ item, rendered: outcome.rendered });
        } else
          rejected.push({
            position: item.position,
            commandId: item.commandId,
            deviceId: item.deviceId,
            ...(outcome?.command && { commandName: outcome.command.name }),
            ...(outcome?.device && { deviceName: outcome.device.name }),
            ...itemRefusal(item.commandId, outcome?.error),
          });
      });
    }
    const accepted = await this.applyLimits(input, checked, rejected);
    rejected.sort((a, b) => a.position - b.position);
    return { accepted, rejected };
  }

  /** One item's own fields, completed with the request's shared login, timeout and notes. */
  private parseItem(
    raw: unknown,
    position: number,
    body: BulkExecuteRequestBody,
    jobId: string,
  ): ParsedItem | RejectedItem {
    const refuse = (errors: Record<string, string[]>): RejectedItem => {
      const ids = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
      const idOf = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null);
      return {
        position,
        commandId: idOf(ids['command_id']),
        deviceId: idOf(ids['device_id']),
        status: 400,
        body: errors,
      };
    };
    const result = bulkExecuteItemSchema.safeParse(raw);
    if (!result.success) {
      const errors: Record<string, string[]> = {};
      for (const issue of result.error.issues) {
        const field = issue.path.length > 0 ? issue.path.map(String).join('.') : 'non_field_errors';
        (errors[field] ??= []).push(issue.message);
      }
      return refuse(errors);
    }
    const item = result.data;
    const ownLogin =
      item.credential_token !== undefined ||
      item.username !== undefined ||
      item.password !== undefined;
    const login = ownLogin ? item : body;
    const problems = executeLoginProblems(login, { required: true });
    if (problems.length > 0) {
      const errors: Record<string, string[]> = {};
      for (const p of problems) (errors[p.field] ??= []).push(p.message);
      return refuse(errors);
    }
    const executionId = this.deps.deriveId(jobId, String(position));
    return {
      position,
      executionId,
      commandId: item.command_id,
      deviceId: item.device_id,
      timeoutMs: (item.timeout ?? body.timeout) * 1_000,
      notes: item.notes ?? body.notes,
      render: {
        execution_id: executionId,
        command_id: item.command_id,
        device_id: item.device_id,
        ...(item.variables === undefined ? {} : { variables: item.variables }),
        credentials:
          login.credential_token !== undefined
            ? { credential_token: login.credential_token }
            : {
                username: login.username ?? '',
                password: login.password ?? '',
                ...(login.enable_secret === undefined
                  ? {}
                  : { enable_secret: login.enable_secret }),
              },
      },
    };
  }

  /**
   * Each device's login-failure limit and rate limit, item by item in the order given (a
   * device never goes over its limit, whatever the request holds); devices in parallel.
   */
  private async applyLimits(
    input: BulkSubmitInput,
    checked: readonly Checked[],
    rejected: RejectedItem[],
  ): Promise<Checked[]> {
    const limiter = this.deps.rateLimiter;
    const limited =
      limiter.policy.enabled && !limiter.isBypassed(input.requester.username, input.groupNames);
    const byDevice = groupBy(checked, (c) => c.rendered.device.id);
    const accepted: Checked[] = [];
    const refuse = (c: Checked, error: AppError) =>
      rejected.push(rejectedOf(c.item, error, c.rendered));
    const devices = [...byDevice.values()];
    let next = 0;
    const worker = async () => {
      for (let index = next++; index < devices.length; index = next++) {
        const items = devices[index] as Checked[];
        const logins = new Map<string, Promise<AppError | undefined>>();
        let exhausted: AppError | undefined;
        // An item starts after the device's earlier ones: its reservation must outlast them.
        let deviceWorkMs = 0;
        for (const c of items) {
          deviceWorkMs += c.item.timeoutMs;
          const deviceId = c.rendered.device.id;
          let login = logins.get(c.rendered.username);
          if (!login) {
            login = limiter
              .checkLogin(deviceId, c.rendered.username)
              .then((check) =>
                check.blocked
                  ? loginBlocked(check.failures, check.retryAfterMs, limiter)
                  : undefined,
              );
            logins.set(c.rendered.username, login);
          }
          const blocked = await login;
          if (blocked) {
            refuse(c, blocked);
            continue;
          }
          if (!limited) {
            accepted.push(c);
            continue;
          }
          if (exhausted) {
            refuse(c, exhausted);
            continue;
          }
          const reservation = await limiter.reserve({
            deviceId,
            executionId: c.item.executionId,
            timeoutMs: deviceWorkMs,
          });
          if (reservation.allowed) {
            c.slotId = reservation.slotId;
            accepted.push(c);
          } else {
            exhausted = rateLimited(reservation, limiter);
            refuse(c, exhausted);
          }
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(devices.length, this.deps.settings.limitConcurrency) }, worker),
    );
    return accepted.sort((a, b) => a.item.position - b.item.position);
  }

  /** One message per device (more when its items do not fit one), every one acknowledged. */
  private async publish(
    input: BulkSubmitInput,
    jobId: string,
    prepared: { accepted: Checked[]; rejected: RejectedItem[] },
  ): Promise<void> {
    const now = this.deps.clock.now();
    const { requester, body } = input;
    const job: ExecutionBatch['job'] = {
      total: body.executions.length,
      accepted: prepared.accepted.length,
      rejected: prepared.rejected.length,
      requestedBy: { userId: requester.id, username: requester.username },
      requestedAt: now.toISOString(),
      ...(body.notes ? { notes: body.notes } : {}),
    };
    const batches = devicesBatches(
      jobId,
      job,
      prepared.accepted.map(({ item, rendered }) =>
        requestOf(jobId, item, rendered, job, body.stream === true),
      ),
      this.deps.settings.maxBatchBytes,
    );
    if (!body.async) {
      this.waiting.set(jobId, new Set(prepared.accepted.map((c) => c.item.executionId)));
    }
    const first = prepared.accepted[0]?.rendered;
    // Lets a cancel find the job's requester before analytics has recorded it.
    const ticket = this.deps.tickets
      .record({
        executionId: jobId,
        userId: requester.id,
        username: requester.username,
        deviceId: first?.device.id ?? 0,
        deviceName: first?.device.name ?? '',
        commandType: first?.command.command_type ?? 'show',
        created: now,
      })
      .catch((e: unknown) => this.deps.warn(e, 'bulk job ticket not recorded'));
    try {
      await Promise.all([this.deps.bus.publishBatches(batches, input.context.requestId), ticket]);
    } catch (error) {
      this.waiting.delete(jobId);
      await Promise.all(
        prepared.accepted.map((c) =>
          c.slotId
            ? this.deps.rateLimiter
                .release(c.slotId)
                .catch((e: unknown) => this.deps.warn(e, 'rate-limit reservation not released'))
            : undefined,
        ),
      );
      throw notQueued(error, 'The bulk job could not be queued');
    }
  }

  /**
   * Until every item has a result (completions read by this replica, or analytics' count
   * at `pollIntervalsMs`), or the longest device's work plus the grace, within maxWaitMs.
   */
  private async waitFor(
    jobId: string,
    input: BulkSubmitInput,
    accepted: readonly Checked[],
  ): Promise<'finished' | 'timed-out' | 'interrupted'> {
    const { clock, settings, waiters } = this.deps;
    const perDevice = new Map<number, number>();
    for (const { item, rendered } of accepted)
      perDevice.set(rendered.device.id, (perDevice.get(rendered.device.id) ?? 0) + item.timeoutMs);
    const work = Math.min(Math.max(...perDevice.values()), settings.maxWaitMs);
    const deadline = clock.now().getTime() + work + settings.waitGraceMs;
    const waiter = waiters.register(jobId);
    const polls = settings.pollIntervalsMs;
    try {
      for (let round = 0; ; round++) {
        if ((this.waiting.get(jobId)?.size ?? 0) === 0) return 'finished';
        const left = deadline - clock.now().getTime();
        if (left <= 0) return 'timed-out';
        const interval = polls[Math.min(round, polls.length - 1)] ?? left;
        const reason = await waiter.next(Math.min(left, interval), input.signal);
        if (reason === 'closed') return 'interrupted';
        if (reason === 'tick') {
          const job = await this.readJob(jobId, input.requester, input.context);
          if (job?.status === 'completed') return 'finished';
        }
      }
    } finally {
      waiter.dispose();
      this.waiting.delete(jobId);
    }
  }

  /** A key seen before: the same job, never a second one. */
  private async replay(jobId: string, input: BulkSubmitInput): Promise<BulkSubmitOutcome> {
    const job = await this.readJob(jobId, input.requester, input.context);
    const base = {
      jobId,
      replayed: true,
      total: job?.total ?? input.body.executions.length,
      accepted: [],
      rejected: [],
    };
    if (input.body.async || !job) return { ...base, kind: 'accepted' };
    const waiter = this.deps.waiters.register(jobId);
    const deadline = this.deps.clock.now().getTime() + this.deps.settings.maxWaitMs;
    try {
      for (;;) {
        const current = await this.readJob(jobId, input.requester, input.context);
        if (current?.status === 'completed') return { ...base, kind: 'finished' };
        const left = deadline - this.deps.clock.now().getTime();
        if (left <= 0) return { ...base, kind: 'timed-out' };
        const polls = this.deps.settings.pollIntervalsMs;
        const reason = await waiter.next(
          Math.min(left, polls[polls.length - 1] ?? left),
          input.signal,
        );
        if (reason === 'closed') return { ...base, kind: 'interrupted' };
      }
    } finally {
      waiter.dispose();
    }
  }

  private async readJob(
    jobId: string,
    requester: Principal,
    context: CallContext,
  ): Promise<BulkJobRepresentation | undefined> {
    try {
      return await this.deps.jobs.get(jobId, requester, context);
    } catch (error) {
      this.deps.warn(error, 'bulk job not readable from analytics (retrying)');
      return undefined;
    }
  }
}

function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

function rejectedOf(
  item: ParsedItem,
  error: AppError,
  rendered: { command: { name: string }; device: { name: string } },
): RejectedItem {
  const details = error.details?.limitExceeded;
  return {
    position: item.position,
    commandId: item.commandId,
    deviceId: item.deviceId,
    commandName: rendered.command.name,
    deviceName: rendered.device.name,
    status: 429,
    body: details ? { error: 'Rate limit exceeded', details } : { detail: error.message },
  };
}

/** Nothing can run: 400 with one entry per item, aligned with the list (DRF's bulk errors). */
function nothingToRun(rejected: readonly RejectedItem[]): AppError {
  return new AppError({
    code: 'bulk-nothing-to-run',
    category: 'validation',
    message: 'No item of the bulk request can run.',
    details: {
      items: rejected.map((r) => ({ status_code: [String(r.status)], ...r.body })) as never,
    },
  });
}

function requestOf(
  jobId: string,
  item: ParsedItem,
  rendered: RenderResponse,
  job: ExecutionBatch['job'],
  streamOutput: boolean,
): ExecutionRequest {
  return {
    executionId: item.executionId,
    commandType: rendered.command.command_type,
    command: { id: rendered.command.id, name: rendered.command.name },
    renderedCommand: rendered.rendered_command,
    variables: rendered.variables,
    device: rendered.device,
    credentials: rendered.credentials,
    timeoutMs: item.timeoutMs,
    ...(rendered.parsing ? { parsing: rendered.parsing } : {}),
    ...(streamOutput ? { streamOutput: true } : {}),
    requestedBy: job.requestedBy,
    requestedAt: job.requestedAt,
    bulkJobId: jobId,
    position: item.position,
    ...(item.notes ? { notes: item.notes } : {}),
  };
}

/**
 * The job's messages: per device, its items in order, cut where the JSON would pass
 * `maxBytes` (consecutive messages of one device keep their order: same key, same
 * partition); each message's first item may wait for the device's earlier messages.
 */
export function devicesBatches(
  jobId: string,
  job: ExecutionBatch['job'],
  requests: readonly ExecutionRequest[],
  maxBytes: number,
): ExecutionBatch[] {
  const batches: ExecutionBatch[] = [];
  for (const items of groupBy(requests, (r) => r.device.id).values()) {
    let queuedBehindMs = 0;
    for (const chunk of chunksOf(items, maxBytes)) {
      const device = (chunk[0] as ExecutionRequest).device;
      batches.push({
        kind: 'bulk-batch',
        bulkJobId: jobId,
        device: { id: device.id, name: device.name },
        job,
        queuedBehindMs,
        items: chunk,
      });
      queuedBehindMs += chunk.reduce((sum, r) => sum + r.timeoutMs, 0);
    }
  }
  return batches;
}

/** An item's line in a bulk answer, from its execution as analytics recorded it. */
export function bulkResultOf(execution: ExecutionRepresentation): BulkExecuteResult {
  const result = execution.result;
  return {
    position: execution.bulk_position ?? -1,
    execution_id: execution.id,
    url: execution.url,
    status: execution.status,
    command: { id: execution.command?.id ?? null, name: execution.command?.name ?? null },
    device: { id: execution.device.id, name: execution.device.name },
    success: result ? result.success : null,
    output: result ? result.output : null,
    error_message: result && !result.success ? result.error_message || null : null,
    error_class: result?.error_class ?? null,
    command_log_id: result?.command_log_id ?? null,
    execution_time: result?.execution_duration ?? null,
    parsed_output: result?.parsed_output ?? null,
  };
}

/** A pending item analytics has not recorded yet. */
export function pendingResultOf(item: AcceptedItem, url: string): BulkExecuteResult {
  return {
    position: item.position,
    execution_id: item.executionId,
    url,
    status: 'queued',
    command: item.command,
    device: item.device,
    success: null,
    output: null,
    error_message: null,
    error_class: null,
    command_log_id: null,
    execution_time: null,
    parsed_output: null,
  };
}

export function rejectedResultOf(item: RejectedItem): BulkExecuteResult {
  return {
    position: item.position,
    execution_id: null,
    url: null,
    status: 'rejected',
    command: { id: item.commandId, name: item.commandName ?? null },
    device: { id: item.deviceId, name: item.deviceName ?? null },
    success: false,
    output: null,
    error_message: firstMessage(item.body),
    error_class: null,
    command_log_id: null,
    execution_time: null,
    parsed_output: null,
    status_code: item.status,
    errors: item.body,
  };
}

/**
 * The catalog's refusal of one item, as the bulk request answers it. The catalog answers
 * an item as `/internal/render` answers one execute, where the command is the URL's: an
 * unknown (or hidden) command is a 404 there. Here it is a field of the item, as the device
 * is: a 400 naming `command_id`, with the same words for absent and hidden.
 */
function itemRefusal(
  commandId: number,
  error: { status: number; body: Record<string, unknown> } | undefined,
): { status: number; body: Record<string, unknown> } {
  if (!error) return { status: 503, body: { detail: 'The catalog did not answer for this item.' } };
  if (error.status === 404)
    return { status: 400, body: { command_id: [`Command with ID ${commandId} not found.`] } };
  return error;
}

/** The first human message of a NetBox-style error body. */
function firstMessage(body: Record<string, unknown>): string {
  const visit = (value: unknown, field: string | undefined): string | undefined => {
    if (typeof value === 'string')
      return field && field !== 'detail' ? `${field}: ${value}` : value;
    if (Array.isArray(value)) {
      for (const v of value) {
        const found = visit(v, field);
        if (found) return found;
      }
      return undefined;
    }
    if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (typeof record['reason'] === 'string') return record['reason'];
      for (const [key, v] of Object.entries(record)) {
        if (key === 'validation_details') continue;
        const found = visit(v, field === 'variables' ? key : key);
        if (found) return found;
      }
    }
    return undefined;
  };
  return visit(body, undefined) ?? 'Refused.';
}

/** Counts the items of an answer as they are written. */
export class BulkTally {
  private readonly counts: BulkSummary;

  constructor(total: number) {
    this.counts = { total, successful: 0, failed: 0, rejected: 0, pending: 0 };
  }

  add(result: BulkExecuteResult): void {
    if (result.status === 'rejected') this.counts.rejected++;
    else if (result.status === 'queued' || result.status === 'running') this.counts.pending++;
    else if (result.success) this.counts.successful++;
    else this.counts.failed++;
  }

  /** `missing`: items neither written nor rejected (a replay that analytics lags on). */
  summary(missing = 0): BulkSummary {
    return { ...this.counts, pending: this.counts.pending + missing };
  }
}

/** Room left in a device message for an item's fields beyond its rendering. */
const ITEM_ENVELOPE_BYTES = 4_096;

/** The longest any synchronous bulk wait can be. */
export const BULK_MAX_WAIT_MS = MAX_TIMEOUT_MS;
