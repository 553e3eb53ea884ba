import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compileTemplate } from '@toolkit/textfsm';
import { CliSession } from '../cli/cli-session';
import { DeviceState } from '../device-state';
import { FaultController } from '../faults';
import type { PlatformId } from '../types';
import { HARDWARE, getPlatform } from './registry';

/**
 * The simulator's output must parse with the community-style TextFSM templates the
 * executor will use (the TextFSM library's fixtures, written as ntc-templates are) and
 * the parsed records must describe the simulated device's own state.
 */
const fixtures = path.resolve(__dirname, '../../../textfsm/test/fixtures');

function run(platform: PlatformId, command: string): { device: DeviceState; output: string } {
  const device = new DeviceState(
    'core-sw-01',
    platform,
    HARDWARE[platform],
    7,
    new Date('2026-01-01T00:00:00Z'),
  );
  const out: string[] = [];
  const session = new CliSession(
    getPlatform(platform, 'enable'),
    device,
    'admin',
    {
      write: (t) => out.push(t),
      writeStderr: (t) => out.push(t),
      end: () => undefined,
      drop: () => undefined,
    },
    new FaultController(device.name, {}),
    false,
  );
  session.runExec(command);
  return { device, output: out.join('').replace(/\r\n/g, '\n') };
}

function sameInterface(parsed: string, full: string): boolean {
  const split = (n: string) => /^([A-Za-z-]+)(.*)$/.exec(n)?.slice(1) ?? [n, ''];
  const [parsedKind = '', parsedNumber] = split(parsed);
  const [fullKind = '', fullNumber] = split(full);
  return parsedNumber === fullNumber && fullKind.toLowerCase().startsWith(parsedKind.toLowerCase());
}

function parse(fixture: string, output: string): Record<string, unknown>[] {
  const template = readFileSync(path.join(fixtures, fixture, 'template.textfsm'), 'utf8');
  return compileTemplate(template).parseTextToRecords(output);
}

describe('simulated output parsed with TextFSM templates', () => {
  it.each([
    ['ios', 'show ip interface brief', 'cisco_ios_show_ip_interface_brief', 'INTF'],
    ['nxos', 'show interface brief', 'cisco_nxos_show_interface_brief', 'INTERFACE'],
    ['eos', 'show interfaces status', 'arista_eos_show_interfaces_status', 'PORT'],
  ] as const)(
    'when %s answers "%s", then %s yields one record per interface',
    (platform, command, fixture, field) => {
      const { device, output } = run(platform, command);

      const records = parse(fixture, output);

      const parsedNames = records.map((r) => String(r[field]));
      expect(parsedNames.length).toBeGreaterThanOrEqual(
        device.interfaces.filter((i) => /ethernet/i.test(i.name)).length,
      );
      // Each parsed name is one of the device's interfaces, or its CLI abbreviation (Eth1/1, Et1).
      for (const parsed of parsedNames) {
        expect(device.interfaces.some((i) => sameInterface(parsed, i.name))).toBe(true);
      }
    },
  );

  it('when junos answers "show interfaces terse", then every physical interface is a record', () => {
    const { device, output } = run('junos', 'show interfaces terse');

    const records = parse('juniper_junos_show_interfaces_terse', output);

    const names = new Set(records.map((r) => r['INTERFACE']));
    expect(records.length).toBeGreaterThan(0);
    for (const iface of device.interfaces) expect(names.has(iface.name)).toBe(true);
  });

  it.each([
    ['ios', 'show version', 'cisco_ios_show_version', 'HOSTNAME'],
    ['nxos', 'show version', 'cisco_nxos_show_version', 'HOSTNAME'],
    ['eos', 'show version', 'arista_eos_show_version', 'MODEL'],
    ['junos', 'show version', 'juniper_junos_show_version', 'HOSTNAME'],
  ] as const)(
    'when %s answers "%s", then %s gives one record naming the device',
    (platform, command, fixture, field) => {
      const { device, output } = run(platform, command);

      const records = parse(fixture, output);

      expect(records).toHaveLength(1);
      const value = String(records[0]?.[field] ?? '');
      expect(value).not.toBe('');
      if (field === 'HOSTNAME') expect(value).toBe(device.hostname);
    },
  );

  it.each([
    ['show vlan', 'cisco_ios_show_vlan'],
    ['show ip route', 'cisco_ios_show_ip_route'],
    ['show ip arp', 'cisco_ios_show_ip_arp'],
    ['show cdp neighbors detail', 'cisco_ios_show_cdp_neighbors_detail'],
    ['show lldp neighbors', 'cisco_ios_show_lldp_neighbors'],
    ['show inventory', 'cisco_ios_show_inventory'],
    ['show interfaces', 'cisco_ios_show_interfaces'],
  ])('when ios answers "%s", then %s parses it into records', (command, fixture) => {
    const { output } = run('ios', command);

    const records = parse(fixture, output);

    expect(output).not.toMatch(/% Invalid input/);
    expect(records.length).toBeGreaterThan(0);
  });
});
