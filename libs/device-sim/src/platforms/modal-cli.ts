/**
 * Shared machinery of the modal CLIs (IOS, NX-OS, EOS, Junos): per-mode command trees, fallback to
 * the parent mode, `do`, output pipes, and the platform's error texts.
 */
import type { CommandTree, Token } from '../cli/command-tree';
import { tokenize } from '../cli/command-tree';
import type { CliContext, CommandOutcome } from './platform';

export type Tree = CommandTree<CliContext, CommandOutcome>;

export interface ModalErrors {
  invalid(ctx: CliContext, line: string, caret: number, tokenIndex: number): string;
  ambiguous(ctx: CliContext, line: string, token: Token, candidates: string[]): string;
  incomplete(ctx: CliContext, line: string): string;
  badPipe(ctx: CliContext, line: string, caret: number): string;
}

export interface ModalCliSpec {
  /** Tree for the context's current mode / privilege. */
  tree(ctx: CliContext): Tree;
  /** Parent mode to fall back to when a command is not valid in a sub-mode (IOS `config-if` -> `config`). */
  parentMode(mode: string): string | undefined;
  treeForMode(mode: string, ctx: CliContext): Tree;
  errors: ModalErrors;
  pipes: 'cisco' | 'junos';
  /** `do <cmd>` in configuration modes runs an exec command (IOS family). */
  allowDo: boolean;
  /** NX-OS and EOS run exec (show) commands straight from configuration modes. */
  execFromConfig: boolean;
}

/** Splits `cmd | include x | exclude y` at unquoted pipes. */
export function splitPipes(line: string): {
  base: string;
  pipes: { text: string; offset: number }[];
} {
  const parts: { text: string; offset: number }[] = [];
  let inQuote = false;
  let start = 0;
  for (let i = 0; i < line.length; i += 1) {
    const c = line.charAt(i);
    if (c === '"') inQuote = !inQuote;
    if (c === '|' && !inQuote) {
      parts.push({ text: line.slice(start, i), offset: start });
      start = i + 1;
    }
  }
  parts.push({ text: line.slice(start), offset: start });
  const [base, ...pipes] = parts;
  return { base: base?.text ?? '', pipes };
}

type PipeFn = (text: string, arg: string) => string;

const lines = (text: string): string[] => {
  const all = text.split('\n');
  if (all[all.length - 1] === '') all.pop();
  return all;
};
const join = (all: string[]): string => (all.length === 0 ? '' : `${all.join('\n')}\n`);
const safeRegex = (arg: string): RegExp => {
  try {
    return new RegExp(arg);
  } catch {
    return new RegExp(arg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  }
};

const CISCO_PIPES: Record<string, PipeFn> = {
  include: (t, a) => join(lines(t).filter((l) => safeRegex(a).test(l))),
  exclude: (t, a) => join(lines(t).filter((l) => !safeRegex(a).test(l))),
  begin: (t, a) => {
    const all = lines(t);
    const idx = all.findIndex((l) => safeRegex(a).test(l));
    return idx < 0 ? '' : join(all.slice(idx));
  },
  section: (t, a) => {
    const out: string[] = [];
    let inSection = false;
    for (const l of lines(t)) {
      if (!/^\s/.test(l)) inSection = safeRegex(a).test(l);
      if (inSection) out.push(l);
    }
    return join(out);
  },
  count: (t, a) =>
    `Number of lines which match regexp = ${lines(t).filter((l) => safeRegex(a || '.').test(l)).length}\n`,
  'no-more': (t) => t,
};

const JUNOS_PIPES: Record<string, PipeFn> = {
  match: (t, a) => join(lines(t).filter((l) => safeRegex(a).test(l))),
  except: (t, a) => join(lines(t).filter((l) => !safeRegex(a).test(l))),
  find: (t, a) => {
    const all = lines(t);
    const idx = all.findIndex((l) => safeRegex(a).test(l));
    return idx < 0 ? '' : join(all.slice(idx));
  },
  count: (t) => `Count: ${lines(t).length} lines\n`,
  'no-more': (t) => t,
  last: (t, a) => join(lines(t).slice(-Number(a || 10))),
};

function applyPipes(
  spec: ModalCliSpec,
  ctx: CliContext,
  line: string,
  pipes: { text: string; offset: number }[],
  outcome: CommandOutcome,
): CommandOutcome {
  const table = spec.pipes === 'cisco' ? CISCO_PIPES : JUNOS_PIPES;
  let output = outcome.output ?? '';
  let noPaging = outcome.noPaging === true;
  for (const pipe of pipes) {
    const tokens = tokenize(pipe.text);
    const name = tokens[0];
    if (!name) return { output: spec.errors.badPipe(ctx, line, pipe.offset) };
    const candidates = Object.keys(table).filter((k) => k.startsWith(name.text.toLowerCase()));
    const key = candidates.includes(name.text.toLowerCase())
      ? name.text.toLowerCase()
      : candidates[0];
    const fn = key !== undefined && candidates.length >= 1 ? table[key] : undefined;
    if (!fn || key === undefined)
      return { output: spec.errors.badPipe(ctx, line, pipe.offset + name.start) };
    const argStart = tokens[1]?.start;
    const arg = argStart === undefined ? '' : pipe.text.slice(argStart).trim();
    if (arg === '' && key !== 'no-more' && key !== 'count' && key !== 'last') {
      return { output: spec.errors.incomplete(ctx, line) };
    }
    if (key === 'no-more') noPaging = true;
    output = fn(output, arg);
  }
  return { ...outcome, output, noPaging };
}

export function runModal(spec: ModalCliSpec, ctx: CliContext, line: string): CommandOutcome {
  const { base, pipes } = splitPipes(line);
  const run = (tree: Tree, text: string, offset: number): CommandOutcome | { error: string } => {
    const m = tree.match(text, ctx);
    switch (m.kind) {
      case 'empty':
        return { output: '' };
      case 'match':
        return m.run(ctx, m.args);
      case 'invalid':
        return { error: spec.errors.invalid(ctx, line, m.caret + offset, m.tokenIndex) };
      case 'ambiguous':
        return { error: spec.errors.ambiguous(ctx, line, m.token, m.candidates) };
      case 'incomplete':
        return { error: spec.errors.incomplete(ctx, line) };
    }
  };
  const isError = (r: CommandOutcome | { error: string }): r is { error: string } => 'error' in r;

  const trimmed = base.trimStart();
  const leading = base.length - trimmed.length;
  if (spec.allowDo && ctx.mode !== 'exec' && /^do(\s|$)/i.test(trimmed)) {
    const rest = trimmed.slice(2);
    const r = run(spec.treeForMode('exec', ctx), rest, leading + 2);
    return isError(r) ? { output: r.error } : applyPipes(spec, ctx, line, pipes, r);
  }

  let result = run(spec.tree(ctx), base, 0);
  if (isError(result)) {
    // A global command typed in a sub-mode runs in the parent mode (and leaves the sub-mode).
    let parent = spec.parentMode(ctx.mode);
    while (parent !== undefined) {
      const parentTree = spec.treeForMode(parent, ctx);
      if (parentTree.match(base, ctx).kind === 'match') {
        const saved = { mode: ctx.mode, target: ctx.target };
        ctx.mode = parent;
        ctx.target = undefined;
        const r = run(parentTree, base, 0);
        if (isError(r)) {
          ctx.mode = saved.mode;
          ctx.target = saved.target;
        }
        result = r;
        break;
      }
      parent = spec.parentMode(parent);
    }
  }
  if (isError(result) && spec.execFromConfig && ctx.mode !== 'exec') {
    const execTree = spec.treeForMode('exec', ctx);
    if (execTree.match(base, ctx).kind === 'match') result = run(execTree, base, 0);
  }
  if (isError(result)) return { output: result.error };
  return pipes.length > 0 ? applyPipes(spec, ctx, line, pipes, result) : result;
}

/** Fixed-width column helper: pads every cell but the last. */
export function row(cells: readonly (string | number)[], widths: readonly number[]): string {
  return cells
    .map((cell, i) => {
      const text = String(cell);
      const width = widths[i];
      if (width === undefined || i === cells.length - 1) return text;
      return text.length >= width ? `${text} ` : text.padEnd(width);
    })
    .join('')
    .trimEnd();
}

export function caretLine(ctx: CliContext, caret: number): string {
  return `${' '.repeat(ctx.promptWidth + caret)}^`;
}
