import { DeviceState } from '../device-state';
import type { CliContext } from './platform';
import { newContext } from './platform';
import { getPlatform, HARDWARE } from './registry';
import type { PlatformId } from '../types';

function run(platform: PlatformId, line: string, privileged = true): string {
  const p = getPlatform(platform, 'secret');
  const device = new DeviceState(
    'dev1',
    platform,
    HARDWARE[platform],
    3,
    new Date('2024-01-01T00:00:00Z'),
  );
  const ctx: CliContext = newContext(device, p, 'admin', false);
  ctx.privileged = privileged;
  return p.execute(ctx, line).output ?? '';
}

describe('show output generators', () => {
  it('when the same device is generated twice, then the state is identical (deterministic by name and seed)', () => {
    const a = new DeviceState('r1', 'ios', HARDWARE.ios, 9, new Date(0));
    const b = new DeviceState('r1', 'ios', HARDWARE.ios, 9, new Date(0));

    expect(a.serial).toBe(b.serial);
    expect(a.ipAddresses).toEqual(b.ipAddresses);
  });

  it('when IOS show ip interface brief is rendered, then every row matches the ntc-templates row regex', () => {
    const rows = run('ios', 'show ip interface brief').trim().split('\n').slice(1);
    const template =
      /^(\S+)\s+(\S+)\s+\w+\s+\w+\s+(up|down|administratively down|deleted)\s+(up|down)$/;

    expect(rows.length).toBeGreaterThan(20);
    for (const r of rows) expect(r).toMatch(template);
  });

  it('when IOS show version is rendered, then the fields ntc-templates reads are present', () => {
    const out = run('ios', 'show version');

    expect(out).toMatch(/^.*Software,*\s+\((\S+)\),\sVersion\s(.+?),*\s+RELEASE.*\((\S+)\)$/m);
    expect(out).toMatch(/^dev1 uptime is \d+/m);
    expect(out).toMatch(/^Processor board ID FOC\w+$/m);
    expect(out).toMatch(/^Configuration register is 0x102$/m);
  });

  it('when IOS show vlan brief is rendered, then VLAN rows start with id, name, status', () => {
    const out = run('ios', 'show vlan brief');

    expect(out).toMatch(/^1\s+default\s+active/m);
    expect(out).toMatch(/^1002 fddi-default\s+act\/unsup/m);
  });

  it('when NX-OS show version is rendered, then version, device name and uptime match the template', () => {
    const out = run('nxos', 'show version');

    expect(out).toMatch(/^\s+NXOS: version 10\.3\(4a\)/m);
    expect(out).toMatch(/^\s+Device name: dev1$/m);
    expect(out).toMatch(/^Kernel uptime is (\d+\s\w+.s.,?\s?){4}/m);
  });

  it('when NX-OS show clock is rendered, then it has the time with milliseconds, zone, date and time source', () => {
    const out = run('nxos', 'show clock');

    expect(out).toMatch(
      /^\d{2}:\d{2}:\d{2}\.\d{3} UTC \w{3} \w{3} \d{1,2} \d{4}\nTime source is NTP\n$/,
    );
  });

  it('when EOS show version is rendered, then model, serial and uptime lines are present', () => {
    const out = run('eos', 'show version');

    expect(out).toMatch(/^Arista DCS-7050SX3-48YC8-R$/m);
    expect(out).toMatch(/^Serial number: JPE\w+$/m);
    expect(out).toMatch(/^Uptime: \d+ weeks?, /m);
  });

  it('when Junos show interfaces terse is rendered, then it has the terse header and logical units', () => {
    const out = run('junos', 'show interfaces terse');

    expect(out).toMatch(/^Interface\s+Admin Link Proto\s+Local\s+Remote$/m);
    expect(out).toMatch(/^ge-0\/0\/0\.0\s+up\s+up\s+inet\s+10\.\d+\.\d+\.1\/30$/m);
  });

  it('when IOS running-config is rendered, then the byte count header matches the body', () => {
    const out = run('ios', 'show running-config');
    const declared = Number(/Current configuration : (\d+) bytes/.exec(out)?.[1]);

    expect(declared).toBeGreaterThan(1000);
    expect(out).toContain('hostname dev1');
  });

  it('when a privilege-1 IOS user asks for running-config, then the input is invalid', () => {
    expect(run('ios', 'show running-config', false)).toContain(
      "% Invalid input detected at '^' marker.",
    );
  });
});
