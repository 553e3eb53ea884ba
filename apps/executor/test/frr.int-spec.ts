import { uniqueMongoUri } from '@toolkit/testing';
import type { DeviceRef, TestNode } from './executor-harness';
import { results, sealedRequest, startNode, testSettings, uniqueTopics } from './executor-harness';
import type { FrrTarget } from './frr-harness';
import { startFrr } from './frr-harness';

// A real routing stack (FRRouting zebra + staticd, vtysh as the login shell) behind a real
// sshd, driven through Kafka and the executor exactly as production does.

let frr: FrrTarget;
let node: TestNode;
let device: DeviceRef;
const topics = uniqueTopics(1);
const mongoUri = uniqueMongoUri('executor-frr');

beforeAll(async () => {
  frr = await startFrr();
  device = { id: 9001, name: 'frr-1', host: frr.host, port: frr.port, platform: 'frr' };
  node = await startNode(
    topics,
    mongoUri,
    testSettings({ EXECUTOR_CONNECT_TIMEOUT_MS: 5_000, EXECUTOR_MAX_COMMAND_TIMEOUT_MS: 10_000 }),
  );
}, 60_000);

afterAll(async () => {
  await node?.close();
  await frr?.close();
});

async function execute(
  command: string,
  overrides: Parameters<typeof sealedRequest>[2] = {},
): Promise<Awaited<ReturnType<typeof results>>[number]> {
  const q = sealedRequest(
    device,
    { username: frr.username, privateKey: frr.privateKey },
    { renderedCommand: command, timeoutMs: 10_000, ...overrides },
  );
  await node.messaging.publish(topics.requests, q);
  const [r] = await results(topics, 1, (x) => x.executionId === q.executionId);
  if (!r) throw new Error(`no result for ${command}\n${frr.logs()}`);
  return r;
}

describe('executor against FRRouting (zebra, staticd, vtysh over OpenSSH)', () => {
  it('when show ip route runs, then it succeeds with the routing table legend and no prompt or echo', async () => {
    const r = await execute('show ip route');

    expect(r).toMatchObject({ outcome: 'succeeded', success: true, errorClass: null });
    expect(r.output).toContain('Codes: K - kernel route, C - connected, S - static');
    expect(r.output).toMatch(/^C>\* 198\.18\.0\.0\/24 is directly connected, lo/m);
    expect(r.output).not.toMatch(/\r/);
    expect(r.output.includes('\u001b')).toBe(false);
    expect(r.output.split('\n')[0]).not.toContain('show ip route');
    expect(r.output.trimEnd()).not.toMatch(/[>#] ?$/);
  });

  it('when show version runs with a template, then the FRR version is parsed', async () => {
    const r = await execute('show version', {
      parsingTemplate: 'Value VERSION (\\S+)\n\nStart\n  ^FRRouting ${VERSION} -> Record\n',
    });

    expect(r).toMatchObject({ outcome: 'succeeded', parseError: null, parseTemplate: 'inline' });
    expect(r.parsedOutput).toEqual([{ VERSION: expect.stringMatching(/^\d+\.\d+/) }]);
  });

  it('when a static route is configured, then it is applied and visible in the routing table and running config', async () => {
    const r = await execute('ip route 192.0.2.0/24 Null0', { commandType: 'config' });

    expect(r).toMatchObject({ outcome: 'succeeded', success: true, errorClass: null });
    const shown = await execute('show ip route static');
    expect(shown.output).toMatch(/^S>\* 192\.0\.2\.0\/24 .*blackhole/m);
    expect(await frr.vtysh('show running-config')).toContain('ip route 192.0.2.0/24 Null0');
  });

  it('when a multi-line snippet is configured, then every line is applied in order', async () => {
    const r = await execute('ip route 203.0.113.0/24 Null0\nip route 203.0.113.128/25 Null0', {
      commandType: 'config',
    });

    expect(r).toMatchObject({ outcome: 'succeeded', errorClass: null });
    const config = await frr.vtysh('show running-config');
    expect(config).toContain('ip route 203.0.113.0/24 Null0');
    expect(config).toContain('ip route 203.0.113.128/25 Null0');
  });

  it('when a line of a snippet is refused, then the following lines are not sent', async () => {
    const r = await execute('ip route 198.51.100.0/24\nip route 198.51.100.128/25 Null0', {
      commandType: 'config',
    });

    expect(r).toMatchObject({ errorClass: 'syntax_error' });
    expect(await frr.vtysh('show running-config')).not.toContain('198.51.100.128/25');
  });

  it('when a command does not exist, then the result is a syntax error with the device message', async () => {
    const r = await execute('show bogus-thing');

    expect(r).toMatchObject({
      outcome: 'failed',
      success: false,
      errorClass: 'syntax_error',
      syntaxError: { detected: true, type: 'unknown_command', vendor: 'FRRouting' },
    });
    expect(r.output).toContain('% Unknown command');
  });

  it('when a config command is refused, then it is a syntax error and the session leaves config mode', async () => {
    const r = await execute('ip route 198.51.100.0/24', { commandType: 'config' });
    const after = await execute('show ip route static');

    expect(r).toMatchObject({ errorClass: 'syntax_error' });
    expect(r.syntaxError?.type).toBe('incomplete_command');
    expect(r.output).toContain('% Command incomplete');
    expect(after).toMatchObject({ outcome: 'succeeded' });
    expect(await frr.vtysh('show running-config')).not.toContain('198.51.100.0/24');
  });
});
