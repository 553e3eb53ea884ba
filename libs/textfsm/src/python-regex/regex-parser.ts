/**
 * A port of CPython 3.11 `re/_parser.py`: parses a Python regular expression
 * into a {@link RegexNode} tree, raising the same errors (message and position)
 * as Python for malformed patterns.
 */
import type { Category, ClassItem, ParsedRegex, RegexNode, RepeatMode } from './regex-ast';
import { FLAG_BITS, FLAG_L, FLAG_X, GLOBAL_ONLY_FLAGS, MAX_REPEAT, TYPE_FLAGS } from './regex-ast';

/** A malformed (or unsupported) Python regular expression. */
export class PythonRegexError extends Error {
  override readonly name = 'PythonRegexError';
  constructor(
    readonly reason: string,
    readonly pattern: string,
    readonly position: number | undefined,
  ) {
    super(position === undefined ? reason : `${reason} at position ${position}`);
  }
}

const DIGITS = '0123456789';
const OCT_DIGITS = '01234567';
const HEX_DIGITS = '0123456789abcdefABCDEF';
const SPECIAL_CHARS = '.\\[{()*+?^$|';
const REPEAT_CHARS = '*+?{';
const WHITESPACE = ' \t\n\r\v\f';
const ASCII_LETTER = /^[A-Za-z]$/;
const IDENTIFIER = /^[\p{XID_Start}_][\p{XID_Continue}]*$/u;

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  '\\a': 7,
  '\\b': 8,
  '\\f': 12,
  '\\n': 10,
  '\\r': 13,
  '\\t': 9,
  '\\v': 11,
  '\\\\': 92,
};

const CATEGORY_ESCAPES: Readonly<Record<string, Category>> = {
  '\\d': 'd',
  '\\D': 'D',
  '\\s': 's',
  '\\S': 'S',
  '\\w': 'w',
  '\\W': 'W',
};

const ASSERT_ESCAPES: Readonly<Record<string, RegexNode>> = {
  '\\A': { kind: 'assert', at: 'startString' },
  '\\Z': { kind: 'assert', at: 'endString' },
  '\\b': { kind: 'assert', at: 'boundary' },
  '\\B': { kind: 'assert', at: 'nonBoundary' },
};

/** Python's `Tokenizer`: yields single characters or two-character escapes. */
class Source {
  private readonly chars: string[];
  private index = 0;
  next: string | null = null;

  constructor(readonly pattern: string) {
    this.chars = Array.from(pattern);
    this.advance();
  }

  private advance(): void {
    let index = this.index;
    let char = this.chars[index];
    if (char === undefined) {
      this.next = null;
      return;
    }
    if (char === '\\') {
      index += 1;
      const escaped = this.chars[index];
      if (escaped === undefined) {
        throw new PythonRegexError(
          'bad escape (end of pattern)',
          this.pattern,
          this.chars.length - 1,
        );
      }
      char += escaped;
    }
    this.index = index + 1;
    this.next = char;
  }

  match(char: string): boolean {
    if (this.next !== char) return false;
    this.advance();
    return true;
  }

  get(): string | null {
    const current = this.next;
    this.advance();
    return current;
  }

  getWhile(count: number, charset: string): string {
    let result = '';
    for (let i = 0; i < count; i += 1) {
      const c = this.next;
      if (c === null || c.length !== 1 || !charset.includes(c)) break;
      result += c;
      this.advance();
    }
    return result;
  }

  getUntil(terminator: string, name: string): string {
    let result = '';
    for (;;) {
      const c = this.next;
      this.advance();
      if (c === null) {
        if (result === '') throw this.error(`missing ${name}`);
        throw this.error(`missing ${terminator}, unterminated name`, result.length);
      }
      if (c === terminator) {
        if (result === '') throw this.error(`missing ${name}`, 1);
        return result;
      }
      result += c;
    }
  }

  tell(): number {
    return this.index - (this.next === null ? 0 : Array.from(this.next).length);
  }

  seek(index: number): void {
    this.index = index;
    this.advance();
  }

  error(message: string, offset = 0): PythonRegexError {
    return new PythonRegexError(message, this.pattern, this.tell() - offset);
  }
}

interface Width {
  readonly lo: number;
  readonly hi: number;
}

/** Python's parser `State`: flags, groups and lookbehind bookkeeping. */
class State {
  flags = 0;
  readonly groupIndex = new Map<string, number>();
  readonly groupWidths: (Width | null)[] = [null];
  lookbehindGroups: number | null = null;

  get groups(): number {
    return this.groupWidths.length;
  }

  openGroup(name: string | null, source: Source): number {
    const gid = this.groups;
    this.groupWidths.push(null);
    if (name !== null) {
      const previous = this.groupIndex.get(name);
      if (previous !== undefined) {
        throw source.error(
          `redefinition of group name ${pyRepr(name)} as group ${gid}; was group ${previous}`,
          name.length + 1,
        );
      }
      this.groupIndex.set(name, gid);
    }
    return gid;
  }

  closeGroup(gid: number, body: RegexNode): void {
    this.groupWidths[gid] = widthOf(body, this);
  }

  checkGroup(gid: number): boolean {
    return gid < this.groups && this.groupWidths[gid] !== null;
  }

  checkLookbehindGroup(gid: number, source: Source): void {
    if (this.lookbehindGroups === null) return;
    if (!this.checkGroup(gid)) throw source.error('cannot refer to an open group');
    if (gid >= this.lookbehindGroups) {
      throw source.error('cannot refer to group defined in the same lookbehind subpattern');
    }
  }
}

function pyRepr(text: string): string {
  return text.includes("'") && !text.includes('"') ? `"${text}"` : `'${text.replace(/'/g, "\\'")}'`;
}

function codePointOf(char: string): number {
  return char.codePointAt(0) ?? 0;
}

/** Minimum and maximum width of a subpattern (Python `SubPattern.getwidth`). */
export function widthOf(node: RegexNode, state: { groupWidths: readonly (Width | null)[] }): Width {
  switch (node.kind) {
    case 'sequence':
      return node.items.reduce(
        (acc, item) => {
          const w = widthOf(item, state);
          return { lo: acc.lo + w.lo, hi: acc.hi + w.hi };
        },
        { lo: 0, hi: 0 },
      );
    case 'alternation': {
      const widths = node.alternatives.map((alt) => widthOf(alt, state));
      return { lo: Math.min(...widths.map((w) => w.lo)), hi: Math.max(...widths.map((w) => w.hi)) };
    }
    case 'char':
    case 'any':
    case 'class':
    case 'category':
      return { lo: 1, hi: 1 };
    case 'group':
    case 'flagGroup':
    case 'atomic':
      return widthOf(node.body, state);
    case 'repeat': {
      const w = widthOf(node.body, state);
      const hi = node.max === Infinity ? (w.hi > 0 ? Infinity : 0) : w.hi * node.max;
      return { lo: w.lo * node.min, hi };
    }
    case 'backref':
      return state.groupWidths[node.index] ?? { lo: 0, hi: 0 };
    case 'assert':
    case 'look':
      return { lo: 0, hi: 0 };
  }
}

function sequence(items: RegexNode[]): RegexNode {
  return items.length === 1 && items[0] ? items[0] : { kind: 'sequence', items };
}

class Parser {
  private readonly state = new State();
  private readonly source: Source;

  constructor(private readonly pattern: string) {
    this.source = new Source(pattern);
  }

  parse(): ParsedRegex {
    const root = this.parseSub(false, 0);
    this.fixFlags();
    if (this.source.next !== null) throw this.source.error('unbalanced parenthesis');
    return {
      pattern: this.pattern,
      root,
      globalFlags: this.state.flags,
      groupCount: this.state.groups - 1,
      groupIndex: this.state.groupIndex,
    };
  }

  private fixFlags(): void {
    if (this.state.flags & FLAG_L) {
      throw new PythonRegexError(
        'cannot use LOCALE flag with a str pattern',
        this.pattern,
        undefined,
      );
    }
  }

  private parseSub(verboseIn: boolean, nested: number): RegexNode {
    let verbose = verboseIn;
    const alternatives: RegexNode[] = [];
    for (;;) {
      alternatives.push(
        this.parseSequence(verbose, nested + 1, nested === 0 && alternatives.length === 0),
      );
      if (!this.source.match('|')) break;
      if (nested === 0) verbose = (this.state.flags & FLAG_X) !== 0;
    }
    const [only] = alternatives;
    return alternatives.length === 1 && only ? only : { kind: 'alternation', alternatives };
  }

  private parseSequence(verboseIn: boolean, nested: number, first: boolean): RegexNode {
    const source = this.source;
    const items: RegexNode[] = [];
    let verbose = verboseIn;
    for (;;) {
      const current = source.next;
      if (current === null || current === '|' || current === ')') break;
      source.get();
      if (verbose) {
        if (WHITESPACE.includes(current)) continue;
        if (current === '#') {
          for (;;) {
            const c = source.get();
            if (c === null || c === '\n') break;
          }
          continue;
        }
      }
      if (current.startsWith('\\')) {
        items.push(this.parseEscape(current));
      } else if (!SPECIAL_CHARS.includes(current)) {
        items.push({ kind: 'char', cp: codePointOf(current) });
      } else if (current === '[') {
        items.push(this.parseClass());
      } else if (REPEAT_CHARS.includes(current)) {
        this.parseRepeat(current, items);
      } else if (current === '.') {
        items.push({ kind: 'any' });
      } else if (current === '(') {
        const result = this.parseGroup(verbose, nested, first, items.length > 0);
        if (result === 'globalFlags') {
          verbose = (this.state.flags & FLAG_X) !== 0;
        } else if (result !== null) {
          items.push(result);
        }
      } else if (current === '^') {
        items.push({ kind: 'assert', at: 'start' });
      } else if (current === '$') {
        items.push({ kind: 'assert', at: 'end' });
      }
    }
    return sequence(items);
  }

  private parseRepeat(current: string, items: RegexNode[]): void {
    const source = this.source;
    const here = source.tell();
    let min = 0;
    let max = Infinity;
    if (current === '?') {
      max = 1;
    } else if (current === '+') {
      min = 1;
    } else if (current === '{') {
      if (source.next === '}') {
        items.push({ kind: 'char', cp: codePointOf('{') });
        return;
      }
      let lo = '';
      let hi = '';
      while (source.next !== null && DIGITS.includes(source.next)) lo += source.get();
      if (source.match(',')) {
        while (source.next !== null && DIGITS.includes(source.next)) hi += source.get();
      } else {
        hi = lo;
      }
      if (!source.match('}')) {
        items.push({ kind: 'char', cp: codePointOf('{') });
        source.seek(here);
        return;
      }
      if (lo !== '') {
        min = Number(lo);
        if (min >= MAX_REPEAT)
          throw new PythonRegexError('the repetition number is too large', this.pattern, undefined);
      }
      if (hi !== '') {
        max = Number(hi);
        if (max >= MAX_REPEAT)
          throw new PythonRegexError('the repetition number is too large', this.pattern, undefined);
        if (max < min)
          throw source.error('min repeat greater than max repeat', source.tell() - here);
      }
    }
    const item = items[items.length - 1];
    if (item === undefined || item.kind === 'assert') {
      throw source.error('nothing to repeat', source.tell() - here + current.length);
    }
    if (item.kind === 'repeat') {
      throw source.error('multiple repeat', source.tell() - here + current.length);
    }
    let mode: RepeatMode = 'greedy';
    if (source.match('?')) mode = 'lazy';
    else if (source.match('+')) mode = 'possessive';
    items[items.length - 1] = { kind: 'repeat', min, max, mode, body: item };
  }

  private parseEscape(escape: string): RegexNode {
    const source = this.source;
    const category = CATEGORY_ESCAPES[escape];
    if (category !== undefined) return { kind: 'category', cat: category };
    const assertion = ASSERT_ESCAPES[escape];
    if (assertion !== undefined) return assertion;
    const simple = SIMPLE_ESCAPES[escape];
    if (simple !== undefined) return { kind: 'char', cp: simple };
    const c = escape.slice(1);
    const common = this.parseCommonEscape(escape);
    if (common !== undefined) return { kind: 'char', cp: common };
    if (c === '0') {
      const digits = escape + source.getWhile(2, OCT_DIGITS);
      return { kind: 'char', cp: parseInt(digits.slice(1), 8) };
    }
    if (DIGITS.includes(c)) return this.parseNumericEscape(escape);
    if (ASCII_LETTER.test(c)) throw source.error(`bad escape ${escape}`, escape.length);
    return { kind: 'char', cp: codePointOf(c) };
  }

  private parseNumericEscape(escapeIn: string): RegexNode {
    const source = this.source;
    let escape = escapeIn;
    if (source.next !== null && DIGITS.includes(source.next)) {
      escape += source.get();
      const [, d1 = '', d2 = ''] = escape;
      if (
        OCT_DIGITS.includes(d1) &&
        OCT_DIGITS.includes(d2) &&
        source.next !== null &&
        OCT_DIGITS.includes(source.next)
      ) {
        escape += source.get();
        const value = parseInt(escape.slice(1), 8);
        if (value > 0o377) {
          throw source.error(
            `octal escape value ${escape} outside of range 0-0o377`,
            escape.length,
          );
        }
        return { kind: 'char', cp: value };
      }
    }
    const group = Number(escape.slice(1));
    if (group < this.state.groups) {
      if (!this.state.checkGroup(group))
        throw source.error('cannot refer to an open group', escape.length);
      this.state.checkLookbehindGroup(group, source);
      return { kind: 'backref', index: group };
    }
    throw source.error(`invalid group reference ${group}`, escape.length - 1);
  }

  /** `\x`, `\u`, `\U` and `\N{...}` (shared by both escape contexts). */
  private parseCommonEscape(escapeIn: string): number | undefined {
    const source = this.source;
    const c = escapeIn.slice(1);
    const hexLength: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };
    const length = hexLength[c];
    if (length !== undefined) {
      const escape = escapeIn + source.getWhile(length, HEX_DIGITS);
      if (escape.length !== length + 2)
        throw source.error(`incomplete escape ${escape}`, escape.length);
      const value = parseInt(escape.slice(2), 16);
      if (value > 0x10ffff) throw source.error(`bad escape ${escape}`, escape.length);
      return value;
    }
    if (c === 'N') {
      throw source.error('named Unicode escapes (\\N{...}) are not supported by this engine');
    }
    return undefined;
  }

  private parseClassEscape(escape: string): ClassItem {
    const source = this.source;
    const simple = SIMPLE_ESCAPES[escape];
    if (simple !== undefined) return { kind: 'char', cp: simple };
    const category = CATEGORY_ESCAPES[escape];
    if (category !== undefined) return { kind: 'category', cat: category };
    const common = this.parseCommonEscape(escape);
    if (common !== undefined) return { kind: 'char', cp: common };
    const c = escape.slice(1);
    if (OCT_DIGITS.includes(c)) {
      const digits = escape + source.getWhile(2, OCT_DIGITS);
      const value = parseInt(digits.slice(1), 8);
      if (value > 0o377) {
        throw source.error(`octal escape value ${digits} outside of range 0-0o377`, digits.length);
      }
      return { kind: 'char', cp: value };
    }
    if (DIGITS.includes(c) || ASCII_LETTER.test(c))
      throw source.error(`bad escape ${escape}`, escape.length);
    return { kind: 'char', cp: codePointOf(c) };
  }

  private parseClass(): RegexNode {
    const source = this.source;
    const here = source.tell() - 1;
    const items: ClassItem[] = [];
    const negate = source.match('^');
    for (;;) {
      const current = source.get();
      if (current === null) throw source.error('unterminated character set', source.tell() - here);
      if (current === ']' && items.length > 0) break;
      const first: ClassItem = current.startsWith('\\')
        ? this.parseClassEscape(current)
        : { kind: 'char', cp: codePointOf(current) };
      if (!source.match('-')) {
        items.push(first);
        continue;
      }
      const that = source.get();
      if (that === null) throw source.error('unterminated character set', source.tell() - here);
      if (that === ']') {
        items.push(first, { kind: 'char', cp: 45 });
        break;
      }
      const second: ClassItem = that.startsWith('\\')
        ? this.parseClassEscape(that)
        : { kind: 'char', cp: codePointOf(that) };
      const badRange = `bad character range ${current}-${that}`;
      if (first.kind !== 'char' || second.kind !== 'char' || second.cp < first.cp) {
        throw source.error(badRange, current.length + 1 + that.length);
      }
      items.push({ kind: 'range', lo: first.cp, hi: second.cp });
    }
    return { kind: 'class', negate, items };
  }

  /** Returns the node, `null` for a comment, or 'globalFlags' for `(?flags)`. */
  private parseGroup(
    verbose: boolean,
    nested: number,
    first: boolean,
    hasItems: boolean,
  ): RegexNode | null | 'globalFlags' {
    const source = this.source;
    const start = source.tell() - 1;
    let capture = true;
    let atomic = false;
    let name: string | null = null;
    let add = 0;
    let remove = 0;
    if (source.match('?')) {
      const char = source.get();
      if (char === null) throw source.error('unexpected end of pattern');
      if (char === 'P') {
        if (source.match('<')) {
          name = source.getUntil('>', 'group name');
          this.checkGroupName(name);
        } else if (source.match('=')) {
          return this.parseNamedBackref();
        } else {
          const next = source.get();
          if (next === null) throw source.error('unexpected end of pattern');
          throw source.error(`unknown extension ?P${next}`, next.length + 2);
        }
      } else if (char === ':') {
        capture = false;
      } else if (char === '#') {
        for (;;) {
          if (source.next === null)
            throw source.error('missing ), unterminated comment', source.tell() - start);
          if (source.get() === ')') return null;
        }
      } else if (char === '=' || char === '!' || char === '<') {
        return this.parseLookaround(char, verbose, nested, start);
      } else if (char === '(') {
        throw source.error('conditional groups (?(id)yes|no) are not supported by this engine');
      } else if (char === '>') {
        capture = false;
        atomic = true;
      } else if (char in FLAG_BITS || char === '-') {
        const flags = this.parseFlags(char);
        if (flags === null) {
          if (!first || hasItems) {
            throw source.error(
              'global flags not at the start of the expression',
              source.tell() - start,
            );
          }
          return 'globalFlags';
        }
        [add, remove] = flags;
        capture = false;
      } else {
        throw source.error(`unknown extension ?${char}`, char.length + 1);
      }
    }
    const group = capture ? this.state.openGroup(name, source) : null;
    const subVerbose = (verbose || (add & FLAG_X) !== 0) && (remove & FLAG_X) === 0;
    const body = this.parseSub(subVerbose, nested + 1);
    if (!source.match(')'))
      throw source.error('missing ), unterminated subpattern', source.tell() - start);
    if (group !== null) this.state.closeGroup(group, body);
    if (atomic) return { kind: 'atomic', body };
    if (add !== 0 || remove !== 0) return { kind: 'flagGroup', add, remove, body };
    return { kind: 'group', index: group, body };
  }

  private parseNamedBackref(): RegexNode {
    const source = this.source;
    const name = source.getUntil(')', 'group name');
    this.checkGroupName(name);
    const gid = this.state.groupIndex.get(name);
    if (gid === undefined)
      throw source.error(`unknown group name ${pyRepr(name)}`, name.length + 1);
    if (!this.state.checkGroup(gid))
      throw source.error('cannot refer to an open group', name.length + 1);
    this.state.checkLookbehindGroup(gid, source);
    return { kind: 'backref', index: gid };
  }

  private parseLookaround(
    charIn: string,
    verbose: boolean,
    nested: number,
    start: number,
  ): RegexNode {
    const source = this.source;
    let char = charIn;
    let behind = false;
    let savedLookbehind: number | null = null;
    if (char === '<') {
      const next = source.get();
      if (next === null) throw source.error('unexpected end of pattern');
      if (next !== '=' && next !== '!')
        throw source.error(`unknown extension ?<${next}`, next.length + 2);
      char = next;
      behind = true;
      savedLookbehind = this.state.lookbehindGroups;
      if (savedLookbehind === null) this.state.lookbehindGroups = this.state.groups;
    }
    const body = this.parseSub(verbose, nested + 1);
    if (behind && savedLookbehind === null) this.state.lookbehindGroups = null;
    if (!source.match(')'))
      throw source.error('missing ), unterminated subpattern', source.tell() - start);
    if (behind) {
      const width = widthOf(body, this.state);
      if (width.lo !== width.hi) {
        throw new PythonRegexError(
          'look-behind requires fixed-width pattern',
          this.pattern,
          undefined,
        );
      }
    }
    return { kind: 'look', behind, negate: char === '!', body };
  }

  private checkGroupName(name: string): void {
    if (!IDENTIFIER.test(name)) {
      throw this.source.error(`bad character in group name ${pyRepr(name)}`, name.length + 1);
    }
  }

  /** Returns `null` for global flags `(?imsx)`, else the scoped [add, remove]. */
  private parseFlags(charIn: string): [number, number] | null {
    const source = this.source;
    let char: string | null = charIn;
    let add = 0;
    let remove = 0;
    if (char !== '-') {
      for (;;) {
        const flag = FLAG_BITS[char] ?? 0;
        if (char === 'L')
          throw source.error("bad inline flags: cannot use 'L' flag with a str pattern");
        add |= flag;
        if (flag & TYPE_FLAGS && (add & TYPE_FLAGS) !== flag) {
          throw source.error("bad inline flags: flags 'a', 'u' and 'L' are incompatible");
        }
        char = source.get();
        if (char === null) throw source.error('missing -, : or )');
        if (')-:'.includes(char)) break;
        if (!(char in FLAG_BITS)) {
          throw source.error(
            /^\p{L}$/u.test(char) ? 'unknown flag' : 'missing -, : or )',
            char.length,
          );
        }
      }
    }
    if (char === ')') {
      if (add & GLOBAL_ONLY_FLAGS)
        throw source.error("the 't' (TEMPLATE) flag is not supported by this engine");
      this.state.flags |= add;
      return null;
    }
    if (add & GLOBAL_ONLY_FLAGS)
      throw source.error('bad inline flags: cannot turn on global flag', 1);
    if (char === '-') {
      char = source.get();
      if (char === null) throw source.error('missing flag');
      if (!(char in FLAG_BITS))
        throw source.error(/^\p{L}$/u.test(char) ? 'unknown flag' : 'missing flag', char.length);
      for (;;) {
        const flag = FLAG_BITS[char] ?? 0;
        if (flag & TYPE_FLAGS)
          throw source.error("bad inline flags: cannot turn off flags 'a', 'u' and 'L'");
        remove |= flag;
        char = source.get();
        if (char === null) throw source.error('missing :');
        if (char === ':') break;
        if (!(char in FLAG_BITS))
          throw source.error(/^\p{L}$/u.test(char) ? 'unknown flag' : 'missing :', char.length);
      }
    }
    if (remove & GLOBAL_ONLY_FLAGS)
      throw source.error('bad inline flags: cannot turn off global flag', 1);
    if (add & remove) throw source.error('bad inline flags: flag turned on and off', 1);
    return [add, remove];
  }
}

/** Parse a Python `re` pattern; throws {@link PythonRegexError} like `re.compile`. */
export function parsePythonRegex(pattern: string): ParsedRegex {
  return new Parser(pattern).parse();
}
