/**
 * Differential tests of the `sre` emulation against Python's `re` (Debian
 * python3, through test/reference.py): group values and spans of `re.match`
 * on subjects generated from each pattern's AST (seeded), for every divergent
 * rule regex of the library templates and for hand-written tricky patterns.
 * Each pattern also proves that the native JavaScript RegExp alone would give
 * a different result on at least one of its subjects.
 */
import { hashString } from '@toolkit/prng';
import { divergentTemplates, nativeGroups } from '../../test/divergent-patterns';
import type { RegexCase, RegexResult } from '../../test/python-reference';
import { runRegexReference } from '../../test/python-reference';
import { generateSubjects } from '../../test/regex-subjects';
import { DEFAULT_STEP_BUDGET, RegexStepLimitError, SreRegex } from './regex-backtracker';
import { parsePythonRegex } from './regex-parser';
import { TextFsmMatchLimitError } from '../errors';
import { TextFsmTemplate } from '../text-fsm';
import { PythonRegex, compilePythonRegex } from './python-regex';
import { compileSreProgram } from './sre-program';

const SUBJECTS_PER_PATTERN = 80;

/**
 * Library regexes flagged by the checks on which the divergence cannot be
 * observed: mikrotik's `(?:\"?(\b(?P<TCP_MD5_KEY>.*)\b)?\"?)` could only differ
 * by an empty iteration at a word boundary followed by a word character, which
 * nothing after it in the rule can consume. The emulation must still be exact,
 * and the native RegExp is asserted to agree (the checks are conservative).
 */
const NATIVE_AGREES = new Set(['^\\s*(?P<INDEX>\\d+)\\s+((?P<FLAG>X|E)\\s+)?name="(?P<NAME>.*)"']);

function nativeAgrees(pattern: string): boolean {
  return [...NATIVE_AGREES].some((prefix) => pattern.startsWith(prefix));
}

/** Hand-written patterns where JavaScript and Python disagree (with extra subjects). */
const TRICKY: readonly (readonly [string, readonly string[]])[] = [
  ['(?:(a)|b)*', ['ab', 'ba', 'abab']],
  ['(?:(a)|(b))*', ['abab', 'ba']],
  ['(a|)*', ['aa', '']],
  ['(?:|a)*x?', ['aax', 'x']],
  ['(a)?\\1', ['aa', 'b', '']],
  ['(a)?b\\1', ['ab', 'aba']],
  ['(?:(a)|b)*?c', ['abc', 'bc']],
  ['((a)|b)+?c', ['abbc', 'ac']],
  ['(a*)*b', ['aaab', 'b']],
  ['(a*)+', ['aaa', '']],
  ['(a*?)*', ['aa']],
  ['(?:(x)?y)*z', ['xyyz', 'yxyz']],
  ['(?i:(A)|b)+', ['aB', 'Ba']],
  ['(?:(a)|b){2,3}?c', ['abac', 'abbc']],
  ['(?:(?=(a))a|b)*', ['ab', 'ba']],
  ['((\\w+)?\\s)+', ['ab cd  e', ' x ']],
  ['(\\d+(,\\s*)?)+', ['1, 2,3', '12']],
  ['(?:(a)|b)*\\1', ['aba', 'abb', 'bb']],
  ['(x)?(?:y\\1)?z', ['xyxz', 'yz', 'z']],
  ['(?:(a+)|(b+))*c', ['aabbc', 'bac']],
  ['((a)|(b))*', ['ab', 'ba']],
  ['(?:a(b)?)+', ['aba', 'aab']],
  ['((a)(b)?)+', ['aba', 'abab']],
  ['(?:(\\s*)-*)*$', ['-- -', '  ']],
  ['(?:a|(b)|)+c', ['abc', 'bac', 'c']],
  ['(()|a)+', ['aa', '']],
  ['(?:(a)b|(a)c)*', ['abac', 'acab']],
  ['(?i)(?:(a)|B)*', ['AbA', 'bB']],
  ['((a)*b)*', ['aabab', 'bab']],
  ['(?:x(y)?)*?z', ['xyxz', 'xz']],
  ['(?:(a)|b)+(?<=(b))', ['ab', 'aab']],
  ['(?:(a)|(?:b(c)?))+d', ['abcd', 'bcabd']],
  ['(?:(?P<n>\\w+)?\\s)+(?P=n)', ['ab cd cd', 'ab  ab']],
  ['(?:(a)|b)*?(?:c|\\1)', ['abc', 'aba', 'ba']],
  ['(?:(a)|b)(?:(c)|d)*\\2', ['acdc', 'adc']],
];

function libraryPatterns(): string[] {
  const patterns = new Set<string>();
  for (const template of divergentTemplates()) {
    for (const regex of template.divergentRegexes) patterns.add(regex);
  }
  return [...patterns];
}

interface PatternCases {
  readonly pattern: string;
  readonly subjects: readonly string[];
}

const libraryCases: PatternCases[] = libraryPatterns().map((pattern) => ({
  pattern,
  subjects: generateSubjects(pattern, SUBJECTS_PER_PATTERN, hashString(pattern)),
}));
const trickyCases: PatternCases[] = TRICKY.map(([pattern, extra]) => ({
  pattern,
  subjects: [
    ...new Set([...extra, ...generateSubjects(pattern, SUBJECTS_PER_PATTERN, hashString(pattern))]),
  ],
}));
const allCases = [...libraryCases, ...trickyCases];

let reference: Map<string, RegexResult>;

const key = (pattern: string, subject: string): string => JSON.stringify([pattern, subject]);

beforeAll(() => {
  const cases: RegexCase[] = allCases.flatMap(({ pattern, subjects }) =>
    subjects.map((subject) => ({ pattern, subject })),
  );
  const results = runRegexReference(cases);
  reference = new Map(cases.map((c, i) => [key(c.pattern, c.subject), results[i] as RegexResult]));
});

function pythonResult(pattern: string, subject: string): RegexResult {
  const result = reference.get(key(pattern, subject));
  if (result === undefined) throw new Error(`no reference result for ${key(pattern, subject)}`);
  return result;
}

interface Comparison {
  readonly mismatches: unknown[];
  readonly nativeDifferences: number;
  readonly matched: number;
}

function compare({ pattern, subjects }: PatternCases): Comparison {
  const regex = compilePythonRegex(pattern);
  const sre = new SreRegex(compileSreProgram(parsePythonRegex(pattern)), pattern);
  const mismatches: unknown[] = [];
  let nativeDifferences = 0;
  let matched = 0;
  for (const subject of subjects) {
    const python = pythonResult(pattern, subject);
    if (!python.ok) throw new Error(`Python failed on ${pattern}: ${python.message}`);
    const expected = python.match;
    const match = regex.match(subject);
    const groups = match === null ? null : Array.from(match, (g) => g ?? null);
    // Spans straight from the emulation (no prefilter), only where a match exists.
    const spans = expected !== null || match !== null ? sre.spans(subject) : null;
    const expectedSpans =
      expected === null ? null : expected.spans.map((span) => (span[0] === -1 ? null : span));
    if (
      JSON.stringify(groups) !== JSON.stringify(expected?.groups ?? null) ||
      JSON.stringify(spans) !== JSON.stringify(expectedSpans)
    ) {
      mismatches.push({
        subject,
        groups,
        expected: expected?.groups ?? null,
        spans,
        expectedSpans,
      });
    }
    if (expected !== null) matched += 1;
    const native = nativeGroups(pattern, subject);
    if (JSON.stringify(native) !== JSON.stringify(expected?.groups ?? null)) nativeDifferences += 1;
  }
  return { mismatches, nativeDifferences, matched };
}

describe('sre emulation, differential against Python re.match', () => {
  it('when the library is scanned, then its divergent regexes are all emulated', () => {
    // Assert
    expect(libraryCases.length).toBeGreaterThanOrEqual(19);
    for (const { pattern } of libraryCases) {
      const regex = compilePythonRegex(pattern);
      expect([pattern, regex.emulated, regex.prefiltered]).toEqual([pattern, true, true]);
    }
  });

  it.each(libraryCases.map((c) => [c.pattern, c] as const))(
    'when matching generated lines with the library regex %s, then groups and spans equal Python (and the native RegExp alone would differ where observable)',
    (pattern, cases) => {
      // Act
      const result = compare(cases);

      // Assert
      expect(result.mismatches).toEqual([]);
      expect(result.matched).toBeGreaterThan(0);
      if (nativeAgrees(pattern)) expect(result.nativeDifferences).toBe(0);
      else expect(result.nativeDifferences).toBeGreaterThan(0);
    },
  );

  it.each(trickyCases.map((c) => [c.pattern, c] as const))(
    'when matching generated subjects with %s, then groups and spans equal Python and the native RegExp alone would differ',
    (_pattern, cases) => {
      // Act
      const result = compare(cases);

      // Assert
      expect(result.mismatches).toEqual([]);
      expect(result.matched).toBeGreaterThan(0);
      expect(result.nativeDifferences).toBeGreaterThan(0);
    },
  );
});

describe('sre emulation, choice and guard', () => {
  it('when a pattern has no divergent construct, then the native RegExp is used alone', () => {
    // Act
    const regex = new PythonRegex('(?P<a>\\d+)\\s+(\\w+)?');

    // Assert
    expect(regex.emulated).toBe(false);
    expect(regex.emulationReasons).toEqual([]);
  });

  it.each([
    [
      '(?:(a)|b)+',
      true,
      'capture group 1 is inside a repetition but not matched by every iteration',
    ],
    ['(a|)*', true, 'a repetition whose body can match the empty string'],
    ['(a)?\\1', false, 'backreference to group 1, which may not participate in the match'],
    ['(?>(a)|b)+', false, 'capture group 1 is inside a repetition'],
  ])(
    'when compiling %s, then it is emulated (prefiltered: %s) and the reason is recorded',
    (pattern, prefiltered, reason) => {
      // Act
      const regex = new PythonRegex(pattern);

      // Assert
      expect(regex.emulated).toBe(true);
      expect(regex.prefiltered).toBe(prefiltered);
      expect(regex.emulationReasons.join('; ')).toContain(reason);
    },
  );

  it('when a subject fails the native prefilter, then the emulation is not run', () => {
    // Arrange
    const regex = new PythonRegex('^\\s+\\[(\\d+(,\\s+)?)+\\]');
    const run = jest.spyOn(SreRegex.prototype, 'match');

    // Act
    const rejected = regex.match('Ethernet1 is up');
    const accepted = regex.match('  [1, 2]');

    // Assert
    expect(rejected).toBeNull();
    expect(accepted && Array.from(accepted)).toEqual(['  [1, 2]', '2', ', ']);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('when backtracking is catastrophic, then the match throws RegexStepLimitError instead of hanging', () => {
    // Arrange
    // (no prefilter: the native RegExp has no step limit and would hang first)
    const regex = new PythonRegex('(?:(a)|a|aa)*b', {
      stepBudget: 100_000,
      nativePrefilter: false,
    });
    const subject = 'a'.repeat(40);

    // Act
    const run = (): unknown => regex.match(subject);

    // Assert
    expect(run).toThrow(RegexStepLimitError);
    expect(run).toThrow('more than 100,000 backtracking steps');
  });

  it('when the default budget is used, then a long ordinary line stays far below it', () => {
    // Arrange
    const regex = new PythonRegex('^\\s+\\[(\\d+(,\\s+)?)+\\]');
    const line = `  [${Array.from({ length: 2000 }, (_, i) => String(i)).join(', ')}]`;

    // Act
    const match = regex.match(line);

    // Assert
    expect(DEFAULT_STEP_BUDGET).toBe(10_000_000);
    expect(match?.[1]).toBe('1999');
  });
});

describe('sre emulation in templates', () => {
  it('when a rule backtracks catastrophically on a line, then parsing fails with TextFsmMatchLimitError', () => {
    // Arrange: a backreference disables the native prefilter, so the emulation runs
    const template = new TextFsmTemplate(
      'Value A (\\S+)\n\nStart\n  ^(x)?(?:(a)|a|aa)*\\1b\n  ^${A} -> Record\n',
    );

    // Act
    const parse = (): unknown => template.parseText(`${'a'.repeat(60)}\n`);

    // Assert
    expect(parse).toThrow(TextFsmMatchLimitError);
    expect(parse).toThrow('Rule Line: 4');
  });
});
