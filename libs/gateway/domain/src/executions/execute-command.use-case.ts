import { isFinishedStatus } from '@toolkit/api-contracts';
import type {
  ExecuteRequestBody,
  ExecutionRepresentation,
  RateLimitStatus,
  RenderRequest,
  RenderResponse,
} from '@toolkit/api-contracts';
import type {
  CommandType,
  Constraints,
  ExecutionCancellation,
  ExecutionCompletion,
  ExecutionRequest,
  Principal,
} from '@toolkit/contracts';
import { AppError } from '@toolkit/errors';
import type { Clock } from '../ports';
import type { CompletionWaiters, Waiter } from './completion-waiters';
import { isFinished } from './execution-answer';
import type { Fingerprints, IdempotencyRecord, IdempotencyStore } from './idempotency';
import { IdempotencyKeys } from './idempotency';
import type { RateLimiter, Reservation } from './rate-limit';

/** Who asks, as the services behind the gateway need it: URLs and log correlation. */
export interface CallContext {
  /** The public origin (`https://netbox.example.com`) URLs in answers are built on. */
  origin: string;
  requestId?: string;
}

/** Port: the catalog renders a command for a device and seals the login (internal HTTP). */
export interface CommandRenderer {
  render(request: RenderRequest, context: CallContext): Promise<RenderResponse>;
}

/** Port: Kafka. A publish resolves once the broker has the message durably (acks=all). */
export interface ExecutionBus {
  publishRequest(request: ExecutionRequest, correlationId?: string): Promise<void>;
  publishCancellation(cancellation: ExecutionCancellation, correlationId?: string): Promise<void>;
}

/** Port: executions as analytics recorded them (undefined: it does not know the id yet). */
export interface ExecutionReader {
  /** As `requester` sees it: with `constraints` (view permission filters), only if they match. */
  get(
    executionId: string,
    requester: Principal,
    context: CallContext,
    constraints?: Constraints,
  ): Promise<ExecutionRepresentation | undefined>;
}

/**
 * What the gateway remembers of an asynchronous execution it accepted, until analytics
 * knows it (a cancel right after the 202 must find its requester). A synchronous
 * execution's id is known to its client only once analytics has recorded it.
 */
export interface ExecutionTicket {
  executionId: string;
  userId: number;
  username: string;
  deviceId: number;
  deviceName: string;
  commandType: CommandType;
  created: Date;
}

export interface TicketStore {
  record(ticket: ExecutionTicket): Promise<void>;
  find(executionId: string): Promise<ExecutionTicket | undefined>;
}

export interface ExecutionSettings {
  /** Added to the execution's timeout for the result to travel back (sync waits). */
  waitGraceMs: number;
  /** How long a cancel waits to report the outcome before answering 202. */
  cancelWaitMs: number;
  /**
   * Intervals at which a waiting request asks analytics itself, in case a completion was
   * missed (the last repeats). Completions normally wake it long before.
   */
  pollIntervalsMs: readonly number[];
}

export interface RateInfo {
  limit: number;
  remaining: number;
  resetMs: number | null;
}

export interface SubmitInput {
  requester: Principal;
  /** The requester's group names (rate-limit bypass groups are named). */
  groupNames: readonly string[];
  commandId: number;
  body: ExecuteRequestBody;
  permissions: RenderRequest['permissions'];
  idempotencyKey?: string;
  context: CallContext;
  /** Aborts a synchronous wait (the client went away); the execution goes on. */
  signal?: AbortSignal;
}

export type SubmitOutcome = { executionId: string; replayed: boolean; rate: RateInfo | null } & (
  | { kind: 'accepted'; status: ExecutionRepresentation['status'] }
  | { kind: 'finished'; execution: ExecutionRepresentation }
  /** The wait ran out (the execution goes on), or ended early (shutdown, client gone). */
  | { kind: 'timed-out' | 'interrupted' }
);

export type CancelOutcome =
  | { kind: 'cancelled'; execution: ExecutionRepresentation }
  | { kind: 'requested'; executionId: string; status: ExecutionRepresentation['status'] };

export interface ExecutionServiceDeps {
  renderer: CommandRenderer;
  bus: ExecutionBus;
  reader: ExecutionReader;
  tickets: TicketStore;
  rateLimiter: RateLimiter;
  idempotency: IdempotencyStore;
  fingerprints: Fingerprints;
  waiters: CompletionWaiters;
  clock: Clock;
  newExecutionId: () => string;
  settings: ExecutionSettings;
  /** Reports failures that must not fail the request (a ticket not written, a release lost). */
  warn: (error: unknown, message: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Running commands through the API: checks, rate limits, idempotency, one execution
 * request on Kafka, and (synchronous mode) the wait for analytics to record the result.
 * HTTP and Kafka stay outside: they are ports.
 */
export class ExecutionService {
  private readonly keys: IdempotencyKeys;

  constructor(private readonly deps: ExecutionServiceDeps) {
    this.keys = new IdempotencyKeys(deps);
  }

  async submit(input: SubmitInput): Promise<SubmitOutcome> {
    refuseWhileShuttingDown(this.deps.waiters);
    const timeoutMs = input.body.timeout * 1_000;
    let executionId = this.deps.newExecutionId();
    let claim: IdempotencyRecord | undefined;
    if (input.idempotencyKey !== undefined) {
      const key = await this.keys.claim({
        userId: input.requester.id,
        key: input.idempotencyKey,
        request: { command: input.commandId, body: input.body },
        id: executionId,
        published: async (id) =>
          (await this.read(id, input.requester, input.context)) !== undefined,
      });
      if (key.replay) return this.replay(key.executionId, input, timeoutMs);
      claim = key.record;
      executionId = key.record.executionId;
    }
    let accepted: { waiter: Waiter | undefined; rate: RateInfo | null };
    try {
      accepted = await this.accept(input, executionId, timeoutMs);
    } catch (error) {
      if (claim) await this.keys.settleAfterFailure(claim, isNotQueued(error));
      throw error;
    }
    if (claim) await this.keys.accepted(claim);
    const base = { executionId, replayed: false, rate: accepted.rate };
    if (!accepted.waiter) return { ...base, kind: 'accepted', status: 'queued' };
    const waited = await this.waitFor(executionId, accepted.waiter, input, timeoutMs, {
      readFirst: false,
    });
    return { ...base, ...waited };
  }

  /**
   * Everything before the execution exists, in the API's order (the catalog checks the
   * permissions it was given, then variables, platform and credentials), then the
   * device login's failure limit, the rate-limit reservation, and the publish.
   */
  private async accept(
    input: SubmitInput,
    executionId: string,
    timeoutMs: number,
  ): Promise<{ waiter: Waiter | undefined; rate: RateInfo | null }> {
    const { body, requester } = input;
    const rendered = await this.deps.renderer.render(
      {
        execution_id: executionId,
        command_id: input.commandId,
        device_id: body.device_id,
        variables: body.variables,
        credentials:
          body.credential_token !== undefined
            ? { credential_token: body.credential_token }
            : {
                username: body.username ?? '',
                password: body.password ?? '',
                ...(body.enable_secret === undefined ? {} : { enable_secret: body.enable_secret }),
              },
        requester: { id: requester.id, username: requester.username },
        permissions: input.permissions,
      },
      input.context,
    );
    const limiter = this.deps.rateLimiter;
    const login = await limiter.checkLogin(rendered.device.id, rendered.username);
    if (login.blocked) throw loginBlocked(login.failures, login.retryAfterMs, limiter);
    let reservation: Reservation | undefined;
    if (limiter.policy.enabled && !limiter.isBypassed(requester.username, input.groupNames)) {
      reservation = await limiter.reserve({ deviceId: rendered.device.id, executionId, timeoutMs });
      if (!reservation.allowed) throw rateLimited(reservation, limiter);
    }
    const waiter = body.async ? undefined : this.deps.waiters.register(executionId);
    const now = this.deps.clock.now();
    const request: ExecutionRequest = {
      executionId,
      commandType: rendered.command.command_type,
      command: { id: rendered.command.id, name: rendered.command.name },
      renderedCommand: rendered.rendered_command,
      variables: rendered.variables,
      device: rendered.device,
      credentials: rendered.credentials,
      timeoutMs,
      ...(rendered.parsing ? { parsing: rendered.parsing } : {}),
      ...(body.stream ? { streamOutput: true } : {}),
      requestedBy: { userId: requester.id, username: requester.username },
      requestedAt: now.toISOString(),
      ...(body.notes ? { notes: body.notes } : {}),
    };
    // The ticket lets a cancel right after a 202 find its requester (written alongside).
    const ticket = body.async
      ? this.deps.tickets
          .record({
            executionId,
            userId: requester.id,
            username: requester.username,
            deviceId: rendered.device.id,
            deviceName: rendered.device.name,
            commandType: rendered.command.command_type,
            created: now,
          })
          .catch((e: unknown) => this.deps.warn(e, 'execution ticket not recorded'))
      : undefined;
    try {
      await Promise.all([this.deps.bus.publishRequest(request, input.context.requestId), ticket]);
    } catch (error) {
      waiter?.dispose();
      if (reservation?.allowed && reservation.slotId)
        await limiter
          .release(reservation.slotId)
          .catch((e: unknown) => this.deps.warn(e, 'rate-limit reservation not released'));
      throw notQueued(error);
    }
    const rate = reservation
      ? {
          limit: limiter.policy.limit,
          remaining: reservation.remaining,
          resetMs: reservation.resetMs,
        }
      : null;
    return { waiter, rate };
  }

  /** The answer for a key seen before: the same execution, never a second run. */
  private async replay(
    executionId: string,
    input: SubmitInput,
    timeoutMs: number,
  ): Promise<SubmitOutcome> {
    const base = { executionId, replayed: true, rate: null };
    if (input.body.async) {
      const known = await this.read(executionId, input.requester, input.context);
      return { ...base, kind: 'accepted', status: known?.status ?? 'queued' };
    }
    const waiter = this.deps.waiters.register(executionId);
    return {
      ...base,
      ...(await this.waitFor(executionId, waiter, input, timeoutMs, { readFirst: true })),
    };
  }

  /**
   * Waits for the execution to be recorded as finished: woken by its completion, or asking
   * analytics at `pollIntervalsMs` in case a completion was missed; gives up at the
   * execution's timeout plus the grace.
   */
  private async waitFor(
    executionId: string,
    waiter: Waiter,
    input: SubmitInput,
    timeoutMs: number,
    options: { readFirst: boolean },
  ): Promise<
    { kind: 'finished'; execution: ExecutionRepresentation } | { kind: 'timed-out' | 'interrupted' }
  > {
    const { clock, settings } = this.deps;
    const deadline = clock.now().getTime() + timeoutMs + settings.waitGraceMs;
    const polls = settings.pollIntervalsMs;
    try {
      let read = options.readFirst;
      for (let round = 0; ; round++) {
        if (read) {
          const execution = await this.read(executionId, input.requester, input.context);
          if (execution && isFinished(execution)) return { kind: 'finished', execution };
        }
        const left = deadline - clock.now().getTime();
        if (left <= 0) return { kind: 'timed-out' };
        const interval = polls[Math.min(round, polls.length - 1)] ?? left;
        const reason = await waiter.next(Math.min(left, interval), input.signal);
        if (reason === 'closed') return { kind: 'interrupted' };
        read = true;
      }
    } finally {
      waiter.dispose();
    }
  }

  /** Analytics' record of an execution; undefined when unknown or unreachable for now. */
  private async read(
    executionId: string,
    requester: Principal,
    context: CallContext,
  ): Promise<ExecutionRepresentation | undefined> {
    try {
      return await this.deps.reader.get(executionId, requester, context);
    } catch (error) {
      this.deps.warn(error, 'execution not readable from analytics (retrying)');
      return undefined;
    }
  }

  /**
   * `POST executions/{id}/cancel/`: its requester or a superuser; a queued execution or a
   * running `show` is cancelled (by the executor that holds it), a running `config` or a
   * finished execution is refused (409).
   */
  async cancel(input: {
    executionId: string;
    caller: Principal;
    /** The caller's `view` permission on executions (others': 403 if visible, else 404). */
    viewGrant: Constraints | false;
    context: CallContext;
  }): Promise<CancelOutcome> {
    const { executionId, caller, context } = input;
    const { record: execution, ticket } = await findCancelTarget({
      what: 'execution',
      read: () => this.deps.reader.get(executionId, caller, context),
      ticket: () => this.deps.tickets.find(executionId),
    });
    await checkCanceller({
      what: 'execution',
      requesterId: execution?.user?.id ?? ticket?.userId,
      caller,
      viewGrant: input.viewGrant,
      visibleWith: async (grant) =>
        (await this.deps.reader.get(executionId, caller, context, grant)) !== undefined,
    });
    const status = execution?.status ?? 'queued';
    if (isFinishedStatus(status))
      throw AppError.conflict(`The execution has already finished (${status}).`);
    const commandType = execution?.command_type ?? ticket?.commandType;
    if (status === 'running' && commandType === 'config')
      throw AppError.conflict(
        'A running configuration command cannot be stopped safely: it is left to finish.',
      );
    const device = execution?.device ?? {
      id: ticket?.deviceId ?? 0,
      name: ticket?.deviceName ?? '',
    };
    const waiter = this.deps.waiters.register(executionId);
    try {
      await this.deps.bus
        .publishCancellation(
          {
            executionId,
            device: { id: device.id, name: device.name },
            requestedBy: { userId: caller.id, username: caller.username },
            requestedAt: this.deps.clock.now().toISOString(),
          },
          context.requestId,
        )
        .catch((error: unknown) => {
          throw notQueued(error, 'The cancellation could not be sent');
        });
      const deadline = this.deps.clock.now().getTime() + this.deps.settings.cancelWaitMs;
      let latest: ExecutionRepresentation | undefined;
      for (;;) {
        const left = deadline - this.deps.clock.now().getTime();
        const reason = left > 0 ? await waiter.next(left) : 'tick';
        latest = await this.read(executionId, caller, context);
        if (latest?.status === 'cancelled') return { kind: 'cancelled', execution: latest };
        if (latest && isFinished(latest))
          throw AppError.conflict(
            `The execution finished (${latest.status}) before it could be cancelled.`,
          );
        if (reason !== 'completed') break;
      }
      return { kind: 'requested', executionId, status: latest?.status ?? status };
    } finally {
      waiter.dispose();
    }
  }

  /** Requests of this replica waiting for an execution to finish. */
  get waits(): number {
    return this.deps.waiters.size;
  }

  /** Shutdown: waiting requests answer now (the executions go on). */
  releaseWaits(): void {
    this.deps.waiters.close();
  }

  /** A completion read from Kafka by this replica: wakes its waiters. */
  wake(completion: ExecutionCompletion): void {
    this.deps.waiters.notify(completion.executionId);
  }

  /** A completion read by the replicas' shared group: settles its rate-limit records. */
  settle(completion: ExecutionCompletion): Promise<void> {
    return this.deps.rateLimiter.settle(completion);
  }

  /** `GET rate-limit/?device_id=N`: the original's GUI status object. */
  async rateLimitStatus(
    deviceId: number,
    requester: Principal,
    groupNames: readonly string[],
  ): Promise<RateLimitStatus> {
    const limiter = this.deps.rateLimiter;
    const { policy } = limiter;
    const { usage, blockedLogins } = await limiter.usage(deviceId);
    const bypassed = limiter.isBypassed(requester.username, groupNames);
    const count = policy.enabled ? usage.busy.length : 0;
    const remaining = Math.max(0, policy.limit - count);
    const exceeded = policy.enabled && !bypassed && remaining === 0;
    const warning = policy.enabled && !bypassed && !exceeded && remaining <= 2;
    const minutes = policy.windowMs / 60_000;
    return {
      device_id: deviceId,
      enabled: policy.enabled,
      bypassed,
      current_count: count,
      limit: policy.limit,
      remaining,
      time_window_minutes: minutes,
      status: exceeded ? 'exceeded' : warning ? 'warning' : 'normal',
      is_exceeded: exceeded,
      is_warning: warning,
      time_until_reset:
        policy.enabled && usage.resetMs !== null ? Math.ceil(usage.resetMs / 1_000) : null,
      message: !policy.enabled
        ? 'Rate limiting is disabled.'
        : bypassed
          ? 'You are exempt from rate limiting.'
          : exceeded
            ? `Rate limit exceeded: ${count}/${policy.limit} successful commands in the last ${minutes} minutes.`
            : `${remaining} of ${policy.limit} commands left in the current ${minutes}-minute window.`,
      blocked_logins: blockedLogins,
    };
  }
}

/** Shutting down: refuse before anything is claimed or published (503, retry at once). */
export function refuseWhileShuttingDown(waiters: CompletionWaiters): void {
  if (waiters.closed)
    throw new AppError({
      code: 'gateway-shutting-down',
      category: 'unavailable',
      message: 'This gateway is shutting down: send the request again.',
      details: { retryAfterSeconds: 1 },
    });
}

/**
 * What a cancel is about: the record as analytics has it, and the ticket the gateway kept
 * of its request; either may be missing, not both (404). A record that could not be read
 * is the error when there is no ticket either (analytics down: 503, not "no such").
 */
export async function findCancelTarget<R, T>(input: {
  what: 'execution' | 'bulk job';
  read: () => Promise<R | undefined>;
  ticket: () => Promise<T | undefined>;
}): Promise<{ record: R | undefined; ticket: T | undefined }> {
  let unreadable: unknown;
  const [record, ticket] = await Promise.all([
    input.read().catch((error: unknown) => {
      unreadable = error;
      return undefined;
    }),
    input.ticket(),
  ]);
  if (!record && !ticket) {
    if (unreadable !== undefined) throw unreadable;
    throw AppError.notFound(input.what);
  }
  return { record, ticket };
}

/**
 * Who may cancel: the requester or a superuser. Anyone else gets 403 if their `view`
 * permission covers the object (`visibleWith` asks with their constraints), else 404.
 */
export async function checkCanceller(input: {
  what: 'execution' | 'bulk job';
  requesterId: number | null | undefined;
  caller: Principal;
  viewGrant: Constraints | false;
  visibleWith: (grant: Constraints) => Promise<boolean>;
}): Promise<void> {
  const { caller, viewGrant } = input;
  if (input.requesterId === caller.id || caller.isSuperuser) return;
  const visible =
    viewGrant === null || (viewGrant !== false && (await input.visibleWith(viewGrant)));
  if (!visible) throw AppError.notFound(input.what);
  throw new AppError({
    code: 'cancel-not-requester',
    category: 'forbidden',
    message: `Only the requester of ${input.what === 'execution' ? 'an execution' : 'a bulk job'}, or a superuser, may cancel it.`,
  });
}

/** Seconds to wait before trying again (at least 1). */
const secondsOf = (ms: number | null) => Math.max(1, Math.ceil((ms ?? 1_000) / 1_000));

/**
 * A limit refused the request: typed details the HTTP layer renders as the original's 429
 * body, `Retry-After` and (for the device limit) `X-RateLimit-*`.
 */
function tooMany(options: {
  code: string;
  reason: string;
  count: number;
  limit: number;
  windowMs: number;
  retryAfterMs: number | null;
  rate?: RateInfo;
}): AppError {
  return new AppError({
    code: options.code,
    category: 'rate_limited',
    message: options.reason,
    details: {
      limitExceeded: {
        reason: options.reason,
        current_count: options.count,
        limit: options.limit,
        time_window_minutes: options.windowMs / 60_000,
      },
      retryAfterSeconds: secondsOf(options.retryAfterMs),
      ...(options.rate ? { rateLimit: rateLimitOf(options.rate) } : {}),
    },
  });
}

/** The device's limit is reached (or contended): the original's wording. */
export function rateLimited(reservation: Reservation, limiter: RateLimiter): AppError {
  const { limit, windowMs } = limiter.policy;
  const overLimit = reservation.allowed || reservation.reason === 'limit';
  return tooMany({
    code: overLimit ? 'rate-limited' : 'rate-limit-contention',
    reason: overLimit
      ? `Rate limit exceeded: ${reservation.count}/${limit} successful commands in last ${windowMs / 60_000} minutes`
      : 'Rate limit exceeded: too many concurrent requests for this device; try again shortly',
    count: reservation.count,
    limit,
    windowMs,
    retryAfterMs: reservation.resetMs,
    rate: { limit, remaining: 0, resetMs: reservation.resetMs },
  });
}

/** A device login refused for now after repeated authentication failures. */
export function loginBlocked(
  failures: number,
  retryAfterMs: number,
  limiter: RateLimiter,
): AppError {
  const { authFailureLimit, authFailureWindowMs } = limiter.policy;
  return tooMany({
    code: 'device-login-blocked',
    reason:
      `Authentication to this device failed ${failures} times with this login in the last ` +
      `${authFailureWindowMs / 60_000} minutes (limit ${authFailureLimit}): it is refused for ` +
      'now so that the device does not lock the account. Check the password.',
    count: failures,
    limit: authFailureLimit,
    windowMs: authFailureWindowMs,
    retryAfterMs,
  });
}

/** A device's limit as answers report it (`X-RateLimit-*`): seconds until a slot frees. */
export function rateLimitOf(rate: RateInfo): {
  limit: number;
  remaining: number;
  resetSeconds: number;
} {
  return {
    limit: rate.limit,
    remaining: rate.remaining,
    resetSeconds: rate.resetMs === null ? 0 : Math.ceil(rate.resetMs / 1_000),
  };
}

/** The code of a publish that failed: the broker may or may not have the request. */
const NOT_QUEUED = 'execution-not-queued';

/** A publish failed: the broker may have the request after all. */
export function isNotQueued(error: unknown): boolean {
  return error instanceof AppError && error.code === NOT_QUEUED;
}

/** Kafka did not take the message: 503 with Retry-After. */
export function notQueued(error: unknown, what = 'The execution could not be queued'): AppError {
  if (error instanceof AppError && error.category !== 'unavailable') return error;
  return new AppError({
    code: NOT_QUEUED,
    category: 'unavailable',
    message:
      `${what}: the message broker is unavailable. Try again shortly; with the same ` +
      'Idempotency-Key a retry never runs it twice.',
    cause: error,
    details: { dependency: 'kafka', retryAfterSeconds: 5 },
  });
}
