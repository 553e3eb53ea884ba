/** Cisco IOS-XE (Catalyst 9300): prompts, errors, command tree and show output. */
import { CommandTree } from '../cli/command-tree';
import type { DeviceState, HardwareProfile, InterfaceState } from '../device-state';
import {
  formatAgeShort,
  formatCiscoClock,
  formatCiscoDate,
  formatUptimeIos,
  macToCisco,
  networkOf,
  prefixToMask,
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

const VERSION = '17.09.04a';
const VERSION_SHORT = '17.9.4a';

export const IOS_HARDWARE: HardwareProfile = {
  vendor: 'Cisco',
  model: 'C9300-24T',
  osVersion: VERSION,
  serialPrefix: 'FOC',
  macPrefix: '701f53',
  ethernetCount: 24,
  ethernetSpeedMbps: 1000,
  ethernetName: (i) => `GigabitEthernet1/0/${i + 1}`,
  shortName: iosShortName,
  managementName: 'GigabitEthernet0/0',
  loopbackName: 'Loopback0',
  sviName: (vlan) => `Vlan${vlan}`,
  hasVlans: true,
};

export function iosShortName(name: string): string {
  return name
    .replace(/^GigabitEthernet/, 'Gi')
    .replace(/^TenGigabitEthernet/, 'Te')
    .replace(/^FastEthernet/, 'Fa')
    .replace(/^Loopback/, 'Lo')
    .replace(/^Vlan/, 'Vl')
    .replace(/^Port-channel/, 'Po');
}

// ---------------- show output ----------------

function showVersion(d: DeviceState): string {
  const uptime = formatUptimeIos(d.uptimeSeconds);
  return `Cisco IOS XE Software, Version ${VERSION}
Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), Version ${VERSION_SHORT}, RELEASE SOFTWARE (fc3)
Technical Support: http://www.cisco.com/techsupport
Copyright (c) 1986-2023 by Cisco Systems, Inc.
Compiled Fri 20-Oct-23 10:44 by mcpre


Cisco IOS-XE software, Copyright (c) 2005-2023 by cisco Systems, Inc.
All rights reserved.  Certain components of Cisco IOS-XE software are
licensed under the GNU General Public License ("GPL") Version 2.0.  The
software code licensed under GPL Version 2.0 is free software that comes
with ABSOLUTELY NO WARRANTY.  You can redistribute and/or modify such
GPL code under the terms of GPL Version 2.0.  For more details, see the
documentation or "License Notice" file accompanying the IOS-XE software,
or the applicable URL provided on the flyer accompanying the IOS-XE
software.


ROM: IOS-XE ROMMON
BOOTLDR: System Bootstrap, Version 17.9.1r[FC2], RELEASE SOFTWARE (P)

${d.hostname} uptime is ${uptime}
Uptime for this control processor is ${uptime}
System returned to ROM by Reload Command
System image file is "flash:packages.conf"
Last reload reason: Reload Command



This product contains cryptographic features and is subject to United
States and local country laws governing import, export, transfer and
use. Delivery of Cisco cryptographic products does not imply
third-party authority to import, export, distribute or use encryption.
Importers, exporters, distributors and users are responsible for
compliance with U.S. and local country laws. By using this product you
agree to comply with applicable laws and regulations. If you are unable
to comply with U.S. and local laws, return this product immediately.


Technology Package License Information:

------------------------------------------------------------------------------
Technology-package                                     Technology-package
Current                        Type                       Next reboot
------------------------------------------------------------------------------
network-advantage       Smart License                 network-advantage
dna-advantage           Subscription Smart License    dna-advantage
AIR License Level: AIR DNA Advantage
Next reload AIR license Level: AIR DNA Advantage


Smart Licensing Status: Registration Not Applicable/Not Applicable

cisco ${d.hardware.model} (X86) processor with 1328478K/6147K bytes of memory.
Processor board ID ${d.serial}
2048K bytes of non-volatile configuration memory.
8388608K bytes of physical memory.
1638400K bytes of Crash Files at crashinfo:.
11264000K bytes of Flash at flash:.

Base Ethernet MAC Address          : ${d.baseMac.match(/../g)?.join(':') ?? d.baseMac}
Motherboard Assembly Number        : 73-18272-03
Motherboard Serial Number          : ${d.serial}
Model Revision Number              : B0
Motherboard Revision Number        : A0
Model Number                       : ${d.hardware.model}
System Serial Number               : ${d.serial}
CLEI Code Number                   : 


Switch Ports Model              SW Version        SW Image              Mode   
------ ----- -----              ----------        ----------            ----   
*    1 ${String(d.hardware.ethernetCount + 4).padEnd(5)} ${d.hardware.model.padEnd(18)} ${VERSION.padEnd(17)} CAT9K_IOSXE           INSTALL


Configuration register is 0x102

`;
}

function statusWords(i: InterfaceState): { status: string; protocol: string } {
  if (!i.adminUp) return { status: 'administratively down', protocol: 'down' };
  return i.linkUp ? { status: 'up', protocol: 'up' } : { status: 'down', protocol: 'down' };
}

function showIpInterfaceBrief(d: DeviceState): string {
  const widths = [23, 16, 4, 7, 22, 8];
  const out = [row(['Interface', 'IP-Address', 'OK?', 'Method', 'Status', 'Protocol'], widths)];
  for (const i of sortIos(d.interfaces)) {
    const { status, protocol } = statusWords(i);
    out.push(
      row(
        [
          i.name,
          i.ipv4?.address ?? 'unassigned',
          'YES',
          i.ipv4 ? 'NVRAM' : 'unset',
          status,
          protocol,
        ],
        widths,
      ),
    );
  }
  return `${out.join('\n')}\n`;
}

function sortIos(list: readonly InterfaceState[]): InterfaceState[] {
  const order = (i: InterfaceState): number =>
    i.kind === 'svi' ? 0 : i.kind === 'management' ? 1 : i.kind === 'ethernet' ? 2 : 3;
  return [...list].sort((a, b) => order(a) - order(b) || a.index - b.index);
}

function lineStatus(i: InterfaceState): string {
  if (!i.adminUp) return 'administratively down, line protocol is down (disabled)';
  if (i.kind === 'ethernet')
    return i.linkUp
      ? 'up, line protocol is up (connected)'
      : 'down, line protocol is down (notconnect)';
  return i.linkUp ? 'up, line protocol is up' : 'down, line protocol is down';
}

function showInterface(d: DeviceState, i: InterfaceState): string {
  const hw =
    i.kind === 'ethernet' || i.kind === 'management'
      ? `Gigabit Ethernet, address is ${macToCisco(i.mac)} (bia ${macToCisco(i.mac)})`
      : i.kind === 'svi'
        ? `Ethernet SVI, address is ${macToCisco(i.mac)} (bia ${macToCisco(i.mac)})`
        : 'Loopback';
  const c = i.counters;
  const lines = [`${i.name} is ${lineStatus(i)} `, `  Hardware is ${hw}`];
  if (i.description) lines.push(`  Description: ${i.description}`);
  if (i.ipv4) lines.push(`  Internet address is ${i.ipv4.address}/${i.ipv4.prefixLength}`);
  const bw = i.kind === 'loopback' ? 8000000 : i.speedMbps * 1000;
  const dly = i.kind === 'loopback' ? 5000 : 10;
  lines.push(
    `  MTU ${i.kind === 'loopback' ? 1514 : i.mtu} bytes, BW ${bw} Kbit/sec, DLY ${dly} usec, `,
    '     reliability 255/255, txload 1/255, rxload 1/255',
    `  Encapsulation ${i.kind === 'loopback' ? 'LOOPBACK' : 'ARPA'}, loopback not set`,
    '  Keepalive set (10 sec)',
  );
  if (i.kind === 'ethernet' || i.kind === 'management') {
    const up = i.operUp;
    lines.push(
      up
        ? `  Full-duplex, ${i.speedMbps}Mb/s, media type is 10/100/1000BaseTX`
        : '  Auto-duplex, Auto-speed, media type is 10/100/1000BaseTX',
      '  input flow-control is on, output flow-control is unsupported ',
    );
  }
  const age = formatAgeShort(d.uptimeSeconds);
  lines.push(
    '  ARP type: ARPA, ARP Timeout 04:00:00',
    `  Last input ${i.operUp ? '00:00:00' : 'never'}, output ${i.operUp ? '00:00:01' : 'never'}, output hang never`,
    `  Last clearing of "show interface" counters never`,
    '  Input queue: 0/2000/0/0 (size/max/drops/flushes); Total output drops: 0',
    '  Queueing strategy: fifo',
    '  Output queue: 0/40 (size/max)',
    `  5 minute input rate ${i.operUp ? 2000 : 0} bits/sec, ${i.operUp ? 3 : 0} packets/sec`,
    `  5 minute output rate ${i.operUp ? 1000 : 0} bits/sec, ${i.operUp ? 1 : 0} packets/sec`,
    `     ${c.inPackets} packets input, ${c.inBytes} bytes, 0 no buffer`,
    `     Received ${Math.floor(c.inMulticast * 1.2)} broadcasts (${c.inMulticast} multicasts)`,
    '     0 runts, 0 giants, 0 throttles ',
    '     0 input errors, 0 CRC, 0 frame, 0 overrun, 0 ignored',
    `     0 watchdog, ${c.inMulticast} multicast, 0 pause input`,
    '     0 input packets with dribble condition detected',
    `     ${c.outPackets} packets output, ${c.outBytes} bytes, 0 underruns`,
    `     0 output errors, 0 collisions, ${c.resets} interface resets`,
    '     0 unknown protocol drops',
    '     0 babbles, 0 late collision, 0 deferred',
    '     0 lost carrier, 0 no carrier, 0 pause output',
    '     0 output buffer failures, 0 output buffers swapped out',
  );
  void age;
  return `${lines.join('\n')}\n`;
}

function showInterfacesStatus(d: DeviceState): string {
  const widths = [13, 19, 13, 11, 8, 7, 18];
  const out = ['', row(['Port', 'Name', 'Status', 'Vlan', 'Duplex', 'Speed', 'Type'], widths)];
  for (const i of d.interfaces.filter((x) => x.kind === 'ethernet' || x.kind === 'management')) {
    const status = !i.adminUp ? 'disabled' : i.linkUp ? 'connected' : 'notconnect';
    const vlan = i.mode === 'routed' ? 'routed' : String(i.accessVlan);
    out.push(
      row(
        [
          i.shortName,
          i.description.slice(0, 18),
          status,
          vlan,
          i.operUp ? 'a-full' : 'auto',
          i.operUp ? `a-${i.speedMbps}` : 'auto',
          '10/100/1000BaseTX',
        ],
        widths,
      ),
    );
  }
  return `${out.join('\n')}\n`;
}

function showInterfacesDescription(d: DeviceState): string {
  const widths = [31, 22, 9, 0];
  const out = [row(['Interface', 'Status', 'Protocol', 'Description'], widths)];
  for (const i of sortIos(d.interfaces)) {
    const { status, protocol } = statusWords(i);
    out.push(
      row(
        [
          i.shortName,
          status === 'administratively down' ? 'admin down' : status,
          protocol,
          i.description,
        ],
        widths,
      ),
    );
  }
  return `${out.join('\n')}\n`;
}

function showVlanBrief(d: DeviceState): string {
  const out = [
    '',
    'VLAN Name                             Status    Ports',
    '---- -------------------------------- --------- -------------------------------',
  ];
  for (const v of d.sortedVlans()) {
    const ports = d.interfaces
      .filter((i) => i.kind === 'ethernet' && i.mode === 'access' && i.accessVlan === v.id)
      .map((i) => i.shortName);
    const [first, ...rest] = vlanPortLines(ports, 48);
    out.push(
      `${String(v.id).padEnd(4)} ${v.name.padEnd(32)} ${'active'.padEnd(9)} ${first ?? ''}`.trimEnd(),
    );
    out.push(...rest);
  }
  for (const [id, name] of [
    [1002, 'fddi-default'],
    [1003, 'token-ring-default'],
    [1004, 'fddinet-default'],
    [1005, 'trnet-default'],
  ] as const) {
    out.push(`${String(id).padEnd(4)} ${name.padEnd(32)} act/unsup `);
  }
  return `${out.join('\n')}\n`;
}

function showVlan(d: DeviceState): string {
  const out = [
    '',
    'VLAN Type  SAID       MTU   Parent RingNo BridgeNo Stp  BrdgMode Trans1 Trans2',
    '---- ----- ---------- ----- ------ ------ -------- ---- -------- ------ ------',
  ];
  for (const v of d.sortedVlans()) {
    out.push(
      `${String(v.id).padEnd(4)} enet  ${String(100000 + v.id).padEnd(10)} 1500  -      -      -        -    -        0      0   `,
    );
  }
  return `${showVlanBrief(d)}${out.join('\n')}\n\nRemote SPAN VLANs\n------------------------------------------------------------------------------\n\n\nPrimary Secondary Type              Ports\n------- --------- ----------------- ------------------------------------------\n\n`;
}

export const IOS_ROUTE_CODES = `Codes: L - local, C - connected, S - static, R - RIP, M - mobile, B - BGP
       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area 
       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2
       E1 - OSPF external type 1, E2 - OSPF external type 2, m - OMP
       n - NAT, Ni - NAT inside, No - NAT outside, Nd - NAT DIA
       i - IS-IS, su - IS-IS summary, L1 - IS-IS level-1, L2 - IS-IS level-2
       ia - IS-IS inter area, * - candidate default, U - per-user static route
       H - NHRP, G - NHRP registered, g - NHRP registration summary
       o - ODR, P - periodic downloaded static route, l - LISP
       a - application route
       + - replicated route, % - next hop override, p - overrides from PfR
       & - replicated local route overrides by connected
`;

interface RouteLine {
  code: string;
  prefix: string;
  len: number;
  text: string;
}

function classfulNet(prefix: string): { net: string; len: number } {
  const first = Number(prefix.split('.')[0]);
  const octets = prefix.split('.');
  if (first < 128) return { net: `${octets[0]}.0.0.0`, len: 8 };
  if (first < 192) return { net: `${octets[0]}.${octets[1]}.0.0`, len: 16 };
  return { net: `${octets[0]}.${octets[1]}.${octets[2]}.0`, len: 24 };
}

function showIpRoute(d: DeviceState): string {
  const age = formatAgeShort(Math.min(d.uptimeSeconds, 6 * 86400 + 3600));
  const lines: RouteLine[] = [];
  for (const i of d.interfaces) {
    if (!i.ipv4 || !i.operUp || i.kind === 'management') continue;
    const net = networkOf(i.ipv4);
    if (i.ipv4.prefixLength < 32) {
      lines.push({
        code: 'C',
        prefix: net,
        len: i.ipv4.prefixLength,
        text: `is directly connected, ${i.name}`,
      });
    }
    lines.push({
      code: 'L',
      prefix: i.ipv4.address,
      len: 32,
      text: `is directly connected, ${i.name}`,
    });
  }
  for (const r of d.routes) {
    const iface = d.findInterface(r.interfaceName);
    if (!iface?.operUp) continue;
    lines.push({
      code: 'O',
      prefix: r.prefix,
      len: r.prefixLength,
      text: `[110/${r.metric}] via ${r.nextHop}, ${age}, ${r.interfaceName}`,
    });
  }
  const groups = new Map<string, RouteLine[]>();
  for (const l of lines) {
    const { net, len } = classfulNet(l.prefix);
    const key = `${net}/${len}`;
    groups.set(key, [...(groups.get(key) ?? []), l]);
  }
  const out = [IOS_ROUTE_CODES, 'Gateway of last resort is not set', ''];
  const sortKey = (p: string): number => p.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  for (const [key, group] of [...groups.entries()].sort(
    (a, b) => sortKey(a[0].split('/')[0] ?? '') - sortKey(b[0].split('/')[0] ?? ''),
  )) {
    group.sort((a, b) => sortKey(a.prefix) - sortKey(b.prefix) || a.len - b.len);
    const masks = new Set(group.map((g) => g.len));
    const net = key.split('/')[0] ?? '';
    if (masks.size > 1) {
      out.push(
        `      ${net}/${key.split('/')[1] ?? ''} is variably subnetted, ${group.length} subnets, ${masks.size} masks`,
      );
      for (const g of group) out.push(`${g.code.padEnd(9)}${g.prefix}/${g.len} ${g.text}`);
    } else {
      out.push(`      ${net}/${key.split('/')[1] ?? ''} is subnetted, ${group.length} subnets`);
      for (const g of group) out.push(`${g.code.padEnd(9)}${g.prefix} ${g.text}`);
    }
  }
  return `${out.join('\n')}\n`;
}

function showIpArp(d: DeviceState): string {
  const out = ['Protocol  Address          Age (min)  Hardware Addr   Type   Interface'];
  for (const i of d.interfaces) {
    if (i.ipv4 && i.kind !== 'loopback' && i.operUp) {
      out.push(
        `Internet  ${i.ipv4.address.padEnd(15)}         -   ${macToCisco(i.mac)}  ARPA   ${i.name}`,
      );
    }
  }
  for (const a of d.arp) {
    out.push(
      `Internet  ${a.address.padEnd(15)} ${String(a.ageMinutes).padStart(9)}   ${macToCisco(a.mac)}  ARPA   ${a.interfaceName}`,
    );
  }
  return `${out.join('\n')}\n`;
}

function showCdpNeighbors(d: DeviceState): string {
  const out = [
    'Capability Codes: R - Router, T - Trans Bridge, B - Source Route Bridge',
    '                  S - Switch, H - Host, I - IGMP, r - Repeater, P - Phone, ',
    '                  D - Remote, C - CVTA, M - Two-port Mac Relay ',
    '',
    'Device ID        Local Intrfce     Holdtme    Capability  Platform  Port ID',
  ];
  const short = (n: string): string =>
    n.replace(/^GigabitEthernet/, 'Gig ').replace(/^TenGigabitEthernet/, 'Ten ');
  for (const n of d.neighbors) {
    if (n.deviceId.length > 16) out.push(n.deviceId);
    const prefix = n.deviceId.length > 16 ? ''.padEnd(17) : n.deviceId.padEnd(17);
    out.push(
      `${prefix}${short(n.localInterface).padEnd(18)}${String(n.holdTime).padEnd(14)}R S I  ${n.platform.padEnd(10)}${short(n.portId)}`,
    );
  }
  out.push('', `Total cdp entries displayed : ${d.neighbors.length}`);
  return `${out.join('\n')}\n`;
}

/** The per-neighbor form that tooling parses (ntc-templates' cisco_ios_show_cdp_neighbors_detail). */
function showCdpNeighborsDetail(d: DeviceState): string {
  const out: string[] = [];
  d.neighbors.forEach((n, i) => {
    const address = `10.255.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    out.push(
      '-------------------------',
      `Device ID: ${n.deviceId}`,
      'Entry address(es): ',
      `  IP address: ${address}`,
      `Platform: ${n.platform},  Capabilities: Router Switch IGMP `,
      `Interface: ${n.localInterface},  Port ID (outgoing port): ${n.portId}`,
      `Holdtime : ${n.holdTime} sec`,
      '',
      'Version :',
      `Cisco IOS Software [Dublin], Catalyst L3 Switch Software (CAT9K_IOSXE), Version ${d.hardware.osVersion}, RELEASE SOFTWARE (fc1)`,
      'Technical Support: http://www.cisco.com/techsupport',
      'Copyright (c) 1986-2023 by Cisco Systems, Inc.',
      '',
      'advertisement version: 2',
      'Duplex: full',
      'Management address(es): ',
      `  IP address: ${address}`,
      '',
    );
  });
  out.push('', `Total cdp entries displayed : ${d.neighbors.length}`);
  return `${out.join('\n')}\n`;
}

function showLldpNeighbors(d: DeviceState): string {
  const out = [
    'Capability codes:',
    '    (R) Router, (B) Bridge, (T) Telephone, (C) DOCSIS Cable Device',
    '    (W) WLAN Access Point, (P) Repeater, (S) Station, (O) Other',
    '',
    'Device ID           Local Intf     Hold-time  Capability      Port ID',
  ];
  for (const n of d.neighbors) {
    const id = n.deviceId.split('.')[0] ?? n.deviceId;
    out.push(
      `${id.slice(0, 20).padEnd(20)}${iosShortName(n.localInterface).padEnd(15)}${'120'.padEnd(11)}${'B,R'.padEnd(16)}${iosShortName(n.portId)}`,
    );
  }
  out.push('', `Total entries displayed: ${d.neighbors.length}`);
  return `${out.join('\n')}\n`;
}

function interfaceConfig(i: InterfaceState): string[] {
  const out = [`interface ${i.name}`];
  if (i.kind === 'management') out.push(' vrf forwarding Mgmt-vrf');
  if (i.description) out.push(` description ${i.description}`);
  if (i.kind === 'ethernet' && i.mode === 'access') {
    if (i.accessVlan !== 1) out.push(` switchport access vlan ${i.accessVlan}`);
    out.push(' switchport mode access');
  }
  if (i.kind === 'ethernet' && i.mode === 'routed') out.push(' no switchport');
  if (i.ipv4) out.push(` ip address ${i.ipv4.address} ${prefixToMask(i.ipv4.prefixLength)}`);
  else if (i.kind !== 'ethernet') out.push(' no ip address');
  if (!i.adminUp) out.push(' shutdown');
  if (i.kind === 'management') out.push(' negotiation auto');
  out.push('!');
  return out;
}

/** The configuration text as `show running-config` prints it after its byte count line. */
function iosConfigText(d: DeviceState): string {
  const body = [
    '!',
    `! Last configuration change at ${formatCiscoDate(d.lastConfigChange)} by ${d.lastConfigChangeBy}`,
    '!',
    'version 17.9',
    'service timestamps debug datetime msec',
    'service timestamps log datetime msec',
    'service password-encryption',
    'service call-home',
    'platform punt-keepalive disable-kernel-core',
    '!',
    `hostname ${d.hostname}`,
    '!',
    '!',
    'vrf definition Mgmt-vrf',
    ' !',
    ' address-family ipv4',
    ' exit-address-family',
    '!',
    'enable secret 9 $9$2Mvs0Rz8DbNhWU$Qg6Ud3hcFz9Hjq9lBh2CmL1/xLrcKUo8lyYxpCq4nMQ',
    '!',
    'no aaa new-model',
    `switch 1 provision ${d.hardware.model.toLowerCase()}`,
    '!',
    'no ip domain lookup',
    `ip domain name ${d.domain}`,
    '!',
    'login on-success log',
    '!',
    'username admin privilege 1 secret 9 $9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4v7pqCxkKM',
    '!',
    'spanning-tree mode rapid-pvst',
    'spanning-tree extend system-id',
    '!',
  ];
  for (const v of d.sortedVlans()) {
    if (v.id === 1) continue;
    body.push(`vlan ${v.id}`, ` name ${v.name}`, '!');
  }
  for (const i of d.interfaces) body.push(...interfaceConfig(i));
  body.push(
    'router ospf 1',
    ` router-id ${d.interfaces.find((i) => i.kind === 'loopback')?.ipv4?.address ?? '1.1.1.1'}`,
    ' passive-interface default',
    '!',
    'ip forward-protocol nd',
    'ip http server',
    'ip http secure-server',
    `ip route vrf Mgmt-vrf 0.0.0.0 0.0.0.0 ${d.managementGateway}`,
    'ip ssh version 2',
    '!',
    'banner motd ^C',
    `${d.hostname} - authorized access only`,
    '^C',
    '!',
    'line con 0',
    ' stopbits 1',
    'line vty 0 4',
    ' login local',
    ' transport input ssh',
    'line vty 5 15',
    ' login local',
    ' transport input ssh',
    '!',
    'end',
  );
  return `${body.join('\n')}\n`;
}

export function iosRunningConfig(d: DeviceState): string {
  const text = iosConfigText(d);
  return `Building configuration...\n\nCurrent configuration : ${text.length} bytes\n${text}\n`;
}

/** `show startup-config`: the saved configuration after its NVRAM usage line. */
function iosStartupConfig(d: DeviceState): string {
  const text = iosConfigText(d);
  return `Using ${text.length} out of 2097152 bytes\n${text}\n`;
}

/**
 * `show running-config interface X`: one interface's block between a leading `!` and `end`
 * (no `!` of its own before `end`), after the byte count of that text.
 */
function iosInterfaceRunningConfig(i: InterfaceState): string {
  const block = interfaceConfig(i).filter((line, n, all) => n < all.length - 1 || line !== '!');
  const text = `!\n${block.join('\n')}\nend\n`;
  return `Building configuration...\n\nCurrent configuration : ${text.length} bytes\n${text}\n`;
}

function showInventory(d: DeviceState): string {
  const pid = d.hardware.model.padEnd(18);
  return `NAME: "c93xx Stack", DESCR: "c93xx Stack"
PID: ${pid}, VID: V02  , SN: ${d.serial}

NAME: "Switch 1", DESCR: "C9300-24T"
PID: ${pid}, VID: V02  , SN: ${d.serial}

NAME: "Switch 1 - Power Supply A", DESCR: "Switch 1 - Power Supply A"
PID: PWR-C1-350WAC-P   , VID: V01  , SN: DTN2${d.serial.slice(3, 10)}

NAME: "Switch 1 FRU Uplink Module 1", DESCR: "4x10G Uplink Module"
PID: C9300-NM-4G       , VID: V01  , SN: FOC2${d.serial.slice(4, 11)}

`;
}

function showClock(): string {
  return `*${formatCiscoClock(new Date())}\n`;
}

// ---------------- command tree ----------------

const show =
  (fn: (d: DeviceState) => string) =>
  (ctx: CliContext): CommandOutcome => ({ output: fn(ctx.device) });

function interfaceShow(ctx: CliContext, name: string | undefined): CommandOutcome {
  const iface = name === undefined ? undefined : ctx.device.findInterface(name);
  return { output: iface ? showInterface(ctx.device, iface) : '' };
}

/** The `show` commands of user EXEC, or (`privileged`) of privileged EXEC. */
function showCommands({ privileged }: { privileged: boolean }): Def[] {
  const defs: Def[] = [
    { pattern: 'show version', run: show(showVersion) },
    { pattern: 'show ip interface brief', run: show(showIpInterfaceBrief) },
    {
      pattern: 'show interfaces',
      run: show((d) =>
        sortIos(d.interfaces)
          .map((i) => showInterface(d, i))
          .join(''),
      ),
    },
    { pattern: 'show interfaces {interface}', run: (ctx, a) => interfaceShow(ctx, a['interface']) },
    { pattern: 'show interfaces status', run: show(showInterfacesStatus) },
    { pattern: 'show interfaces description', run: show(showInterfacesDescription) },
    { pattern: 'show vlan', run: show(showVlan) },
    { pattern: 'show vlan brief', run: show(showVlanBrief) },
    { pattern: 'show ip route', run: show(showIpRoute) },
    { pattern: 'show ip arp', run: show(showIpArp) },
    { pattern: 'show arp', run: show(showIpArp) },
    { pattern: 'show cdp neighbors', run: show(showCdpNeighbors) },
    { pattern: 'show cdp neighbors detail', run: show(showCdpNeighborsDetail) },
    { pattern: 'show lldp neighbors', run: show(showLldpNeighbors) },
    { pattern: 'show inventory', run: show(showInventory) },
    { pattern: 'show clock', run: show(showClock) },
  ];
  if (privileged) {
    defs.push(
      { pattern: 'show running-config', run: show(iosRunningConfig) },
      {
        pattern: 'show running-config interface {interface}',
        run: (ctx, a) => {
          const iface = ctx.device.findInterface(a['interface'] ?? '');
          return { output: iface ? iosInterfaceRunningConfig(iface) : '' };
        },
      },
      { pattern: 'show startup-config', run: show(iosStartupConfig) },
      { pattern: 'write memory', run: () => ({ output: 'Building configuration...\n[OK]\n' }) },
      {
        pattern: 'copy running-config startup-config',
        run: () => ({
          output: 'Destination filename [startup-config]? \nBuilding configuration...\n[OK]\n',
        }),
      },
    );
  }
  return defs;
}

function enableCommand(secretOf: () => string): Def {
  return {
    pattern: 'enable',
    run: (ctx) => {
      if (ctx.privileged) return { output: '' };
      let attempts = 0;
      const onSecret = (c: CliContext, secret: string): CommandOutcome => {
        if (secret === secretOf()) {
          c.privileged = true;
          return { output: '' };
        }
        attempts += 1;
        if (attempts >= 3) return { output: '% Bad secrets\n\n' };
        return { secretPrompt: { prompt: 'Password: ', onSecret } };
      };
      return { secretPrompt: { prompt: 'Password: ', onSecret } };
    },
  };
}

export function createIosPlatform(enableSecret: () => string): Platform {
  const userTree: Tree = new CommandTree(
    [
      ...showCommands({ privileged: false }),
      ...terminalCommands(),
      ...sessionCommands(),
      enableCommand(enableSecret),
      { pattern: 'ping {word}', run: (_ctx, a) => ({ output: ping(a['word'] ?? '') }) },
    ],
    CISCO_PARAMS,
  );
  const execTree: Tree = new CommandTree(
    [
      ...showCommands({ privileged: true }),
      ...terminalCommands(),
      ...sessionCommands(),
      ...configureCommands({
        enterConfig: 'Enter configuration commands, one per line.  End with CNTL/Z.\n',
      }),
      enableCommand(enableSecret),
      {
        pattern: 'disable',
        run: (ctx) => {
          ctx.privileged = false;
          return { output: '' };
        },
      },
      { pattern: 'ping {word}', run: (_ctx, a) => ({ output: ping(a['word'] ?? '') }) },
    ],
    CISCO_PARAMS,
  );
  const configTree: Tree = new CommandTree(globalConfigCommands(), CISCO_PARAMS);
  const ifTree: Tree = new CommandTree(interfaceConfigCommands(), CISCO_PARAMS);
  const vlanTree: Tree = new CommandTree(vlanConfigCommands(), CISCO_PARAMS);

  const treeForMode = (mode: string, ctx: CliContext): Tree => {
    switch (mode) {
      case 'config':
        return configTree;
      case 'config-if':
        return ifTree;
      case 'config-vlan':
        return vlanTree;
      default:
        return ctx.privileged ? execTree : userTree;
    }
  };

  const spec: ModalCliSpec = {
    tree: (ctx) => treeForMode(ctx.mode, ctx),
    treeForMode,
    parentMode: parentOf,
    pipes: 'cisco',
    allowDo: true,
    execFromConfig: false,
    errors: {
      invalid: (ctx, line, caret, tokenIndex) => {
        const words = line.trim().split(/\s+/);
        if (ctx.mode === 'exec' && tokenIndex === 0 && words.length === 1) {
          return `Translating "${words[0] ?? ''}"\n% Unknown command or computer name, or unable to find computer address\n`;
        }
        return `${caretLine(ctx, caret)}\n% Invalid input detected at '^' marker.\n\n`;
      },
      ambiguous: (_ctx, line) => `% Ambiguous command:  "${line.trim()}"\n`,
      incomplete: () => '% Incomplete command.\n\n',
      badPipe: (ctx, _line, caret) =>
        `${caretLine(ctx, caret)}\n% Invalid input detected at '^' marker.\n\n`,
    },
  };

  return {
    id: 'ios',
    hardware: IOS_HARDWARE,
    pager: { moreText: ' --More-- ', showPercent: false, otherKeyQuits: true, erase: 'backspace' },
    sshSoftware: 'Cisco-1.25',
    startsPrivileged: false,
    execLineEnding: '\r\n',
    preAuthBanner: (d) =>
      `\r\n**************************************************************************\r\n* ${d.name.padEnd(70)} *\r\n* UNAUTHORIZED ACCESS TO THIS DEVICE IS PROHIBITED                        *\r\n* You must have explicit, authorized permission to access or configure   *\r\n* this device. All activities performed on this device are logged.       *\r\n**************************************************************************\r\n\r\n`,
    motd: (d) => `\n${d.hostname} - authorized access only\n\n`,
    prompt: (ctx) =>
      `${ctx.device.hostname}${ctx.mode === 'exec' ? (ctx.privileged ? '#' : '>') : configPromptSuffix(ctx.mode)}`,
    execPatterns: execTree.patterns,
    execute: (ctx, line) => runModal(spec, ctx, line),
    ctrlZ: ciscoCtrlZ,
  };
}

function ping(target: string): string {
  return `Type escape sequence to abort.\nSending 5, 100-byte ICMP Echos to ${target}, timeout is 2 seconds:\n!!!!!\nSuccess rate is 100 percent (5/5), round-trip min/avg/max = 1/1/2 ms\n`;
}
