/** Arista EOS (7050SX3): prompts, errors, command tree and show output. */
import { CommandTree } from '../cli/command-tree';
import type { DeviceState, HardwareProfile, InterfaceState } from '../device-state';
import { macToCisco, networkOf } from '../device-state';
import type { Def } from './cisco-common';
import {
  CISCO_PARAMS,
  ciscoCtrlZ,
  configPromptSuffix,
  configureCommands,
  globalConfigCommands,
  interfaceConfigCommands,
  parentOf,
  sessionCommands,
  terminalCommands,
  vlanConfigCommands,
  vlanPortLines,
} from './cisco-common';
import type { ModalCliSpec, Tree } from './modal-cli';
import { row, runModal } from './modal-cli';
import type { CliContext, CommandOutcome, Platform } from './platform';

const VERSION = '4.30.4M';

export const EOS_HARDWARE: HardwareProfile = {
  vendor: 'Arista',
  model: 'DCS-7050SX3-48YC8',
  osVersion: VERSION,
  serialPrefix: 'JPE',
  macPrefix: '28993a',
  ethernetCount: 24,
  ethernetSpeedMbps: 10000,
  ethernetName: (i) => `Ethernet${i + 1}`,
  shortName: (n) =>
    n
      .replace(/^Ethernet/, 'Et')
      .replace(/^Management/, 'Ma')
      .replace(/^Loopback/, 'Lo')
      .replace(/^Port-Channel/, 'Po'),
  managementName: 'Management1',
  loopbackName: 'Loopback0',
  sviName: (vlan) => `Vlan${vlan}`,
  hasVlans: true,
};

function eosUptime(s: number): string {
  const w = Math.floor(s / 604800);
  const d = Math.floor((s % 604800) / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const u = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${u(w, 'week')}, ${u(d, 'day')}, ${u(h, 'hour')} and ${u(m, 'minute')}`;
}

function showVersion(d: DeviceState): string {
  return `Arista ${d.hardware.model}-R
Hardware version: 11.02
Serial number: ${d.serial}
Hardware MAC address: ${macToCisco(d.baseMac)}
System MAC address: ${macToCisco(d.baseMac)}

Software image version: ${VERSION}
Architecture: x86_64
Internal build version: ${VERSION}-34123456.4304M
Internal build ID: 6d0c5bd2-97e1-4a3b-9f0e-2b7cd8f3e6a1
Image format version: 3.0
Image optimization: Strata-4GB

Uptime: ${eosUptime(d.uptimeSeconds)}
Total memory: 8098984 kB
Free memory: 5890123 kB

`;
}

function showIpInterfaceBrief(d: DeviceState): string {
  const widths = [18, 21, 13, 15, 11, 7];
  const out = [
    '                                                                              Address',
    'Interface         IP Address           Status       Protocol           MTU    Owner  ',
    '----------------- -------------------- ------------ -------------- ---------- -------',
  ];
  for (const i of d.interfaces) {
    if (i.kind === 'ethernet' && i.mode === 'access') continue;
    const status = i.operUp ? 'up' : 'down';
    out.push(
      row(
        [
          i.name,
          i.ipv4 ? `${i.ipv4.address}/${i.ipv4.prefixLength}` : 'unassigned',
          status,
          status,
          String(i.kind === 'loopback' ? 65535 : i.mtu),
          '',
        ],
        widths,
      ),
    );
  }
  return `${out.join('\n')}\n\n`;
}

function showInterfacesStatus(d: DeviceState): string {
  const widths = [11, 12, 13, 9, 7, 7, 16, 6, 13];
  const out = [
    row(
      ['Port', 'Name', 'Status', 'Vlan', 'Duplex', 'Speed', 'Type', 'Flags', 'Encapsulation'],
      widths,
    ),
  ];
  for (const i of d.interfaces.filter((x) => x.kind === 'ethernet' || x.kind === 'management')) {
    const status = !i.adminUp ? 'disabled' : i.linkUp ? 'connected' : 'notconnect';
    out.push(
      row(
        [
          i.shortName,
          i.description.slice(0, 11),
          status,
          i.mode === 'routed' ? 'routed' : String(i.accessVlan),
          i.kind === 'management' ? 'a-full' : 'full',
          i.kind === 'management' ? 'a-1G' : '10G',
          i.kind === 'management' ? '10/100/1000' : '10GBASE-SR',
          '',
          '',
        ],
        widths,
      ),
    );
  }
  return `${out.join('\n')}\n\n`;
}

function showInterface(i: InterfaceState): string {
  const c = i.counters;
  const lines = [
    `${i.name} is ${!i.adminUp ? 'administratively down' : i.linkUp ? 'up' : 'down'}, line protocol is ${i.operUp ? 'up' : 'down'} (${!i.adminUp ? 'disabled' : i.linkUp ? 'connected' : 'notconnect'})`,
    `  Hardware is ${i.kind === 'loopback' ? 'Loopback' : 'Ethernet'}, address is ${macToCisco(i.mac)} (bia ${macToCisco(i.mac)})`,
  ];
  if (i.description) lines.push(`  Description: ${i.description}`);
  if (i.ipv4)
    lines.push(
      `  Internet address is ${i.ipv4.address}/${i.ipv4.prefixLength}`,
      '  Broadcast address is 255.255.255.255',
    );
  lines.push(
    `  ${i.ipv4 ? 'IP ' : 'Ethernet '}MTU ${i.mtu} bytes${i.ipv4 ? ' ' : ''}, BW ${i.speedMbps * 1000} kbit`,
    `  Full-duplex, ${i.speedMbps >= 10000 ? '10Gb/s' : '1Gb/s'}, auto negotiation: off, uni-link: n/a`,
    '  Loopback Mode : None',
    `  ${c.resets * 2 + 1} link status changes since last clear`,
    '  Last clearing of "show interface" counters never',
    '  5 minutes input rate 1.23 kbps (0.0% with framing overhead), 2 packets/sec',
    '  5 minutes output rate 2.34 kbps (0.0% with framing overhead), 3 packets/sec',
    `     ${c.inPackets} packets input, ${c.inBytes} bytes`,
    `     Received 0 broadcasts, ${c.inMulticast} multicast`,
    '     0 runts, 0 giants',
    '     0 input errors, 0 CRC alignment, 0 symbol, 0 input discards',
    '     0 PAUSE input',
    `     ${c.outPackets} packets output, ${c.outBytes} bytes`,
    `     Sent 0 broadcasts, ${Math.floor(c.outPackets / 50)} multicast`,
    '     0 output errors, 0 collisions',
    '     0 late collision, 0 deferred, 0 output discards',
    '     0 PAUSE output',
  );
  return `${lines.join('\n')}\n`;
}

function showVlan(d: DeviceState): string {
  const out = [
    'VLAN  Name                             Status    Ports',
    '----- -------------------------------- --------- -------------------------------',
  ];
  for (const v of d.sortedVlans()) {
    const ports = d.interfaces
      .filter((i) => i.kind === 'ethernet' && i.mode === 'access' && i.accessVlan === v.id)
      .map((i) => i.shortName);
    const svi = d.findInterface(`Vlan${v.id}`);
    if (svi) ports.push('Cpu');
    const [first, ...rest] = vlanPortLines(ports, 49, 5);
    out.push(
      `${String(v.id).padEnd(5)} ${v.name.padEnd(32)} ${'active'.padEnd(9)} ${first ?? ''}`.trimEnd(),
      ...rest,
    );
  }
  return `${out.join('\n')}\n\n`;
}

function showIpRoute(d: DeviceState): string {
  const out = [
    '',
    'VRF: default',
    'Codes: C - connected, S - static, K - kernel, ',
    '       O - OSPF, IA - OSPF inter area, E1 - OSPF external type 1,',
    '       E2 - OSPF external type 2, N1 - OSPF NSSA external type 1,',
    '       N2 - OSPF NSSA external type2, B - Other BGP Routes,',
    '       B I - iBGP, B E - eBGP, R - RIP, I L1 - IS-IS level 1,',
    '       I L2 - IS-IS level 2, O3 - OSPFv3, A B - BGP Aggregate,',
    '       A O - OSPF Summary, NG - Nexthop Group Static Route,',
    '       V - VXLAN Control Service, M - Martian,',
    '       DH - DHCP client installed default route,',
    '       DP - Dynamic Policy Route, L - VRF Leaked,',
    '       G  - gRIBI, RC - Route Cache Route',
    '',
    'Gateway of last resort is not set',
    '',
  ];
  const entries: { key: number; line: string }[] = [];
  const num = (p: string): number => p.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  for (const i of d.interfaces) {
    if (!i.ipv4 || !i.operUp || i.kind === 'management') continue;
    const net = networkOf(i.ipv4);
    entries.push({
      key: num(net),
      line: ` C        ${net}/${i.ipv4.prefixLength} is directly connected, ${i.name}`,
    });
  }
  for (const r of d.routes) {
    if (!d.findInterface(r.interfaceName)?.operUp) continue;
    entries.push({
      key: num(r.prefix),
      line: ` O        ${r.prefix}/${r.prefixLength} [110/${r.metric}] via ${r.nextHop}, ${r.interfaceName}`,
    });
  }
  entries.sort((a, b) => a.key - b.key);
  out.push(...entries.map((e) => e.line));
  return `${out.join('\n')}\n\n`;
}

function showIpArp(d: DeviceState): string {
  const out = ['Address         Age (sec)  Hardware Addr   Interface'];
  for (const a of d.arp) {
    const age = `${Math.floor(a.ageMinutes / 60)}:${String(a.ageMinutes % 60).padStart(2, '0')}:${String((a.ageMinutes * 7) % 60).padStart(2, '0')}`;
    const iface = a.interfaceName.startsWith('Vlan')
      ? `${a.interfaceName}, not learned`
      : a.interfaceName;
    out.push(`${a.address.padEnd(15)} ${age.padStart(9)}  ${macToCisco(a.mac)}  ${iface}`);
  }
  return `${out.join('\n')}\n`;
}

function showLldpNeighbors(d: DeviceState): string {
  const out = [
    'Last table change time   : 0:12:33 ago',
    `Number of table inserts  : ${d.neighbors.length}`,
    'Number of table deletes  : 0',
    'Number of table drops    : 0',
    'Number of table age-outs : 0',
    '',
    'Port          Neighbor Device ID             Neighbor Port ID    TTL',
    '------------- ------------------------------ ------------------- ---',
  ];
  for (const n of d.neighbors) {
    out.push(
      `${EOS_HARDWARE.shortName(n.localInterface).padEnd(14)}${n.deviceId.padEnd(31)}${n.portId.padEnd(20)}120`,
    );
  }
  return `${out.join('\n')}\n\n`;
}

export function eosRunningConfig(d: DeviceState): string {
  const out = [
    '! Command: show running-config',
    `! device: ${d.hostname} (${d.hardware.model}, EOS-${VERSION})`,
    '!',
    `! boot system flash:/EOS-${VERSION}.swi`,
    '!',
    'no aaa root',
    '!',
    'username admin privilege 1 role network-operator secret sha512 $6$7Gq1V2y3eP0t7fBf$y8u3uBq9',
    '!',
    'service routing protocols model multi-agent',
    '!',
    `hostname ${d.hostname}`,
    `ip domain-name ${d.domain}`,
    '!',
    'spanning-tree mode mstp',
    '!',
  ];
  for (const v of d.sortedVlans())
    if (v.id !== 1) out.push(`vlan ${v.id}`, `   name ${v.name}`, '!');
  for (const i of d.interfaces) {
    out.push(`interface ${i.name}`);
    if (i.description) out.push(`   description ${i.description}`);
    if (!i.adminUp) out.push('   shutdown');
    if (i.kind === 'ethernet' && i.mode === 'access' && i.accessVlan !== 1)
      out.push(`   switchport access vlan ${i.accessVlan}`);
    if (i.kind === 'ethernet' && i.mode === 'routed') out.push('   no switchport');
    if (i.ipv4) out.push(`   ip address ${i.ipv4.address}/${i.ipv4.prefixLength}`);
    out.push('!');
  }
  out.push(
    'ip routing',
    '!',
    `ip route 0.0.0.0/0 ${d.managementGateway}`,
    '!',
    'router ospf 1',
    '   max-lsa 12000',
    '!',
    'management api http-commands',
    '   no shutdown',
    '!',
    'end',
  );
  return `${out.join('\n')}\n`;
}

function showInventory(d: DeviceState): string {
  return `System information
  Model                    Description
  ------------------------ ----------------------------------------------------
  ${d.hardware.model.padEnd(24)} 48x25G SFP & 8x100G QSFP Switch

  HW Version  Serial Number  Mfg Date   Epoch
  ----------- -------------- ---------- -----
  11.02       ${d.serial.padEnd(14)} 2020-05-12 01.00

System has 2 power supply slots
  Slot Model            Serial Number
  ---- ---------------- ----------------
  1    PWR-500AC-R      EEWT${d.serial.slice(3, 10)}
  2    PWR-500AC-R      EEWT${d.serial.slice(4, 11)}

`;
}

const show =
  (fn: (d: DeviceState) => string) =>
  (ctx: CliContext): CommandOutcome => ({ output: fn(ctx.device) });

/** The `show` commands of user EXEC, or (`privileged`) of privileged EXEC. */
function showCommands({ privileged }: { privileged: boolean }): Def[] {
  const defs: Def[] = [
    { pattern: 'show version', run: show(showVersion) },
    { pattern: 'show ip interface brief', run: show(showIpInterfaceBrief) },
    { pattern: 'show interfaces status', run: show(showInterfacesStatus) },
    { pattern: 'show interfaces', run: show((d) => d.interfaces.map(showInterface).join('')) },
    {
      pattern: 'show interfaces {interface}',
      run: (ctx, a) => {
        const i = ctx.device.findInterface(a['interface'] ?? '');
        return { output: i ? showInterface(i) : '' };
      },
    },
    { pattern: 'show vlan', run: show(showVlan) },
    { pattern: 'show vlan brief', run: show(showVlan) },
    { pattern: 'show ip route', run: show(showIpRoute) },
    { pattern: 'show ip arp', run: show(showIpArp) },
    { pattern: 'show arp', run: show(showIpArp) },
    { pattern: 'show lldp neighbors', run: show(showLldpNeighbors) },
    { pattern: 'show inventory', run: show(showInventory) },
    {
      pattern: 'show hostname',
      run: show((d) => `Hostname: ${d.hostname}\nFQDN:     ${d.hostname}.${d.domain}\n`),
    },
  ];
  if (privileged) {
    defs.push(
      { pattern: 'show running-config', run: show(eosRunningConfig) },
      { pattern: 'write memory', run: () => ({ output: 'Copy completed successfully.\n' }) },
      {
        pattern: 'copy running-config startup-config',
        run: () => ({ output: 'Copy completed successfully.\n' }),
      },
    );
  }
  return defs;
}

export function createEosPlatform(enableSecret: () => string): Platform {
  const enable: Def = {
    pattern: 'enable',
    run: (ctx) => {
      if (ctx.privileged) return { output: '' };
      return {
        secretPrompt: {
          prompt: 'Password: ',
          onSecret: (c, secret) => {
            if (secret !== enableSecret()) return { output: '% Access denied\n' };
            c.privileged = true;
            return { output: '' };
          },
        },
      };
    },
  };
  const common = [...terminalCommands(['pager']), ...sessionCommands(), enable];
  const userTree: Tree = new CommandTree(
    [
      ...showCommands({ privileged: false }),
      ...common,
      {
        pattern: 'configure',
        run: () => ({ output: '% Invalid input (privileged mode required)\n' }),
      },
      {
        pattern: 'configure terminal',
        run: () => ({ output: '% Invalid input (privileged mode required)\n' }),
      },
    ],
    CISCO_PARAMS,
  );
  const execTree: Tree = new CommandTree(
    [
      ...showCommands({ privileged: true }),
      ...common,
      ...configureCommands({ enterConfig: '' }),
      {
        pattern: 'disable',
        run: (ctx) => {
          ctx.privileged = false;
          return { output: '' };
        },
      },
    ],
    CISCO_PARAMS,
  );
  const configTree: Tree = new CommandTree(globalConfigCommands(), CISCO_PARAMS);
  const ifTree: Tree = new CommandTree(interfaceConfigCommands(), CISCO_PARAMS);
  const vlanTree: Tree = new CommandTree(vlanConfigCommands(), CISCO_PARAMS);
  const treeForMode = (mode: string, ctx: CliContext): Tree =>
    mode === 'config'
      ? configTree
      : mode === 'config-if'
        ? ifTree
        : mode === 'config-vlan'
          ? vlanTree
          : ctx.privileged
            ? execTree
            : userTree;
  const spec: ModalCliSpec = {
    tree: (ctx) => treeForMode(ctx.mode, ctx),
    treeForMode,
    parentMode: parentOf,
    pipes: 'cisco',
    allowDo: true,
    execFromConfig: true,
    errors: {
      invalid: () => '% Invalid input\n',
      ambiguous: () => '% Ambiguous command\n',
      incomplete: () => '% Incomplete command\n',
      badPipe: () => '% Invalid input\n',
    },
  };
  return {
    id: 'eos',
    hardware: EOS_HARDWARE,
    pager: { moreText: ' --More-- ', showPercent: false, otherKeyQuits: true, erase: 'backspace' },
    sshSoftware: 'OpenSSH_8.7',
    startsPrivileged: false,
    execLineEnding: '\n',
    preAuthBanner: () => undefined,
    motd: (d) =>
      `Last login: ${new Date(d.bootTime.getTime() + 3600_000).toUTCString()} from 10.0.0.5\n`,
    prompt: (ctx) =>
      `${ctx.device.hostname}${ctx.mode === 'exec' ? (ctx.privileged ? '#' : '>') : configPromptSuffix(ctx.mode)}`,
    execPatterns: execTree.patterns,
    execute: (ctx, line) => runModal(spec, ctx, line),
    ctrlZ: ciscoCtrlZ,
  };
}
