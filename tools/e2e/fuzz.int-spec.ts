import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { listen } from '../../apps/gateway/test/support/gateway-harness';
import type { ExecutionStack } from './test/execution-stack';
import { startExecutionStack } from './test/execution-stack';

/**
 * Property-based fuzzing from our own OpenAPI document (schemathesis, from PyPI, pinned, in
 * a cached virtualenv) against the gateway with the real catalog, analytics and executor
 * behind it: examples, coverage, fuzzing and stateful phases within a time budget, and not
 * one server error. FUZZ_SECONDS sets the budget (default 90).
 */
const run = promisify(execFile);
const SCHEMATHESIS_VERSION = '4.32.5';
const FUZZ_SECONDS = Number(process.env['FUZZ_SECONDS'] ?? 90);
const root = path.resolve(__dirname, '../..');
const venv = path.join(root, '.toolkit', 'venvs', `schemathesis-${SCHEMATHESIS_VERSION}`);
const schemathesis = path.join(venv, 'bin', 'schemathesis');
/** The whole run's output, for the failures' curl commands. */
const REPORT = path.join(root, '.toolkit', 'fuzz-report.txt');

let stack: ExecutionStack;
let gateway: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  if (!existsSync(schemathesis)) {
    await run('python3', ['-m', 'venv', venv]);
    await run(path.join(venv, 'bin', 'pip'), [
      'install',
      '--quiet',
      '--disable-pip-version-check',
      `schemathesis==${SCHEMATHESIS_VERSION}`,
    ]);
  }
  stack = await startExecutionStack({ devices: [{ name: 'fz1', platform: 'ios' }] });
  // The fuzzer sends bad tokens on purpose (ignored_auth): the auth-failure limiter would
  // otherwise answer everything after the twentieth with 429 and the run would test little.
  gateway = await listen(stack.gateway.rebuild({ authFailureLimit: 1_000_000 }));
}, 300_000);

afterAll(async () => {
  await gateway?.close();
  await stack?.close();
});

it(
  'when the OpenAPI document is fuzzed against the running gateway, then no request gets a server error',
  async () => {
    const args = [
      'run',
      `${gateway.url}/api/schema/`,
      '--header',
      `Authorization: Token ${stack.admin.key}`,
      '--checks',
      'not_a_server_error',
      '--max-time',
      String(FUZZ_SECONDS),
      // One worker: with two threads, hypothesis parses lambda sources concurrently and
      // CPython 3.11's compile() fails with "AST constructor recursion depth mismatch" (its
      // recursion counter is not per thread), reported as a Runtime Error of the run.
      '--workers',
      '1',
      '--request-timeout',
      '30',
      // A live stream stays open until its execution ends (minutes): its inputs are
      // tested in tools/e2e/live-output.int-spec.ts instead.
      '--exclude-operation-id',
      'plugins_toolkit_executions_stream',
      '--exclude-operation-id',
      'plugins_toolkit_bulk_jobs_stream',
      '--seed',
      process.env['FUZZ_SEED'] ?? String(Date.now() % 1_000_000),
      '--no-color',
    ];
    const outcome = await run(schemathesis, args, {
      maxBuffer: 64 * 1024 * 1024,
      timeout: (FUZZ_SECONDS + 120) * 1000,
      env: { ...process.env, SCHEMATHESIS_TELEMETRY: 'false' },
    }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code?: number; stdout?: string }) => ({
        code: error.code ?? 1,
        stdout: error.stdout ?? String(error),
      }),
    );
    writeFileSync(REPORT, outcome.stdout);
    const summary = /(\d+) generated, (\d+) passed/.exec(outcome.stdout);
    // What failed, as schemathesis words it: the operation, the check, the status and the
    // curl command that replays it (the FAILURES and ERRORS sections, before WARNINGS).
    const sections = outcome.stdout.split(/^=+ (?=[A-Z]+ =+$)/m);
    const failures = sections
      .filter((section) => /^(FAILURES|ERRORS) /.test(section))
      .flatMap((section) => section.split('\n'))
      .filter((line) => /^_+ \S|^- |^\[\d{3}\]|curl |Error|Traceback/.test(line.trim()));

    // On failure, schemathesis prints each failing request as a curl command to replay.
    expect({
      code: outcome.code,
      failures: outcome.code === 0 ? [] : failures.slice(0, 60),
      report: REPORT,
    }).toEqual({ code: 0, failures: [], report: REPORT });
    expect(Number(summary?.[1] ?? 0)).toBeGreaterThan(100);
  },
  (FUZZ_SECONDS + 180) * 1000,
);
