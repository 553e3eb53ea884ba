import type { ExecutionRepresentation } from '@toolkit/api-contracts';
import type { ExecutionEvent } from '@toolkit/contracts';
import type { StreamEvent, StreamSettings, StreamSink } from './execution-streams';
import {
  DEFAULT_STREAM_SETTINGS,
  ExecutionStreams,
  finishReason,
  parseLastEventId,
} from './execution-streams';

const ID = '0b5c4c1e-8f7a-4d61-9a4e-4d7f7b1f2a10';

function view(status: string, output = ''): ExecutionRepresentation {
  return {
    id: ID,
    status,
    result: status === 'running' || status === 'queued' ? null : { output },
  } as unknown as ExecutionRepresentation;
}

function piece(offset: number, text: string, extra: Partial<ExecutionEvent> = {}): ExecutionEvent {
  return {
    executionId: ID,
    phase: 'output',
    device: { id: 1, name: 'r1' },
    executorId: 'x1',
    at: '2026-12-02T00:00:00Z',
    attempt: 1,
    output: { offset, text },
    ...extra,
  } as ExecutionEvent;
}

/** A client: takes events until `full` says its buffer is full, then waits for `drain()`. */
class FakeSink implements StreamSink {
  readonly events: StreamEvent[] = [];
  closed = false;
  buffered = 0;
  full = false;
  private listener: (() => void) | undefined;

  write(event: StreamEvent): boolean {
    this.events.push(event);
    return !this.full;
  }

  onDrain(listener: () => void): void {
    this.listener = listener;
  }

  drain(): void {
    this.full = false;
    this.buffered = 0;
    this.listener?.();
  }

  close(): void {
    this.closed = true;
  }

  get text(): string {
    return this.events
      .filter((e) => e.event === 'output')
      .map((e) => String(e.data['text']))
      .join('');
  }

  kinds(): string[] {
    return this.events.map((e) => e.event);
  }
}

function streams(settings: Partial<StreamSettings> = {}, now = () => 0) {
  const dropped: string[] = [];
  const hub = new ExecutionStreams(now, { ...DEFAULT_STREAM_SETTINGS, ...settings });
  hub.countWith({ eventSent: () => undefined, dropped: (reason) => dropped.push(reason) });
  return { hub, dropped };
}

describe('ExecutionStreams', () => {
  it('when pieces arrive for a followed execution, then the client gets its status, the pieces in order, then the result and end', async () => {
    // Arrange
    const { hub } = streams();
    const sink = new FakeSink();
    const finished = view('succeeded', 'line 1\nline 2\nline 3');
    hub.subscribe(view('running'), sink, undefined, async () => finished);

    // Act
    hub.onEvent(piece(0, 'line 1'));
    hub.onEvent(piece(6, '\nline 2'));
    await hub.onCompletion(ID);

    // Assert
    expect(sink.kinds()).toEqual([
      'status',
      'output',
      'output',
      'status',
      'output',
      'result',
      'end',
    ]);
    expect(sink.text).toBe('line 1\nline 2\nline 3');
    expect(sink.events.at(-1)?.data).toEqual({ reason: 'finished', status: 'succeeded' });
    expect(sink.closed).toBe(true);
    expect(hub.open).toBe(0);
  });

  it('when a client reconnects with Last-Event-ID, then the output continues from there exactly once', () => {
    // Arrange
    const { hub } = streams();
    hub.onEvent(piece(0, 'abcdef'));
    hub.onEvent(piece(6, 'ghij'));
    const first = new FakeSink();
    hub.subscribe(view('running'), first, undefined, async () => undefined);
    const lastSeen = first.events.find((e) => e.event === 'output')?.id;
    hub.unsubscribe(ID, first);

    // Act
    const again = new FakeSink();
    hub.subscribe(view('running'), again, parseLastEventId(lastSeen), async () => undefined);
    hub.onEvent(piece(10, 'klm'));

    // Assert
    expect(lastSeen).toBe('1:6');
    expect(again.text).toBe('ghijklm');
    expect(again.events.filter((e) => e.event === 'output').map((e) => e.data['offset'])).toEqual([
      6, 10,
    ]);
  });

  it('when a piece is delivered twice, a new attempt starts or the output restarts, then nothing repeats and each new output starts at offset 0 under a new id generation', () => {
    // Arrange
    const { hub } = streams();
    const sink = new FakeSink();
    hub.subscribe(view('running'), sink, undefined, async () => undefined);

    // Act
    hub.onEvent(piece(0, 'abc'));
    hub.onEvent(piece(3, 'def'));
    hub.onEvent(piece(3, 'def'));
    hub.onEvent(piece(0, 'xy', { attempt: 2 }));
    hub.onEvent(piece(0, 'show xy', { attempt: 2 }));
    hub.onEvent(piece(0, 'late', { attempt: 1 }));

    // Assert
    const outputs = sink.events.filter((e) => e.event === 'output');
    expect(outputs.map((e) => [e.id, e.data['offset'], e.data['text']])).toEqual([
      ['1:3', 0, 'abc'],
      ['1:6', 3, 'def'],
      ['2:2', 0, 'xy'],
      ['3:7', 0, 'show xy'],
    ]);
  });

  it('when a finished execution is followed, then it is replayed in pieces from the resume point and the stream closes', () => {
    // Arrange
    const { hub } = streams({ replayChunkChars: 4 });
    const sink = new FakeSink();

    // Act
    hub.subscribe(
      view('failed', '0123456789'),
      sink,
      { attempt: 0, offset: 2 },
      async () => undefined,
    );

    // Assert
    expect(sink.kinds()).toEqual(['status', 'output', 'output', 'result', 'end']);
    expect(sink.text).toBe('23456789');
    expect(sink.events.at(-1)?.data).toEqual({ reason: 'finished', status: 'failed' });
    expect(sink.closed).toBe(true);
  });

  it('when a client cannot keep up, then it is paused and resumes without gaps; past the buffer bound it is dropped and the others go on', () => {
    // Arrange
    const { hub, dropped } = streams({ maxBufferedBytes: 100 });
    const paused = new FakeSink();
    const slow = new FakeSink();
    const fast = new FakeSink();
    for (const sink of [paused, slow, fast])
      hub.subscribe(view('running'), sink, undefined, async () => undefined);
    paused.full = true;
    slow.full = true;
    slow.buffered = 1_000;

    // Act
    hub.onEvent(piece(0, 'aaa'));
    hub.onEvent(piece(3, 'bbb'));
    paused.drain();
    hub.onEvent(piece(6, 'ccc'));

    // Assert
    expect(fast.text).toBe('aaabbbccc');
    expect(paused.text).toBe('aaabbbccc');
    expect(slow.closed).toBe(true);
    expect(dropped).toEqual(['slow_client']);
    expect(hub.open).toBe(2);
  });

  it('when output passes the per-execution bound, then the rest is not held (the result brings it); past the total bound the oldest go', async () => {
    // Arrange
    let now = 0;
    const { hub } = streams({ maxCharsPerExecution: 5, maxCharsTotal: 7 }, () => now);
    const sink = new FakeSink();
    const other = '1f0b6ad4-3c51-4c8c-9d3c-0c3d2f0e2b11';
    hub.subscribe(view('running'), sink, undefined, async () => view('succeeded', 'abcdefgh'));

    // Act
    hub.onEvent(piece(0, 'abc'));
    hub.onEvent(piece(3, 'defgh'));
    const heldAfterCap = hub.heldChars;
    now = 10;
    hub.onEvent({ ...piece(0, 'zzzzz'), executionId: other });
    const heldAfterOther = hub.heldChars;
    hub.onEvent(piece(8, 'ijk'));
    const textBeforeResult = sink.text;
    await hub.onCompletion(ID);

    // Assert
    expect(heldAfterCap).toBe(3);
    expect(heldAfterOther).toBe(5);
    expect(textBeforeResult).toBe('abc');
    expect(sink.text).toBe('abcdefgh');
  });

  it('when a stream has had no event for the idle time, then the sweep ends it; a quiet followed execution is read again', async () => {
    // Arrange
    let now = 0;
    const { hub } = streams({ idleMs: 1_000 }, () => now);
    const idle = new FakeSink();
    let reads = 0;
    hub.subscribe(view('running'), idle, undefined, async () => {
      reads += 1;
      return view('running');
    });

    // Act
    now = 500;
    await hub.sweep(100);
    const readsBefore = reads;
    now = 2_000;
    await hub.sweep(100_000);

    // Assert
    expect(readsBefore).toBe(2); // one look right after subscribing, one by the sweep
    expect(idle.events.at(-1)).toMatchObject({ event: 'end', data: { reason: 'idle' } });
    expect(idle.closed).toBe(true);
  });

  it.each([
    ['3:120', { attempt: 3, offset: 120 }],
    [' 1:0 ', { attempt: 1, offset: 0 }],
    ['x', undefined],
    ['1:-2', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('when Last-Event-ID is %j, then it reads as %j', (value, expected) => {
    // Act
    const resume = parseLastEventId(value);

    // Assert
    expect(resume).toEqual(expected);
  });

  it.each([
    ['succeeded', null, 'finished'],
    ['failed', 'command_timeout', 'timeout'],
    ['failed', 'unreachable', 'finished'],
    ['cancelled', 'cancelled', 'cancelled'],
  ])(
    'when an execution ends %s (%s), then its stream ends with reason %s',
    (status, errorClass, reason) => {
      // Arrange
      const ended = { id: ID, status, result: { output: '', error_class: errorClass } };

      // Act
      const why = finishReason(ended as unknown as ExecutionRepresentation);

      // Assert
      expect(why).toBe(reason);
    },
  );

  it('when the first piece is delivered again later, then it is a repeat, not a restart: the output goes on', () => {
    // Arrange
    const { hub } = streams();
    const sink = new FakeSink();
    hub.subscribe(view('running'), sink, undefined, async () => undefined);

    // Act
    hub.onEvent(piece(0, 'abc'));
    hub.onEvent(piece(3, 'def'));
    hub.onEvent(piece(0, 'abc'));
    hub.onEvent(piece(6, 'ghi'));

    // Assert
    expect(sink.text).toBe('abcdefghi');
    expect(sink.events.filter((e) => e.event === 'output').at(-1)?.id).toBe('1:9');
  });

  it('when a finished execution is replayed to a client that reads slowly, then it is paced by drain; one that stops reading is dropped', () => {
    // Arrange
    const { hub, dropped } = streams({ replayChunkChars: 2, maxBufferedBytes: 100 });
    const paced = new FakeSink();
    const stuck = new FakeSink();
    paced.full = true;
    stuck.full = true;
    stuck.buffered = 1_000;

    // Act
    hub.subscribe(view('succeeded', 'abcdef'), paced, undefined, async () => undefined);
    const afterFirstWrite = paced.events.length;
    paced.drain();
    hub.subscribe(view('succeeded', 'abcdef'), stuck, undefined, async () => undefined);

    // Assert
    expect(afterFirstWrite).toBe(1);
    expect(paced.text).toBe('abcdef');
    expect(paced.kinds().slice(-2)).toEqual(['result', 'end']);
    expect(paced.closed).toBe(true);
    expect(stuck.events).toHaveLength(1);
    expect(stuck.closed).toBe(true);
    expect(dropped).toEqual(['slow_client']);
  });
});
