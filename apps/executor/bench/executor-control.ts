/* eslint-disable no-restricted-syntax -- a benchmark passes its PATH on to the process it starts */
// The measured executor as a process of its own (bench/executor-process.ts: main.ts's
// wiring on a run's own topics) and the line protocol on its stdin/stdout: `ready` once
// started, then `stats` (memory after a GC, CPU, sessions), `pause` / `resume` (stop and
// restart fetching), `profile start` / `profile stop <file>`, `snapshot <file>`. Every
// executor bench starts it with the same environment; afterwards its topics and claims
// database are deleted (`dropRunData`).
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { benchTopics } from './bench-topics';
import { brokers, mongoUri } from './shared-bench';

export interface ExecutorStats {
  memory: NodeJS.MemoryUsage;
  /** RSS by mapping kind, MB (executor-process.ts). */
  resident?: Record<string, number>;
  cpu: NodeJS.CpuUsage;
  sessions?: { open: number; idle: number };
}

export interface ExecutorProcess {
  child: ChildProcessWithoutNullStreams;
  stats(): Promise<ExecutorStats>;
  /** Stops or restarts fetching requests; false when the bundle cannot (older checkouts). */
  consume(command: 'pause' | 'resume'): Promise<boolean>;
  /** `profile start` / `profile stop <file>` (see executor-process.ts). */
  profile(command: string): Promise<void>;
  /** A V8 heap snapshot written to `file` (answered once written). */
  snapshot(file: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the executor: `nodeArgs` run it (a bundle, or `--import tsx` and the entry), on
 * the run `topicId`'s topics and database, with `keys` as EXECUTION_KEYS; `env` adds to
 * or overrides the benches' environment. NODE_FLAGS (bench only) go on the node command
 * line, for options NODE_OPTIONS refuses.
 */
export async function startExecutorProcess(options: {
  nodeArgs: string[];
  topicId: string;
  keys: string;
  env?: Record<string, string>;
  /**
   * `stats` reads memory after a full GC (node's --expose-gc): for memory figures; the CPU
   * that `stats` reads then includes that collection.
   */
  gcOnStats?: boolean;
}): Promise<ExecutorProcess> {
  const { topicId, env = {} } = options;
  const flags = [
    ...(options.gcOnStats ? ['--expose-gc'] : []),
    ...(env['NODE_FLAGS'] ?? '').split(' ').filter(Boolean),
  ];
  const child = spawn(process.execPath, [...flags, ...options.nodeArgs], {
    env: {
      PATH: process.env['PATH'] ?? '',
      KAFKA_BROKERS: brokers.join(','),
      MONGODB_URI: mongoUri,
      MONGODB_DB: `bench_executor_${topicId}`,
      HTTP_PORT: '0',
      BENCH_TOPIC_ID: topicId,
      EXECUTION_KEYS: options.keys,
      EXECUTOR_ID: `bench-${topicId}`,
      EXECUTOR_GROUP_ID: `bench-${topicId}`,
      EXECUTOR_KNOWN_HOSTS_MODE: 'accept-new',
      EXECUTOR_CONNECT_TIMEOUT_MS: '30000',
      EXECUTOR_MAX_COMMAND_TIMEOUT_MS: '60000',
      KAFKA_TOPIC_PARTITIONS: '12',
      // As deploy/Dockerfile sets it for every service (fewer glibc arenas, less RSS).
      MALLOC_ARENA_MAX: '2',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const waiting: ((line: Record<string, unknown>) => boolean)[] = [];
  let lastLines: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    lastLines = [...lastLines.slice(-9), line];
    if (!line.startsWith('{')) return;
    const parsed = JSON.parse(line) as Record<string, unknown>;
    const i = waiting.findIndex((w) => w(parsed));
    if (i >= 0) waiting.splice(i, 1);
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4_000);
  });
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  /** The value of the next stdout line that carries `key`. */
  const next = <T>(key: string) =>
    new Promise<T>((resolveLine, reject) => {
      waiting.push((l) => {
        if (!(key in l)) return false;
        resolveLine(l[key] as T);
        return true;
      });
      void exited.then((code) =>
        reject(new Error(`executor exited ${code}: ${stderr}${lastLines.join('\n')}`)),
      );
    });
  const ask = <T>(line: string, key: string) => {
    const answer = next<T>(key);
    child.stdin.write(`${line}\n`);
    return answer;
  };
  await next('ready');
  return {
    child,
    stats: () => ask<ExecutorStats>('stats', 'stats'),
    consume: (command) => ask<boolean>(command, command === 'pause' ? 'paused' : 'resumed'),
    profile: async (command) => {
      await ask<boolean>(`profile ${command}`, 'profiled');
    },
    snapshot: async (file) => {
      child.stdin.write(`snapshot ${file}\n`);
      await ask<ExecutorStats>('stats', 'stats'); // answered after the snapshot was written
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Deletes a run's topics and claims database: a local broker keeps every partition's files
 * open, and hundreds of runs' topics (36 partitions each) once exhausted its open-files
 * limit and stopped it.
 */
export async function dropRunData(topicId: string): Promise<void> {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  const topics = Object.values(benchTopics(topicId)).map((t) => t.topic);
  const mongo = mongoose.createConnection(mongoUri, { dbName: `bench_executor_${topicId}` });
  const warn = (what: string) => (error: unknown) =>
    console.warn(`could not delete the run's ${what} (${String(error)})`);
  await admin
    .connect()
    .then(() => admin.deleteTopics({ topics, timeout: 30_000 }))
    .catch(warn('topics'))
    .finally(() => admin.disconnect().catch(warn('admin client')));
  await mongo
    .asPromise()
    .then(() => mongo.dropDatabase())
    .catch(warn('database'))
    .finally(() => mongo.close().catch(warn('database connection')));
}
