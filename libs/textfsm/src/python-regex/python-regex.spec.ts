import { PythonRegexError, compilePythonRegex } from '../index';

function groups(pattern: string, subject: string): (string | undefined)[] | null {
  const match = compilePythonRegex(pattern).match(subject);
  return match === null ? null : Array.from(match);
}

describe('Python regex translation', () => {
  it.each([
    ['re.match anchors at the start only', '\\d+', 'abc 12', null],
    ['re.match does not anchor at the end', '\\d+', '12 abc', ['12']],
    [
      'named groups and named backreferences',
      '(?P<q>["\'])(?P<v>\\w+)(?P=q)',
      '"abc"',
      ['"abc"', '"', 'abc'],
    ],
    ['{,n} means {0,n}', 'a{,2}b', 'aab', ['aab']],
    ['a { that is not a quantifier is literal', 'x{y}', 'x{y}', ['x{y}']],
    ['\\Z is the end of the subject', 'ab\\Z', 'ab', ['ab']],
    ['\\A is the start of the subject', '\\Aab', 'ab', ['ab']],
    ['scoped case-insensitivity', '(?i:ab)c', 'ABc', ['ABc']],
    ['scoped case-insensitivity does not leak', '(?i:ab)c', 'ABC', null],
    ['atomic groups do not backtrack', '(?>a+)a', 'aaa', null],
    ['possessive quantifiers do not backtrack', 'a++a', 'aaa', null],
    ['verbose scoped groups ignore whitespace', '(?x: a b # comment\n)', 'ab', ['ab']],
    ['Python \\s includes \\x1c-\\x1f', '\\s', '\u001f', ['\u001f']],
    ['Python \\d includes Unicode digits', '\\d+', '٣٤', ['٣٤']],
    ['Python \\w includes Unicode letters', '\\w+', 'Zürich', ['Zürich']],
    ['(?a:) restricts classes to ASCII', '(?a:\\w+)', 'Zü', ['Z']],
    ['. matches one astral code point', '^.$', '😀', ['😀']],
    ['octal and hex escapes', '\\101\\x42\\u0043', 'ABC', ['ABC']],
    ['\\B never matches an empty subject', '\\B', '', null],
    ['a lookbehind of fixed width', '(?<=a)b', 'ab', null],
    ['a group keeps its last participating iteration', '(?:(a)|b)+', 'ab', ['ab', 'a']],
    ['a backreference to a non-participating group fails', '(a)?\\1', 'b', null],
    ['an empty iteration ends the loop with its captures', '(a|)*', 'aa', ['aa', '']],
  ])('when %s, then the match equals Python re.match', (_case, pattern, subject, expected) => {
    // Act
    const result = groups(pattern, subject);

    // Assert
    expect(result).toEqual(expected);
  });

  it.each([
    ['(?i)a|(?s)b', 'global flags not at the start of the expression at position 6'],
    ['a**', 'multiple repeat at position 2'],
    ['*a', 'nothing to repeat at position 0'],
    ['(?<=a+)b', 'look-behind requires fixed-width pattern'],
    ['[b-a]', 'bad character range b-a at position 1'],
    ['\\q', 'bad escape \\q at position 0'],
    ['(a', 'missing ), unterminated subpattern at position 0'],
    ['a)', 'unbalanced parenthesis at position 1'],
    ['(?P<n>a)(?P<n>b)', "redefinition of group name 'n' as group 2; was group 1 at position 12"],
    ['(?P=x)', "unknown group name 'x' at position 4"],
    ['\\2(a)', 'invalid group reference 2 at position 1'],
    [
      '(?(1)a|b)',
      'conditional groups (?(id)yes|no) are not supported by this engine at position 3',
    ],
    ['\\N{EM DASH}', 'named Unicode escapes (\\N{...}) are not supported by this engine'],
  ])('when compiling %s, then a PythonRegexError explains why', (pattern, message) => {
    // Act
    const compile = (): unknown => compilePythonRegex(pattern);

    // Assert
    expect(compile).toThrow(PythonRegexError);
    expect(compile).toThrow(message);
  });

  it('when a pattern has named groups, then groupDict maps names to matched text or null', () => {
    // Arrange
    const regex = compilePythonRegex('(?P<a>x)(?P<b>y)?');

    // Act
    const match = regex.match('x');

    // Assert
    expect(match && regex.groupDict(match)).toEqual({ a: 'x', b: null });
  });
});
