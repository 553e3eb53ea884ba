// Where a bulk job's items are, read from the run's own topics: `result` when an executor
// published an item's result (the executor pipeline's end), `recorded` when analytics
// announced it recorded (its command log, execution and job written: the completions
// topic, published after those writes). Items are counted once per execution id, so a
// redelivered message does not count twice.
import { Kafka, logLevel } from 'kafkajs';
import type { Consumer } from 'kafkajs';

export type Stage = 'result' | 'recorded';

interface Waiter {
  stage: Stage;
  job: string;
  count: number;
  resolve: (at: number) => void;
}

export class JobWatch {
  private readonly seen: Record<Stage, Map<string, Set<string>>> = {
    result: new Map(),
    recorded: new Map(),
  };
  /** When an item of any job last reached each stage (performance.now()). */
  readonly lastAt: Record<Stage, number> = { result: 0, recorded: 0 };
  /** Items of every job that reached each stage. */
  readonly totals: Record<Stage, number> = { result: 0, recorded: 0 };
  /** Per stage and job: when its latest item was read. */
  private readonly jobLastAt: Record<Stage, Map<string, number>> = {
    result: new Map(),
    recorded: new Map(),
  };
  private waiters: Waiter[] = [];
  private consumer: Consumer | undefined;

  /** On `stack`'s topics (a ProcessStack's), as consumer group `<purpose>-<run id>`. */
  constructor(
    private readonly stack: { brokers: string[]; prefix: string; runId: string },
    private readonly purpose: string,
  ) {}

  async start(): Promise<void> {
    const { brokers, prefix, runId } = this.stack;
    const groupId = `${this.purpose}-${runId}`;
    const kafka = new Kafka({ clientId: 'bench-watch', brokers, logLevel: logLevel.NOTHING });
    this.consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 20 });
    await this.consumer.connect();
    const topics: Record<string, Stage> = {
      [`${prefix}toolkit.execution.results.v1`]: 'result',
      [`${prefix}toolkit.execution.completions.v1`]: 'recorded',
    };
    await this.consumer.subscribe({ topics: Object.keys(topics), fromBeginning: true });
    await this.consumer.run({
      eachBatch: async ({ batch }) => {
        const stage = topics[batch.topic];
        if (!stage) return;
        const at = performance.now();
        for (const m of batch.messages) {
          const payload = (
            JSON.parse(m.value?.toString() ?? '{}') as {
              payload?: { bulkJobId?: string; executionId?: string };
            }
          ).payload;
          if (!payload?.bulkJobId || !payload.executionId) continue;
          const ids = this.seen[stage].get(payload.bulkJobId) ?? new Set<string>();
          if (ids.has(payload.executionId)) continue;
          ids.add(payload.executionId);
          this.seen[stage].set(payload.bulkJobId, ids);
          this.totals[stage]++;
          this.lastAt[stage] = at;
          this.jobLastAt[stage].set(payload.bulkJobId, at);
        }
        this.settle();
      },
    });
  }

  /** Items of `job` that reached `stage` so far. */
  count(stage: Stage, job: string): number {
    return this.seen[stage].get(job)?.size ?? 0;
  }

  /**
   * When `job` had `count` items at `stage`: performance.now() of the read that brought its
   * latest item (the count-th when no more came meanwhile).
   */
  until(stage: Stage, job: string, count: number): Promise<number> {
    return new Promise((resolve) => {
      this.waiters.push({ stage, job, count, resolve });
      this.settle();
    });
  }

  private settle(): void {
    this.waiters = this.waiters.filter((w) => {
      if (this.count(w.stage, w.job) < w.count) return true;
      w.resolve(this.jobLastAt[w.stage].get(w.job) ?? performance.now());
      return false;
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
