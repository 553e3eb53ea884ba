/**
 * Python `re` patterns compiled to JavaScript RegExps with `re.match`
 * semantics (anchored at the start of the subject, not at its end). Patterns
 * on which a RegExp could give other group values than Python (see
 * {@link ./regex-checks}) are matched by an emulation of Python's `sre`
 * instead, with the RegExp as a prefilter where that is sound.
 */
import type { ParsedRegex, RegexNode } from './regex-ast';
import { FLAG_I } from './regex-ast';
import { SreRegex } from './regex-backtracker';
import { divergenceReasons, nativePrefilterIsSound } from './regex-checks';
import type { EmittedRegex } from './regex-emitter';
import { emitJavaScript } from './regex-emitter';
import { parsePythonRegex } from './regex-parser';
import { compileSreProgram } from './sre-program';

/** Match result indexed by Python group number (0 = whole match); `undefined` = did not participate. */
export type PythonMatch = ArrayLike<string | undefined>;

const NON_ASCII = /[\u0080-\uffff]/;

/** True when every character of `text` is ASCII (the fast matching path applies). */
export function isAscii(text: string): boolean {
  return !NON_ASCII.test(text);
}

function maxCodePoint(node: RegexNode): number {
  switch (node.kind) {
    case 'char':
      return node.cp;
    case 'class':
      return Math.max(
        0,
        ...node.items.map((item) =>
          item.kind === 'char' ? item.cp : item.kind === 'range' ? item.hi : 0,
        ),
      );
    case 'sequence':
      return Math.max(0, ...node.items.map(maxCodePoint));
    case 'alternation':
      return Math.max(0, ...node.alternatives.map(maxCodePoint));
    case 'group':
    case 'flagGroup':
    case 'atomic':
    case 'look':
    case 'repeat':
      return maxCodePoint(node.body);
    default:
      return 0;
  }
}

function usesIgnoreCase(parsed: ParsedRegex): boolean {
  const visit = (node: RegexNode): boolean => {
    switch (node.kind) {
      case 'flagGroup':
        return (node.add & FLAG_I) !== 0 || visit(node.body);
      case 'sequence':
        return node.items.some(visit);
      case 'alternation':
        return node.alternatives.some(visit);
      case 'group':
      case 'atomic':
      case 'look':
      case 'repeat':
        return visit(node.body);
      default:
        return false;
    }
  };
  return (parsed.globalFlags & FLAG_I) !== 0 || visit(parsed.root);
}

/** The ASCII fast path is exact only if the pattern itself cannot reach non-ASCII case folding or astral code points. */
function asciiVariantIsExact(parsed: ParsedRegex): boolean {
  const max = maxCodePoint(parsed.root);
  return max <= 0xffff && !(max >= 0x80 && usesIgnoreCase(parsed));
}

function toRegExp(emitted: EmittedRegex): RegExp {
  return new RegExp(emitted.source, emitted.flags);
}

export interface PythonRegexOptions {
  /**
   * Steps the `sre` emulation may take for one match before it throws
   * `RegexStepLimitError` (default `DEFAULT_STEP_BUDGET`, 10,000,000).
   */
  readonly stepBudget?: number;
  /** Match with the `sre` emulation even when the native RegExp is exact (tests, benchmarks). */
  readonly forceEmulation?: boolean;
  /** Use the native RegExp to reject subjects before the emulation, where sound (default true). */
  readonly nativePrefilter?: boolean;
}

/** A compiled Python regular expression. Immutable and reusable. */
export class PythonRegex {
  readonly pattern: string;
  readonly groupCount: number;
  /** Named groups in definition order: name -> Python group number. */
  readonly groupIndex: ReadonlyMap<string, number>;
  /** Why the native RegExp could differ from Python (empty when it is exact and used alone). */
  readonly emulationReasons: readonly string[];
  /** True when matches run through the `sre` emulation. */
  readonly emulated: boolean;
  /** True when the native RegExp rejects non-matching subjects before the emulation runs. */
  readonly prefiltered: boolean;
  private readonly ascii: RegExp | null;
  private readonly unicode: RegExp;
  private readonly groupMap: readonly number[] | null;
  private readonly sre: SreRegex | null;

  constructor(pattern: string, options: PythonRegexOptions = {}) {
    const parsed = parsePythonRegex(pattern);
    this.emulationReasons = divergenceReasons(parsed);
    this.emulated = this.emulationReasons.length > 0 || options.forceEmulation === true;
    this.sre = this.emulated
      ? new SreRegex(compileSreProgram(parsed), pattern, options.stepBudget)
      : null;
    this.prefiltered =
      this.emulated && options.nativePrefilter !== false && nativePrefilterIsSound(parsed);
    this.pattern = pattern;
    this.groupCount = parsed.groupCount;
    this.groupIndex = parsed.groupIndex;
    const unicode = emitJavaScript(parsed, 'unicode');
    this.unicode = toRegExp(unicode);
    this.ascii = asciiVariantIsExact(parsed) ? toRegExp(emitJavaScript(parsed, 'ascii')) : null;
    const identity =
      unicode.groupMap.length - 1 === parsed.groupCount &&
      unicode.groupMap.every((js, py) => js === py);
    this.groupMap = identity ? null : unicode.groupMap;
  }

  /**
   * Python `pattern.match(subject)`. Pass `subjectIsAscii` when already known
   * (e.g. computed once for a whole input) to skip the per-call check.
   */
  match(subject: string, subjectIsAscii: boolean = isAscii(subject)): PythonMatch | null {
    const regex = subjectIsAscii && this.ascii !== null ? this.ascii : this.unicode;
    regex.lastIndex = 0;
    if (this.sre !== null) {
      if (this.prefiltered && !regex.test(subject)) return null;
      return this.sre.match(subject, subjectIsAscii);
    }
    const result = regex.exec(subject);
    if (result === null || this.groupMap === null) return result;
    const groups: (string | undefined)[] = [result[0]];
    for (let py = 1; py <= this.groupCount; py += 1) groups.push(result[this.groupMap[py] ?? 0]);
    return groups;
  }

  /** Python `match.groupdict()` for a match of this pattern. */
  groupDict(match: PythonMatch): Record<string, string | null> {
    const entries: [string, string | null][] = [];
    for (const [name, index] of this.groupIndex) entries.push([name, match[index] ?? null]);
    return Object.fromEntries(entries);
  }
}

/** Compile a Python `re` pattern; throws `PythonRegexError` like `re.compile` would. */
export function compilePythonRegex(pattern: string, options: PythonRegexOptions = {}): PythonRegex {
  return new PythonRegex(pattern, options);
}
