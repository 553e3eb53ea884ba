import type { PlatformDriver } from '@toolkit/contracts';
import type { Fleet, PlatformId } from '@toolkit/device-sim';
import { startFleet } from '@toolkit/device-sim';
import { ClaimsRepository } from '@toolkit/executor-data-access';
import { collectMessages, eventually, produceRaw, uniqueMongoUri } from '@toolkit/testing';
import { deadLetterTopic } from '@toolkit/contracts';
import request from 'supertest';
import { createRegistry } from '@toolkit/metrics';
import { createApp } from '../src/app';
import type { DeviceRef, TestNode } from './executor-harness';
import { results, sealedRequest, startNode, testSettings, uniqueTopics } from './executor-harness';

const DRIVER: Record<PlatformId, PlatformDriver> = {
  ios: 'cisco_ios',
  nxos: 'cisco_nxos',
  eos: 'arista_eos',
  junos: 'juniper_junos',
  linux: 'linux',
};
const CREDS = { username: 'netops', password: 'pw-S3cret!', enableSecret: 'en-S3cret!' };

let fleet: Fleet;
let nextId = 1;
const ref = (name: string): DeviceRef => {
  const d = fleet.device(name);
  return { id: nextId++, name, host: fleet.host, port: d.port, platform: DRIVER[d.platformId] };
};

beforeAll(async () => {
  fleet = await startFleet({
    devices: [
      { name: 'ios-1', platform: 'ios' },
      { name: 'nxos-1', platform: 'nxos' },
      { name: 'eos-1', platform: 'eos' },
      { name: 'junos-1', platform: 'junos' },
      { name: 'linux-1', platform: 'linux' },
      { name: 'auth-1', platform: 'ios', faults: { authFailure: true } },
      { name: 'refused-1', platform: 'ios', faults: { refuseConnections: true } },
      { name: 'hang-1', platform: 'ios', faults: { hang: '^show clock' } },
      { name: 'drop-1', platform: 'ios', faults: { dropAfterBytes: 300 } },
      { name: 'slow-banner-1', platform: 'ios', faults: { bannerDelayMs: 5_000 } },
      { name: 'authloop-1', platform: 'eos', faults: { authFailure: true } },
      { name: 'order-1', platform: 'junos' },
      { name: 'order-2', platform: 'ios', faults: { commandLatencyMs: 50 } },
      { name: 'cfg-1', platform: 'ios' },
    ],
    username: CREDS.username,
    password: CREDS.password,
    enableSecret: CREDS.enableSecret,
  });
});

afterAll(async () => {
  await fleet.close();
});

describe('executor over Kafka, MongoDB and simulated devices', () => {
  const topics = uniqueTopics(3);
  const mongoUri = uniqueMongoUri('executor');
  let node: TestNode;

  beforeAll(async () => {
    node = await startNode(topics, mongoUri, testSettings());
  });

  afterAll(async () => {
    await node.close();
  });

  it('when every platform runs a show command, then each succeeds with clean output and parsed records', async () => {
    const template =
      'Value VERSION (\\S+)\n\nStart\n  ^Cisco IOS XE Software, Version ${VERSION} -> Record\n';
    // Two texts merged like clitable (joined by position: no Key values).
    const uptime = 'Value HOSTNAME (\\S+)\n\nStart\n  ^${HOSTNAME} uptime is -> Record\n';
    const requests = [
      sealedRequest(ref('ios-1'), CREDS, {
        renderedCommand: 'show version',
        parsing: { template: 'cisco_ios_show_version.textfsm', texts: [template, uptime] },
      }),
      sealedRequest(ref('nxos-1'), CREDS, { renderedCommand: 'show version' }),
      sealedRequest(ref('eos-1'), CREDS, { renderedCommand: 'show version' }),
      sealedRequest(ref('junos-1'), CREDS, { renderedCommand: 'show version' }),
      sealedRequest(ref('linux-1'), CREDS, { renderedCommand: 'uname -a' }),
      sealedRequest(ref('ios-1'), CREDS, { renderedCommand: 'show running-config' }),
      sealedRequest(ref('eos-1'), CREDS, {
        renderedCommand: 'show version',
        parsingTemplate: 'Value X (',
      }),
      // A message published before `parsing` existed: its inline text still parses.
      sealedRequest(ref('ios-1'), CREDS, {
        renderedCommand: 'show version',
        parsingTemplate: template,
      }),
    ];
    await node.messaging.publishMany(topics.requests, requests);

    const got = await results(topics, requests.length, (r) =>
      requests.some((q) => q.executionId === r.executionId),
    );

    const byId = new Map(got.map((r) => [r.executionId, r]));
    for (const q of requests) {
      const r = byId.get(q.executionId);
      expect(r).toMatchObject({
        outcome: 'succeeded',
        success: true,
        errorClass: null,
        username: 'netops',
      });
      expect(r?.output).not.toMatch(/\r|--More--|---\(more/);
      expect(r?.output.split('\n')[0]).not.toContain(q.renderedCommand);
      expect(r?.output.trimEnd()).not.toMatch(/[>#$] ?$/);
    }
    expect(byId.get(requests[0]!.executionId)).toMatchObject({
      parsedOutput: [{ VERSION: '17.09.04a', HOSTNAME: 'ios-1' }],
      parseError: null,
      parseTemplate: 'cisco_ios_show_version.textfsm',
    });
    expect(byId.get(requests[1]!.executionId)).toMatchObject({
      parsedOutput: null,
      parseError: null,
      parseTemplate: null,
    });
    expect(byId.get(requests[3]!.executionId)?.output).toContain('Junos: ');
    expect(byId.get(requests[4]!.executionId)?.output).toMatch(/^Linux linux-1 /);
    expect(byId.get(requests[5]!.executionId)?.output.trimEnd()).toMatch(/\nend$/);
    expect(byId.get(requests[6]!.executionId)).toMatchObject({
      success: true,
      parsedOutput: null,
      parseTemplate: 'inline',
    });
    expect(byId.get(requests[6]!.executionId)?.parseError).toEqual(expect.any(String));
    expect(byId.get(requests[7]!.executionId)).toMatchObject({
      parsedOutput: [{ VERSION: '17.09.04a' }],
      parseTemplate: 'inline',
    });
    expect(node.logText()).not.toContain(CREDS.password);
    expect(node.logText()).not.toContain(CREDS.enableSecret);
  });

  it('when a vendor refuses a command, then the result is a syntax error naming type, vendor and guidance', async () => {
    const cases = [
      ['ios-1', 'show interfaces bogus', 'invalid_input', 'Cisco IOS/IOS-XE'],
      ['nxos-1', 'show bogus', 'invalid_input', 'Cisco NX-OS'],
      ['eos-1', 'show bogus', 'invalid_input', 'Arista EOS'],
      ['junos-1', 'show bogus', 'invalid_input', 'Juniper Junos'],
      ['ios-1', 'show ip', 'incomplete_command', 'Cisco IOS/IOS-XE'],
    ] as const;
    const requests = cases.map(([name, command]) =>
      sealedRequest(ref(name), CREDS, { renderedCommand: command }),
    );
    await node.messaging.publishMany(topics.requests, requests);

    const got = await results(topics, requests.length, (r) =>
      requests.some((q) => q.executionId === r.executionId),
    );

    requests.forEach((q, i) => {
      const r = got.find((x) => x.executionId === q.executionId);
      expect(r).toMatchObject({
        outcome: 'failed',
        errorClass: 'syntax_error',
        syntaxError: {
          detected: true,
          type: cases[i]![2],
          vendor: cases[i]![3],
          guidance: expect.any(String),
        },
      });
    });
  });

  it('when a Linux command exits non-zero, then the result is command_failed with the exit status', async () => {
    const q = sealedRequest(ref('linux-1'), CREDS, { renderedCommand: 'cat /nonexistent' });
    await node.messaging.publish(topics.requests, q);

    const [r] = await results(topics, 1, (x) => x.executionId === q.executionId);

    expect(r).toMatchObject({ outcome: 'failed', errorClass: 'command_failed' });
    expect(r?.errorMessage).toMatch(/exited with status 1: cat: \/nonexistent: No such file/);
  });

  it('when devices fail in transport, then each failure has its error class and a clean message', async () => {
    const cases = [
      ['auth-1', 'show version', 'auth_failed'],
      ['refused-1', 'show version', 'unreachable'],
      ['hang-1', 'show clock', 'command_timeout'],
      ['drop-1', 'show running-config', 'disconnected'],
      ['slow-banner-1', 'show version', 'connect_timeout'],
    ] as const;
    const requests = cases.map(([name, command]) =>
      sealedRequest(ref(name), CREDS, { renderedCommand: command }),
    );
    const wrongKey = {
      ...sealedRequest(ref('ios-1'), CREDS),
      credentials: sealedRequest(ref('ios-1'), CREDS).credentials, // sealed for another execution id
    };
    await node.messaging.publishMany(topics.requests, [...requests, wrongKey]);

    const got = await results(topics, requests.length + 1, (r) =>
      [...requests, wrongKey].some((q) => q.executionId === r.executionId),
    );

    requests.forEach((q, i) => {
      const r = got.find((x) => x.executionId === q.executionId);
      expect(r).toMatchObject({ outcome: 'failed', success: false, errorClass: cases[i]![2] });
      expect(r?.errorMessage).not.toMatch(/ at .*\.ts|pw-S3cret/);
    });
    expect(got.find((x) => x.executionId === wrongKey.executionId)).toMatchObject({
      errorClass: 'invalid_request',
      username: '',
    });
  });

  it('when the breaker policy trips, then it fails fast without touching the device and closes after a good probe', async () => {
    const device = fleet.device('slow-banner-1');
    const target = ref('slow-banner-1');
    const send = async (command = 'show version') => {
      const q = sealedRequest(target, CREDS, { renderedCommand: command });
      await node.messaging.publish(topics.requests, q);
      const [r] = await results(topics, 1, (x) => x.executionId === q.executionId);
      return r!;
    };
    // The transport test already failed once on this device; one more opens it (2 of 2).
    expect((await send()).errorClass).toBe('connect_timeout');
    const connections = device.connections;

    const rejected = await send();

    expect(rejected.errorClass).toBe('circuit_open');
    expect(rejected.errorMessage).toMatch(/next probe at \d{4}-\d\d-\d\dT/);
    expect(device.connections).toBe(connections);
    await request(createApp({ ...appDeps(node), status: () => node.executor.status() }))
      .get('/executor/status')
      .expect(200)
      .expect((res) => {
        expect(res.body.breakers).toMatchObject({ open: 1 });
        expect(res.body.breakers.openDevices[0]).toMatchObject({ device: 'slow-banner-1' });
      });

    await device.clearFaults();
    await eventually(() => expect(node.executor.status().breakers.halfOpen).toBe(1), 5_000);
    const probe = await send();

    expect(probe).toMatchObject({ outcome: 'succeeded' });
    expect(node.executor.status().breakers).toMatchObject({ open: 0, halfOpen: 0 });
  });

  it('when authentication keeps failing, then the breaker never opens', async () => {
    const target = ref('authloop-1');
    const requests = Array.from({ length: 5 }, () => sealedRequest(target, CREDS));
    await node.messaging.publishMany(topics.requests, requests);

    const got = await results(topics, 5, (r) =>
      requests.some((q) => q.executionId === r.executionId),
    );

    expect(got.map((r) => r.errorClass)).toEqual(Array(5).fill('auth_failed'));
  });

  it("when requests of different callers are fetched and answered together, then each result and event carries its own request's correlation id", async () => {
    const requests = ['ios-1', 'eos-1', 'ios-1', 'eos-1'].map((name, i) =>
      sealedRequest(ref(name), CREDS, { renderedCommand: 'show clock', position: i }),
    );
    const correlationIds = requests.map((_, i) => `caller-${i}-${nextId}`);
    const ours = (value: string | null) =>
      requests.some((q) => value?.includes(q.executionId) ?? false);
    const expected = requests.map((q, i) => [q.executionId, correlationIds[i]]);

    await node.messaging.publishMany(topics.requests, requests, { correlationIds });
    const sent = await collectMessages(topics.results.topic, {
      count: 4,
      predicate: (m) => ours(m.value),
    });
    const started = await collectMessages(topics.events.topic, {
      count: 4,
      predicate: (m) => ours(m.value) && (m.value?.includes('"started"') ?? false),
    });

    for (const messages of [sent, started]) {
      const seen = messages.map((m) => {
        const { payload, correlationId } = JSON.parse(m.value ?? '{}') as {
          payload: { executionId: string };
          correlationId?: string;
        };
        expect(m.headers['x-correlation-id']).toBe(correlationId);
        return [payload.executionId, correlationId];
      });
      expect(seen).toEqual(expect.arrayContaining(expected));
    }
  });

  it('when one device gets several commands, then they run in order while other devices go on', async () => {
    const a = ref('order-2');
    const b = ref('order-1');
    const forA = Array.from({ length: 6 }, (_, i) =>
      sealedRequest(a, CREDS, { renderedCommand: 'show clock', position: i }),
    );
    const forB = Array.from({ length: 3 }, (_, i) =>
      sealedRequest(b, CREDS, { renderedCommand: 'show version', position: i }),
    );
    await node.messaging.publishMany(topics.requests, [...forA, ...forB]);

    const got = await results(topics, 9, (r) =>
      [...forA, ...forB].some((q) => q.executionId === r.executionId),
    );

    const ofA = got
      .filter((r) => r.device.name === 'order-2')
      .sort((x, y) => Date.parse(x.timings.startedAt) - Date.parse(y.timings.startedAt));
    expect(ofA.map((r) => r.position)).toEqual([0, 1, 2, 3, 4, 5]);
    for (let i = 1; i < ofA.length; i++) {
      expect(Date.parse(ofA[i]!.timings.startedAt)).toBeGreaterThanOrEqual(
        Date.parse(ofA[i - 1]!.timings.finishedAt),
      );
    }
    const lastB = Math.max(
      ...got
        .filter((r) => r.device.name === 'order-1')
        .map((r) => Date.parse(r.timings.finishedAt)),
    );
    const lastA = Math.max(...ofA.map((r) => Date.parse(r.timings.finishedAt)));
    expect(lastB).toBeLessThan(lastA);
  });

  it('when a config request is redelivered, then the stored result is republished and the device is not touched again', async () => {
    const device = fleet.device('cfg-1');
    const q = sealedRequest(ref('cfg-1'), CREDS, {
      commandType: 'config',
      renderedCommand: 'hostname cfg-renamed',
    });
    await node.messaging.publish(topics.requests, q);
    const [first] = await results(topics, 1, (r) => r.executionId === q.executionId);
    expect(first).toMatchObject({ outcome: 'succeeded' });
    expect(device.state.hostname).toBe('cfg-renamed');
    const connections = device.connections;

    await node.messaging.publish(topics.requests, q);
    const both = await results(topics, 2, (r) => r.executionId === q.executionId);

    expect(both[1]).toEqual(both[0]);
    expect(device.connections).toBe(connections);
  });

  it('when a config request was started by an executor that died, then it is reported unknown and not run', async () => {
    const device = fleet.device('cfg-1');
    const q = sealedRequest(ref('cfg-1'), CREDS, {
      commandType: 'config',
      renderedCommand: 'hostname never-applied',
    });
    await new ClaimsRepository(node.mongo.connection).claim(
      q.executionId,
      'dead-executor',
      new Date(),
    );
    const connections = device.connections;

    await node.messaging.publish(topics.requests, q);
    const [r] = await results(topics, 1, (x) => x.executionId === q.executionId);

    expect(r).toMatchObject({ outcome: 'unknown', success: false, errorClass: 'outcome_unknown' });
    expect(r?.errorMessage).toContain('dead-executor');
    expect(device.connections).toBe(connections);
    expect(device.state.hostname).not.toBe('never-applied');
  });

  it('when a request is not a valid message, then it goes to the dead-letter topic', async () => {
    await produceRaw(topics.requests.topic, [{ key: '1', value: '{"not":"an envelope"' }]);

    const [letter] = await collectMessages(deadLetterTopic.topic, {
      count: 1,
      predicate: (m) => (m.value ?? '').includes(topics.requests.topic),
    });

    expect(JSON.parse(letter!.value ?? '{}').payload).toMatchObject({
      sourceTopic: topics.requests.topic,
      reason: 'invalid-json',
    });
  });
});

function appDeps(node: TestNode) {
  return {
    logger: node.logger,
    registry: createRegistry('executor', { defaultMetrics: false }),
    readiness: [],
    isShuttingDown: () => false,
    bodyLimitBytes: 1024,
  };
}

describe('a device that hangs at login, with a connect timeout longer than the request timeout', () => {
  const topics = uniqueTopics(3);
  const mongoUri = uniqueMongoUri('executor-login-hang');
  let node: TestNode;

  beforeAll(async () => {
    node = await startNode(
      topics,
      mongoUri,
      testSettings({ EXECUTOR_CONNECT_TIMEOUT_MS: 30_000, EXECUTOR_CONNECT_RETRIES: 2 }),
    );
    await fleet.device('slow-banner-1').setFaults({ bannerDelayMs: 60_000 });
  });

  afterAll(async () => {
    await fleet.device('slow-banner-1').setFaults({ bannerDelayMs: 5_000 });
    await node.close();
  });

  it('then connecting gets what is left of the request timeout, not the connect timeout, and is not retried past it', async () => {
    const q = sealedRequest(ref('slow-banner-1'), CREDS, { timeoutMs: 5_000 });
    await node.messaging.publish(topics.requests, q);

    const [r] = await results(topics, 1, (x) => x.executionId === q.executionId);

    expect(r).toMatchObject({ outcome: 'failed', errorClass: 'connect_timeout' });
    // Bounded by the request's 5 s, far below one 30 s connect attempt.
    expect(r?.timings.durationMs).toBeLessThan(30_000);
  });
});
