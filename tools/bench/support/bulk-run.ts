// A bulk execution through the public API, timed at the system's three ends: every 202
// answered (item checks, renders, publish), the last result on Kafka (the executors'
// end), the last item recorded by analytics (its command log stored). Jobs hold whole
// devices and at most 1,000 items each (the API's limit); all are submitted at once.
import type { ProcessStack } from '../../stack/process-stack';
import type { JobWatch } from './job-watch';

/** The API's limit on the items of one bulk-execute request. */
export const MAX_BULK_ITEMS = 1_000;

export interface BulkWork {
  deviceIds: readonly number[];
  perDevice: number;
  commandId: number;
  credential: string;
  /** Seconds each item may take (the request's `timeout`). */
  timeoutSeconds?: number;
  /** Stop waiting after this long from the first submit (the run is then incomplete). */
  limitMs?: number;
}

export interface BulkRun {
  items: number;
  jobs: string[];
  /** performance.now() at the first submit. */
  startedAt: number;
  /** Seconds from the first submit until every 202 was answered. */
  submitSeconds: number;
  /** ... until the last result was on the results topic (NaN if it never was). */
  resultSeconds: number;
  /** ... until analytics announced the last item recorded (NaN if it never did). */
  recordedSeconds: number;
  /** Items at each stage when the run ended (all of them unless the limit was reached). */
  results: number;
  recorded: number;
  /** From the jobs once completed (GET bulk-jobs/{id}/); 0 if the run was incomplete. */
  succeeded: number;
}

export async function runBulk(
  stack: ProcessStack,
  watch: JobWatch,
  work: BulkWork,
): Promise<BulkRun> {
  const { deviceIds, perDevice, commandId, credential } = work;
  const devicesPerJob = Math.max(1, Math.floor(MAX_BULK_ITEMS / perDevice));
  const batches: number[][] = [];
  for (let i = 0; i < deviceIds.length; i += devicesPerJob)
    batches.push(deviceIds.slice(i, i + devicesPerJob));
  const startedAt = performance.now();
  const seconds = (at: number) => (at - startedAt) / 1_000;
  const jobs = await Promise.all(
    batches.map(async (devices) => {
      const executions = devices.flatMap((device_id) =>
        Array.from({ length: perDevice }, () => ({ command_id: commandId, device_id })),
      );
      const res = await stack.api('POST', '/api/plugins/toolkit/commands/bulk-execute/', {
        executions,
        credential_token: credential,
        async: true,
        timeout: work.timeoutSeconds ?? 300,
      });
      if (res.status !== 202)
        throw new Error(`bulk-execute ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
      return { id: String(res.body.id), items: executions.length };
    }),
  );
  const submitSeconds = seconds(performance.now());
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<undefined>((resolve) => {
    if (work.limitMs !== undefined)
      timer = setTimeout(() => resolve(undefined), work.limitMs - (performance.now() - startedAt));
  });
  const reached = (stage: 'result' | 'recorded') =>
    Promise.race([
      Promise.all(jobs.map((j) => watch.until(stage, j.id, j.items))).then((ats) =>
        Math.max(...ats),
      ),
      limit,
    ]);
  const [resultAt, recordedAt] = await Promise.all([reached('result'), reached('recorded')]);
  clearTimeout(timer);
  const count = (stage: 'result' | 'recorded') =>
    jobs.reduce((sum, j) => sum + Math.min(j.items, watch.count(stage, j.id)), 0);
  const run: BulkRun = {
    items: jobs.reduce((sum, j) => sum + j.items, 0),
    jobs: jobs.map((j) => j.id),
    startedAt,
    submitSeconds,
    resultSeconds: resultAt === undefined ? NaN : seconds(resultAt),
    recordedSeconds: recordedAt === undefined ? NaN : seconds(recordedAt),
    results: count('result'),
    recorded: count('recorded'),
    succeeded: 0,
  };
  if (recordedAt !== undefined)
    for (const { id } of jobs) run.succeeded += await completedJob(stack, id);
  return run;
}

/** Succeeded items of a job once analytics has it `completed` (read through the gateway). */
async function completedJob(stack: ProcessStack, id: string): Promise<number> {
  for (let i = 0; i < 300; i++) {
    const job = await stack.api('GET', `/api/plugins/toolkit/bulk-jobs/${id}/`);
    if (job.body?.status === 'completed') return Number(job.body.counts.succeeded);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`bulk job ${id}: every item announced recorded, but not completed after 30 s`);
}
