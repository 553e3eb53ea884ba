/**
 * Command tree with per-word unique-prefix matching, as network CLIs do it: `sh ip int br` resolves
 * word by word against the keywords allowed at each position; exact keywords win, several prefix
 * matches are ambiguous, no match is invalid input (with the caret position), a path that stops
 * before a runnable node is incomplete.
 */

export interface Token {
  text: string;
  /** Offset of the token's first character in the line. */
  start: number;
}

/** Whether `"a b"` is one token (quotes removed), as in Junos. */
export interface QuoteOptions {
  quotes?: boolean;
}

/** Splits a command line into tokens, keeping offsets. */
export function tokenize(line: string, { quotes = false }: QuoteOptions = {}): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line.charAt(i))) i += 1;
    if (i >= line.length) break;
    const start = i;
    if (quotes && line.charAt(i) === '"') {
      i += 1;
      let text = '';
      while (i < line.length && line.charAt(i) !== '"') {
        text += line.charAt(i);
        i += 1;
      }
      i += 1;
      tokens.push({ text, start });
      continue;
    }
    while (i < line.length && !/\s/.test(line.charAt(i))) i += 1;
    tokens.push({ text: line.slice(start, i), start });
  }
  return tokens;
}

export interface ParamMatch {
  value: string;
  consumed: number;
}

export interface ParamSpec<C> {
  /** Shown in help, e.g. `WORD`, `<1-4094>`. */
  help: string;
  match(tokens: readonly Token[], index: number, ctx: C, line: string): ParamMatch | undefined;
}

export type Args = Readonly<Record<string, string | undefined>>;

export interface CommandDef<C, R> {
  /** Keywords and `{param}` placeholders separated by spaces, e.g. `show interfaces {interface}`. */
  pattern: string;
  run: (ctx: C, args: Args) => R;
  help?: string;
}

interface Node<C, R> {
  keyword?: string;
  paramName?: string;
  param?: ParamSpec<C>;
  children: Node<C, R>[];
  run?: (ctx: C, args: Args) => R;
}

export type MatchResult<C, R> =
  | { kind: 'match'; run: (ctx: C, args: Args) => R; args: Args; keywords: string[] }
  | { kind: 'empty' }
  | { kind: 'invalid'; tokenIndex: number; token: Token; caret: number }
  | { kind: 'ambiguous'; tokenIndex: number; token: Token; candidates: string[] }
  | { kind: 'incomplete'; candidates: string[] };

export class CommandTree<C, R> {
  private readonly root: Node<C, R> = { children: [] };
  private readonly defined: string[] = [];

  constructor(
    commands: readonly CommandDef<C, R>[],
    private readonly params: Readonly<Record<string, ParamSpec<C>>>,
    private readonly options: QuoteOptions = {},
  ) {
    for (const command of commands) this.add(command);
  }

  /** The patterns of the commands added, in order, words separated by one space. */
  get patterns(): readonly string[] {
    return this.defined;
  }

  add(command: CommandDef<C, R>): void {
    this.defined.push(command.pattern.trim().replace(/\s+/g, ' '));
    let node = this.root;
    for (const part of command.pattern.trim().split(/\s+/)) {
      const paramName = /^\{(.+)\}$/.exec(part)?.[1];
      let child = node.children.find((c) =>
        paramName === undefined ? c.keyword === part : c.paramName === paramName,
      );
      if (!child) {
        if (paramName === undefined) {
          child = { keyword: part, children: [] };
        } else {
          const param = this.params[paramName];
          if (!param) throw new Error(`unknown parameter {${paramName}} in "${command.pattern}"`);
          child = { paramName, param, children: [] };
        }
        node.children.push(child);
      }
      node = child;
    }
    node.run = command.run;
  }

  /** Keywords accepted as first word (for help listings). */
  topKeywords(): string[] {
    return this.root.children.flatMap((c) => (c.keyword ? [c.keyword] : []));
  }

  match(line: string, ctx: C): MatchResult<C, R> {
    const tokens = tokenize(line, this.options);
    if (tokens.length === 0) return { kind: 'empty' };
    let node = this.root;
    const args: Record<string, string> = {};
    const keywords: string[] = [];
    let i = 0;
    while (i < tokens.length) {
      const token = tokens[i];
      if (!token) break;
      const lower = token.text.toLowerCase();
      const keywordChildren = node.children.filter((c) => c.keyword !== undefined);
      const exact = keywordChildren.find((c) => c.keyword?.toLowerCase() === lower);
      const prefixed = exact
        ? [exact]
        : keywordChildren.filter((c) => c.keyword?.toLowerCase().startsWith(lower));
      if (prefixed.length === 1 && prefixed[0]) {
        node = prefixed[0];
        keywords.push(node.keyword ?? '');
        i += 1;
        continue;
      }
      if (prefixed.length > 1) {
        return {
          kind: 'ambiguous',
          tokenIndex: i,
          token,
          candidates: prefixed.map((c) => c.keyword ?? '').sort(),
        };
      }
      let matched = false;
      for (const child of node.children) {
        if (!child.param || child.paramName === undefined) continue;
        const m = child.param.match(tokens, i, ctx, line);
        if (m) {
          args[child.paramName] = m.value;
          node = child;
          i += m.consumed;
          matched = true;
          break;
        }
      }
      if (!matched) {
        let common = 0;
        for (const child of keywordChildren) {
          const kw = child.keyword?.toLowerCase() ?? '';
          let n = 0;
          while (n < kw.length && n < lower.length && kw.charAt(n) === lower.charAt(n)) n += 1;
          common = Math.max(common, n);
        }
        const caret = token.start + Math.min(common, Math.max(0, token.text.length - 1));
        return { kind: 'invalid', tokenIndex: i, token, caret };
      }
    }
    if (!node.run) {
      return {
        kind: 'incomplete',
        candidates: node.children.map((c) => c.keyword ?? c.param?.help ?? ''),
      };
    }
    return { kind: 'match', run: node.run, args, keywords };
  }
}

// ---- common parameter types ----

export function numberParam<C>(min: number, max: number): ParamSpec<C> {
  return {
    help: `<${min}-${max}>`,
    match(tokens, index) {
      const text = tokens[index]?.text ?? '';
      if (!/^\d+$/.test(text)) return undefined;
      const n = Number(text);
      return n >= min && n <= max ? { value: text, consumed: 1 } : undefined;
    },
  };
}

export function wordParam<C>(help = 'WORD', pattern?: RegExp): ParamSpec<C> {
  return {
    help,
    match(tokens, index) {
      const text = tokens[index]?.text;
      if (text === undefined || (pattern && !pattern.test(text))) return undefined;
      return { value: text, consumed: 1 };
    },
  };
}

/** Consumes the rest of the line verbatim (descriptions, echo arguments). */
export function restParam<C>(help = 'LINE'): ParamSpec<C> {
  return {
    help,
    match(tokens, index, _ctx, line) {
      const token = tokens[index];
      if (!token) return undefined;
      const last = tokens[tokens.length - 1];
      const raw = line.slice(token.start).trimEnd();
      const quoted = tokens.length - index === 1 && last && line.charAt(token.start) === '"';
      return { value: quoted ? token.text : raw, consumed: tokens.length - index };
    },
  };
}

/**
 * Cisco-style interface name: full or abbreviated type plus number, as one token (`gi1/0/1`) or
 * two (`GigabitEthernet 1/0/1`), resolved against the device's interfaces.
 */
export function interfaceNameParam<C>(list: (ctx: C) => readonly string[]): ParamSpec<C> {
  return {
    help: 'Interface',
    match(tokens, index, ctx) {
      const first = tokens[index]?.text;
      if (first === undefined) return undefined;
      const names = list(ctx);
      const tryResolve = (type: string, number: string): string | undefined => {
        const candidates = names.filter((name) => {
          const m = /^([A-Za-z-]+?)([\d/.:]+)$/.exec(name);
          if (!m) return name.toLowerCase() === `${type}${number}`.toLowerCase();
          return m[2] === number && (m[1] ?? '').toLowerCase().startsWith(type.toLowerCase());
        });
        return candidates.length === 1 ? candidates[0] : undefined;
      };
      const exact = names.find((n) => n.toLowerCase() === first.toLowerCase());
      if (exact) return { value: exact, consumed: 1 };
      const m = /^([A-Za-z-]+)([\d/.:]*)$/.exec(first);
      if (!m) return undefined;
      const type = m[1] ?? '';
      const number = m[2] ?? '';
      if (number !== '') {
        const found = tryResolve(type, number);
        return found ? { value: found, consumed: 1 } : undefined;
      }
      const next = tokens[index + 1]?.text;
      if (next !== undefined && /^[\d/.:]+$/.test(next)) {
        const found = tryResolve(type, next);
        return found ? { value: found, consumed: 2 } : undefined;
      }
      return undefined;
    },
  };
}
