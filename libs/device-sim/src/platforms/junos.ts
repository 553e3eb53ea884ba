/** Juniper Junos (EX4300): operational and configuration mode, candidate config with commit. */
import type { CommandDef, ParamSpec } from '../cli/command-tree';
import { CommandTree, numberParam, restParam, wordParam } from '../cli/command-tree';
import type { DeviceState, HardwareProfile, InterfaceState } from '../device-state';
import { formatIsoUtc, macToColon, networkOf } from '../device-state';
import type { ModalCliSpec, Tree } from './modal-cli';
import { caretLine, runModal } from './modal-cli';
import type { CliContext, CommandOutcome, Platform } from './platform';

const VERSION = '22.4R2.8';

export const JUNOS_HARDWARE: HardwareProfile = {
  vendor: 'Juniper',
  model: 'ex4300-48t',
  osVersion: VERSION,
  serialPrefix: 'PE37',
  macPrefix: '2c6bf5',
  ethernetCount: 16,
  ethernetSpeedMbps: 1000,
  ethernetName: (i) => `ge-0/0/${i}`,
  shortName: (n) => n,
  managementName: 'me0',
  loopbackName: 'lo0',
  sviName: (vlan) => `irb.${vlan}`,
  hasVlans: true,
};

type Def = CommandDef<CliContext, CommandOutcome>;

const PARAMS: Record<string, ParamSpec<CliContext>> = {
  interface: {
    help: '<interface-name>',
    match(tokens, index, ctx) {
      const text = tokens[index]?.text ?? '';
      const found = ctx.device.interfaces.find(
        (i) => i.name === text || i.name === text.replace(/\.0$/, ''),
      );
      return found ? { value: found.name, consumed: 1 } : undefined;
    },
  },
  vlanId: numberParam<CliContext>(1, 4094),
  word: wordParam<CliContext>('<name>'),
  text: restParam<CliContext>('<description>'),
  screen: numberParam<CliContext>(0, 100000),
};

function secondsAgo(s: number): string {
  const w = Math.floor(s / 604800);
  const d = Math.floor((s % 604800) / 86400);
  const hms = [Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60), s % 60]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
  return `${w > 0 ? `${w}w` : ''}${d}d ${hms}`;
}

function showVersion(d: DeviceState): string {
  return `fpc0:
--------------------------------------------------------------------------
Hostname: ${d.hostname}
Model: ${d.hardware.model}
Junos: ${VERSION}
JUNOS OS Kernel 32-bit  [20230601.f1e3c7a_builder_stable_12_223]
JUNOS OS libs [20230601.f1e3c7a_builder_stable_12_223]
JUNOS OS runtime [20230601.f1e3c7a_builder_stable_12_223]
JUNOS OS time zone information [20230601.f1e3c7a_builder_stable_12_223]
JUNOS network stack and utilities [20230615.132149_builder_junos_224_r2]
JUNOS EX  Software Suite [${VERSION}]
JUNOS Online Documentation [${VERSION}]
JUNOS EX 4300 Software Suite [${VERSION}]
JUNOS Web Management Platform Package [${VERSION}]

`;
}

function showInterfacesTerse(d: DeviceState): string {
  const out = ['Interface               Admin Link Proto    Local                 Remote'];
  const f = (name: string, admin: string, link: string, proto = '', local = ''): string =>
    `${name.padEnd(23)} ${admin.padEnd(5)} ${link.padEnd(4)} ${proto.padEnd(8)} ${local}`.trimEnd();
  for (const i of d.interfaces) {
    const admin = i.adminUp ? 'up' : 'down';
    const link = i.operUp ? 'up' : 'down';
    if (i.kind === 'svi') continue;
    out.push(f(i.name, admin, link));
    if (i.ipv4)
      out.push(f(`${i.name}.0`, admin, link, 'inet', `${i.ipv4.address}/${i.ipv4.prefixLength}`));
    else if (i.kind === 'ethernet') out.push(f(`${i.name}.0`, admin, link, 'eth-switch'));
  }
  const svis = d.interfaces.filter((i) => i.kind === 'svi');
  if (svis.length > 0) {
    out.push(f('irb', 'up', 'up'));
    for (const i of svis)
      out.push(
        f(
          i.name,
          i.adminUp ? 'up' : 'down',
          'up',
          'inet',
          i.ipv4 ? `${i.ipv4.address}/${i.ipv4.prefixLength}` : '',
        ),
      );
  }
  out.push(f('vme', 'up', 'down'));
  return `${out.join('\n')}\n\n`;
}

function showInterface(d: DeviceState, i: InterfaceState): string {
  const c = i.counters;
  const lines = [
    // A disabled port turns its laser off: the physical link is down whatever the cable.
    `Physical interface: ${i.name}, ${i.adminUp ? 'Enabled' : 'Administratively down'}, Physical link is ${i.operUp ? 'Up' : 'Down'}`,
    `  Interface index: ${128 + i.index}, SNMP ifIndex: ${500 + i.index}`,
  ];
  if (i.description) lines.push(`  Description: ${i.description}`);
  lines.push(
    `  Link-level type: Ethernet, MTU: 1514, Link-mode: Full-duplex, Speed: ${i.speedMbps >= 1000 ? `${i.speedMbps / 1000}Gbps` : `${i.speedMbps}mbps`}, BPDU Error: None, Loop Detect PDU Error: None, Ethernet-Switching Error: None, MAC-REWRITE Error: None, Loopback: Disabled, Source filtering: Disabled, Flow control: Disabled, Auto-negotiation: Enabled, Remote fault: Online`,
    `  Device flags   : Present Running${i.operUp ? '' : ' Down'}`,
    `  Interface flags: ${i.adminUp ? '' : 'Down '}${i.operUp ? '' : 'Hardware-Down '}SNMP-Traps Internal: 0x4000`,
    '  Link flags     : None',
    '  CoS queues     : 12 supported, 12 maximum usable queues',
    `  Current address: ${macToColon(i.mac)}, Hardware address: ${macToColon(i.mac)}`,
    `  Last flapped   : ${formatIsoUtc(d.bootTime)} (${secondsAgo(d.uptimeSeconds)} ago)`,
    `  Input rate     : ${i.operUp ? 1232 : 0} bps (${i.operUp ? 2 : 0} pps)`,
    `  Output rate    : ${i.operUp ? 2344 : 0} bps (${i.operUp ? 3 : 0} pps)`,
    `  Active alarms  : ${i.operUp ? 'None' : 'LINK'}`,
    `  Active defects : ${i.operUp ? 'None' : 'LINK'}`,
    '  Interface transmit statistics: Disabled',
    '',
    `  Logical interface ${i.name}.0 (Index ${330 + i.index}) (SNMP ifIndex ${520 + i.index})`,
    `    Flags: ${i.operUp ? 'Up' : 'Device-Down'} SNMP-Traps 0x4004000 Encapsulation: ENET2`,
    `    Input packets : ${c.inPackets}`,
    `    Output packets: ${c.outPackets}`,
  );
  if (i.ipv4) {
    lines.push(
      '    Protocol inet, MTU: 1500',
      '      Flags: Sendbcast-pkt-to-re',
      '      Addresses, Flags: Is-Preferred Is-Primary',
      `        Destination: ${networkOf(i.ipv4)}/${i.ipv4.prefixLength}, Local: ${i.ipv4.address}, Broadcast: Unspecified`,
    );
  } else {
    lines.push('    Protocol eth-switch, MTU: 1514', '      Flags: Is-Primary');
  }
  return `${lines.join('\n')}\n\n`;
}

function showRoute(d: DeviceState): string {
  const entries: { key: number; lines: string[] }[] = [];
  const num = (p: string): number => p.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const age = secondsAgo(Math.min(d.uptimeSeconds, 20 * 86400));
  for (const i of d.interfaces) {
    if (!i.ipv4 || !i.operUp) continue;
    const unit = i.kind === 'svi' ? i.name : `${i.name}.0`;
    if (i.ipv4.prefixLength < 32) {
      const net = networkOf(i.ipv4);
      entries.push({
        key: num(net),
        lines: [
          `${`${net}/${i.ipv4.prefixLength}`.padEnd(18)} *[Direct/0] ${age}`,
          `                    >  via ${unit}`,
        ],
      });
    }
    entries.push({
      key: num(i.ipv4.address) + 0.5,
      lines: [
        `${`${i.ipv4.address}/32`.padEnd(18)} *[Local/0] ${age}`,
        `                       Local via ${unit}`,
      ],
    });
  }
  for (const r of d.routes) {
    if (!d.findInterface(r.interfaceName)?.operUp) continue;
    entries.push({
      key: num(r.prefix),
      lines: [
        `${`${r.prefix}/${r.prefixLength}`.padEnd(18)} *[OSPF/10] ${age}, metric ${r.metric}`,
        `                    >  to ${r.nextHop} via ${r.interfaceName}.0`,
      ],
    });
  }
  entries.sort((a, b) => a.key - b.key);
  const out = [
    '',
    `inet.0: ${entries.length} destinations, ${entries.length} routes (${entries.length} active, 0 holddown, 0 hidden)`,
    '+ = Active Route, - = Last Active, * = Both',
    '',
    ...entries.flatMap((e) => e.lines),
  ];
  return `${out.join('\n')}\n\n`;
}

/** `show arp` (with the resolved `Name` column) or `show arp no-resolve` (without it). */
function showArp(d: DeviceState, { resolve }: { resolve: boolean }): string {
  const out = [
    resolve
      ? 'MAC Address       Address         Name                      Interface               Flags'
      : 'MAC Address       Address         Interface                Flags',
  ];
  for (const a of d.arp) {
    const iface = a.interfaceName.startsWith('irb')
      ? `${a.interfaceName} [ge-0/0/${a.ageMinutes % 16}.0]`
      : `${a.interfaceName}.0`;
    const name = resolve ? `${a.address.padEnd(25)} ` : '';
    out.push(
      `${macToColon(a.mac)} ${a.address.padEnd(15)} ${name}${iface.padEnd(resolve ? 23 : 24)} none`,
    );
  }
  out.push(`Total entries: ${d.arp.length}`);
  return `${out.join('\n')}\n\n`;
}

function showLldpNeighbors(d: DeviceState): string {
  const out = [
    'Local Interface    Parent Interface    Chassis Id          Port info          System Name',
  ];
  for (const n of d.neighbors) {
    out.push(
      `${n.localInterface.padEnd(19)}${'-'.padEnd(20)}${macToColon(n.chassisMac).padEnd(20)}${n.portId.padEnd(19)}${n.deviceId.split('.')[0] ?? ''}`,
    );
  }
  return `${out.join('\n')}\n\n`;
}

function showVlans(d: DeviceState): string {
  const out = ['', 'Routing instance        VLAN name             Tag          Interfaces'];
  for (const v of [...d.vlans.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    out.push(`default-switch          ${v.name.padEnd(21)} ${String(v.id).padEnd(12)} `);
    for (const i of d.interfaces.filter(
      (x) => x.kind === 'ethernet' && x.mode === 'access' && x.accessVlan === v.id,
    )) {
      out.push(`${' '.repeat(59)}${i.name}.0${i.operUp ? '*' : ''}`);
    }
  }
  return `${out.join('\n')}\n\n`;
}

export function junosConfig(d: DeviceState): string {
  const out = [
    `## Last commit: ${formatIsoUtc(d.lastConfigChange)} by ${d.lastConfigChangeBy}`,
    `version ${VERSION};`,
    'system {',
    `    host-name ${d.hostname};`,
    `    domain-name ${d.domain};`,
    '    root-authentication {',
    '        encrypted-password "$6$kT1.Ws5e$Q2"; ## SECRET-DATA',
    '    }',
    '    login {',
    '        user admin {',
    '            uid 2000;',
    '            class super-user;',
    '        }',
    '    }',
    '    services {',
    '        ssh;',
    '        netconf {',
    '            ssh;',
    '        }',
    '    }',
    '}',
    'interfaces {',
  ];
  for (const i of d.interfaces.filter((x) => x.kind !== 'svi')) {
    out.push(`    ${i.name} {`);
    if (i.description) out.push(`        description "${i.description}";`);
    if (!i.adminUp) out.push('        disable;');
    out.push('        unit 0 {');
    if (i.ipv4)
      out.push(
        '            family inet {',
        `                address ${i.ipv4.address}/${i.ipv4.prefixLength};`,
        '            }',
      );
    else if (i.kind === 'ethernet') {
      const vlan = d.vlans.get(i.accessVlan);
      out.push(
        '            family ethernet-switching {',
        '                vlan {',
        `                    members ${vlan?.name ?? 'default'};`,
        '                }',
        '            }',
      );
    }
    out.push('        }', '    }');
  }
  const svis = d.interfaces.filter((x) => x.kind === 'svi');
  if (svis.length > 0) {
    out.push('    irb {');
    for (const s of svis) {
      out.push(
        `        unit ${s.name.split('.')[1] ?? '0'} {`,
        '            family inet {',
        `                address ${s.ipv4?.address ?? ''}/${s.ipv4?.prefixLength ?? 24};`,
        '            }',
        '        }',
      );
    }
    out.push('    }');
  }
  out.push(
    '}',
    'routing-options {',
    '    static {',
    `        route 0.0.0.0/0 next-hop ${d.managementGateway};`,
    '    }',
    '}',
    'vlans {',
  );
  for (const v of [...d.vlans.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    out.push(`    ${v.name} {`, `        vlan-id ${v.id};`);
    if (d.findInterface(`irb.${v.id}`)) out.push(`        l3-interface irb.${v.id};`);
    out.push('    }');
  }
  out.push('}');
  return `${out.join('\n')}\n\n`;
}

function displaySet(d: DeviceState): string {
  const out = [
    `set version ${VERSION}`,
    `set system host-name ${d.hostname}`,
    `set system domain-name ${d.domain}`,
  ];
  for (const i of d.interfaces.filter((x) => x.kind !== 'svi')) {
    if (i.description) out.push(`set interfaces ${i.name} description "${i.description}"`);
    if (!i.adminUp) out.push(`set interfaces ${i.name} disable`);
    if (i.ipv4)
      out.push(
        `set interfaces ${i.name} unit 0 family inet address ${i.ipv4.address}/${i.ipv4.prefixLength}`,
      );
    else if (i.kind === 'ethernet')
      out.push(
        `set interfaces ${i.name} unit 0 family ethernet-switching vlan members ${d.vlans.get(i.accessVlan)?.name ?? 'default'}`,
      );
  }
  out.push(`set routing-options static route 0.0.0.0/0 next-hop ${d.managementGateway}`);
  for (const v of [...d.vlans.values()].sort((a, b) => a.name.localeCompare(b.name)))
    out.push(`set vlans ${v.name} vlan-id ${v.id}`);
  return `${out.join('\n')}\n\n`;
}

function showChassisHardware(d: DeviceState): string {
  return `Hardware inventory:
Item             Version  Part number  Serial number     Description
Chassis                                ${d.serial.padEnd(17)} EX4300-48T
Routing Engine 0 REV 08   650-044936   ${d.serial.padEnd(17)} EX4300-48T
FPC 0            REV 08   650-044936   ${d.serial.padEnd(17)} EX4300-48T
  CPU                     BUILTIN      BUILTIN           FPC CPU
  PIC 0                   BUILTIN      BUILTIN           48x 10/100/1000 Base-T
  PIC 1                   REV 05   611-044925   MY${d.serial.slice(4, 12).padEnd(15)} 4x 40GE QSFP+
Power Supply 0   REV 05   740-046873   1EDE${d.serial.slice(4, 11).padEnd(13)} JPSU-350-AC-AFO
Fan Tray 0                                               Fan Module, Airflow Out (AFO)
Fan Tray 1                                               Fan Module, Airflow Out (AFO)

`;
}

const show =
  (fn: (d: DeviceState) => string) =>
  (ctx: CliContext): CommandOutcome => ({ output: fn(ctx.device) });

function opCommands(): Def[] {
  return [
    { pattern: 'show version', run: show(showVersion) },
    { pattern: 'show interfaces terse', run: show(showInterfacesTerse) },
    {
      pattern: 'show interfaces',
      run: show((d) =>
        d.interfaces
          .filter((i) => i.kind !== 'svi')
          .map((i) => showInterface(d, i))
          .join(''),
      ),
    },
    {
      pattern: 'show interfaces {interface}',
      run: (ctx, a) => {
        const i = ctx.device.findInterface(a['interface'] ?? '');
        return { output: i ? showInterface(ctx.device, i) : '' };
      },
    },
    {
      pattern: 'show interfaces {interface} terse',
      run: (ctx, a) => ({
        output:
          showInterfacesTerse(ctx.device)
            .split('\n')
            .filter((l, n) => n === 0 || l.startsWith(a['interface'] ?? '\0'))
            .join('\n') + '\n\n',
      }),
    },
    { pattern: 'show vlans', run: show(showVlans) },
    { pattern: 'show route', run: show(showRoute) },
    { pattern: 'show arp', run: show((d) => showArp(d, { resolve: true })) },
    { pattern: 'show arp no-resolve', run: show((d) => showArp(d, { resolve: false })) },
    { pattern: 'show lldp neighbors', run: show(showLldpNeighbors) },
    { pattern: 'show configuration', run: show(junosConfig) },
    { pattern: 'show chassis hardware', run: show(showChassisHardware) },
    {
      pattern: 'show system uptime',
      run: show(
        (d) =>
          `Current time: ${formatIsoUtc(new Date())}\nSystem booted: ${formatIsoUtc(d.bootTime)} (${secondsAgo(d.uptimeSeconds)} ago)\n\n`,
      ),
    },
    {
      pattern: 'set cli screen-length {screen}',
      run: (ctx, a) => {
        const n = Number(a['screen']);
        ctx.pageLength = n;
        ctx.paging = n > 0;
        return { output: `Screen length set to ${n}\n` };
      },
    },
    {
      pattern: 'set cli screen-width {screen}',
      run: (_c, a) => ({ output: `Screen width set to ${a['screen'] ?? ''}\n` }),
    },
    {
      pattern: 'configure',
      run: (ctx) => {
        ctx.mode = 'config';
        ctx.pending = [];
        return { output: 'Entering configuration mode\n' };
      },
    },
    {
      pattern: 'configure private',
      run: (ctx) => {
        ctx.mode = 'config';
        ctx.pending = [];
        return { output: 'Entering configuration mode\n' };
      },
    },
    { pattern: 'exit', run: () => ({ close: true }) },
    { pattern: 'quit', run: () => ({ close: true }) },
  ];
}

function queue(ctx: CliContext, change: (d: DeviceState, by: string) => void): CommandOutcome {
  const by = ctx.username;
  ctx.pending.push((d) => change(d, by));
  return { output: '' };
}

function leaveConfig(ctx: CliContext): CommandOutcome {
  if (ctx.pending.length > 0) {
    ctx.pending = [];
    ctx.mode = 'exec';
    return {
      output:
        'The configuration has been changed but not committed\nExiting configuration mode\n\n',
    };
  }
  ctx.mode = 'exec';
  return { output: 'Exiting configuration mode\n\n' };
}

function commit(ctx: CliContext): void {
  for (const change of ctx.pending) change(ctx.device);
  ctx.pending = [];
}

function configCommands(): Def[] {
  return [
    {
      pattern: 'set system host-name {word}',
      run: (ctx, a) => queue(ctx, (d, by) => d.setHostname(a['word'] ?? d.hostname, by)),
    },
    {
      pattern: 'set interfaces {interface} description {text}',
      run: (ctx, a) =>
        queue(ctx, (d, by) => d.setDescription(a['interface'] ?? '', a['text'] ?? '', by)),
    },
    {
      pattern: 'delete interfaces {interface} description',
      run: (ctx, a) => queue(ctx, (d, by) => d.setDescription(a['interface'] ?? '', '', by)),
    },
    {
      pattern: 'set interfaces {interface} disable',
      run: (ctx, a) => queue(ctx, (d, by) => d.setAdminUp(a['interface'] ?? '', false, by)),
    },
    {
      pattern: 'delete interfaces {interface} disable',
      run: (ctx, a) => queue(ctx, (d, by) => d.setAdminUp(a['interface'] ?? '', true, by)),
    },
    {
      pattern: 'set vlans {word} vlan-id {vlanId}',
      run: (ctx, a) =>
        queue(ctx, (d, by) => {
          const id = Number(a['vlanId']);
          const name = a['word'] ?? '';
          for (const v of d.vlans.values())
            if (v.name === name && v.id !== id) d.deleteVlan(v.id, by);
          d.createVlan(id, name, by);
        }),
    },
    {
      pattern: 'delete vlans {word}',
      run: (ctx, a) =>
        queue(ctx, (d, by) => {
          for (const v of [...d.vlans.values()]) if (v.name === a['word']) d.deleteVlan(v.id, by);
        }),
    },
    {
      pattern: 'commit',
      run: (ctx) => {
        commit(ctx);
        return { output: 'commit complete\n' };
      },
    },
    {
      pattern: 'commit and-quit',
      run: (ctx) => {
        commit(ctx);
        ctx.mode = 'exec';
        return { output: 'commit complete\nExiting configuration mode\n\n' };
      },
    },
    {
      pattern: 'commit check',
      run: () => ({ output: 'configuration check succeeds\n' }),
    },
    {
      pattern: 'rollback',
      run: (ctx) => {
        ctx.pending = [];
        return { output: 'load complete\n' };
      },
    },
    { pattern: 'show', run: show(junosConfig) },
    { pattern: 'top', run: () => ({ output: '' }) },
    { pattern: 'exit', run: leaveConfig },
    { pattern: 'quit', run: leaveConfig },
    { pattern: 'exit configuration-mode', run: leaveConfig },
    {
      pattern: 'run {text}',
      run: () => ({ output: '' }),
    },
  ];
}

export function createJunosPlatform(): Platform {
  const opTree: Tree = new CommandTree(opCommands(), PARAMS, { quotes: true });
  const cfgDefs = configCommands();
  const trees: { config?: Tree } = {};
  const treeForMode = (mode: string): Tree =>
    mode === 'config' && trees.config ? trees.config : opTree;
  const spec: ModalCliSpec = {
    tree: (ctx) => treeForMode(ctx.mode),
    treeForMode,
    parentMode: () => undefined,
    pipes: 'junos',
    allowDo: false,
    execFromConfig: false,
    errors: {
      invalid: (ctx, _line, caret, tokenIndex) =>
        `${caretLine(ctx, caret)}\n${tokenIndex === 0 ? 'unknown command.' : 'syntax error, expecting <command>.'}\n`,
      ambiguous: (ctx, _line, token, candidates) =>
        `${caretLine(ctx, token.start)}\n'${token.text}' is ambiguous.\nPossible completions:\n${candidates.map((c) => `  ${c}`).join('\n')}\n`,
      incomplete: (ctx, line) =>
        `${caretLine(ctx, line.trimEnd().length + 1)}\nsyntax error, expecting <command>.\n`,
      badPipe: (ctx, _line, caret) =>
        `${caretLine(ctx, caret)}\nsyntax error, expecting <command>.\n`,
    },
  };
  // `run <op command>` from configuration mode.
  trees.config = new CommandTree(
    cfgDefs.map((d) =>
      d.pattern === 'run {text}'
        ? {
            ...d,
            run: (ctx: CliContext, a: Readonly<Record<string, string | undefined>>) => {
              const saved = ctx.mode;
              ctx.mode = 'exec';
              try {
                return runModal(spec, ctx, a['text'] ?? '');
              } finally {
                ctx.mode = saved;
              }
            },
          }
        : d,
    ),
    PARAMS,
    { quotes: true },
  );
  return {
    id: 'junos',
    hardware: JUNOS_HARDWARE,
    pager: {
      moreText: '---(more)---',
      showPercent: true,
      otherKeyQuits: false,
      erase: 'carriage-return',
    },
    sshSoftware: 'OpenSSH_7.5',
    startsPrivileged: true,
    execLineEnding: '\n',
    preAuthBanner: () => undefined,
    motd: (d) =>
      `Last login: ${new Date(d.bootTime.getTime() + 7200_000).toUTCString()} from 10.0.0.5\n--- JUNOS ${VERSION} Kernel 32-bit  JNPR-11.0-20230601.f1e3c7a_buil\n{master:0}\n`,
    prompt: (ctx) =>
      ctx.mode === 'config'
        ? `\n[edit]\n${ctx.username}@${ctx.device.hostname}# `
        : `${ctx.username}@${ctx.device.hostname}> `,
    execPatterns: opTree.patterns,
    execute: (ctx, line) => {
      if (/\|\s*display\s+set\s*$/.test(line) && /^\s*show\s+configuration/.test(line))
        return { output: displaySet(ctx.device) };
      if (ctx.mode === 'config' && /^\s*show\s*\|\s*compare\s*$/.test(line)) return { output: '' };
      return runModal(spec, ctx, line);
    },
  };
}
