import { DeviceState } from '../device-state';
import { FaultController } from '../faults';
import { getPlatform, HARDWARE } from '../platforms/registry';
import type { PlatformId } from '../types';
import { CliSession } from './cli-session';

function session(platform: PlatformId, interactive = true, faults = {}) {
  const out: string[] = [];
  const events: string[] = [];
  const device = new DeviceState(
    'dev1',
    platform,
    HARDWARE[platform],
    1,
    new Date('2024-01-01T00:00:00Z'),
  );
  const s = new CliSession(
    getPlatform(platform, 'secret'),
    device,
    'admin',
    {
      write: (t) => out.push(t),
      writeStderr: (t) => events.push(`stderr:${t}`),
      end: (code) => events.push(`end:${code}`),
      drop: () => events.push('drop'),
    },
    new FaultController('dev1', faults),
    interactive,
  );
  return { s, device, text: () => out.join('').replace(/\r\n/g, '\n'), events };
}

describe('CliSession', () => {
  it('when a line is typed, then it is echoed and the answer ends with the prompt', () => {
    const { s, text } = session('ios');
    s.start();

    s.input('show clock\r');

    expect(text()).toMatch(/dev1>show clock\n\*\d\d:\d\d:\d\d\.\d{3} UTC .*\ndev1>$/);
  });

  it('when enable is given the secret, then the prompt becomes privileged without echoing it', () => {
    const { s, text } = session('ios');
    s.start();

    s.input('enable\rsecret\r');

    expect(text()).toMatch(/Password: \ndev1#$/);
    expect(text()).not.toContain('secret');
  });

  it('when Ctrl-Z is pressed in configuration mode, then the session returns to exec mode', () => {
    const { s, text } = session('nxos');
    s.start();

    s.input('conf t\r\x1a');

    expect(text()).toMatch(/dev1\(config\)# \^Z\ndev1# $/);
  });

  it('when an exec command fails on linux, then stderr and exit status 127 are reported', () => {
    const { s, events } = session('linux', false);

    s.runExec('nope');

    expect(events).toEqual(['stderr:bash: nope: command not found\n', 'end:127']);
  });

  it('when drop-after-bytes is set, then exactly N bytes are written before the drop', () => {
    const { s, text, events } = session('eos', false, { dropAfterBytes: 10 });

    s.runExec('show version');

    expect(text()).toBe('Arista DCS');
    expect(events).toEqual(['drop']);
  });

  it('when failure rate is 1, then every command drops the connection', () => {
    const { s, events } = session('junos', false, { failureRate: 1 });

    s.runExec('show version');

    expect(events).toEqual(['drop']);
  });

  it('when hang is set, then no output and no end follow the command', () => {
    const { s, text, events } = session('ios', false, { hang: true });

    s.runExec('show version');

    expect(text()).toBe('');
    expect(events).toEqual([]);
  });
});
