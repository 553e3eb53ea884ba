/** A Linux (Ubuntu 22.04) shell: a handful of commands, exit codes and stderr like bash. */
import type { DeviceState, HardwareProfile } from '../device-state';
import { macToColon, networkOf } from '../device-state';
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

function ipBrAddr(d: DeviceState): string {
  const out = [`${'lo'.padEnd(16)} ${'UNKNOWN'.padEnd(14)} 127.0.0.1/8 ::1/128 `];
  for (const i of d.interfaces) {
    const state = !i.adminUp ? 'DOWN' : i.linkUp ? 'UP' : 'DOWN';
    const v6 = `fe80::${i.mac.slice(0, 4)}:${i.mac.slice(4, 6)}ff:fe${i.mac.slice(6, 8)}:${i.mac.slice(8, 12)}/64`;
    out.push(
      `${i.name.padEnd(16)} ${state.padEnd(14)} ${i.ipv4 ? `${i.ipv4.address}/${i.ipv4.prefixLength} ` : ''}${v6} `,
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

function ipLink(d: DeviceState): string {
  const out = [
    '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000',
    '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
  ];
  d.interfaces.forEach((i, n) => {
    out.push(
      `${n + 2}: ${i.name}: <BROADCAST,MULTICAST${i.operUp ? ',UP,LOWER_UP' : ''}> mtu ${i.mtu} qdisc fq_codel state ${i.operUp ? 'UP' : 'DOWN'} mode DEFAULT group default qlen 1000`,
      `    link/ether ${macToColon(i.mac)} brd ff:ff:ff:ff:ff:ff`,
    );
  });
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
    const flags = args.filter((a) => a.startsWith('-'));
    const rest = args.filter((a) => !a.startsWith('-'));
    const obj = rest[0] ?? '';
    const brief = flags.some((f) => f === '-br' || f === '-brief');
    if ('address'.startsWith(obj) && obj !== '' && brief) return ok(ipBrAddr(ctx.device));
    if ('route'.startsWith(obj) && obj !== '') return ok(ipRoute(ctx.device));
    if ('link'.startsWith(obj) && obj !== '') return ok(ipLink(ctx.device));
    if ('address'.startsWith(obj) && obj !== '') return ok(ipBrAddr(ctx.device));
    return { stderr: `Object "${obj}" is unknown, try "ip help".\n`, exitCode: 1 };
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
