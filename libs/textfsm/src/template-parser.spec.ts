import { TextFsmTemplate, TextFsmTemplateError } from './index';

function compileError(template: string): TextFsmTemplateError {
  try {
    new TextFsmTemplate(template);
  } catch (error) {
    if (error instanceof TextFsmTemplateError) return error;
    throw error;
  }
  throw new Error('expected a TextFsmTemplateError');
}

const VALUE_A = 'Value A (\\S+)\n\n';

describe('template validation errors (same conditions and messages as Python TextFSM)', () => {
  it.each([
    [
      'Continue with a state transition',
      `${VALUE_A}Start\n  ^\${A} -> Continue Other\n\nOther\n  ^x\n`,
      "Action 'Continue' with new state Other specified. Line: 4.",
      4,
    ],
    [
      'an undefined state is referenced',
      `${VALUE_A}Start\n  ^\${A} -> Missing\n`,
      "State 'Missing' not found, referenced in state 'Start'",
      undefined,
    ],
    [
      'a value name is longer than 48 characters',
      `Value ${'N'.repeat(49)} (x)\n\nStart\n  ^x\n`,
      `Invalid Value name '${'N'.repeat(49)}' or name too long. Line 1.`,
      1,
    ],
    [
      'a value is declared twice',
      'Value A (x)\nValue A (y)\n\nStart\n  ^x\n',
      "Duplicate declarations for Value 'A'. Line: 2.",
      2,
    ],
    ['the Start state is missing', `${VALUE_A}Other\n  ^x\n`, "Missing state 'Start'.", undefined],
    [
      'an option is unknown',
      'Value Bogus A (x)\n\nStart\n  ^x\n',
      'Unknown option "Bogus" Line 1.',
      1,
    ],
    [
      'an option is repeated',
      'Value Key,Key A (x)\n\nStart\n  ^x\n',
      'Duplicate option "Key" Line 1.',
      1,
    ],
    [
      'a value line has too few tokens',
      'Value A\n\nStart\n  ^x\n',
      'Expect at least 3 tokens on line. Line 1.',
      1,
    ],
    [
      'a value regex is not wrapped in parentheses',
      'Value A (x) y\n\nStart\n  ^x\n',
      "Value '(x) y' must be contained within a '()' pair. Line 1.",
      1,
    ],
    [
      'value parentheses are unbalanced',
      'Value A ((x)\n\nStart\n  ^x\n',
      "Value '((x)' must be contained within a '()' pair. Line 1.",
      1,
    ],
    [
      'states follow values without a blank line',
      'Value A (x)\nStart\n  ^x\n',
      'Expected blank line after last Value entry. Line: 2.',
      2,
    ],
    ['there are no Value definitions', 'Start\n  ^x\n', 'No Value definitions found.', undefined],
    [
      'a rule is not indented',
      `${VALUE_A}Start\n^x\n`,
      "Missing white space or carat ('^') before rule. Line: 4",
      4,
    ],
    [
      'a rule references an unknown value',
      `${VALUE_A}Start\n  ^\${B}\n`,
      "Duplicate or invalid variable substitution: '^${B}'. Line: 4.",
      4,
    ],
    [
      'a rule ends with a single $',
      `${VALUE_A}Start\n  ^x$\n`,
      "Duplicate or invalid variable substitution: '^x$'. Line: 4.",
      4,
    ],
    [
      'a rule regex is invalid',
      `${VALUE_A}Start\n  ^(x\n`,
      "Invalid regular expression: '^(x'. Line: 4.",
      4,
    ],
    [
      'a rule action is malformed',
      `${VALUE_A}Start\n  ^x -> Next.Bogus\n`,
      "Badly formatted rule '^x -> Next.Bogus'. Line: 4.",
      4,
    ],
    [
      'a quoted message is used without Error',
      `${VALUE_A}Start\n  ^x -> Next "msg"\n`,
      'Alphanumeric characters only in state names. Line: 4.',
      4,
    ],
    [
      'a state is declared twice',
      `${VALUE_A}Start\n  ^x\n\nStart\n  ^y\n`,
      "Duplicate state name: 'Start'. Line: 6",
      6,
    ],
    [
      'a state uses a reserved name',
      `${VALUE_A}Start\n  ^x\n\nNext\n  ^y\n`,
      "Invalid state name: 'Next'. Line: 6",
      6,
    ],
    [
      'a state name has invalid characters',
      `${VALUE_A}Start\n  ^x\n\nmy-state\n  ^y\n`,
      "Invalid state name: 'my-state'. Line: 6",
      6,
    ],
    [
      'a state name is longer than 48 characters',
      `${VALUE_A}Start\n  ^x\n\n${'S'.repeat(49)}\n  ^y\n`,
      `Invalid state name: '${'S'.repeat(49)}'. Line: 6`,
      6,
    ],
    [
      'the End state has rules',
      `${VALUE_A}Start\n  ^x\n\nEnd\n  ^y\n`,
      "Non-Empty 'End' state.",
      undefined,
    ],
    [
      'the EOF state has rules',
      `${VALUE_A}Start\n  ^x\n\nEOF\n  ^y\n`,
      "Non-Empty 'EOF' state.",
      undefined,
    ],
    [
      'a List value regex is invalid',
      'Value List A ((?P<x>a)(?P<x>b))\n\nStart\n  ^x\n',
      "redefinition of group name 'x' as group 3; was group 2 at position 13 Line 1.",
      1,
    ],
  ])(
    'when %s, then compiling fails with the reference message',
    (_case, template, message, line) => {
      // Act
      const error = compileError(template);

      // Assert
      expect(error.message).toBe(message);
      expect(error.line).toBe(line);
    },
  );

  it('when a rule regex is invalid, then the error carries the Python regex reason as detail', () => {
    // Act
    const error = compileError(`${VALUE_A}Start\n  ^(?i)\${A}\n`);

    // Assert
    expect(error.message).toBe("Invalid regular expression: '^(?i)(?P<A>\\S+)'. Line: 4.");
    expect(error.detail).toBe('global flags not at the start of the expression at position 1');
  });

  it('when comments and blank lines surround states, then line numbers still count every template line', () => {
    // Arrange
    const template = `# header comment\n${VALUE_A}# state comment\n\nStart\n  # rule comment\n  ^x -> Bogus\n`;

    // Act
    const error = compileError(template);

    // Assert
    expect(error.message).toBe("State 'Bogus' not found, referenced in state 'Start'");
    expect(() => new TextFsmTemplate(template.replace('Bogus', 'Next'))).not.toThrow();
  });
});
