import type { ExecutionRepresentation } from '@toolkit/api-contracts';
import type { ExecutionEvent } from '@toolkit/contracts';
import { isFinished } from '../executions/execution-answer';

/**
 * One Server-Sent Event: `id`, `event` and JSON `data`. Executions: `status`, `output`,
 * `result`, `end`; bulk jobs: `progress`, `item`, `job`, `end`.
 */
export interface StreamEvent {
  id: string;
  event: 'status' | 'output' | 'result' | 'end' | 'progress' | 'item' | 'job';
  data: Record<string, unknown>;
}

/**
 * Why a stream ended (the `end` event's `reason`): the execution finished (`finished`, or
 * `cancelled`, or `timeout` when its timeout passed), nothing happened for too long
 * (`idle`), the client fell too far behind (`slow_client`: no `end`, the connection is
 * closed), or the gateway is shutting down (`shutdown`: reconnect).
 */
export type EndReason = 'finished' | 'cancelled' | 'timeout' | 'idle' | 'slow_client' | 'shutdown';

/** How a finished execution's stream ends. */
export function finishReason(view: ExecutionRepresentation): EndReason {
  if (view.status === 'cancelled') return 'cancelled';
  return view.result?.error_class === 'command_timeout' ? 'timeout' : 'finished';
}

/**
 * Where a stream's events go (an HTTP response at the edge). `write` answers false when
 * the client's buffer is full: nothing more is written until `onDrain` fires.
 */
export interface StreamSink {
  write(event: StreamEvent): boolean;
  /** Bytes written and not yet taken by the client. */
  readonly buffered: number;
  onDrain(listener: () => void): void;
  close(): void;
}

export interface StreamSettings {
  /** Output characters kept per execution (beyond: not kept, the result has it all). */
  maxCharsPerExecution: number;
  /** Output characters kept over all executions; the least recently active go first. */
  maxCharsTotal: number;
  /** Output chunks kept this long after their last event when nobody follows them. */
  retainMs: number;
  /** A stream with no event for this long is ended (`idle`). */
  idleMs: number;
  /** A client this far behind (bytes not taken) is dropped (`slow_client`). */
  maxBufferedBytes: number;
  /** Size of the pieces a finished execution's output is replayed in. */
  replayChunkChars: number;
}

export const DEFAULT_STREAM_SETTINGS: StreamSettings = {
  maxCharsPerExecution: 4 * 1024 * 1024,
  maxCharsTotal: 64 * 1024 * 1024,
  retainMs: 600_000,
  idleMs: 600_000,
  maxBufferedBytes: 1024 * 1024,
  replayChunkChars: 16 * 1024,
};

/** Where a client resumes: `Last-Event-ID` is `<attempt>:<offset>`. */
export interface Resume {
  attempt: number;
  offset: number;
}

export function parseLastEventId(value: string | undefined): Resume | undefined {
  const match = /^(\d{1,6}):(\d{1,12})$/.exec(value?.trim() ?? '');
  if (!match) return undefined;
  return { attempt: Number(match[1]), offset: Number(match[2]) };
}

interface Subscriber {
  readonly sink: StreamSink;
  /** Output characters of `attempt` already sent. */
  attempt: number;
  offset: number;
  statusSent: string | undefined;
  lastEventAt: number;
  waitingForDrain: boolean;
  ended: boolean;
  readonly reload: () => Promise<ExecutionRepresentation | undefined>;
}

interface Track {
  readonly executionId: string;
  status: string;
  /**
   * The output's generation (the `<attempt>` of event ids): 1 for the first attempt's
   * output, one more for each new attempt or restart (a piece at offset 0 after others).
   */
  attempt: number;
  /** The executor's attempt the pieces come from. */
  executorAttempt: number;
  /** Output of `attempt`, in order: `chunks` hold [base, length). */
  chunks: string[];
  base: number;
  length: number;
  last: boolean;
  finished: ExecutionRepresentation | undefined;
  touchedAt: number;
  readonly subscribers: Set<Subscriber>;
}

export interface StreamCounters {
  eventSent(event: StreamEvent['event']): void;
  dropped(reason: EndReason): void;
}

const NO_COUNTERS: StreamCounters = { eventSent: () => undefined, dropped: () => undefined };

/**
 * The live streams of this gateway: the output pieces executors publish (for executions
 * asked to stream), status changes and results, fanned out to the clients following each
 * execution. Memory is bounded per execution and in total; a client holds only a cursor
 * into the shared pieces (a slow one is paused on its own socket, then dropped, never
 * slowing the others). A finished execution is replayed from its stored result.
 */
export class ExecutionStreams {
  private readonly tracks = new Map<string, Track>();
  private chars = 0;
  private counters: StreamCounters = NO_COUNTERS;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly settings: StreamSettings = DEFAULT_STREAM_SETTINGS,
  ) {}

  /** Where events sent and clients dropped are counted (metrics). */
  countWith(counters: StreamCounters): void {
    this.counters = counters;
  }

  /** Streams open now. */
  get open(): number {
    let count = 0;
    for (const track of this.tracks.values()) count += track.subscribers.size;
    return count;
  }

  /** Output characters held. */
  get heldChars(): number {
    return this.chars;
  }

  /**
   * Follows an execution the caller may read (`view`, just read as the caller sees it):
   * a finished one is replayed and the stream ends; otherwise its status, the output held
   * from `resume`, then what comes. `reload` reads it again (to find the result when a
   * completion was missed).
   */
  subscribe(
    view: ExecutionRepresentation,
    sink: StreamSink,
    resume: Resume | undefined,
    reload: () => Promise<ExecutionRepresentation | undefined>,
  ): void {
    const subscriber: Subscriber = {
      sink,
      attempt: resume?.attempt ?? 0,
      offset: resume?.offset ?? 0,
      statusSent: undefined,
      lastEventAt: this.now(),
      waitingForDrain: false,
      ended: false,
      reload,
    };
    if (isFinished(view)) {
      this.replay(view, subscriber);
      return;
    }
    const track = this.track(view.id);
    if (track.status === 'queued' || track.status === '') track.status = view.status;
    track.subscribers.add(subscriber);
    sink.onDrain(() => {
      subscriber.waitingForDrain = false;
      this.pump(track, subscriber);
    });
    this.pump(track, subscriber);
    // A completion read between the caller's read and now would be missed: look once more.
    void reload()
      .then((again) => {
        if (again && isFinished(again) && !track.finished) this.finish(track, again);
      })
      .catch(() => undefined);
  }

  /** Ends a client's stream (it went away). */
  unsubscribe(executionId: string, sink: StreamSink): void {
    const track = this.tracks.get(executionId);
    if (!track) return;
    for (const subscriber of track.subscribers)
      if (subscriber.sink === sink) {
        subscriber.ended = true;
        track.subscribers.delete(subscriber);
      }
  }

  /** An event from the events topic. */
  onEvent(event: ExecutionEvent): void {
    const existing = this.tracks.get(event.executionId);
    if (event.phase !== 'output') {
      if (!existing || existing.finished) return;
      existing.status = 'running';
      existing.touchedAt = this.now();
      this.pumpAll(existing);
      return;
    }
    const output = event.output;
    if (!output) return;
    const track = existing ?? this.track(event.executionId);
    if (track.finished) return;
    track.status = 'running';
    track.touchedAt = this.now();
    if (event.attempt < track.executorAttempt) return; // a late piece of an older attempt
    const restart =
      output.offset === 0 && track.length > 0 && !this.holdsPrefix(track, output.text);
    if (event.attempt > track.executorAttempt || restart) {
      this.dropChunks(track);
      track.executorAttempt = event.attempt;
      track.attempt += 1;
    }
    // A redelivered piece overlaps what is held; a missing one leaves a gap (not kept).
    const end = output.offset + output.text.length;
    if (end > track.length && output.offset <= track.length) {
      const fresh = output.text.slice(track.length - output.offset);
      if (track.length + fresh.length <= this.settings.maxCharsPerExecution) {
        track.chunks.push(fresh);
        track.length += fresh.length;
        this.chars += fresh.length;
      }
    } else if (output.offset > track.length && track.length === track.base) {
      // Joined mid-way (this gateway started after the execution): keep from here.
      this.dropChunks(track);
      track.base = output.offset;
      track.length = output.offset;
      track.chunks.push(output.text);
      track.length += output.text.length;
      this.chars += output.text.length;
    }
    if (output.last) track.last = true;
    this.enforceTotal();
    this.pumpAll(track);
  }

  /** An execution's result is stored: its followers get it and their streams end. */
  async onCompletion(executionId: string): Promise<void> {
    const track = this.tracks.get(executionId);
    if (!track || track.finished) return;
    const first = [...track.subscribers][0];
    if (!first) {
      this.forget(track);
      return;
    }
    const view = await first.reload();
    if (view && isFinished(view)) this.finish(track, view);
  }

  /**
   * Housekeeping, every few seconds: idle streams end, followers of executions that may
   * have finished unnoticed look again, unfollowed pieces past their time go.
   */
  async sweep(recheckAfterMs: number): Promise<void> {
    const now = this.now();
    for (const track of [...this.tracks.values()]) {
      if (track.subscribers.size === 0) {
        if (now - track.touchedAt > this.settings.retainMs) this.forget(track);
        continue;
      }
      for (const subscriber of [...track.subscribers]) {
        if (now - subscriber.lastEventAt > this.settings.idleMs)
          this.end(track, subscriber, 'idle');
      }
      const first = [...track.subscribers][0];
      if (first && !track.finished && now - track.touchedAt > recheckAfterMs) {
        track.touchedAt = now;
        const view = await first.reload().catch(() => undefined);
        if (view && isFinished(view)) this.finish(track, view);
      }
    }
  }

  /** Shutdown: every stream ends with `shutdown` (clients reconnect to another replica). */
  closeAll(): void {
    for (const track of [...this.tracks.values()])
      for (const subscriber of [...track.subscribers]) this.end(track, subscriber, 'shutdown');
  }

  private track(executionId: string): Track {
    let track = this.tracks.get(executionId);
    if (!track) {
      track = {
        executionId,
        status: '',
        attempt: 0,
        executorAttempt: 0,
        chunks: [],
        base: 0,
        length: 0,
        last: false,
        finished: undefined,
        touchedAt: this.now(),
        subscribers: new Set(),
      };
      this.tracks.set(executionId, track);
    }
    return track;
  }

  /** The held output starts with `text` (a redelivered first piece, not a restart). */
  private holdsPrefix(track: Track, text: string): boolean {
    if (track.base !== 0 || track.length < text.length) return false;
    let held = '';
    for (const chunk of track.chunks) {
      held += chunk;
      if (held.length >= text.length) break;
    }
    return held.startsWith(text);
  }

  private finish(track: Track, view: ExecutionRepresentation): void {
    track.finished = view;
    track.status = view.status;
    for (const subscriber of [...track.subscribers]) this.pump(track, subscriber);
    this.forget(track);
  }

  private forget(track: Track): void {
    this.dropChunks(track);
    if (track.subscribers.size === 0) this.tracks.delete(track.executionId);
  }

  private dropChunks(track: Track): void {
    this.chars -= track.length - track.base;
    track.chunks = [];
    track.base = 0;
    track.length = 0;
    track.last = false;
  }

  /** Over the total bound: the least recently active executions' pieces go first. */
  private enforceTotal(): void {
    if (this.chars <= this.settings.maxCharsTotal) return;
    const byAge = [...this.tracks.values()].sort((a, b) => a.touchedAt - b.touchedAt);
    for (const track of byAge) {
      if (this.chars <= this.settings.maxCharsTotal) return;
      this.dropChunks(track);
      if (track.subscribers.size === 0) this.tracks.delete(track.executionId);
    }
  }

  private pumpAll(track: Track): void {
    for (const subscriber of [...track.subscribers]) this.pump(track, subscriber);
  }

  /** Writes what the subscriber has not had yet, as far as its socket takes it. */
  private pump(track: Track, subscriber: Subscriber): void {
    if (subscriber.ended || subscriber.waitingForDrain) return;
    const id = () => `${track.attempt}:${subscriber.offset}`;
    if (subscriber.attempt !== track.attempt && track.attempt > 0) {
      subscriber.attempt = track.attempt;
      subscriber.offset = 0;
    }
    if (subscriber.statusSent !== track.status && track.status !== '') {
      if (
        !this.send(track, subscriber, { id: id(), event: 'status', data: { status: track.status } })
      )
        return;
      subscriber.statusSent = track.status;
    }
    // Held pieces from the subscriber's offset. When what it needs next is no longer held
    // (evicted, or this replica joined mid-way), it waits for the result: no gap, no repeat.
    let position = track.base;
    for (const chunk of subscriber.offset < track.base ? [] : track.chunks) {
      const end = position + chunk.length;
      if (end > subscriber.offset) {
        const text = chunk.slice(subscriber.offset - position);
        const event: StreamEvent = {
          id: `${track.attempt}:${end}`,
          event: 'output',
          data: { offset: subscriber.offset, text },
        };
        subscriber.offset = end;
        if (!this.send(track, subscriber, event)) return;
      }
      position = end;
    }
    if (track.finished) this.sendResult(track, subscriber, track.finished);
  }

  /**
   * A finished execution, from the subscriber's offset, at the pace its client reads:
   * pieces are written while the socket takes them, the rest after `drain`; a client that
   * stops reading is dropped once `maxBufferedBytes` wait.
   */
  private replay(view: ExecutionRepresentation, subscriber: Subscriber): void {
    const output = view.result?.output ?? '';
    const attempt = subscriber.attempt;
    const events: StreamEvent[] = [
      { id: `${attempt}:${subscriber.offset}`, event: 'status', data: { status: view.status } },
    ];
    for (
      let offset = subscriber.offset;
      offset < output.length;
      offset += this.settings.replayChunkChars
    ) {
      const text = output.slice(offset, offset + this.settings.replayChunkChars);
      events.push({
        id: `${attempt}:${offset + text.length}`,
        event: 'output',
        data: { offset, text },
      });
    }
    events.push(
      {
        id: `${attempt}:${output.length}`,
        event: 'result',
        data: view as unknown as Record<string, unknown>,
      },
      {
        id: `${attempt}:${output.length}`,
        event: 'end',
        data: { reason: finishReason(view), status: view.status },
      },
    );
    let next = 0;
    const pump = () => {
      while (next < events.length) {
        const event = events[next] as StreamEvent;
        next += 1;
        const accepted = subscriber.sink.write(event);
        this.counters.eventSent(event.event);
        if (!accepted && next < events.length) {
          if (subscriber.sink.buffered > this.settings.maxBufferedBytes) {
            this.counters.dropped('slow_client');
            subscriber.sink.close();
            return;
          }
          return; // the rest on drain
        }
      }
      subscriber.sink.close();
    };
    subscriber.sink.onDrain(pump);
    pump();
  }

  private sendResult(track: Track, subscriber: Subscriber, view: ExecutionRepresentation): void {
    const output = view.result?.output ?? '';
    // The result is authoritative: what the pieces did not bring comes now.
    if (subscriber.offset < output.length) {
      const text = output.slice(subscriber.offset);
      const event: StreamEvent = {
        id: `${track.attempt}:${output.length}`,
        event: 'output',
        data: { offset: subscriber.offset, text },
      };
      subscriber.offset = output.length;
      subscriber.sink.write(event);
      this.counters.eventSent('output');
    }
    const id = `${track.attempt}:${subscriber.offset}`;
    subscriber.sink.write({
      id,
      event: 'result',
      data: view as unknown as Record<string, unknown>,
    });
    this.counters.eventSent('result');
    this.end(track, subscriber, finishReason(view));
  }

  private send(track: Track, subscriber: Subscriber, event: StreamEvent): boolean {
    subscriber.lastEventAt = this.now();
    const accepted = subscriber.sink.write(event);
    this.counters.eventSent(event.event);
    if (accepted) return true;
    if (subscriber.sink.buffered > this.settings.maxBufferedBytes) {
      this.end(track, subscriber, 'slow_client');
      return false;
    }
    subscriber.waitingForDrain = true;
    return false;
  }

  private end(track: Track, subscriber: Subscriber, reason: EndReason): void {
    if (subscriber.ended) return;
    subscriber.ended = true;
    track.subscribers.delete(subscriber);
    if (reason === 'slow_client') this.counters.dropped(reason);
    else {
      subscriber.sink.write({
        id: `${track.attempt}:${subscriber.offset}`,
        event: 'end',
        data: { reason, status: track.status },
      });
      this.counters.eventSent('end');
    }
    subscriber.sink.close();
    if (track.subscribers.size === 0 && track.finished) this.tracks.delete(track.executionId);
  }
}
