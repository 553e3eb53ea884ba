import type { BulkJobRepresentation, ExecutionRepresentation } from '@toolkit/api-contracts';
import type { ExecutionCompletion, ExecutionEvent } from '@toolkit/contracts';
import { BulkJobStreams } from './bulk-job-streams';
import type { BulkJobSource } from './bulk-job-streams';
import type { StreamEvent, StreamSink } from './execution-streams';

const JOB = '6f1c0d6e-2b7a-4c3e-8d55-2f3a1b9c0e11';
const A = '9a7f3c2e-1d4b-4e8a-b6c5-0f1e2d3c4b5a';
const B = '1b2c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b';

class Sink implements StreamSink {
  readonly events: StreamEvent[] = [];
  closed = false;
  buffered = 0;
  write(event: StreamEvent): boolean {
    this.events.push(event);
    return true;
  }
  onDrain(): void {}
  close(): void {
    this.closed = true;
  }
  items(): [unknown, unknown][] {
    return this.events
      .filter((e) => e.event === 'item')
      .map((e) => [e.data['execution_id'], e.data['status']]);
  }
}

function job(status: string, done: number): BulkJobRepresentation {
  return { id: JOB, status, total: 2, accepted: 2, done, counts: {}, summary: {} } as never;
}

function execution(id: string, position: number, status: string): ExecutionRepresentation {
  return {
    id,
    bulk_position: position,
    status,
    result: status === 'succeeded' ? { success: true, error_class: null, command_log_id: 1 } : null,
  } as never;
}

function source(jobs: BulkJobRepresentation[], items: ExecutionRepresentation[]): BulkJobSource {
  let read = 0;
  return {
    job: async () => jobs[Math.min(read++, jobs.length - 1)],
    items: async () => ({ count: items.length, results: items }),
  };
}

const started = (executionId: string): ExecutionEvent =>
  ({
    executionId,
    phase: 'started',
    bulkJobId: JOB,
    device: { id: 1, name: 'r1' },
    executorId: 'x',
    at: '2026-12-02T00:00:00Z',
    attempt: 1,
  }) as ExecutionEvent;

const completed = (executionId: string, position: number): ExecutionCompletion =>
  ({
    executionId,
    bulkJobId: JOB,
    position,
    outcome: 'succeeded',
    success: true,
    errorClass: null,
    commandLogId: 2,
  }) as ExecutionCompletion;

describe('BulkJobStreams', () => {
  it('when items finish before and after the client came, then each status is reported once, then the job and end', async () => {
    // Arrange
    const hub = new BulkJobStreams(() => 0);
    const sink = new Sink();
    const before = [execution(A, 0, 'succeeded'), execution(B, 1, 'queued')];
    const after = [execution(A, 0, 'succeeded'), execution(B, 1, 'succeeded')];
    let items = before;
    const jobs = [job('running', 1), job('running', 1), job('completed', 2)];
    let read = 0;
    await hub.subscribe(job('running', 1), sink, {
      job: async () => jobs[Math.min(read++, jobs.length - 1)],
      items: async () => ({ count: items.length, results: items }),
    });

    // Act
    hub.onEvent(started(B));
    hub.onEvent(started(B));
    items = after;
    await hub.onCompletion(completed(B, 1));
    await hub.onCompletion(completed(B, 1));

    // Assert
    expect(sink.items()).toEqual([
      [A, 'succeeded'],
      [B, 'queued'],
      [B, 'running'],
      [B, 'succeeded'],
    ]);
    expect(sink.events.filter((e) => e.event === 'job')).toHaveLength(1);
    expect(sink.events.at(-1)).toMatchObject({ event: 'end', data: { reason: 'finished' } });
    expect(sink.closed).toBe(true);
    expect(hub.open).toBe(0);
  });

  it('when the job is completed already, then its items are replayed and the stream ends at once', async () => {
    // Arrange
    const hub = new BulkJobStreams(() => 0);
    const sink = new Sink();
    const done = [execution(A, 0, 'succeeded'), execution(B, 1, 'succeeded')];

    // Act
    await hub.subscribe(job('completed', 2), sink, source([job('completed', 2)], done));

    // Assert
    expect(sink.events.map((e) => e.event)).toEqual(['progress', 'item', 'item', 'job', 'end']);
    expect(sink.closed).toBe(true);
  });

  it('when an item started event comes after its result, then it is not reported as running again', async () => {
    // Arrange
    const hub = new BulkJobStreams(() => 0);
    const sink = new Sink();
    await hub.subscribe(
      job('running', 1),
      sink,
      source([job('running', 1)], [execution(A, 0, 'succeeded'), execution(B, 1, 'running')]),
    );

    // Act
    hub.onEvent(started(A));

    // Assert
    expect(sink.items()).toEqual([
      [A, 'succeeded'],
      [B, 'running'],
    ]);
  });
});
