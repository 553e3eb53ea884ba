import { DeviceState } from '../device-state';
import type { CliContext } from './platform';
import { newContext } from './platform';
import { getPlatform, HARDWARE } from './registry';
import type { PlatformId } from '../types';

function device(platform: PlatformId): DeviceState {
  return new DeviceState('dev1', platform, HARDWARE[platform], 3, new Date('2024-01-01T00:00:00Z'));
}

function runOn(d: DeviceState, line: string, privileged = true): string {
  const p = getPlatform(d.platform, 'secret');
  const ctx: CliContext = newContext(d, p, 'admin', false);
  ctx.privileged = privileged;
  return p.execute(ctx, line).output ?? '';
}

function run(platform: PlatformId, line: string, privileged = true): string {
  return runOn(device(platform), line, privileged);
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

  it('when IOS startup-config is rendered, then it starts with the NVRAM usage line of the body size', () => {
    const out = run('ios', 'show startup-config');
    const [, used, body] = /^Using (\d+) out of 2097152 bytes\n([\s\S]*)\n$/.exec(out) ?? [];

    expect(Number(used)).toBe(body?.length);
    expect(body).toMatch(/^!\n! Last configuration change at /);
  });

  it('when IOS running-config of one interface is rendered, then the block sits between "!" and "end"', () => {
    const out = run('ios', 'show running-config interface GigabitEthernet1/0/1');
    const [, declared, text] =
      /^Building configuration\.\.\.\n\nCurrent configuration : (\d+) bytes\n([\s\S]*)\n$/.exec(
        out,
      ) ?? [];

    expect(Number(declared)).toBe(text?.length);
    expect(text).toMatch(/^!\ninterface GigabitEthernet1\/0\/1\n( .*\n)*end\n$/);
  });

  it('when a Junos port is disabled, then show interfaces reports its physical link down', () => {
    const d = device('junos');
    d.setAdminUp('ge-0/0/0', false);

    const out = runOn(d, 'show interfaces ge-0/0/0');
    const terse = runOn(d, 'show interfaces terse');

    expect(out).toMatch(
      /^Physical interface: ge-0\/0\/0, Administratively down, Physical link is Down$/m,
    );
    expect(out).toMatch(/^ {4}Flags: Device-Down /m);
    expect(terse).toMatch(/^ge-0\/0\/0\s+down\s+down$/m);
  });

  it('when Junos show arp no-resolve is rendered, then it has no Name column', () => {
    const d = device('junos');
    const out = runOn(d, 'show arp no-resolve');
    const resolved = runOn(d, 'show arp');

    expect(out).toMatch(/^MAC Address {7}Address {9}Interface {16}Flags$/m);
    expect(out).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2} [\d.]+\s+\S+.*\s+none$/m);
    expect(out.split('\n').filter((l) => l.endsWith(' none'))).toHaveLength(d.arp.length);
    expect(resolved).toMatch(/^MAC Address\s+Address\s+Name\s+Interface\s+Flags$/m);
  });

  it.each(['ip address show', 'ip a', 'ip addr', 'ip address'])(
    'when Linux "%s" is rendered, then it is the detailed iproute2 form',
    (line) => {
      const d = device('linux');
      const eth0 = d.interfaces[0]?.ipv4;

      const out = runOn(d, line);

      expect(out).toMatch(
        /^1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n {4}link\/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n {4}inet 127\.0\.0\.1\/8 scope host lo\n {7}valid_lft forever preferred_lft forever\n/,
      );
      expect(out).toMatch(
        /^2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default qlen 1000$/m,
      );
      expect(out).toContain(`    inet ${eth0?.address}/24 brd `);
      expect(out).toMatch(/^ {4}inet6 fe80::[0-9a-f:]+\/64 scope link $/m);
    },
  );

  it.each(['ip -br address', 'ip -br a', 'ip -brief addr'])(
    'when Linux "%s" is rendered, then it is the brief table',
    (line) => {
      const out = run('linux', line);

      expect(out).toMatch(/^lo {15}UNKNOWN {8}127\.0\.0\.1\/8 ::1\/128 $/m);
      expect(out).toMatch(/^eth0\s+UP\s+192\.168\.\d+\.\d+\/24 fe80::/m);
      expect(out).not.toContain('valid_lft');
    },
  );

  it('when a Linux interface is disabled, then ip address shows it down without a link-local address', () => {
    const d = device('linux');
    d.setAdminUp('eth2', false);

    const out = runOn(d, 'ip address show dev eth2');

    expect(out).toMatch(
      /^4: eth2: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default qlen 1000\n {4}link\/ether /,
    );
    expect(out).not.toContain('inet6');
    expect(out).not.toContain(' lo:');
  });

  it('when Linux seq is run, then it prints the integers one a line, and refuses bad or huge ranges', () => {
    const d = device('linux');
    const p = getPlatform('linux', 'secret');
    const exec = (line: string) => p.execute(newContext(d, p, 'admin', false), line);

    expect(exec('seq 3').output).toBe('1\n2\n3\n');
    expect(exec('seq 9 11').output).toBe('9\n10\n11\n');
    expect(exec('seq 300000').output?.length).toBe(1_988_895);
    expect(exec('seq x')).toMatchObject({ exitCode: 1, stderr: expect.stringContaining('usage') });
    expect(exec('seq 2000000')).toMatchObject({ exitCode: 1 });
  });

  it('when a privilege-1 IOS user asks for running-config, then the input is invalid', () => {
    expect(run('ios', 'show running-config', false)).toContain(
      "% Invalid input detected at '^' marker.",
    );
  });
});
