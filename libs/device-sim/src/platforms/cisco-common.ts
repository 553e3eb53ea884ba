/** Commands shared by the IOS-like CLIs (IOS, NX-OS, EOS): terminal settings, modes, basic config. */
import type { CommandDef, ParamSpec } from '../cli/command-tree';
import { interfaceNameParam, numberParam, restParam, wordParam } from '../cli/command-tree';
import type { CliContext, CommandOutcome } from './platform';

export type Def = CommandDef<CliContext, CommandOutcome>;

export const CISCO_PARAMS: Record<string, ParamSpec<CliContext>> = {
  interface: interfaceNameParam<CliContext>((ctx) => ctx.device.interfaces.map((i) => i.name)),
  vlan: numberParam<CliContext>(1, 4094),
  length: numberParam<CliContext>(0, 512),
  width: numberParam<CliContext>(0, 512),
  word: wordParam<CliContext>(),
  hostname: wordParam<CliContext>('WORD', /^[A-Za-z][A-Za-z0-9_.-]{0,62}$/),
  text: restParam<CliContext>(),
};

const ok: CommandOutcome = { output: '' };

export interface ModeTexts {
  /** Printed on `configure terminal`. */
  enterConfig: string;
}

export function terminalCommands(extra: readonly string[] = []): Def[] {
  const setLength = (ctx: CliContext, n: number): CommandOutcome => {
    ctx.pageLength = n;
    ctx.paging = n > 0;
    return ok;
  };
  const defs: Def[] = [
    { pattern: 'terminal length {length}', run: (ctx, a) => setLength(ctx, Number(a['length'])) },
    { pattern: 'terminal width {width}', run: () => ok },
    { pattern: 'terminal monitor', run: () => ok },
    { pattern: 'terminal no monitor', run: () => ok },
  ];
  if (extra.includes('pager')) {
    defs.push({
      pattern: 'terminal pager {length}',
      run: (ctx, a) => setLength(ctx, Number(a['length'])),
    });
  }
  return defs;
}

export function sessionCommands(): Def[] {
  return [
    { pattern: 'exit', run: () => ({ close: true }) },
    { pattern: 'logout', run: () => ({ close: true }) },
  ];
}

export function configureCommands(texts: ModeTexts): Def[] {
  const enter = (ctx: CliContext): CommandOutcome => {
    ctx.mode = 'config';
    ctx.target = undefined;
    return { output: texts.enterConfig };
  };
  return [
    { pattern: 'configure terminal', run: enter },
    { pattern: 'configure', run: enter },
  ];
}

const toExec = (ctx: CliContext): CommandOutcome => {
  ctx.mode = 'exec';
  ctx.target = undefined;
  return ok;
};

const toConfig = (ctx: CliContext): CommandOutcome => {
  ctx.mode = 'config';
  ctx.target = undefined;
  return ok;
};

export function globalConfigCommands(): Def[] {
  return [
    {
      pattern: 'hostname {hostname}',
      run: (ctx, a) => {
        ctx.device.setHostname(a['hostname'] ?? ctx.device.hostname, ctx.username);
        return ok;
      },
    },
    {
      pattern: 'interface {interface}',
      run: (ctx, a) => {
        ctx.mode = 'config-if';
        ctx.target = a['interface'];
        return ok;
      },
    },
    {
      pattern: 'vlan {vlan}',
      run: (ctx, a) => {
        const id = Number(a['vlan']);
        ctx.device.createVlan(id, undefined, ctx.username);
        ctx.mode = 'config-vlan';
        ctx.target = String(id);
        return ok;
      },
    },
    {
      pattern: 'no vlan {vlan}',
      run: (ctx, a) => {
        ctx.device.deleteVlan(Number(a['vlan']), ctx.username);
        return ok;
      },
    },
    { pattern: 'end', run: toExec },
    { pattern: 'exit', run: toExec },
  ];
}

export function interfaceConfigCommands(): Def[] {
  const target = (ctx: CliContext): string => ctx.target ?? '';
  return [
    {
      pattern: 'description {text}',
      run: (ctx, a) => {
        ctx.device.setDescription(target(ctx), a['text'] ?? '', ctx.username);
        return ok;
      },
    },
    {
      pattern: 'no description',
      run: (ctx) => {
        ctx.device.setDescription(target(ctx), '', ctx.username);
        return ok;
      },
    },
    {
      pattern: 'shutdown',
      run: (ctx) => {
        ctx.device.setAdminUp(target(ctx), false, ctx.username);
        return ok;
      },
    },
    {
      pattern: 'no shutdown',
      run: (ctx) => {
        ctx.device.setAdminUp(target(ctx), true, ctx.username);
        return ok;
      },
    },
    {
      pattern: 'switchport access vlan {vlan}',
      run: (ctx, a) => {
        ctx.device.setAccessVlan(target(ctx), Number(a['vlan']), ctx.username);
        return ok;
      },
    },
    { pattern: 'switchport mode access', run: () => ok },
    { pattern: 'switchport', run: () => ok },
    { pattern: 'end', run: toExec },
    { pattern: 'exit', run: toConfig },
  ];
}

export function vlanConfigCommands(): Def[] {
  return [
    {
      pattern: 'name {word}',
      run: (ctx, a) => {
        ctx.device.createVlan(Number(ctx.target), a['word'], ctx.username);
        return ok;
      },
    },
    {
      pattern: 'no name',
      run: (ctx) => {
        ctx.device.createVlan(
          Number(ctx.target),
          `VLAN${(ctx.target ?? '').padStart(4, '0')}`,
          ctx.username,
        );
        return ok;
      },
    },
    { pattern: 'end', run: toExec },
    { pattern: 'exit', run: toConfig },
  ];
}

/** Ctrl-Z in a configuration mode: back to exec, echoing `^Z`. */
export function ciscoCtrlZ(ctx: CliContext): CommandOutcome | undefined {
  if (ctx.mode === 'exec') return undefined;
  ctx.mode = 'exec';
  ctx.target = undefined;
  return { output: '^Z\n' };
}

export function parentOf(mode: string): string | undefined {
  if (mode === 'config-if' || mode === 'config-vlan') return 'config';
  return undefined;
}

export function configPromptSuffix(mode: string): string {
  switch (mode) {
    case 'config':
      return '(config)#';
    case 'config-if':
      return '(config-if)#';
    case 'config-vlan':
      return '(config-vlan)#';
    default:
      return '#';
  }
}

/** Groups interface short names four to a line the way `show vlan brief` does. */
export function vlanPortLines(ports: readonly string[], indent: number, perLine = 4): string[] {
  const out: string[] = [];
  for (let i = 0; i < ports.length; i += perLine) {
    out.push(ports.slice(i, i + perLine).join(', '));
  }
  return out.length === 0 ? [''] : out.map((l, i) => (i === 0 ? l : `${' '.repeat(indent)}${l}`));
}
