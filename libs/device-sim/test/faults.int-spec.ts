// Fault injection observed from an ssh2 client: latency, slow banner, auth failure, refused, drop, hang, failure rate.
import type { Client } from 'ssh2';
import type { Fleet } from '@toolkit/device-sim';
import { startControlApi, startFleet } from '@toolkit/device-sim';
import { connect, endClient, exec, Shell } from './ssh-helpers';

jest.setTimeout(30_000);

describe('device-sim fault injection', () => {
  let fleet: Fleet;
  const clients: Client[] = [];

  beforeAll(async () => {
    fleet = await startFleet({
      devices: [
        { name: 'lat1', platform: 'ios' },
        { name: 'byte1', platform: 'ios' },
        { name: 'slow1', platform: 'eos' },
        { name: 'auth1', platform: 'nxos', faults: { authFailure: true } },
        { name: 'ref1', platform: 'junos' },
        { name: 'drop1', platform: 'ios' },
        { name: 'hang1', platform: 'ios' },
        { name: 'rand1', platform: 'linux' },
        { name: 'api1', platform: 'linux' },
      ],
    });
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => endClient(c)));
    await fleet.close();
  });

  async function login(name: string): Promise<Client> {
    const d = fleet.device(name);
    const client = await connect({
      host: d.host,
      port: d.port,
      username: 'admin',
      password: 'admin',
    });
    clients.push(client);
    return client;
  }

  it('when command latency is set, then each command takes at least that long', async () => {
    await fleet.device('lat1').setFaults({ commandLatencyMs: 300 });
    const client = await login('lat1');

    const started = Date.now();
    const result = await exec(client, 'show clock');
    const elapsed = Date.now() - started;

    expect(result.code).toBe(0);
    expect(elapsed).toBeGreaterThanOrEqual(300);
  });

  it('when per-byte latency is set, then output time grows with output size', async () => {
    await fleet.device('byte1').setFaults({ latencyPerByteMs: 0.1 });
    const client = await login('byte1');

    const started = Date.now();
    const result = await exec(client, 'show version');
    const elapsed = Date.now() - started;

    expect(result.stdout.length).toBeGreaterThan(3000);
    expect(elapsed).toBeGreaterThanOrEqual(Math.floor(result.stdout.length * 0.1) - 5);
  });

  it('when a banner delay is set, then the SSH handshake waits at least that long', async () => {
    await fleet.device('slow1').setFaults({ bannerDelayMs: 400 });

    const started = Date.now();
    await login('slow1');

    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it('when authentication failure is injected from the spec, then correct credentials are rejected', async () => {
    const d = fleet.device('auth1');

    await expect(
      connect({ host: d.host, port: d.port, username: 'admin', password: 'admin' }),
    ).rejects.toMatchObject({
      level: 'client-authentication',
    });
  });

  it('when connections are refused, then clients get ECONNREFUSED, and clearing the fault re-opens the port', async () => {
    const d = fleet.device('ref1');
    const port = d.port;
    await d.setFaults({ refuseConnections: true });

    await expect(
      connect({ host: d.host, port, username: 'admin', password: 'admin' }),
    ).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
    await d.clearFaults();
    const client = await login('ref1');

    expect(d.port).toBe(port);
    await expect(exec(client, 'show version')).resolves.toMatchObject({ code: 0 });
  });

  it('when drop-after-bytes is set, then the output is truncated at N bytes and the connection closes', async () => {
    const full = await exec(await login('drop1'), 'show version');
    await fleet.device('drop1').setFaults({ dropAfterBytes: 200 });
    const client = await login('drop1');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));

    const chunks: string[] = [];
    client.exec('show version', (err, stream) => {
      if (!err) stream.on('data', (d: Buffer) => chunks.push(d.toString()));
    });
    await closed;

    const received = chunks.join('');
    expect(received.length).toBe(200);
    expect(full.stdout.startsWith(received)).toBe(true);
  });

  it('when hang is set, then the command never returns a prompt', async () => {
    await fleet.device('hang1').setFaults({ hang: 'show version' });
    const sh = await Shell.open(await login('hang1'));
    await sh.waitFor(/hang1>$/);
    await sh.run('show clock', /\nhang1>$/);

    const mark = sh.send('show version\r');
    const waited = sh.waitFor(/\nhang1>$/, mark, 700);

    await expect(waited).rejects.toThrow(/timeout/);
    expect(sh.closed).toBe(false);
  });

  it('when a failure rate is set with a seed, then the same commands fail at the same points every time', async () => {
    const device = fleet.device('rand1');
    const runSequence = async (): Promise<boolean[]> => {
      await device.setFaults({ failureRate: 0.5, failureSeed: 42 });
      const outcomes: boolean[] = [];
      for (let i = 0; i < 8; i += 1) {
        const client = await login('rand1');
        const ok = await exec(client, 'echo hi')
          .then((r) => r.code === 0)
          .catch(() => false);
        outcomes.push(ok);
      }
      return outcomes;
    };

    const first = await runSequence();
    const second = await runSequence();

    expect(second).toEqual(first);
    expect(first).toContain(true);
    expect(first).toContain(false);
  });

  it('when faults are set through the HTTP control API, then the device applies them and clears them', async () => {
    const api = await startControlApi(fleet);
    try {
      const base = `http://${api.host}:${api.port}`;
      const d = fleet.device('api1');

      const put = await fetch(`${base}/devices/api1/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refuseConnections: true }),
      });
      const refused = connect({ host: d.host, port: d.port, username: 'admin', password: 'admin' });
      await expect(refused).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      const bad = await fetch(`${base}/devices/api1/faults`, {
        method: 'PATCH',
        body: JSON.stringify({ nope: 1 }),
      });
      const del = await fetch(`${base}/devices/api1/faults`, { method: 'DELETE' });
      const client = await login('api1');

      expect(put.status).toBe(200);
      expect(bad.status).toBe(400);
      expect(del.status).toBe(200);
      await expect(exec(client, 'hostname')).resolves.toMatchObject({ stdout: 'api1\n', code: 0 });
    } finally {
      await api.close();
    }
  });
});
