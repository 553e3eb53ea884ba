// The report's options (see system-report.ts for the command line) and the executor
// settings it reasons about, read from the executor's configuration defaults.
import { readDefault } from '@toolkit/config';
import { driverFor } from '@toolkit/executor-domain';
import { executorConfigSchema } from '../../../apps/executor/src/config';
import { arg, flag, numberArg, numberListArg, parseEnvList } from '../support/args';

export const SIZES = numberListArg('--sizes', [10, 100, 1000]);
export const EXECUTORS = numberListArg('--executors', [1, 2]).sort((a, b) => a - b);
/** Rounds of each size under BIG (those run once: long enough to be stable). */
export const ROUNDS = numberArg('--rounds', 3);
export const BIG = 1_000;
export const COMMAND = arg('--command', 'show clock');
export const SEQUENTIAL = numberArg('--sequential', 200);
export const LATENCY_DEVICES = numberArg('--latency-devices', 20);
export const SKIP_LATENCY = flag('--skip-latency');
export const FLEET = numberArg('--fleet', 5_000);
export const FLEET_LATENCY_MS = numberArg('--fleet-latency-ms', 1_000);
export const FLEET_EXECUTORS = numberArg('--fleet-executors', 1);
/** Seconds a fleet run may take before it is reported incomplete. */
export const FLEET_LIMIT_S = numberArg('--fleet-limit', 240);
/** Seconds an incomplete fleet run's rest may take to be recorded before the next run. */
export const DRAIN_LIMIT_S = 60;
export const SKIP_FLEET = flag('--skip-fleet');
export const SKIP_FLEET_BARE = flag('--skip-fleet-bare');
/** Devices of the warm-up jobs (JIT, consumer groups joined) after each executor change. */
export const WARM_DEVICES = 24;
/** Partitions of the run's topics (KAFKA_TOPIC_PARTITIONS as ProcessStack starts services). */
const TOPIC_PARTITIONS = 12;
/** The whole run stops by itself past this. */
export const RUN_LIMIT_MS = numberArg('--run-limit', 30) * 60_000;
/** The simulated devices' driver set-up (IOS). */
export const SETUP = driverFor('cisco_ios').sessionSetup;
export const TARGETS = { ratio: 0.7, p50: 10, p99: 40, fleetSeconds: 30 };

type ExecutorKey =
  | 'EXECUTOR_PARTITIONS_CONCURRENTLY'
  | 'EXECUTOR_MAX_BATCH_SIZE'
  | 'EXECUTOR_BATCH_PARALLELISM'
  | 'EXECUTOR_MAX_SESSIONS';

/** An executor setting: from `env` when given, else the configuration's default. */
function setting(env: Record<string, string>, key: ExecutorKey): number {
  return Number(env[key] ?? readDefault(executorConfigSchema, key));
}

/**
 * The tuned configuration: every partition of an executor's share at once (the topics have
 * 12), a partition's whole backlog in one batch run all at once, sessions for all of it.
 */
export const FLEET_TUNED = parseEnvList(
  arg(
    '--fleet-tuned',
    [
      `EXECUTOR_PARTITIONS_CONCURRENTLY=${Math.max(TOPIC_PARTITIONS, setting({}, 'EXECUTOR_PARTITIONS_CONCURRENTLY'))}`,
      `EXECUTOR_MAX_BATCH_SIZE=${Math.min(10_000, Math.ceil(FLEET / TOPIC_PARTITIONS) + 100)}`,
      'EXECUTOR_BATCH_PARALLELISM=10000',
      `EXECUTOR_FETCH_MAX_BYTES_PER_PARTITION=${8 * 1024 * 1024}`,
      `EXECUTOR_MAX_SESSIONS=${Math.max(2_000, FLEET + 1_000)}`,
    ].join(' '),
  ),
);

/**
 * How many devices the executors' batching runs at once: per executor, the partitions it
 * runs at once (of its share of the topic's) times a batch's devices run in parallel.
 */
export function concurrencyCap(executors: number, env: Record<string, string>): number {
  const partitions = Math.min(
    setting(env, 'EXECUTOR_PARTITIONS_CONCURRENTLY'),
    Math.ceil(TOPIC_PARTITIONS / executors),
  );
  const perBatch = Math.min(
    setting(env, 'EXECUTOR_MAX_BATCH_SIZE'),
    setting(env, 'EXECUTOR_BATCH_PARALLELISM'),
  );
  return Math.min(
    executors * partitions * perBatch,
    executors * setting(env, 'EXECUTOR_MAX_SESSIONS'),
  );
}
