import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshd } from '@toolkit/device-sim';
import type { SshdInstance } from '@toolkit/device-sim';
import { countsAsDeviceFailure } from '@toolkit/executor-domain';
import type { DeviceRunInput } from '@toolkit/executor-domain';
import { memoryLogger } from '@toolkit/testing';
import { BreakerRegistry, HostKeyPolicy, SessionPool, SshDeviceRunner } from '../src';
import type { KnownHostsMode } from '../src';

let sshd: SshdInstance;
let dir: string;
const closers: (() => void)[] = [];

function runnerWith(
  mode: KnownHostsMode,
  knownHostsPath?: string,
  slots: { maxSessions: number; perDeviceLimit: number } = { maxSessions: 4, perDeviceLimit: 1 },
) {
  const { logger, text } = memoryLogger('executor');
  const hostKeys = new HostKeyPolicy({ mode, knownHostsPath, logger });
  const pool = new SessionPool({
    ...slots,
    idleTimeoutMs: 5_000,
    connectTimeoutMs: 3_000,
    connectRetries: 0,
    retryBaseMs: 10,
    hostKeys,
    logger,
  });
  const breakers = new BreakerRegistry(
    {
      errorThresholdPercentage: 50,
      volumeThreshold: 5,
      rollingCountTimeoutMs: 10_000,
      resetTimeoutMs: 1_000,
      idleDropMs: 60_000,
    },
    logger,
  );
  closers.push(
    () => pool.close(),
    () => breakers.shutdown(),
  );
  return { runner: new SshDeviceRunner(pool, breakers), pool, logText: text };
}

const input = (command: string, timeoutMs = 5_000): DeviceRunInput => ({
  executionId: 'e1',
  deviceId: 1,
  deviceName: 'real-linux',
  host: sshd.host,
  port: sshd.port,
  platform: 'linux',
  credentials: { username: sshd.username, privateKey: sshd.privateKey },
  commandType: 'show',
  command,
  timeoutMs,
});

beforeAll(async () => {
  sshd = await startSshd();
  dir = await mkdtemp(join(tmpdir(), 'known-hosts-'));
});

afterAll(async () => {
  for (const close of closers) close();
  await sshd.close();
  await rm(dir, { recursive: true, force: true });
});

describe('Linux execution against a real OpenSSH sshd', () => {
  it('when commands run on one session, then stdout, stderr and exit codes come back and the session is reused', async () => {
    const { runner, pool, logText } = runnerWith('accept-new');

    const first = await runner.run(input('uname -s'));
    const second = await runner.run(input('echo out; echo err >&2; exit 3'));

    expect(first).toMatchObject({ output: 'Linux', exitCode: 0, connectMs: expect.any(Number) });
    expect(second).toMatchObject({ output: 'out', stderr: 'err', exitCode: 3, connectMs: null });
    expect(pool.openSessions).toBe(1);
    expect(logText()).toMatch(
      /"fingerprint":"SHA256:[^"]+","msg":"new host key trusted on first use"/,
    );
  });

  it('when a command outlives its timeout, then it fails as command_timeout and the session is closed', async () => {
    const { runner, pool } = runnerWith('accept-new');

    await expect(runner.run(input('sleep 5', 300))).rejects.toMatchObject({
      errorClass: 'command_timeout',
      commandSent: true,
    });
    expect(pool.openSessions).toBe(0);
  });

  it.each([
    ["the device's earlier command", { maxSessions: 4, perDeviceLimit: 1 }, /earlier commands/],
    ['a session slot', { maxSessions: 1, perDeviceLimit: 2 }, /EXECUTOR_MAX_SESSIONS/],
  ])(
    'when a request waits for %s past its timeout, then it is not run and reported expired, not as a device failure',
    async (_what, slots, message) => {
      const { runner } = runnerWith('accept-new', undefined, slots);
      const first = runner.run(input('sleep 1'));

      const waiting = runner.run(input('echo never', 300));

      await expect(waiting).rejects.toMatchObject({
        errorClass: 'expired',
        commandSent: false,
        message: expect.stringMatching(message),
      });
      await expect(first).resolves.toMatchObject({ exitCode: 0 });
      expect(countsAsDeviceFailure('expired')).toBe(false);
    },
  );

  it('when strict mode does not know the host, then the connection is refused before authentication', async () => {
    const knownHosts = join(dir, 'known_hosts');
    await writeFile(knownHosts, '# empty\n');
    const { runner } = runnerWith('strict', knownHosts);

    await expect(runner.run(input('uname -s'))).rejects.toMatchObject({
      errorClass: 'unreachable',
    });
  });
});
