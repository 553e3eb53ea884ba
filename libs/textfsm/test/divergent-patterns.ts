/**
 * Test helper: the library templates whose regexes need the `sre` emulation,
 * their divergent regexes, and the native JavaScript result for comparison.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { emitJavaScript } from '../src/python-regex/regex-emitter';
import { parsePythonRegex } from '../src/python-regex/regex-parser';
import { parseTemplateDefinition } from '../src/template-parser';
import { installedLibraryDir } from './template-library';

export interface LibraryTemplateFile {
  readonly name: string;
  readonly text: string;
}

/** Every `.textfsm` file of the installed library, sorted by name. */
export function libraryTemplateFiles(): LibraryTemplateFile[] {
  const dir = installedLibraryDir();
  return readdirSync(dir)
    .filter((name) => name.endsWith('.textfsm'))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
}

export interface DivergentTemplate {
  readonly name: string;
  readonly text: string;
  /** Rule (and List value) regexes that run through the emulation. */
  readonly divergentRegexes: string[];
  /** Every rule regex of the template, in order. */
  readonly ruleRegexes: string[];
}

/** Library templates with at least one emulated regex. */
export function divergentTemplates(): DivergentTemplate[] {
  const result: DivergentTemplate[] = [];
  for (const file of libraryTemplateFiles()) {
    const definition = parseTemplateDefinition(file.text);
    const rules = [...definition.states.values()].flat();
    const divergent = new Set<string>();
    for (const rule of rules) if (rule.compiled.emulated) divergent.add(rule.regex);
    for (const value of definition.values) {
      if (value.listRegex?.emulated) divergent.add(value.listRegex.pattern);
    }
    if (divergent.size > 0) {
      result.push({
        name: file.name,
        text: file.text,
        divergentRegexes: [...divergent],
        ruleRegexes: rules.map((rule) => rule.regex),
      });
    }
  }
  return result;
}

/** What the native JavaScript translation alone returns (group 0 first, null = not participating). */
export function nativeGroups(pattern: string, subject: string): (string | null)[] | null {
  const parsed = parsePythonRegex(pattern);
  const emitted = emitJavaScript(parsed, 'unicode');
  const regex = new RegExp(emitted.source, emitted.flags);
  const result = regex.exec(subject);
  if (result === null) return null;
  const groups: (string | null)[] = [result[0]];
  for (let py = 1; py <= parsed.groupCount; py += 1) {
    groups.push(result[emitted.groupMap[py] ?? 0] ?? null);
  }
  return groups;
}
