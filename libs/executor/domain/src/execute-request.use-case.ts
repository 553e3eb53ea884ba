import { AsyncResource } from 'node:async_hooks';
import type {
  CommandType,
  DeviceCredentials,
  ExecutionEvent,
  ExecutionRequest,
  ExecutionResult,
  OutputChunk,
  PlatformDriver,
} from '@toolkit/contracts';
import { CancellationBook } from './cancellations';
import type { ExecutionClaim } from './claim-decision';
import { decideOnClaim, needsClaim } from './claim-decision';
import { DeviceRunError, isDeviceRunError, sanitiseMessage } from './error-classification';
import { buildEvent, buildResult } from './execution-result';
import type { ResultBody } from './execution-result';
import { LiveOutput } from './live-output';
import type { LiveOutputOptions } from './live-output';
import { detectVendorError, parseOutput, parsingOf } from './output-analysis';
import { driverFor } from './platform-drivers';

export interface DeviceRunInput {
  executionId: string;
  deviceId: number;
  deviceName: string;
  host: string;
  port: number;
  platform: PlatformDriver;
  credentials: DeviceCredentials;
  commandType: CommandType;
  command: string;
  timeoutMs: number;
  /** Aborts a running `show` (cancelled by its requester). */
  signal?: AbortSignal;
  /**
   * Requests with `streamOutput`: called with the output's next text as it is read, in
   * order, the pieces concatenating to (a prefix of) the run's `output`. A runner that
   * cannot keep to that stops calling it (the result's output is then streamed again).
   * Called from the read loop: it must return at once.
   */
  onOutput?: (text: string) => void;
}

export interface DeviceRunOutput {
  /** Cleaned output: no echo, no prompt, LF line endings. */
  output: string;
  /** Exec channels only. */
  exitCode: number | null;
  stderr: string;
  connectMs: number | null;
}

/** Port: runs one command on one device (breaker, session pool, timeouts inside). */
export interface DeviceRunner {
  /** Throws DeviceRunError for every failure it can name. */
  run(input: DeviceRunInput): Promise<DeviceRunOutput>;
}

/** Port: opens the credential envelope; throws when it cannot. */
export interface CredentialOpener {
  open(request: ExecutionRequest): DeviceCredentials;
}

/** Port: the durable claims of config executions. */
export interface ClaimStore {
  claim(
    executionId: string,
    executorId: string,
    startedAt: Date,
  ): Promise<{ inserted: true } | { inserted: false; existing: ExecutionClaim }>;
  finish(executionId: string, result: ExecutionResult): Promise<void>;
}

/** Port: results must reach the broker (throws otherwise); events are best effort. */
export interface ExecutionPublisher {
  publishResult(result: ExecutionResult): Promise<void>;
  publishEvent(event: ExecutionEvent): void;
}

export interface ExecuteRequestDeps {
  executorId: string;
  maxCommandTimeoutMs: number;
  runner: DeviceRunner;
  credentials: CredentialOpener;
  claims: ClaimStore;
  publisher: ExecutionPublisher;
  /**
   * When to publish a request's progress events: `0` `started` as it starts; `n` only if
   * it is still running `n` ms later; `null` never. A `finished` event follows exactly
   * when a `started` one went out, so a command that answers within `n` ms is reported by
   * its result alone (a result is the definitive end of every request): at high rates that
   * is two messages fewer per command, and progress still shows for the commands where it
   * means something. No default here: the service's is its configuration's
   * (`EXECUTOR_STARTED_EVENT_DELAY_MS`, `EXECUTOR_STARTED_EVENTS`).
   */
  startedEventDelayMs: number | null;
  /** Timer for delayed `started` events; returns a cancel function (tests inject one). */
  schedule?: (fn: () => void, ms: number) => () => void;
  /**
   * Return from a run as soon as its result is queued for publishing, with the broker's
   * acknowledgement in `report.acknowledged` (default false: wait for it). Lets the
   * caller start the device's next command while the result travels, as long as it
   * awaits every acknowledgement before committing the request offsets.
   */
  deferResultAck?: boolean;
  /**
   * Live output of requests with `streamOutput` (phase `output` events): coalescing and
   * bounds (defaults: 100 ms or 16 Ki characters, chunks of at most 64 Ki characters, at
   * most the result's output cap per attempt).
   */
  liveOutput?: Pick<
    LiveOutputOptions,
    'flushIntervalMs' | 'flushChars' | 'maxBytes' | 'maxChunkChars'
  >;
  /** Cancellations read from the cancellations topic (default: an empty book). */
  cancellations?: CancellationBook;
  now?: () => Date;
}

export type ExecutionPath =
  'ran' | 'republished' | 'reported-unknown' | 'rejected' | 'cancelled' | 'expired';

export interface ExecutionReport {
  result: ExecutionResult;
  path: ExecutionPath;
  /** With `deferResultAck`: settles when the broker acknowledged the result. */
  acknowledged?: Promise<void>;
}

/**
 * One execution request, end to end: open the credentials, claim config runs before
 * touching the device, run, analyse the output, record and publish the result.
 */
export class ExecuteRequest {
  private readonly now: () => Date;
  private readonly cancellations: CancellationBook;

  constructor(private readonly deps: ExecuteRequestDeps) {
    this.now = deps.now ?? (() => new Date());
    this.cancellations =
      deps.cancellations ?? new CancellationBook({ horizonMs: 0, maxEntries: 0 });
  }

  /**
   * `timeoutFrom`: when the request's timeout starts counting (default: when it was
   * requested). A bulk job's item after the first of its device counts from when its
   * turn came, so that a device's 25th command is not expired by the 24 before it.
   */
  async execute(
    request: ExecutionRequest,
    attempt = 1,
    options: { timeoutFrom?: Date } = {},
  ): Promise<ExecutionReport> {
    const startedAt = this.now();
    const timeoutFrom = (options.timeoutFrom ?? new Date(request.requestedAt)).getTime();
    const context = (username: string, connectMs: number | null = null) => ({
      executorId: this.deps.executorId,
      attempt,
      username,
      startedAt,
      finishedAt: this.now(),
      connectMs,
    });

    let credentials: DeviceCredentials;
    try {
      credentials = this.deps.credentials.open(request);
    } catch {
      const result = buildResult(request, context(''), {
        outcome: 'failed',
        output: '',
        errorClass: 'invalid_request',
        errorMessage: 'The credential envelope could not be opened (unknown key or tampered).',
      });
      await this.deps.publisher.publishResult(result);
      return { result, path: 'rejected' };
    }

    const claimed = needsClaim(request.commandType);
    if (claimed) {
      const answer = await this.deps.claims.claim(
        request.executionId,
        this.deps.executorId,
        startedAt,
      );
      const decision = decideOnClaim(request.commandType, answer);
      if (decision.action === 'republish') {
        await this.deps.publisher.publishResult(decision.result);
        return { result: decision.result, path: 'republished' };
      }
      if (decision.action === 'report-unknown') {
        const result = buildResult(request, context(credentials.username), {
          outcome: 'unknown',
          output: '',
          errorClass: 'outcome_unknown',
          errorMessage:
            `A previous attempt (executor ${decision.claimedBy}, started ${decision.startedAt.toISOString()}) ` +
            'did not report an outcome; the configuration may or may not have been applied. ' +
            'It was not run again: check the device.',
        });
        await this.deps.claims.finish(request.executionId, result);
        await this.deps.publisher.publishResult(result);
        return { result, path: 'reported-unknown' };
      }
    }

    const skipped = this.skipReason(request, startedAt, timeoutFrom);
    if (skipped) {
      const result = buildResult(request, context(credentials.username), skipped.body);
      if (claimed) await this.deps.claims.finish(request.executionId, result);
      await this.deps.publisher.publishResult(result);
      return { result, path: skipped.path };
    }

    const start = this.announceStart(request, attempt, startedAt);
    const handle = this.cancellations.start(request.executionId, request.commandType);
    const live = request.streamOutput === true ? this.liveOutput(request, attempt) : undefined;
    let body: ResultBody & { connectMs: number | null };
    try {
      body = await this.run(request, credentials, startedAt, timeoutFrom, handle.signal, live);
    } finally {
      handle.finish();
    }
    start.cancel();
    const result = buildResult(request, context(credentials.username, body.connectMs), body);
    // The stream's last chunk makes its text the result's output exactly.
    live?.finish(result.output);
    if (claimed) await this.deps.claims.finish(request.executionId, result);
    const acknowledged = this.deps.publisher.publishResult(result);
    if (!(this.deps.deferResultAck ?? false)) await acknowledged;
    else acknowledged.catch(() => undefined); // the caller awaits it; never unhandled
    if (start.announced())
      this.deps.publisher.publishEvent(
        buildEvent(request, 'finished', this.deps.executorId, attempt, this.now(), result.outcome),
      );
    return this.deps.deferResultAck
      ? { result, path: 'ran', acknowledged }
      : { result, path: 'ran' };
  }

  /**
   * Publishes (now or later, see `startedEventDelayMs`) the `started` event. `cancel` stops
   * a pending one; `announced` tells whether it went out (then `finished` must follow).
   */
  private announceStart(
    request: ExecutionRequest,
    attempt: number,
    startedAt: Date,
  ): { cancel: () => void; announced: () => boolean } {
    const delay = this.deps.startedEventDelayMs;
    let announced = false;
    const publish = () => {
      announced = true;
      this.deps.publisher.publishEvent(
        buildEvent(request, 'started', this.deps.executorId, attempt, startedAt),
      );
    };
    let cancel = (): void => undefined;
    if (delay !== null && delay <= 0) publish();
    else if (delay !== null) cancel = (this.deps.schedule ?? scheduleUnref)(publish, delay);
    return { cancel, announced: () => announced };
  }

  /** The output events of one attempt of a request with `streamOutput`. */
  private liveOutput(request: ExecutionRequest, attempt: number): LiveOutput {
    return new LiveOutput({
      ...this.deps.liveOutput,
      schedule: this.deps.schedule ?? scheduleUnref,
      // Bound to this request's async context: output arrives in the context of the socket
      // of a pooled session, which another request may have opened (its correlation id).
      publish: AsyncResource.bind((chunk: OutputChunk) =>
        this.deps.publisher.publishEvent(
          buildEvent(
            request,
            'output',
            this.deps.executorId,
            attempt,
            this.now(),
            undefined,
            chunk,
          ),
        ),
      ),
    });
  }

  /**
   * Why a request is not run at all: it was cancelled before it started, or its timeout
   * (counted from the request, so that a synchronous caller's wait and the device's work
   * end together) passed while it waited in the queue.
   */
  private skipReason(
    request: ExecutionRequest,
    now: Date,
    timeoutFrom: number,
  ): { path: ExecutionPath; body: ResultBody } | undefined {
    const cancelledBy = this.cancellations.cancelledBy(request.executionId, request.bulkJobId);
    if (cancelledBy !== undefined)
      return {
        path: 'cancelled',
        body: {
          outcome: 'cancelled',
          output: '',
          errorClass: 'cancelled',
          errorMessage: `Cancelled by ${cancelledBy} before it ran.`,
        },
      };
    const waited = now.getTime() - timeoutFrom;
    if (waited >= request.timeoutMs)
      return {
        path: 'expired',
        body: {
          outcome: 'failed',
          output: '',
          errorClass: 'expired',
          errorMessage:
            `Not run: it waited ${Math.round(waited / 1000)} s for an executor, past its ` +
            `timeout of ${Math.round(request.timeoutMs / 1000)} s.`,
        },
      };
    return undefined;
  }

  /** Publishes a result again (a redelivery of a request this process already handled). */
  async republish(result: ExecutionResult): Promise<void> {
    await this.deps.publisher.publishResult(result);
  }

  private async run(
    request: ExecutionRequest,
    credentials: DeviceCredentials,
    startedAt: Date,
    timeoutFrom: number,
    signal: AbortSignal | undefined,
    live: LiveOutput | undefined,
  ): Promise<ResultBody & { connectMs: number | null }> {
    // What is left of the request's timeout, counted from when it was requested.
    const left = timeoutFrom + request.timeoutMs - startedAt.getTime();
    const driver = driverFor(request.device.platform);
    const secrets = [credentials.password, credentials.passphrase, credentials.enableSecret];
    try {
      const out = await this.deps.runner.run({
        executionId: request.executionId,
        deviceId: request.device.id,
        deviceName: request.device.name,
        host: request.device.host,
        port: request.device.port,
        platform: request.device.platform,
        credentials,
        commandType: request.commandType,
        command: request.renderedCommand,
        timeoutMs: Math.max(1, Math.min(left, this.deps.maxCommandTimeoutMs)),
        ...(signal === undefined ? {} : { signal }),
        ...(live === undefined ? {} : { onOutput: (text: string) => live.write(text) }),
      });
      const output = out.stderr
        ? `${out.output}${out.output ? '\n' : ''}${out.stderr}`
        : out.output;
      if (out.exitCode !== null && out.exitCode !== 0) {
        const detail = sanitiseMessage(
          out.stderr.trim().split('\n').slice(0, 5).join(' '),
          secrets,
        );
        return {
          outcome: 'failed',
          output,
          errorClass: 'command_failed',
          errorMessage: `Command exited with status ${out.exitCode}${detail ? `: ${detail}` : '.'}`,
          connectMs: out.connectMs,
        };
      }
      const syntaxError = detectVendorError(driver, out.output);
      if (syntaxError.detected) {
        return {
          outcome: 'failed',
          output,
          errorClass: 'syntax_error',
          errorMessage: `${syntaxError.vendor} rejected the command: ${syntaxError.message ?? ''}`,
          syntaxError,
          connectMs: out.connectMs,
        };
      }
      return {
        outcome: 'succeeded',
        output,
        errorClass: null,
        errorMessage: null,
        syntaxError,
        parsed: parseOutput(parsingOf(request), out.output),
        connectMs: out.connectMs,
      };
    } catch (error) {
      const failure = isDeviceRunError(error)
        ? error
        : new DeviceRunError({ errorClass: 'internal', message: 'Internal executor error.' });
      if (failure.errorClass === 'cancelled')
        return {
          outcome: 'cancelled',
          output: failure.partialOutput,
          errorClass: 'cancelled',
          errorMessage: failure.message,
          connectMs: failure.connectMs,
        };
      const mayHaveApplied = request.commandType === 'config' && failure.commandSent;
      return {
        outcome: mayHaveApplied ? 'unknown' : 'failed',
        output: failure.partialOutput,
        errorClass: failure.errorClass,
        errorMessage: sanitiseMessage(
          mayHaveApplied
            ? `${failure.message} The configuration may or may not have been applied.`
            : failure.message,
          secrets,
        ),
        connectMs: failure.connectMs,
      };
    }
  }
}

/** setTimeout that never keeps the process alive; returns a cancel function. */
function scheduleUnref(fn: () => void, ms: number): () => void {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
}
