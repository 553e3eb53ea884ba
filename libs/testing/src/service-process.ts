import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { testInfra } from './infra';

const root = path.resolve(__dirname, '../../..');

export interface ServiceProcess {
  child: ChildProcess;
  /** Its log lines as they arrive (JSON, or `{raw}`). */
  lines: Record<string, unknown>[];
  /** Resolves with the exit code once stdout and stderr are drained. */
  exited: Promise<number | null>;
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
