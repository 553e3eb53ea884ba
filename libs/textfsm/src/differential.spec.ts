import type { NamedCase } from '../test/fixture-corpus';
import { loadParseCases, loadTemplateErrorCases, runOurs } from '../test/fixture-corpus';
import type { ReferenceResult } from '../test/python-reference';
import { findReferencePython, runReference } from '../test/python-reference';

const parseCases = loadParseCases();
const errorCases = loadTemplateErrorCases();
const allCases: NamedCase[] = [...parseCases, ...errorCases];
let reference: ReferenceResult[] = [];

beforeAll(() => {
  reference = runReference(allCases);
});

function referenceFor(testCase: NamedCase): ReferenceResult {
  const result = reference[allCases.indexOf(testCase)];
  if (result === undefined) throw new Error(`no reference result for ${testCase.name}`);
  return result;
}

describe('differential: our engine vs Google Python TextFSM', () => {
  it('when the differential tests run, then python3 with the textfsm module is available', () => {
    // Arrange / Act
    const python = findReferencePython();

    // Assert
    expect(python).toMatch(/python3$/);
  });

  it('when the fixture corpus is loaded, then it covers every vendor template and feature', () => {
    // Arrange / Act
    const names = parseCases.map((c) => c.name.split('/')[0]);

    // Assert
    expect(new Set(names).size).toBeGreaterThanOrEqual(25);
    expect(errorCases.length).toBeGreaterThanOrEqual(25);
  });

  it.each(parseCases.map((c) => [c.name, c] as const))(
    'when parsing fixture %s, then header and rows equal the reference exactly',
    (_name, testCase) => {
      // Arrange
      const expected = referenceFor(testCase);

      // Act
      const actual = runOurs(testCase);

      // Assert
      expect(actual).toEqual(expected);
    },
  );

  it.each(errorCases.map((c) => [c.name, c] as const))(
    'when compiling malformed template %s, then the error class and message equal the reference',
    (_name, testCase) => {
      // Arrange
      const expected = referenceFor(testCase);

      // Act
      const actual = runOurs(testCase);

      // Assert
      expect(expected.ok).toBe(false);
      expect(actual).toEqual(expected);
    },
  );
});
