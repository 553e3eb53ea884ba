import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { FIXTURES_DIR, runOurs } from '../test/fixture-corpus';
import type { ReferenceCase, ReferenceResult } from '../test/python-reference';
import { runReference } from '../test/python-reference';
import { Prng } from '@toolkit/prng';
import {
  randomInput,
  randomRegexCase,
  randomRouteTable,
  randomTemplate,
} from '../test/random-cases';

const SEED = 20240611;
const rng = new Prng(SEED);
const routeTemplate = readFileSync(
  join(FIXTURES_DIR, 'cisco_ios_show_ip_route', 'template.textfsm'),
  'utf8',
);

const templateCases: ReferenceCase[] = Array.from({ length: 300 }, () => ({
  template: randomTemplate(rng),
  text: randomInput(rng, 5 + rng.below(20)),
}));
const regexCases: ReferenceCase[] = Array.from({ length: 600 }, () => randomRegexCase(rng));
const routeCases: ReferenceCase[] = Array.from({ length: 20 }, () => ({
  template: routeTemplate,
  text: randomRouteTable(rng, 50 + rng.below(200)),
}));
const allCases = [...templateCases, ...regexCases, ...routeCases];
let reference: ReferenceResult[] = [];

beforeAll(() => {
  reference = runReference(allCases);
});

/** Our engine may reject a construct it cannot translate faithfully; it must never silently differ. */
function isExplicitRejection(result: ReferenceResult): boolean {
  return !result.ok && result.error === 'TextFSMTemplateError';
}

function compare(
  cases: readonly ReferenceCase[],
  offset: number,
): { mismatches: string[]; rejected: number } {
  const mismatches: string[] = [];
  let rejected = 0;
  cases.forEach((testCase, i) => {
    const expected = reference[offset + i];
    const actual = runOurs(testCase);
    if (JSON.stringify(actual) === JSON.stringify(expected)) return;
    if (expected?.ok && isExplicitRejection(actual)) {
      rejected += 1;
      return;
    }
    mismatches.push(
      `${JSON.stringify(testCase)}\n ours: ${JSON.stringify(actual)}\n ref:  ${JSON.stringify(expected)}`,
    );
  });
  return { mismatches, rejected };
}

describe(`randomized differential (seed ${SEED})`, () => {
  it('when random templates with random options and actions parse random input, then results equal the reference', () => {
    // Arrange / Act
    const { mismatches, rejected } = compare(templateCases, 0);

    // Assert
    expect(mismatches.slice(0, 3)).toEqual([]);
    expect(rejected).toBe(0);
  });

  it('when random Python regexes match random subjects, then results equal the reference or are rejected explicitly', () => {
    // Arrange / Act
    const { mismatches, rejected } = compare(regexCases, templateCases.length);

    // Assert
    expect(mismatches.slice(0, 3)).toEqual([]);
    expect(rejected).toBeLessThan(regexCases.length * 0.25);
  });

  it('when generated show ip route tables are parsed, then records equal the reference', () => {
    // Arrange / Act
    const { mismatches, rejected } = compare(routeCases, templateCases.length + regexCases.length);

    // Assert
    expect(mismatches).toEqual([]);
    expect(rejected).toBe(0);
    expect(routeCases.every((c) => c.text.split('\n').length > 50)).toBe(true);
  });
});
