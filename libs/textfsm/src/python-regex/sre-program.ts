/**
 * Compiles a parsed Python pattern into a program for the `sre` emulation
 * ({@link ./regex-backtracker}), reproducing what CPython 3.11 does between
 * parsing and matching wherever it can change a result:
 * - `re/_parser.py`: non-capturing groups without flags are inlined into the
 *   enclosing sequence (which decides which repeats are "simple"); alternatives
 *   sharing a common first leaf item get it hoisted in front of the branch;
 *   alternations of single characters become character sets;
 * - `re/_compiler.py`: repeats of a single-character item use REPEAT_ONE /
 *   MIN_REPEAT_ONE / POSSESSIVE_REPEAT_ONE, other repeats REPEAT + MAX_UNTIL /
 *   MIN_UNTIL or POSSESSIVE_REPEAT; groups are pairs of MARK instructions.
 * The code layout (skip offsets) mirrors `sre` so that the matcher can be a
 * line-by-line port of `Modules/_sre/sre_lib.h`.
 */
import type {
  AssertKind,
  Category,
  ClassItem,
  ParsedRegex,
  RegexNode,
  RepeatMode,
} from './regex-ast';
import { FLAG_A, FLAG_I, FLAG_M, FLAG_S, MAX_REPEAT } from './regex-ast';
import { caseVariants } from './regex-emitter';
import { widthOf } from './regex-parser';

export const OP_FAILURE = 0;
export const OP_SUCCESS = 1;
export const OP_ANY = 2;
export const OP_ANY_ALL = 3;
export const OP_AT = 4;
export const OP_IN = 5;
export const OP_LITERAL = 6;
export const OP_NOT_LITERAL = 7;
export const OP_MARK = 8;
export const OP_BRANCH = 9;
export const OP_JUMP = 10;
export const OP_REPEAT_ONE = 11;
export const OP_MIN_REPEAT_ONE = 12;
export const OP_POSSESSIVE_REPEAT_ONE = 13;
export const OP_REPEAT = 14;
export const OP_MAX_UNTIL = 15;
export const OP_MIN_UNTIL = 16;
export const OP_POSSESSIVE_REPEAT = 17;
export const OP_ATOMIC_GROUP = 18;
export const OP_ASSERT = 19;
export const OP_ASSERT_NOT = 20;
export const OP_GROUPREF = 21;
export const OP_GROUPREF_IGNORE = 22;

export const AT_BEGINNING = 0;
export const AT_BEGINNING_LINE = 1;
export const AT_BEGINNING_STRING = 2;
export const AT_END = 3;
export const AT_END_LINE = 4;
export const AT_END_STRING = 5;
export const AT_BOUNDARY = 6;
export const AT_NON_BOUNDARY = 7;
export const AT_UNI_BOUNDARY = 8;
export const AT_UNI_NON_BOUNDARY = 9;

/** `sre`'s MAXREPEAT: the max of an unbounded repeat. */
export const SRE_MAXREPEAT = MAX_REPEAT;

export type CharPredicate = (cp: number) => boolean;

export interface SreProgram {
  readonly code: readonly number[];
  /** Character sets referenced by `IN <set index>`. */
  readonly sets: readonly CharPredicate[];
  /** Case-insensitive equality used by GROUPREF_IGNORE, per group-reference site. */
  readonly caseFold: readonly ((a: number, b: number) => boolean)[];
  readonly groupCount: number;
}

/** Python's parser output: a SubPattern is a list of items. */
type Item =
  | { readonly op: 'LITERAL' | 'NOT_LITERAL'; readonly cp: number }
  | { readonly op: 'IN'; readonly negate: boolean; readonly items: readonly ClassItem[] }
  | { readonly op: 'ANY' }
  | { readonly op: 'AT'; readonly at: AssertKind }
  | { readonly op: 'BRANCH'; readonly alternatives: readonly Item[][] }
  | {
      readonly op: 'SUBPATTERN';
      readonly group: number | null;
      readonly add: number;
      readonly remove: number;
      readonly body: readonly Item[];
    }
  | { readonly op: 'ATOMIC'; readonly body: readonly Item[] }
  | {
      readonly op: 'ASSERT';
      readonly negate: boolean;
      readonly behind: number;
      readonly body: readonly Item[];
    }
  | { readonly op: 'GROUPREF'; readonly group: number }
  | {
      readonly op: 'REPEAT';
      readonly min: number;
      readonly max: number;
      readonly mode: RepeatMode;
      readonly body: readonly Item[];
    };

function uniqueItems(items: readonly ClassItem[]): ClassItem[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = JSON.stringify(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const LEAF_OPS: ReadonlySet<Item['op']> = new Set([
  'LITERAL',
  'NOT_LITERAL',
  'IN',
  'ANY',
  'AT',
  'GROUPREF',
]);

/**
 * Python compares parser items as tuples; items holding a SubPattern (repeats,
 * groups, branches, lookarounds) compare by identity, so only leaves can be equal.
 */
function sameItem(a: Item, b: Item): boolean {
  return LEAF_OPS.has(a.op) && JSON.stringify(a) === JSON.stringify(b);
}

/** `_parse_sub`: common-prefix hoisting, then single-character alternations as a set. */
function subPattern(alternatives: Item[][]): Item[] {
  const [first] = alternatives;
  if (alternatives.length === 1 && first) return first;
  const result: Item[] = [];
  for (;;) {
    const prefix = alternatives[0]?.[0];
    if (prefix === undefined) break;
    if (!alternatives.every((alt) => alt.length > 0 && sameItem(alt[0] as Item, prefix))) break;
    for (const alt of alternatives) alt.shift();
    result.push(prefix);
  }
  const set: ClassItem[] = [];
  const allSingle = alternatives.every((alt) => {
    const [only] = alt;
    if (alt.length !== 1 || only === undefined) return false;
    if (only.op === 'LITERAL') {
      set.push({ kind: 'char', cp: only.cp });
      return true;
    }
    if (only.op === 'IN' && !only.negate) {
      set.push(...only.items);
      return true;
    }
    return false;
  });
  if (allSingle) result.push({ op: 'IN', negate: false, items: uniqueItems(set) });
  else result.push({ op: 'BRANCH', alternatives });
  return result;
}

function toItems(node: RegexNode): Item[] {
  switch (node.kind) {
    case 'sequence':
      return node.items.flatMap(toItems);
    case 'alternation':
      return subPattern(node.alternatives.map(toItems));
    case 'char':
      return [{ op: 'LITERAL', cp: node.cp }];
    case 'any':
      return [{ op: 'ANY' }];
    case 'class': {
      const [only] = node.items;
      if (node.items.length === 1 && only?.kind === 'char') {
        return [{ op: node.negate ? 'NOT_LITERAL' : 'LITERAL', cp: only.cp }];
      }
      return [{ op: 'IN', negate: node.negate, items: uniqueItems(node.items) }];
    }
    case 'category':
      return [{ op: 'IN', negate: false, items: [{ kind: 'category', cat: node.cat }] }];
    case 'assert':
      return [{ op: 'AT', at: node.at }];
    case 'group':
      if (node.index === null) return toItems(node.body);
      return [{ op: 'SUBPATTERN', group: node.index, add: 0, remove: 0, body: toItems(node.body) }];
    case 'flagGroup':
      return [
        {
          op: 'SUBPATTERN',
          group: null,
          add: node.add,
          remove: node.remove,
          body: toItems(node.body),
        },
      ];
    case 'atomic':
      return [{ op: 'ATOMIC', body: toItems(node.body) }];
    case 'look':
      return [
        {
          op: 'ASSERT',
          negate: node.negate,
          behind: node.behind ? widthOf(node.body, { groupWidths: [] }).lo : 0,
          body: toItems(node.body),
        },
      ];
    case 'backref':
      return [{ op: 'GROUPREF', group: node.index }];
    case 'repeat':
      return [
        {
          op: 'REPEAT',
          min: node.min,
          max: node.max === Infinity ? SRE_MAXREPEAT : node.max,
          mode: node.mode,
          body: toItems(node.body),
        },
      ];
  }
}

/** `_compiler._simple`: a single-character item (possibly wrapped in a flag-only group). */
function isSimple(body: readonly Item[]): boolean {
  const [only] = body;
  if (body.length !== 1 || only === undefined) return false;
  if (only.op === 'SUBPATTERN') return only.group === null && isSimple(only.body);
  return (
    only.op === 'ANY' || only.op === 'IN' || only.op === 'LITERAL' || only.op === 'NOT_LITERAL'
  );
}

/** `str.isspace()` outside ASCII (ASCII handled inline). */
function isUnicodeSpace(cp: number): boolean {
  return (
    cp === 0x85 ||
    cp === 0xa0 ||
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}
const WORD_UNICODE = /[\p{L}\p{N}_]/u;
const DIGIT_UNICODE = /\p{Nd}/u;

function isAsciiWord(cp: number): boolean {
  return (
    (cp >= 0x30 && cp <= 0x39) ||
    (cp >= 0x41 && cp <= 0x5a) ||
    (cp >= 0x61 && cp <= 0x7a) ||
    cp === 0x5f
  );
}

/** `SRE_UNI_IS_WORD` (as the emitter spells it: letters, numbers, underscore). */
export function isUnicodeWord(cp: number): boolean {
  if (cp < 0x80) return isAsciiWord(cp);
  return WORD_UNICODE.test(String.fromCodePoint(cp));
}

export function isAsciiWordChar(cp: number): boolean {
  return isAsciiWord(cp);
}

function categoryTest(cat: Category, ascii: boolean): CharPredicate {
  const lower = cat.toLowerCase();
  let test: CharPredicate;
  if (lower === 'd') {
    test = ascii
      ? (cp) => cp >= 0x30 && cp <= 0x39
      : (cp) =>
          cp < 0x80 ? cp >= 0x30 && cp <= 0x39 : DIGIT_UNICODE.test(String.fromCodePoint(cp));
  } else if (lower === 'w') {
    test = ascii ? isAsciiWord : isUnicodeWord;
  } else {
    test = ascii
      ? (cp) => cp === 0x20 || (cp >= 0x09 && cp <= 0x0d)
      : (cp) =>
          cp < 0x80
            ? cp === 0x20 || (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x1f)
            : isUnicodeSpace(cp);
  }
  return cat === lower ? test : (cp) => !test(cp);
}

function classTest(items: readonly ClassItem[], flags: number): CharPredicate {
  const ascii = (flags & FLAG_A) !== 0;
  const tests = items.map((item): CharPredicate => {
    if (item.kind === 'char') return (cp) => cp === item.cp;
    if (item.kind === 'range') return (cp) => cp >= item.lo && cp <= item.hi;
    return categoryTest(item.cat, ascii);
  });
  const plain: CharPredicate = (cp) => tests.some((test) => test(cp));
  if ((flags & FLAG_I) === 0) return plain;
  return (cp) => caseVariants(cp, ascii).some(plain);
}

class Compiler {
  readonly code: number[] = [];
  readonly sets: CharPredicate[] = [];
  readonly caseFold: ((a: number, b: number) => boolean)[] = [];

  private emitSet(test: CharPredicate): void {
    this.code.push(OP_IN, this.sets.length);
    this.sets.push(test);
  }

  compile(items: readonly Item[], flags: number): void {
    for (const item of items) this.compileItem(item, flags);
  }

  private compileItem(item: Item, flags: number): void {
    const code = this.code;
    switch (item.op) {
      case 'LITERAL':
      case 'NOT_LITERAL': {
        const ascii = (flags & FLAG_A) !== 0;
        const variants = (flags & FLAG_I) !== 0 ? caseVariants(item.cp, ascii) : [item.cp];
        if (variants.length === 1) {
          code.push(item.op === 'LITERAL' ? OP_LITERAL : OP_NOT_LITERAL, item.cp);
        } else {
          const negate = item.op === 'NOT_LITERAL';
          this.emitSet((cp) => variants.includes(cp) !== negate);
        }
        return;
      }
      case 'IN': {
        const test = classTest(item.items, flags);
        this.emitSet(item.negate ? (cp) => !test(cp) : test);
        return;
      }
      case 'ANY':
        code.push((flags & FLAG_S) !== 0 ? OP_ANY_ALL : OP_ANY);
        return;
      case 'AT':
        code.push(OP_AT, atCode(item.at, flags));
        return;
      case 'BRANCH': {
        code.push(OP_BRANCH);
        const tails: number[] = [];
        for (const alt of item.alternatives) {
          const skip = code.length;
          code.push(0);
          this.compile(alt, flags);
          code.push(OP_JUMP);
          tails.push(code.length);
          code.push(0);
          code[skip] = code.length - skip;
        }
        code.push(OP_FAILURE);
        for (const tail of tails) code[tail] = code.length - tail;
        return;
      }
      case 'SUBPATTERN': {
        const inner = (flags | item.add) & ~item.remove;
        if (item.group !== null) code.push(OP_MARK, (item.group - 1) * 2);
        this.compile(item.body, inner);
        if (item.group !== null) code.push(OP_MARK, (item.group - 1) * 2 + 1);
        return;
      }
      case 'ATOMIC': {
        code.push(OP_ATOMIC_GROUP);
        const skip = code.length;
        code.push(0);
        this.compile(item.body, flags);
        code.push(OP_SUCCESS);
        code[skip] = code.length - skip;
        return;
      }
      case 'ASSERT': {
        code.push(item.negate ? OP_ASSERT_NOT : OP_ASSERT);
        const skip = code.length;
        code.push(0, item.behind);
        this.compile(item.body, flags);
        code.push(OP_SUCCESS);
        code[skip] = code.length - skip;
        return;
      }
      case 'GROUPREF':
        if ((flags & FLAG_I) !== 0) {
          const ascii = (flags & FLAG_A) !== 0;
          code.push(OP_GROUPREF_IGNORE, item.group - 1, this.caseFold.length);
          this.caseFold.push((a, b) => a === b || caseVariants(a, ascii).includes(b));
        } else {
          code.push(OP_GROUPREF, item.group - 1);
        }
        return;
      case 'REPEAT':
        this.compileRepeat(item, flags);
        return;
    }
  }

  private compileRepeat(item: Extract<Item, { op: 'REPEAT' }>, flags: number): void {
    const code = this.code;
    if (isSimple(item.body)) {
      const op =
        item.mode === 'greedy'
          ? OP_REPEAT_ONE
          : item.mode === 'lazy'
            ? OP_MIN_REPEAT_ONE
            : OP_POSSESSIVE_REPEAT_ONE;
      code.push(op);
      const skip = code.length;
      code.push(0, item.min, item.max);
      this.compile(item.body, flags);
      code.push(OP_SUCCESS);
      code[skip] = code.length - skip;
      return;
    }
    code.push(item.mode === 'possessive' ? OP_POSSESSIVE_REPEAT : OP_REPEAT);
    const skip = code.length;
    code.push(0, item.min, item.max);
    this.compile(item.body, flags);
    code[skip] = code.length - skip;
    code.push(
      item.mode === 'greedy' ? OP_MAX_UNTIL : item.mode === 'lazy' ? OP_MIN_UNTIL : OP_SUCCESS,
    );
  }
}

function atCode(at: AssertKind, flags: number): number {
  const multiline = (flags & FLAG_M) !== 0;
  const ascii = (flags & FLAG_A) !== 0;
  switch (at) {
    case 'start':
      return multiline ? AT_BEGINNING_LINE : AT_BEGINNING;
    case 'startString':
      return AT_BEGINNING_STRING;
    case 'end':
      return multiline ? AT_END_LINE : AT_END;
    case 'endString':
      return AT_END_STRING;
    case 'boundary':
      return ascii ? AT_BOUNDARY : AT_UNI_BOUNDARY;
    case 'nonBoundary':
      return ascii ? AT_NON_BOUNDARY : AT_UNI_NON_BOUNDARY;
  }
}

/** Compiles a parsed pattern into an `sre`-like program. */
export function compileSreProgram(parsed: ParsedRegex): SreProgram {
  const compiler = new Compiler();
  compiler.compile(toItems(parsed.root), parsed.globalFlags);
  compiler.code.push(OP_SUCCESS);
  return {
    code: compiler.code,
    sets: compiler.sets,
    caseFold: compiler.caseFold,
    groupCount: parsed.groupCount,
  };
}
