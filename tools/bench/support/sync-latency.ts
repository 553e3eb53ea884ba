// Synchronous executions through the public API (`POST /commands/{id}/execute/`) and the
// latency they add: the client's round trip (gateway in to gateway out, on loopback) minus
// the time the executor spent on the device (the result's execution_time). Where the time
// goes comes from the execution's own timestamps (same host clock, ms resolution).
import type { ProcessStack } from '../../stack/process-stack';
import { summary } from '../../stack/process-stack';

export interface Sample {
  rttMs: number;
  deviceMs: number;
  executionId: string;
  sentAt: number;
  answeredAt: number;
}

/** The latency the system adds to one execution: round trip minus device time. */
export const addedMs = (s: Sample): number => s.rttMs - s.deviceMs;

export async function executeOnce(
  stack: ProcessStack,
  commandId: number,
  deviceId: number,
  credential: string,
): Promise<Sample> {
  const sentAt = Date.now();
  const t0 = performance.now();
  const res = await stack.api('POST', `/api/plugins/toolkit/commands/${commandId}/execute/`, {
    device_id: deviceId,
    credential_token: credential,
  });
  const rttMs = performance.now() - t0;
  if (res.status !== 200)
    throw new Error(`execute answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
  return {
    rttMs,
    deviceMs: (res.body.execution_time as number) * 1000,
    executionId: res.body.execution_id,
    sentAt,
    answeredAt: Date.now(),
  };
}

/** One execution per device, ten at a time: sessions open, every process has run the path. */
export async function warmUp(run: (i: number) => Promise<unknown>, devices: number): Promise<void> {
  for (let i = 0; i < devices; i += 10)
    await Promise.all(Array.from({ length: Math.min(10, devices - i) }, (_, j) => run(i + j)));
}

/** `count` executions one at a time (the i-th on device i modulo the devices). */
export async function sequential(
  run: (i: number) => Promise<Sample>,
  count: number,
): Promise<{ samples: Sample[]; seconds: number }> {
  const started = performance.now();
  const samples: Sample[] = [];
  for (let i = 0; i < count; i++) samples.push(await run(i));
  return { samples, seconds: (performance.now() - started) / 1000 };
}

export interface Stages {
  before: number[];
  queue: number[];
  record: number[];
  answer: number[];
}

/** Where the time of each sample went, from its execution (read back through the API). */
export async function stagesOf(stack: ProcessStack, samples: readonly Sample[]): Promise<Stages> {
  const stages: Stages = { before: [], queue: [], record: [], answer: [] };
  for (const s of samples) {
    const e = (await stack.api('GET', `/api/plugins/toolkit/executions/${s.executionId}/`)).body;
    const requested = Date.parse(e.requested_at);
    const recorded = Date.parse(e.last_updated);
    stages.before.push(requested - s.sentAt);
    stages.queue.push(Date.parse(e.started_at) - requested);
    stages.record.push(recorded - Date.parse(e.finished_at));
    stages.answer.push(s.answeredAt - recorded);
  }
  return stages;
}

/** The report of a one-at-a-time phase: added latency, round trip, device time, stages. */
export function printSequential(samples: readonly Sample[], seconds: number, stages: Stages): void {
  console.log(summary('added latency (round trip - device time)', samples.map(addedMs)));
  console.log(
    summary(
      'round trip',
      samples.map((s) => s.rttMs),
    ),
  );
  console.log(
    summary(
      'device time (execution_time)',
      samples.map((s) => s.deviceMs),
    ),
  );
  console.log(`${(samples.length / seconds).toFixed(1)} executions/s`);
  console.log(
    `where the time goes (last ${stages.before.length}, ms resolution, same host clock):`,
  );
  console.log(
    `  ${summary('gateway before publish (auth, render, limits, publish)', stages.before)}`,
  );
  console.log(`  ${summary('published -> executor started', stages.queue)}`);
  console.log(`  ${summary('device finished -> analytics recorded', stages.record)}`);
  console.log(`  ${summary('analytics recorded -> answer', stages.answer)}`);
}
