import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const root = path.resolve(__dirname, '../..');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Go's official install directory, which a non-login shell's PATH may lack. */
const GO_BIN = '/usr/local/go/bin';

/** The environment with Go's directory on PATH. */
export function goEnv(): NodeJS.ProcessEnv {
  const extra = existsSync(GO_BIN) ? [GO_BIN] : [];
  return { ...process.env, PATH: [process.env['PATH'] ?? '', ...extra].join(path.delimiter) };
}

/**
 * Runs a command to its end (killed after `timeoutMs`); a missing binary rejects with
 * `installHint`, so that a check fails saying what to install instead of skipping.
 */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; installHint?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? root,
      env: options.env ?? goEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        error.code === 'ENOENT'
          ? new Error(`${command} is not installed: ${options.installHint ?? 'see the README'}`)
          : error,
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
