/** Test helper: loads the fixture corpus under test/fixtures and runs our engine the way reference.py runs Python's. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { TextFsmBaseError, TextFsmTemplate } from '../src/index';
import type { ReferenceCase, ReferenceResult } from './python-reference';

export const FIXTURES_DIR = join(__dirname, 'fixtures');
const TEMPLATE_ERRORS_DIR = 'template_errors';

export interface NamedCase extends ReferenceCase {
  readonly name: string;
}

function read(path: string): string {
  return readFileSync(path, 'utf8');
}

/** Every `<dir>/template.textfsm` paired with each `<dir>/output*.txt`. */
export function loadParseCases(): NamedCase[] {
  const cases: NamedCase[] = [];
  for (const dir of readdirSync(FIXTURES_DIR).sort()) {
    if (dir === TEMPLATE_ERRORS_DIR || dir.includes('.')) continue;
    const files = readdirSync(join(FIXTURES_DIR, dir)).sort();
    if (!files.includes('template.textfsm')) continue;
    const template = read(join(FIXTURES_DIR, dir, 'template.textfsm'));
    for (const output of files.filter((file) => file.startsWith('output'))) {
      cases.push({
        name: `${dir}/${output}`,
        template,
        text: read(join(FIXTURES_DIR, dir, output)),
      });
    }
  }
  return cases;
}

/** Malformed templates under `template_errors/`, parsed with an empty input. */
export function loadTemplateErrorCases(): NamedCase[] {
  const dir = join(FIXTURES_DIR, TEMPLATE_ERRORS_DIR);
  return readdirSync(dir)
    .sort()
    .map((file) => ({
      name: `${TEMPLATE_ERRORS_DIR}/${file}`,
      template: read(join(dir, file)),
      text: '',
    }));
}

/** Our engine's result in the same shape as reference.py's. */
export function runOurs(testCase: ReferenceCase): ReferenceResult {
  try {
    const table = new TextFsmTemplate(testCase.template).parseText(testCase.text);
    return { ok: true, header: table.header, rows: table.rows };
  } catch (error) {
    if (error instanceof TextFsmBaseError)
      return { ok: false, error: error.name, message: error.message };
    throw error;
  }
}
