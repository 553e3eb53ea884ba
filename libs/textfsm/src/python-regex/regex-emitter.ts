/**
 * Emits JavaScript RegExp source equivalent to a parsed Python pattern.
 *
 * Two variants are produced from the same tree:
 * - `ascii`: a plain (non-unicode) JS RegExp, valid for subjects that contain
 *   only ASCII characters (there Python's Unicode `\d`, `\w`, `\b` coincide
 *   with JavaScript's), which is the fast path for CLI output;
 * - `unicode`: a `u`-flag RegExp spelling Python's Unicode categories with
 *   property escapes, used when the subject contains non-ASCII characters.
 *
 * Subjects never contain line terminators (they are lines produced by
 * `str.splitlines()`), so `^`, `$`, `\A`, `\Z` and `.` map directly.
 */
import type { Category, ClassItem, ParsedRegex, RegexNode } from './regex-ast';
import { FLAG_A, FLAG_I } from './regex-ast';
import { PythonRegexError } from './regex-parser';

export type EmitMode = 'ascii' | 'unicode';

export interface EmittedRegex {
  readonly source: string;
  readonly flags: string;
  /** Python group index -> JavaScript group index. */
  readonly groupMap: readonly number[];
}

const PY_SPACE_UNICODE =
  '\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_SPACE_ASCII_TEXT = '\\t-\\r\\x1c-\\x20';
const PY_SPACE_ASCII_FLAG = '\\t-\\r\\x20';
const NOT_SPACE_ASCII_TEXT = '\\x00-\\x08\\x0e-\\x1b\\x21-\\uffff';
const NOT_SPACE_ASCII_FLAG = '\\x00-\\x08\\x0e-\\x1f\\x21-\\uffff';
const WORD_UNICODE = '\\p{L}\\p{N}_';
const WORD_ASCII = 'A-Za-z0-9_';
const MAX_CASE_EXPANSION = 4096;

interface ClassPart {
  readonly set: string;
  readonly complement: boolean;
}

function hex(cp: number, width: number): string {
  return cp.toString(16).padStart(width, '0');
}

function literal(cp: number, mode: EmitMode): string {
  if (
    (cp >= 0x30 && cp <= 0x39) ||
    (cp >= 0x41 && cp <= 0x5a) ||
    (cp >= 0x61 && cp <= 0x7a) ||
    cp === 0x5f
  ) {
    return String.fromCharCode(cp);
  }
  if (cp <= 0xffff) return `\\u${hex(cp, 4)}`;
  if (mode === 'unicode') return `\\u{${hex(cp, 1)}}`;
  const high = Math.floor((cp - 0x10000) / 0x400) + 0xd800;
  const low = ((cp - 0x10000) % 0x400) + 0xdc00;
  return `\\u${hex(high, 4)}\\u${hex(low, 4)}`;
}

function singleCodePoint(text: string): number | undefined {
  const cps = Array.from(text);
  return cps.length === 1 && cps[0] !== undefined ? cps[0].codePointAt(0) : undefined;
}

/** Code points Python's IGNORECASE treats as equal to `cp`. */
export function caseVariants(cp: number, asciiOnly: boolean): number[] {
  if (asciiOnly || cp < 0x80) {
    if (cp >= 0x41 && cp <= 0x5a) return [cp, cp + 32];
    if (cp >= 0x61 && cp <= 0x7a) return [cp, cp - 32];
    if (asciiOnly) return [cp];
  }
  const char = String.fromCodePoint(cp);
  const candidates = [
    char,
    char.toLowerCase(),
    char.toUpperCase(),
    char.toUpperCase().toLowerCase(),
  ];
  const result = new Set<number>([cp]);
  for (const candidate of candidates) {
    const value = singleCodePoint(candidate);
    if (value !== undefined) result.add(value);
  }
  return [...result];
}

function quantifier(min: number, max: number): string {
  if (min === 0 && max === Infinity) return '*';
  if (min === 1 && max === Infinity) return '+';
  if (min === 0 && max === 1) return '?';
  if (min === max) return `{${min}}`;
  return max === Infinity ? `{${min},}` : `{${min},${max}}`;
}

class Emitter {
  private jsGroups = 0;
  readonly groupMap: number[] = [0];

  constructor(
    private readonly parsed: ParsedRegex,
    private readonly mode: EmitMode,
    private readonly jsIgnoreCase: boolean,
  ) {}

  emitRoot(): string {
    return `(?:${this.emit(this.parsed.root, this.parsed.globalFlags)})`;
  }

  private manualCase(flags: number): boolean {
    return (flags & FLAG_I) !== 0 && !this.jsIgnoreCase;
  }

  private emit(node: RegexNode, flags: number): string {
    switch (node.kind) {
      case 'sequence':
        return node.items.map((item) => this.emit(item, flags)).join('');
      case 'alternation':
        return node.alternatives.map((alt) => this.emit(alt, flags)).join('|');
      case 'char':
        return this.emitChar(node.cp, flags);
      case 'any':
        return '.';
      case 'class':
        return this.emitClass(node.negate, node.items, flags);
      case 'category':
        return this.categoryAtom(node.cat, flags);
      case 'assert':
        return this.emitAssert(node.at, flags);
      case 'group':
        return this.emitGroup(node.index, node.body, flags);
      case 'flagGroup':
        return `(?:${this.emit(node.body, (flags | node.add) & ~node.remove)})`;
      case 'atomic':
        return this.atomic(() => this.emit(node.body, flags));
      case 'look':
        return `(?${node.behind ? '<' : ''}${node.negate ? '!' : '='}${this.emit(node.body, flags)})`;
      case 'backref':
        return this.emitBackref(node.index, flags);
      case 'repeat':
        return this.emitRepeat(node, flags);
    }
  }

  private emitGroup(index: number | null, body: RegexNode, flags: number): string {
    if (index === null) return `(?:${this.emit(body, flags)})`;
    this.jsGroups += 1;
    this.groupMap[index] = this.jsGroups;
    return `(${this.emit(body, flags)})`;
  }

  private atomic(emitBody: () => string): string {
    this.jsGroups += 1;
    const helper = this.jsGroups;
    return `(?:(?=(${emitBody()}))\\${helper})`;
  }

  private emitBackref(index: number, flags: number): string {
    if (this.manualCase(flags)) {
      throw new PythonRegexError(
        'backreferences inside a scoped (?i:...) group are not supported by this engine',
        this.parsed.pattern,
        undefined,
      );
    }
    return `(?:\\${this.groupMap[index] ?? 0})`;
  }

  private emitRepeat(node: Extract<RegexNode, { kind: 'repeat' }>, flags: number): string {
    const q = quantifier(node.min, node.max);
    const bodyOf = (): string => {
      const body = this.emit(node.body, flags);
      const atomic = ['char', 'any', 'class', 'category', 'group'].includes(node.body.kind);
      return atomic ? body : `(?:${body})`;
    };
    if (node.mode === 'possessive') return this.atomic(() => `${bodyOf()}${q}`);
    return `${bodyOf()}${q}${node.mode === 'lazy' ? '?' : ''}`;
  }

  private emitChar(cp: number, flags: number): string {
    if (this.manualCase(flags)) {
      const variants = caseVariants(cp, (flags & FLAG_A) !== 0);
      if (variants.length > 1) return `[${variants.map((v) => literal(v, this.mode)).join('')}]`;
    }
    return literal(cp, this.mode);
  }

  /**
   * A class is a union of positive ranges and (in unicode mode) complemented
   * category sets such as `\\W`, which a `u`-flag RegExp cannot nest; those
   * are spelled as an alternation (or a negative lookahead when negated).
   */
  private emitClass(negate: boolean, items: readonly ClassItem[], flags: number): string {
    const positive: string[] = [];
    const complemented: string[] = [];
    for (const item of items) {
      const part = this.classItem(item, flags);
      if (part.complement) complemented.push(part.set);
      else positive.push(part.set);
    }
    if (complemented.length === 0) return `[${negate ? '^' : ''}${positive.join('')}]`;
    const union = [
      ...(positive.length > 0 ? [`[${positive.join('')}]`] : []),
      ...complemented.map((set) => `[^${set}]`),
    ].join('|');
    return negate ? `(?:(?!${union})[\\s\\S])` : `(?:${union})`;
  }

  private classItem(item: ClassItem, flags: number): ClassPart {
    if (item.kind === 'category') return this.categoryInClass(item.cat, flags);
    const lo = item.kind === 'char' ? item.cp : item.lo;
    const hi = item.kind === 'char' ? item.cp : item.hi;
    const base =
      lo === hi ? literal(lo, this.mode) : `${literal(lo, this.mode)}-${literal(hi, this.mode)}`;
    if (!this.manualCase(flags)) return { set: base, complement: false };
    return { set: base + this.caseExtras(lo, hi, (flags & FLAG_A) !== 0), complement: false };
  }

  private caseExtras(lo: number, hi: number, asciiOnly: boolean): string {
    const extras = new Set<number>();
    const add = (from: number, to: number): void => {
      for (let cp = from; cp <= to; cp += 1) {
        for (const v of caseVariants(cp, asciiOnly)) if (v < lo || v > hi) extras.add(v);
      }
    };
    add(Math.max(lo, 0x41), Math.min(hi, 0x7a));
    if (!asciiOnly && hi >= 0x80) {
      const from = Math.max(lo, 0x80);
      if (hi - from > MAX_CASE_EXPANSION) {
        throw new PythonRegexError(
          'large non-ASCII character ranges inside a scoped (?i:...) group are not supported by this engine',
          this.parsed.pattern,
          undefined,
        );
      }
      add(from, hi);
    }
    return [...extras].map((cp) => literal(cp, this.mode)).join('');
  }

  private categoryAtom(cat: Category, flags: number): string {
    if (this.mode === 'ascii' && 'dDwW'.includes(cat)) return `\\${cat}`;
    const part = this.categoryInClass(cat, flags);
    if (/^\\[pP]\{Nd\}$/.test(part.set)) return part.set;
    return `[${part.complement ? '^' : ''}${part.set}]`;
  }

  /** Python categories as class contents; `complement` marks sets that must be negated. */
  private categoryInClass(cat: Category, flags: number): ClassPart {
    const ascii = (flags & FLAG_A) !== 0;
    const lower = cat.toLowerCase();
    const complement = cat !== lower;
    if (this.mode === 'ascii') {
      if (lower === 's' && complement)
        return { set: ascii ? NOT_SPACE_ASCII_FLAG : NOT_SPACE_ASCII_TEXT, complement: false };
      if (lower === 's')
        return { set: ascii ? PY_SPACE_ASCII_FLAG : PY_SPACE_ASCII_TEXT, complement: false };
      return { set: `\\${cat}`, complement: false };
    }
    if (lower === 'd' && !ascii)
      return { set: complement ? '\\P{Nd}' : '\\p{Nd}', complement: false };
    const sets: Readonly<Record<string, string>> = {
      d: '0-9',
      w: ascii ? WORD_ASCII : WORD_UNICODE,
      s: ascii ? PY_SPACE_ASCII_FLAG : PY_SPACE_UNICODE,
    };
    return { set: sets[lower] ?? '0-9', complement };
  }

  private emitAssert(at: Extract<RegexNode, { kind: 'assert' }>['at'], flags: number): string {
    switch (at) {
      case 'start':
      case 'startString':
        return '^';
      case 'end':
      case 'endString':
        return '$';
      case 'boundary':
      case 'nonBoundary':
        return this.boundary(at === 'boundary', flags);
    }
  }

  /** Python (before 3.14) never matches a word boundary assertion on an empty subject. */
  private boundary(positive: boolean, flags: number): string {
    if (this.mode === 'ascii') return positive ? '\\b' : '(?:(?!^$)\\B)';
    const w = `[${(flags & FLAG_A) !== 0 ? WORD_ASCII : WORD_UNICODE}]`;
    return positive
      ? `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))`
      : `(?:(?!^$)(?:(?<=${w})(?=${w})|(?<!${w})(?!${w})))`;
  }
}

function touchesIgnoreCase(node: RegexNode): boolean {
  switch (node.kind) {
    case 'flagGroup':
      return ((node.add | node.remove) & FLAG_I) !== 0 || touchesIgnoreCase(node.body);
    case 'sequence':
      return node.items.some(touchesIgnoreCase);
    case 'alternation':
      return node.alternatives.some(touchesIgnoreCase);
    case 'group':
    case 'atomic':
    case 'look':
    case 'repeat':
      return touchesIgnoreCase(node.body);
    default:
      return false;
  }
}

/** Whether the global `(?i)` can be expressed with JavaScript's `i` flag. */
export function usesJsIgnoreCase(parsed: ParsedRegex): boolean {
  return (parsed.globalFlags & FLAG_I) !== 0 && !touchesIgnoreCase(parsed.root);
}

export function emitJavaScript(parsed: ParsedRegex, mode: EmitMode): EmittedRegex {
  const jsIgnoreCase = usesJsIgnoreCase(parsed);
  const emitter = new Emitter(parsed, mode, jsIgnoreCase);
  const source = emitter.emitRoot();
  const flags = `${mode === 'unicode' ? 'u' : ''}${jsIgnoreCase ? 'i' : ''}y`;
  return { source, flags, groupMap: emitter.groupMap };
}
