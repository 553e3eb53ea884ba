/** Cisco NX-OS (Nexus 9300): prompts, errors, command tree and show output. */
import { CommandTree } from '../cli/command-tree';
import type { DeviceState, HardwareProfile, InterfaceState } from '../device-state';
import {
  formatAgeShort,
  formatCiscoClock,
  formatUnixDate,
  macToCisco,
  networkOf,
} from '../device-state';
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
import { caretLine, row, runModal } from './modal-cli';
import type { CliContext, CommandOutcome, Platform } from './platform';

const VERSION = '10.3(4a)';

export const NXOS_HARDWARE: HardwareProfile = {
  vendor: 'Cisco',
  model: 'N9K-C93180YC-FX',
  osVersion: VERSION,
  serialPrefix: 'FDO',
  macPrefix: '00c1b1',
  ethernetCount: 32,
  ethernetSpeedMbps: 10000,
  ethernetName: (i) => `Ethernet1/${i + 1}`,
  shortName: (n) =>
    n
      .replace(/^Ethernet/, 'Eth')
      .replace(/^loopback/, 'Lo')
      .replace(/^port-channel/, 'Po'),
  managementName: 'mgmt0',
  loopbackName: 'loopback0',
  sviName: (vlan) => `Vlan${vlan}`,
  hasVlans: true,
};

const dhms = (s: number): string =>
  `${Math.floor(s / 86400)} day(s), ${Math.floor((s % 86400) / 3600)} hour(s), ${Math.floor((s % 3600) / 60)} minute(s), ${s % 60} second(s)`;

/** "15:24:10.987 UTC Sun Nov 22 2026" then the time source, as NX-OS prints it. */
function showClockNx(): string {
  return `${formatCiscoClock(new Date())}\nTime source is NTP\n`;
}

function showVersion(d: DeviceState): string {
  return `Cisco Nexus Operating System (NX-OS) Software
TAC support: http://www.cisco.com/tac
Documents: http://www.cisco.com/en/US/products/ps9372/tsd_products_support_series_home.html
Copyright (c) 2002-2023, Cisco Systems, Inc. All rights reserved.
The copyrights to certain works contained herein are owned by
other third parties and are used and distributed under license.
Some parts of this software are covered under the GNU Public
License. A copy of the license is available at
http://www.gnu.org/licenses/gpl.html.

Software
  BIOS: version 05.47
 NXOS: version ${VERSION} [Maintenance Release]
  BIOS compile time:  04/28/2022
  NXOS image file is: bootflash:///nxos64-cs.10.3.4a.M.bin
  NXOS compile time:  11/3/2023 12:00:00 [11/17/2023 04:21:37]


Hardware
  cisco Nexus9000 C93180YC-FX Chassis
  Intel(R) Xeon(R) CPU D-1528 @ 1.90GHz with 24632252 kB of memory.
  Processor Board ID ${d.serial}

  Device name: ${d.hostname}
  bootflash:   53298520 kB

Kernel uptime is ${dhms(d.uptimeSeconds)}

Last reset at 123456 usecs after ${formatUnixDate(d.bootTime)}
  Reason: Reset Requested by CLI command reload
  System version: ${VERSION}
  Service: 

plugin
  Core Plugin, Ethernet Plugin

Active Package(s):
 
`;
}

function nxStatus(i: InterfaceState): { status: string; reason: string } {
  if (!i.adminUp) return { status: 'down', reason: 'Administratively down' };
  if (!i.linkUp) return { status: 'down', reason: 'Link not connected' };
  return { status: 'up', reason: 'none' };
}

function showInterfaceBrief(d: DeviceState): string {
  const sep = '-'.repeat(80);
  const out = [
    '',
    sep,
    'Port   VRF          Status IP Address                              Speed    MTU',
    sep,
  ];
  for (const i of d.interfaces.filter((x) => x.kind === 'management')) {
    out.push(
      row(
        [i.name, '--', i.operUp ? 'up' : 'down', i.ipv4?.address ?? '--', '1000', String(i.mtu)],
        [7, 13, 7, 40, 9, 5],
      ),
    );
  }
  out.push(
    '',
    sep,
    'Ethernet      VLAN    Type Mode   Status  Reason                   Speed     Port',
    'Interface                                                                    Ch #',
    sep,
  );
  for (const i of d.interfaces.filter((x) => x.kind === 'ethernet')) {
    const { status, reason } = nxStatus(i);
    const speed = i.operUp ? '10G(D)' : 'auto(D)';
    out.push(
      row(
        [
          i.shortName,
          i.mode === 'routed' ? '--' : String(i.accessVlan),
          'eth',
          i.mode === 'routed' ? 'routed' : 'access',
          status,
          reason,
          speed,
          '--',
        ],
        [14, 8, 5, 7, 8, 25, 10, 3],
      ),
    );
  }
  const svis = d.interfaces.filter((x) => x.kind === 'svi');
  if (svis.length > 0) {
    out.push(
      '',
      sep,
      'Interface Secondary VLAN(Type)                    Status Reason                 ',
      sep,
    );
    for (const i of svis) {
      const { status, reason } = nxStatus(i);
      out.push(row([i.name, '--', status, reason], [10, 40, 7, 20]));
    }
  }
  const los = d.interfaces.filter((x) => x.kind === 'loopback');
  out.push('', sep, 'Interface     Status     Description', sep);
  for (const i of los)
    out.push(row([i.shortName, i.operUp ? 'up' : 'down', i.description || '--'], [14, 11, 10]));
  out.push('');
  return `${out.join('\n')}\n`;
}

function showInterface(d: DeviceState, i: InterfaceState): string {
  const c = i.counters;
  const lines = [
    `${i.name} is ${i.operUp ? 'up' : 'down'}${!i.adminUp ? ' (Administratively down)' : !i.linkUp && i.kind === 'ethernet' ? ' (Link not connected)' : ''}`,
    `admin state is ${i.adminUp ? 'up' : 'down'}, Dedicated Interface`,
    `  Hardware: 100/1000/10000/25000 Ethernet, address: ${macToCisco(i.mac)} (bia ${macToCisco(i.mac)})`,
  ];
  if (i.description) lines.push(`  Description: ${i.description}`);
  if (i.ipv4) lines.push(`  Internet Address is ${i.ipv4.address}/${i.ipv4.prefixLength}`);
  lines.push(
    `  MTU ${i.mtu} bytes, BW ${i.speedMbps * 1000} Kbit , DLY 10 usec`,
    '  reliability 255/255, txload 1/255, rxload 1/255',
    '  Encapsulation ARPA, medium is broadcast',
    `  Port mode is ${i.mode === 'routed' ? 'routed' : 'access'}`,
    i.operUp ? '  full-duplex, 10 Gb/s, media type is 10G' : '  auto-duplex, auto-speed',
    '  Beacon is turned off',
    '  Auto-Negotiation is turned on  FEC mode is Auto',
    '  Input flow-control is off, output flow-control is off',
    '  Auto-mdix is turned off',
    '  Rate mode is dedicated',
    '  Switchport monitor is off ',
    '  EtherType is 0x8100 ',
    '  EEE (efficient-ethernet) : n/a',
    `  Last link flapped ${formatAgeShort(d.uptimeSeconds)}`,
    '  Last clearing of "show interface" counters never',
    `  ${c.resets} interface resets`,
    '  30 seconds input rate 1224 bits/sec, 1 packets/sec',
    '  30 seconds output rate 2304 bits/sec, 2 packets/sec',
    '  RX',
    `    ${c.inPackets - c.inMulticast} unicast packets  ${c.inMulticast} multicast packets  0 broadcast packets`,
    `    ${c.inPackets} input packets  ${c.inBytes} bytes`,
    '    0 jumbo packets  0 storm suppression bytes',
    '    0 runts  0 giants  0 CRC  0 no buffer',
    '    0 input error  0 short frame  0 overrun   0 underrun  0 ignored',
    '  TX',
    `    ${c.outPackets} output packets  ${c.outBytes} bytes`,
    '    0 output error  0 collision  0 deferred  0 late collision',
  );
  return `${lines.join('\n')}\n\n`;
}

function showVlan(d: DeviceState, { brief }: { brief: boolean }): string {
  const out = [
    '',
    'VLAN Name                             Status    Ports',
    '---- -------------------------------- --------- -------------------------------',
  ];
  for (const v of d.sortedVlans()) {
    const ports = d.interfaces
      .filter((i) => i.kind === 'ethernet' && i.mode === 'access' && i.accessVlan === v.id)
      .map((i) => i.shortName);
    const [first, ...rest] = vlanPortLines(ports, 48, 4);
    out.push(
      `${String(v.id).padEnd(4)} ${v.name.padEnd(32)} ${'active'.padEnd(9)} ${first ?? ''}`.trimEnd(),
      ...rest,
    );
  }
  if (!brief) {
    out.push('', 'VLAN Type         Vlan-mode', '---- -----        ----------');
    for (const v of d.sortedVlans()) out.push(`${String(v.id).padEnd(4)} enet         CE     `);
  }
  return `${out.join('\n')}\n\n`;
}

function showIpRoute(d: DeviceState): string {
  const age = formatAgeShort(Math.min(d.uptimeSeconds, 20 * 86400));
  const out = [
    'IP Route Table for VRF "default"',
    "'*' denotes best ucast next-hop",
    "'**' denotes best mcast next-hop",
    "'[x/y]' denotes [preference/metric]",
    "'%<string>' in via output denotes VRF <string>",
    '',
  ];
  const entries: { prefix: string; lines: string[] }[] = [];
  for (const i of d.interfaces) {
    if (!i.ipv4 || !i.operUp || i.kind === 'management') continue;
    if (i.ipv4.prefixLength < 32) {
      entries.push({
        prefix: `${networkOf(i.ipv4)}/${i.ipv4.prefixLength}`,
        lines: [
          'ubest/mbest: 1/0, attached',
          `    *via ${i.ipv4.address}, ${i.name}, [0/0], ${age}, direct`,
        ],
      });
    }
    entries.push({
      prefix: `${i.ipv4.address}/32`,
      lines: [
        'ubest/mbest: 1/0, attached',
        `    *via ${i.ipv4.address}, ${i.name}, [0/0], ${age}, local`,
      ],
    });
  }
  for (const r of d.routes) {
    if (!d.findInterface(r.interfaceName)?.operUp) continue;
    entries.push({
      prefix: `${r.prefix}/${r.prefixLength}`,
      lines: [
        'ubest/mbest: 1/0',
        `    *via ${r.nextHop}, ${r.interfaceName}, [110/${r.metric}], ${age}, ospf-1, intra`,
      ],
    });
  }
  const key = (p: string): number =>
    (p.split('/')[0] ?? '').split('.').reduce((a, o) => a * 256 + Number(o), 0);
  entries.sort((a, b) => key(a.prefix) - key(b.prefix));
  for (const e of entries) out.push(`${e.prefix}, ${e.lines[0] ?? ''}`, ...e.lines.slice(1));
  return `${out.join('\n')}\n\n`;
}

function showIpArp(d: DeviceState): string {
  const entries = d.arp.filter((a) => !a.interfaceName.startsWith('mgmt'));
  const out = [
    '',
    'Flags: * - Adjacencies learnt on non-active FHRP router',
    '       + - Adjacencies synced via CFSoE',
    '       # - Adjacencies Throttled for Glean',
    '       CP - Added via L2RIB, Control plane Adjacencies',
    '       PS - Added via L2RIB, Peer Sync',
    '       RO - Re-Originated Peer Sync Entry',
    '       D - Static Adjacencies attached to down interface',
    '',
    'IP ARP Table for context default',
    `Total number of entries: ${entries.length}`,
    'Address         Age       MAC Address     Interface       Flags',
  ];
  for (const a of entries) {
    const age = `00:${String(a.ageMinutes % 60).padStart(2, '0')}:${String((a.ageMinutes * 7) % 60).padStart(2, '0')}`;
    out.push(
      `${a.address.padEnd(15)} ${age.padEnd(9)} ${macToCisco(a.mac).padEnd(15)} ${a.interfaceName.padEnd(15)} `,
    );
  }
  return `${out.join('\n')}\n`;
}

function showNeighbors(d: DeviceState, kind: 'cdp' | 'lldp'): string {
  const out =
    kind === 'lldp'
      ? [
          'Capability codes:',
          '  (R) Router, (B) Bridge, (T) Telephone, (C) DOCSIS Cable Device',
          '  (W) WLAN Access Point, (P) Repeater, (S) Station, (O) Other',
          'Device ID            Local Intf      Hold-time  Capability  Port ID  ',
        ]
      : [
          'Capability Codes: R - Router, T - Trans-Bridge, B - Source-Route-Bridge',
          '                  S - Switch, H - Host, I - IGMP, r - Repeater,',
          '                  V - VoIP-Phone, D - Remotely-Managed-Device,',
          '                  s - Supports-STP-Dispute',
          '',
          'Device-ID          Local Intrfce  Hldtme Capability  Platform      Port ID',
        ];
  for (const n of d.neighbors) {
    const local = NXOS_HARDWARE.shortName(n.localInterface);
    if (kind === 'lldp') {
      out.push(
        `${n.deviceId.split('.')[0]?.padEnd(21) ?? ''}${local.padEnd(16)}${'120'.padEnd(11)}${'BR'.padEnd(12)}${n.portId}`,
      );
    } else {
      out.push(
        n.deviceId,
        `                   ${local.padEnd(15)}${String(n.holdTime).padEnd(7)}R S I s     ${n.platform.slice(0, 13).padEnd(14)}${n.portId}`,
      );
    }
  }
  out.push(
    kind === 'lldp' ? `Total entries displayed: ${d.neighbors.length}` : '',
    kind === 'cdp' ? `Total entries displayed: ${d.neighbors.length}` : '',
  );
  return `${out.filter((l, idx, all) => !(l === '' && idx === all.length - 1)).join('\n')}\n`;
}

export function nxosRunningConfig(d: DeviceState): string {
  const now = new Date();
  const out = [
    '',
    '!Command: show running-config',
    `!Running configuration last done at: ${formatUnixDate(d.lastConfigChange)}`,
    `!Time: ${formatUnixDate(now)}`,
    '',
    `version ${VERSION} Bios:version 05.47 `,
    `hostname ${d.hostname}`,
    'vdc ' + d.hostname + ' id 1',
    '  limit-resource vlan minimum 16 maximum 4094',
    '',
    'feature ospf',
    'feature interface-vlan',
    'feature lldp',
    '',
    'username admin password 5 $5$KFMLFD$3mFdv.hwE9yYt5.2b1mFqk3BT1EUQ3WyMvU9mrJe.fB  role network-admin',
    'ip domain-lookup',
    'copp profile strict',
    'rmon event 1 description FATAL(1) owner PMON@FATAL',
    '',
    `vlan ${d
      .sortedVlans()
      .map((v) => v.id)
      .join(',')}`,
  ];
  for (const v of d.sortedVlans()) if (v.id !== 1) out.push(`vlan ${v.id}`, `  name ${v.name}`);
  out.push('', 'vrf context management', `  ip route 0.0.0.0/0 ${d.managementGateway}`, '');
  for (const i of d.interfaces) {
    out.push(`interface ${i.name}`);
    if (i.description) out.push(`  description ${i.description}`);
    if (i.kind === 'ethernet' && i.mode === 'access' && i.accessVlan !== 1)
      out.push(`  switchport access vlan ${i.accessVlan}`);
    if (i.kind === 'ethernet' && i.mode === 'routed') out.push('  no switchport');
    if (i.kind === 'management') out.push('  vrf member management');
    if (i.ipv4) out.push(`  ip address ${i.ipv4.address}/${i.ipv4.prefixLength}`);
    if (i.kind === 'ethernet' || i.kind === 'svi')
      out.push(i.adminUp ? '  no shutdown' : '  shutdown');
    out.push('');
  }
  out.push(
    'line console',
    'line vty',
    'boot nxos bootflash:/nxos64-cs.10.3.4a.M.bin ',
    'router ospf 1',
    '',
  );
  return `${out.join('\n')}\n`;
}

function showInventory(d: DeviceState): string {
  return `NAME: "Chassis",  DESCR: "Nexus9000 C93180YC-FX Chassis"         
PID: ${d.hardware.model.padEnd(20)},  VID: V02 ,  SN: ${d.serial}          

NAME: "Slot 1",  DESCR: "48x10/25G + 6x40/100G Ethernet Module"  
PID: ${d.hardware.model.padEnd(20)},  VID: V02 ,  SN: ${d.serial}          

NAME: "Power Supply 1",  DESCR: "Nexus9000 C93180YC-FX Chassis Power Supply"
PID: NXA-PAC-500W-PE     ,  VID: V01 ,  SN: LIT2${d.serial.slice(3, 10)}          

NAME: "Fan 1",  DESCR: "Nexus9000 C93180YC-FX Chassis Fan Module"
PID: NXA-FAN-30CFM-B     ,  VID: V01 ,  SN: N/A                  

`;
}

const show =
  (fn: (d: DeviceState) => string) =>
  (ctx: CliContext): CommandOutcome => ({ output: fn(ctx.device) });

function execCommands(): Def[] {
  return [
    { pattern: 'show version', run: show(showVersion) },
    { pattern: 'show interface brief', run: show(showInterfaceBrief) },
    { pattern: 'show ip interface brief', run: show(showIpInterfaceBriefNx) },
    {
      pattern: 'show interface',
      run: show((d) => d.interfaces.map((i) => showInterface(d, i)).join('')),
    },
    {
      pattern: 'show interface {interface}',
      run: (ctx, a) => {
        const i = ctx.device.findInterface(a['interface'] ?? '');
        return { output: i ? showInterface(ctx.device, i) : '' };
      },
    },
    { pattern: 'show vlan', run: show((d) => showVlan(d, { brief: false })) },
    { pattern: 'show vlan brief', run: show((d) => showVlan(d, { brief: true })) },
    { pattern: 'show ip route', run: show(showIpRoute) },
    { pattern: 'show ip arp', run: show(showIpArp) },
    { pattern: 'show cdp neighbors', run: show((d) => showNeighbors(d, 'cdp')) },
    { pattern: 'show lldp neighbors', run: show((d) => showNeighbors(d, 'lldp')) },
    { pattern: 'show running-config', run: show(nxosRunningConfig) },
    { pattern: 'show inventory', run: show(showInventory) },
    { pattern: 'show hostname', run: show((d) => `${d.hostname} \n`) },
    { pattern: 'show clock', run: show(showClockNx) },
    {
      pattern: 'copy running-config startup-config',
      run: () => ({
        output:
          '[########################################] 100%\nCopy complete, now saving to disk (please wait)...\nCopy complete.\n',
      }),
    },
    ...terminalCommands(),
    ...sessionCommands(),
    ...configureCommands({
      enterConfig: 'Enter configuration commands, one per line. End with CNTL/Z.\n',
    }),
  ];
}

function showIpInterfaceBriefNx(d: DeviceState): string {
  const out = [
    'IP Interface Status for VRF "default"(1)',
    'Interface            IP Address      Interface Status',
  ];
  for (const i of d.interfaces) {
    if (!i.ipv4 || i.kind === 'management') continue;
    out.push(
      `${i.shortName.padEnd(20)} ${i.ipv4.address.padEnd(15)} protocol-${i.operUp ? 'up' : 'down'}/link-${i.linkUp ? 'up' : 'down'}/admin-${i.adminUp ? 'up' : 'down'} `,
    );
  }
  return `${out.join('\n')}\n`;
}

export function createNxosPlatform(): Platform {
  const execTree: Tree = new CommandTree(execCommands(), CISCO_PARAMS);
  const configTree: Tree = new CommandTree(globalConfigCommands(), CISCO_PARAMS);
  const ifTree: Tree = new CommandTree(interfaceConfigCommands(), CISCO_PARAMS);
  const vlanTree: Tree = new CommandTree(vlanConfigCommands(), CISCO_PARAMS);
  const treeForMode = (mode: string): Tree =>
    mode === 'config'
      ? configTree
      : mode === 'config-if'
        ? ifTree
        : mode === 'config-vlan'
          ? vlanTree
          : execTree;
  const spec: ModalCliSpec = {
    tree: (ctx) => treeForMode(ctx.mode),
    treeForMode,
    parentMode: parentOf,
    pipes: 'cisco',
    allowDo: true,
    execFromConfig: true,
    errors: {
      invalid: (ctx, _line, caret) =>
        `${caretLine(ctx, caret)}\n% Invalid command at '^' marker.\n`,
      ambiguous: (ctx, _line, token) =>
        `${caretLine(ctx, token.start)}\n% Ambiguous command at '^' marker.\n`,
      incomplete: (ctx, line) =>
        `${caretLine(ctx, line.trimEnd().length + 1)}\n% Incomplete command at '^' marker.\n`,
      badPipe: (ctx, _line, caret) =>
        `${caretLine(ctx, caret)}\n% Invalid command at '^' marker.\n`,
    },
  };
  return {
    id: 'nxos',
    hardware: NXOS_HARDWARE,
    pager: { moreText: ' --More-- ', showPercent: false, otherKeyQuits: true, erase: 'backspace' },
    sshSoftware: 'OpenSSH_8.3',
    startsPrivileged: true,
    execLineEnding: '\n',
    preAuthBanner: () => 'User Access Verification\n',
    motd: () =>
      '\nCisco NX-OS Software\nCopyright (c) 2002-2023, Cisco Systems, Inc. All rights reserved.\nNexus 9000v software ("Nexus 9000v Software") and related documentation,\nfiles or other reference materials ("Documentation") are\nthe proprietary property and confidential information of Cisco\nSystems, Inc. ("Cisco") and are protected, without limitation,\npursuant to United States and International copyright and trademark\nlaws in the applicable jurisdiction which provide civil and criminal\npenalties for copying or distribution without Cisco\'s authorization.\n\n',
    prompt: (ctx) =>
      `${ctx.device.hostname}${ctx.mode === 'exec' ? '#' : configPromptSuffix(ctx.mode)} `,
    execPatterns: execTree.patterns,
    execute: (ctx, line) => runModal(spec, ctx, line),
    ctrlZ: ciscoCtrlZ,
  };
}
