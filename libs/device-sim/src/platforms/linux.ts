/** A Linux (Ubuntu 22.04) shell: a handful of commands, exit codes and stderr like bash. */
import type { DeviceState, HardwareProfile, InterfaceState, Ipv4 } from '../device-state';
import { intToIp, ipToInt, macToColon, networkOf } from '../device-state';
import type { CliContext, CommandOutcome, Platform } from './platform';

export const LINUX_HARDWARE: HardwareProfile = {
  vendor: 'Canonical',
  model: 'KVM',
  osVersion: '22.04.3 LTS',
  serialPrefix: 'VM',
  macPrefix: '525400',
  ethernetCount: 2,
  ethernetSpeedMbps: 1000,
  ethernetName: (i) => `eth${i + 1}`,
  shortName: (n) => n,
  managementName: 'eth0',
  loopbackName: undefined,
  sviName: (vlan) => `eth0.${vlan}`,
  hasVlans: false,
};

const KERNEL = '5.15.0-91-generic';

function uptime(d: DeviceState): string {
  const now = new Date();
  const s = d.uptimeSeconds;
  const days = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const clock = [now.getUTCHours(), now.getUTCMinutes(), now.getUTCSeconds()]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
  return ` ${clock} up ${days} days, ${String(h).padStart(2)}:${String(m).padStart(2, '0')},  1 user,  load average: 0.08, 0.03, 0.01\n`;
}

/** The EUI-64 link-local address of a MAC (`525400123456` -> `fe80::5054:ff:fe12:3456`). */
function linkLocal(mac: string): string {
  const first = (parseInt(mac.slice(0, 2), 16) ^ 0x02).toString(16).padStart(2, '0');
  const eui = `${first}${mac.slice(2, 6)}fffe${mac.slice(6, 12)}`;
  const groups = (eui.match(/.{4}/g) ?? []).map((g) => parseInt(g, 16).toString(16));
  return `fe80::${groups.join(':')}`;
}

function broadcastOf(ip: Ipv4): string {
  const host = ip.prefixLength >= 32 ? 0 : 0xffffffff >>> ip.prefixLength;
  return intToIp((ipToInt(ip.address) | host) >>> 0);
}

/** The kernel's state word of an interface: DOWN when disabled or without carrier. */
function operState(i: InterfaceState): string {
  return i.operUp ? 'UP' : 'DOWN';
}

/** `<BROADCAST,MULTICAST,UP,LOWER_UP>`; `NO-CARRIER` when up without a link; no `UP` when down. */
function linkFlags(i: InterfaceState): string {
  if (!i.adminUp) return '<BROADCAST,MULTICAST>';
  return i.linkUp ? '<BROADCAST,MULTICAST,UP,LOWER_UP>' : '<NO-CARRIER,BROADCAST,MULTICAST,UP>';
}

/** The first line of `ip link` / `ip address` for an interface (`mode DEFAULT` for `ip link`). */
function linkHeader(n: number, i: InterfaceState, mode: string): string {
  const qdisc = i.adminUp ? 'fq_codel' : 'noop';
  return `${n}: ${i.name}: ${linkFlags(i)} mtu ${i.mtu} qdisc ${qdisc} state ${operState(i)}${mode} group default qlen 1000`;
}

/** The interfaces `ip` lists (lo first, as the kernel numbers them), or the one named. */
function ipTargets(d: DeviceState, name: string | undefined): InterfaceState[] | string {
  if (name === undefined) return d.interfaces;
  if (name === 'lo') return [];
  const iface = d.interfaces.find((i) => i.name === name);
  return iface ? [iface] : `Device "${name}" does not exist.\n`;
}

/** `ip -brief address`: one line per interface, `lo` first. */
function ipBrAddr(d: DeviceState, only: readonly InterfaceState[], withLo: boolean): string {
  const out = withLo ? [`${'lo'.padEnd(16)} ${'UNKNOWN'.padEnd(14)} 127.0.0.1/8 ::1/128 `] : [];
  for (const i of only) {
    const v4 = i.ipv4 ? `${i.ipv4.address}/${i.ipv4.prefixLength} ` : '';
    const v6 = i.adminUp ? `${linkLocal(i.mac)}/64 ` : '';
    out.push(`${i.name.padEnd(16)} ${operState(i).padEnd(14)} ${v4}${v6}`);
  }
  return `${out.join('\n')}\n`;
}

/** `ip address show`: the detailed form (flags, link, inet and inet6 lines with lifetimes). */
function ipAddr(d: DeviceState, only: readonly InterfaceState[], withLo: boolean): string {
  const forever = '       valid_lft forever preferred_lft forever';
  const out = withLo
    ? [
        '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000',
        '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
        '    inet 127.0.0.1/8 scope host lo',
        forever,
        '    inet6 ::1/128 scope host ',
        forever,
      ]
    : [];
  for (const i of only) {
    out.push(
      linkHeader(d.interfaces.indexOf(i) + 2, i, ''),
      `    link/ether ${macToColon(i.mac)} brd ff:ff:ff:ff:ff:ff`,
    );
    if (i.ipv4) {
      const brd = i.ipv4.prefixLength < 31 ? ` brd ${broadcastOf(i.ipv4)}` : '';
      out.push(
        `    inet ${i.ipv4.address}/${i.ipv4.prefixLength}${brd} scope global ${i.name}`,
        forever,
      );
    }
    // The kernel drops the link-local address of a disabled interface (and keeps it
    // tentative until the link comes up).
    if (i.adminUp)
      out.push(
        `    inet6 ${linkLocal(i.mac)}/64 scope link ${i.linkUp ? '' : 'tentative '}`,
        forever,
      );
  }
  return `${out.join('\n')}\n`;
}

function ipRoute(d: DeviceState): string {
  const mgmt = d.interfaces[0];
  const out = [`default via ${d.managementGateway} dev ${mgmt?.name ?? 'eth0'} proto static `];
  for (const i of d.interfaces) {
    if (!i.ipv4 || !i.operUp) continue;
    out.push(
      `${networkOf(i.ipv4)}/${i.ipv4.prefixLength} dev ${i.name} proto kernel scope link src ${i.ipv4.address} `,
    );
  }
  for (const r of d.routes)
    out.push(
      `${r.prefix}/${r.prefixLength} via ${r.nextHop} dev ${r.interfaceName} proto ospf metric 20 `,
    );
  return `${out.join('\n')}\n`;
}

function ipLink(d: DeviceState, only: readonly InterfaceState[], withLo: boolean): string {
  const out = withLo
    ? [
        '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000',
        '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
      ]
    : [];
  for (const i of only)
    out.push(
      linkHeader(d.interfaces.indexOf(i) + 2, i, ' mode DEFAULT'),
      `    link/ether ${macToColon(i.mac)} brd ff:ff:ff:ff:ff:ff`,
    );
  return `${out.join('\n')}\n`;
}

const OS_RELEASE = `PRETTY_NAME="Ubuntu 22.04.3 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.3 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=jammy
`;

type Cmd = (ctx: CliContext, args: string[]) => CommandOutcome;

/** The most lines `seq` prints (about 7 MB). */
const SEQ_MAX_LINES = 1_000_000;

const ok = (output: string): CommandOutcome => ({ output, exitCode: 0 });

const COMMANDS: Record<string, Cmd> = {
  uname: (ctx, args) => {
    const d = ctx.device;
    if (args.includes('-a'))
      return ok(
        `Linux ${d.hostname} ${KERNEL} #101-Ubuntu SMP Tue Nov 14 13:30:08 UTC 2023 x86_64 x86_64 x86_64 GNU/Linux\n`,
      );
    if (args.includes('-r')) return ok(`${KERNEL}\n`);
    if (args.includes('-n')) return ok(`${d.hostname}\n`);
    if (args.includes('-m')) return ok('x86_64\n');
    return ok('Linux\n');
  },
  hostname: (ctx, args) => {
    if (args.length > 0 && !args[0]?.startsWith('-')) {
      if (ctx.username !== 'root')
        return { stderr: 'hostname: you must be root to change the host name\n', exitCode: 1 };
      ctx.device.setHostname(args[0] ?? ctx.device.hostname, ctx.username);
      return ok('');
    }
    if (args.includes('-I'))
      return ok(`${ctx.device.ipAddresses.map((a) => a.split('/')[0]).join(' ')} \n`);
    return ok(`${ctx.device.hostname}\n`);
  },
  whoami: (ctx) => ok(`${ctx.username}\n`),
  id: (ctx) =>
    ok(
      ctx.username === 'root'
        ? 'uid=0(root) gid=0(root) groups=0(root)\n'
        : `uid=1000(${ctx.username}) gid=1000(${ctx.username}) groups=1000(${ctx.username}),4(adm),27(sudo)\n`,
    ),
  pwd: (ctx) => ok(ctx.username === 'root' ? '/root\n' : `/home/${ctx.username}\n`),
  echo: (_ctx, args) => ok(`${args.join(' ')}\n`),
  uptime: (ctx) => ok(uptime(ctx.device)),
  true: () => ok(''),
  false: () => ({ output: '', exitCode: 1 }),
  date: () => ok(`${new Date().toUTCString().replace('GMT', 'UTC')}\n`),
  /** `seq [FIRST] LAST`: integers, one a line (how tests get outputs of megabytes). */
  seq: (_ctx, args) => {
    const numbers = args.map(Number);
    if (numbers.length < 1 || numbers.length > 2 || !numbers.every(Number.isSafeInteger))
      return { stderr: 'seq: usage: seq [FIRST] LAST (integers)\n', exitCode: 1 };
    const [first, last] = numbers.length === 2 ? numbers : [1, numbers[0]];
    if ((last ?? 0) - (first ?? 0) >= SEQ_MAX_LINES)
      return { stderr: `seq: at most ${SEQ_MAX_LINES} numbers here\n`, exitCode: 1 };
    const lines: string[] = [];
    for (let n = first ?? 1; n <= (last ?? 0); n++) lines.push(String(n));
    return ok(lines.length === 0 ? '' : `${lines.join('\n')}\n`);
  },
  cat: (ctx, args) => {
    const results: string[] = [];
    const errors: string[] = [];
    for (const file of args) {
      if (file === '/etc/os-release' || file === '/usr/lib/os-release') results.push(OS_RELEASE);
      else if (file === '/etc/hostname') results.push(`${ctx.device.hostname}\n`);
      else if (file === '/etc/issue') results.push('Ubuntu 22.04.3 LTS \\n \\l\n\n');
      else if (file === '/proc/uptime')
        results.push(`${ctx.device.uptimeSeconds}.42 ${ctx.device.uptimeSeconds * 2}.17\n`);
      else errors.push(`cat: ${file}: No such file or directory\n`);
    }
    return {
      output: results.join(''),
      stderr: errors.join(''),
      exitCode: errors.length > 0 ? 1 : 0,
    };
  },
  ip: (ctx, args) => {
    const d = ctx.device;
    const flags = args.filter((a) => a.startsWith('-'));
    const [obj = '', ...rest] = args.filter((a) => !a.startsWith('-'));
    const is = (word: string): boolean => obj !== '' && word.startsWith(obj);
    if (is('route')) return ok(ipRoute(d));
    if (!is('address') && !is('link'))
      return { stderr: `Object "${obj}" is unknown, try "ip help".\n`, exitCode: 1 };
    // `ip address|link [show|list|lst [[dev] NAME]]` (subcommands match by prefix, like iproute2).
    const [sub, ...filter] = rest;
    const isShow = (w: string): boolean =>
      'show'.startsWith(w) || 'list'.startsWith(w) || w === 'lst';
    if (sub !== undefined && !isShow(sub))
      return {
        stderr: `Command "${sub}" is unknown, try "ip ${is('link') ? 'link' : 'address'} help".\n`,
        exitCode: 255,
      };
    const name = filter[0] === 'dev' ? filter[1] : filter[0];
    const only = ipTargets(d, name);
    if (typeof only === 'string') return { stderr: only, exitCode: 1 };
    const withLo = name === undefined || name === 'lo';
    if (is('link')) return ok(ipLink(d, only, withLo));
    const brief = flags.some((f) => f === '-br' || f === '-brief');
    return ok(brief ? ipBrAddr(d, only, withLo) : ipAddr(d, only, withLo));
  },
};

/** Runs one simple command (no pipes); `a; b` and `a && b` sequences are supported. */
export function runShellLine(ctx: CliContext, line: string): CommandOutcome {
  let output = '';
  let stderr = '';
  let exitCode = 0;
  const parts = line.split(/(;|&&|\|\|)/);
  let op = ';';
  for (const raw of parts) {
    if (raw === ';' || raw === '&&' || raw === '||') {
      op = raw;
      continue;
    }
    if ((op === '&&' && exitCode !== 0) || (op === '||' && exitCode === 0)) continue;
    const words = (raw.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((w) =>
      w.replace(/^["'](.*)["']$/, '$1'),
    );
    const [name, ...args] = words;
    if (name === undefined) continue;
    if (name === 'exit' || name === 'logout')
      return { output, stderr, exitCode: Number(args[0] ?? exitCode), close: true };
    const cmd = COMMANDS[name];
    if (!cmd) {
      stderr += `bash: ${name}: command not found\n`;
      exitCode = 127;
      continue;
    }
    const r = cmd(ctx, args);
    output += r.output ?? '';
    stderr += r.stderr ?? '';
    exitCode = r.exitCode ?? 0;
  }
  return { output, stderr, exitCode };
}

export function createLinuxPlatform(): Platform {
  return {
    id: 'linux',
    hardware: LINUX_HARDWARE,
    pager: {
      moreText: '--More--',
      showPercent: false,
      otherKeyQuits: false,
      erase: 'carriage-return',
    },
    sshSoftware: 'OpenSSH_8.9p1 Ubuntu-3ubuntu0.6',
    startsPrivileged: true,
    execLineEnding: '\n',
    preAuthBanner: () => undefined,
    motd: (d) =>
      `Welcome to Ubuntu 22.04.3 LTS (GNU/Linux ${KERNEL} x86_64)\n\n * Documentation:  https://help.ubuntu.com\n * Management:     https://landscape.canonical.com\n * Support:        https://ubuntu.com/advantage\n\nLast login: ${new Date(d.bootTime.getTime() + 600_000).toUTCString()} from 10.0.0.5\n`,
    prompt: (ctx) =>
      `${ctx.username}@${ctx.device.hostname}:~${ctx.username === 'root' ? '#' : '$'} `,
    execute: (ctx, line) => {
      const r = runShellLine(ctx, line);
      // An interactive shell never pages (no pager in bash).
      return { ...r, noPaging: true };
    },
  };
}
