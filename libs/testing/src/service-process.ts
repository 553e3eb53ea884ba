import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { testInfra } from './infra';
import { templateLibraryDir } from './template-library';

const root = path.resolve(__dirname, '../../..');

export interface ServiceProcess {
  child: ChildProcess;
  /** Its log lines as they arrive (JSON, or `{raw}`). */
  lines: Record<string, unknown>[];
  /** Resolves with the exit code once stdout and stderr are drained. */
  exited: Promise<number | null>;
}

/**
 * What the services require beyond the shared variables (see each app's config.ts), with
 * consumer groups of the caller's own: on a broker a local stack also uses (infra.sh
 * reuses running servers), these processes must not take the stack's requests or results.
 */
export function requiredServiceEnv(label: string): Record<string, string> {
  return {
    INTERNAL_API_TOKEN: `${label}-internal-token-0123456789`,
    CREDENTIAL_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
    EXECUTION_KEYS: `k1:${Buffer.alloc(32, 2).toString('base64')}`,
    CATALOG_URL: 'http://127.0.0.1:1',
    ANALYTICS_URL: 'http://127.0.0.1:1',
    EXECUTOR_KNOWN_HOSTS_MODE: 'accept-new',
    TEXTFSM_TEMPLATES_DIR: templateLibraryDir(),
    EXECUTOR_GROUP_ID: `${label}-executor-${randomUUID()}`,
    ANALYTICS_CONSUMER_GROUP_PREFIX: `${label}-analytics-${randomUUID()}`,
  };
}

/**
 * A service (`apps/<service>/src/main.ts`) as a real process against the test servers,
 * with ports chosen by the system; `env` adds to (or overrides) the shared variables.
 */
export function startServiceProcess(service: string, env: Record<string, string>): ServiceProcess {
  const { brokers, mongoUri } = testInfra();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'apps', service, 'src/main.ts')],
    {
      cwd: root,
      env: {
        PATH: process.env['PATH'] ?? '',
        KAFKA_BROKERS: brokers.join(','),
        MONGODB_URI: mongoUri,
        MONGODB_DB: `process_test_${service}`,
        HTTP_PORT: '0',
        METRICS_PORT: '0',
        KAFKA_CONNECTION_TIMEOUT_MS: '500',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: Record<string, unknown>[] = [];
  // One line buffer per stream: interleaved stdout and stderr chunks must not mix.
  const collector = () => {
    let buffer = '';
    return (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const part of parts) {
        try {
          lines.push(JSON.parse(part));
        } catch {
          lines.push({ raw: part });
        }
      }
    };
  };
  child.stdout?.on('data', collector());
  child.stderr?.on('data', collector());
  // 'close' (not 'exit') fires once stdout and stderr are drained: every line is in.
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => resolve(code)),
  );
  return { child, lines, exited };
}

/** The first log line matching, or an error listing every line (also when the process exits). */
export async function waitForLine(
  started: ServiceProcess,
  predicate: (line: Record<string, unknown>) => boolean,
  timeoutMs = 30_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = started.lines.find(predicate);
    if (line) return line;
    if (started.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `no such log line; got:\n${started.lines.map((l) => JSON.stringify(l)).join('\n')}`,
  );
}
