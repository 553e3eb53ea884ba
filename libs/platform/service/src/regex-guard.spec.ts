import { guardRegexBacktracking } from './regex-guard';

describe('guardRegexBacktracking', () => {
  it('when a pattern would backtrack exponentially, then the match still ends, with the answer backtracking would give', () => {
    // Arrange: 2^40 paths without the guard (minutes to hours).
    guardRegexBacktracking();
    const pathological = /^(\w+\s?)+$/;
    const capturing = /^(?<WORDS>(?:\w+\s?)+)!$/;

    // Act
    const noMatch = pathological.exec(`${'a'.repeat(40)}!`);
    const match = capturing.exec(`${'ab '.repeat(20)}!`);

    // Assert
    expect(noMatch).toBeNull();
    expect(match?.groups?.['WORDS']).toBe('ab '.repeat(20));
  });
});
