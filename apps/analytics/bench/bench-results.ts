import { randomUUID } from 'node:crypto';
import type { ExecutionResult } from '@toolkit/contracts';

const PLATFORMS = ['cisco_ios', 'arista_eos', 'juniper_junos', 'linux'] as const;

/**
 * A synthetic result: 20 commands, 200 devices over 4 platforms, 1 in 7 failed, durations
 * 20..519 ms, execution times spread over the hour before `now`.
 */
export function sampleResult(i: number, now: number): ExecutionResult {
  const t = new Date(now - (i % 3600) * 1000).toISOString();
  const failed = i % 7 === 0;
  const device = i % 200;
  return {
    executionId: randomUUID(),
    outcome: failed ? 'failed' : 'succeeded',
    success: !failed,
    commandType: 'show',
    command: { id: 1 + (i % 20), name: `show cmd ${i % 20}` },
    renderedCommand: `show cmd ${i % 20}`,
    variables: {},
    device: {
      id: 1 + device,
      name: `dev-${device}`,
      platform: PLATFORMS[device % 4] as (typeof PLATFORMS)[number],
    },
    username: 'netops',
    requestedBy: { userId: 1, username: 'admin' },
    output: 'Interface  IP-Address  OK? Method Status  Protocol\n'.repeat(8),
    errorClass: failed ? 'command_timeout' : null,
    errorMessage: failed ? 'Command timed out after 30s' : null,
    syntaxError: { detected: false },
    parsedOutput: null,
    parseError: null,
    parseTemplate: null,
    timings: {
      requestedAt: t,
      startedAt: t,
      finishedAt: t,
      connectMs: 5,
      durationMs: 20 + (i % 500),
    },
    executorId: 'bench',
    attempt: 1,
  };
}
