/**
 * Test helper: seeded subjects generated from a Python pattern's AST, so that
 * most of them match the pattern or nearly match it (a few random edits),
 * for the differential tests of the `sre` emulation.
 */
import { Prng } from '@toolkit/prng';
import type { ClassItem, RegexNode } from '../src/python-regex/regex-ast';
import { parsePythonRegex } from '../src/python-regex/regex-parser';

const POOL = ' \tabcxyzABCXYZ0123456789-_,.:/[]()"+=*#éß٣';

function classMembers(items: readonly ClassItem[]): string[] {
  const members: string[] = [];
  for (const item of items) {
    if (item.kind === 'char') members.push(String.fromCodePoint(item.cp));
    else if (item.kind === 'range') {
      const span = Math.min(item.hi - item.lo, 40);
      for (let cp = item.lo; cp <= item.lo + span; cp += 1) members.push(String.fromCodePoint(cp));
      members.push(String.fromCodePoint(item.hi));
    } else members.push(...categoryMembers(item.cat));
  }
  return members;
}

function categoryMembers(cat: string): string[] {
  const test = { d: /\d/u, w: /[\p{L}\p{N}_]/u, s: /\s/u }[cat.toLowerCase()] ?? /./u;
  const chars = Array.from(POOL);
  return chars.filter((c) => test.test(c) !== (cat !== cat.toLowerCase()));
}

class Generator {
  private readonly groups = new Map<number, string>();

  constructor(private readonly rng: Prng) {}

  gen(node: RegexNode, depth: number): string {
    const rng = this.rng;
    switch (node.kind) {
      case 'sequence':
        return node.items.map((item) => this.gen(item, depth)).join('');
      case 'alternation':
        return this.gen(rng.pick(node.alternatives), depth);
      case 'char':
        return String.fromCodePoint(node.cp);
      case 'any':
        return rng.pick(Array.from(POOL));
      case 'class': {
        const members = classMembers(node.items);
        if (!node.negate && members.length > 0) return rng.pick(members);
        const others = Array.from(POOL).filter((c) => !members.includes(c));
        return others.length > 0 ? rng.pick(others) : 'q';
      }
      case 'category':
        return rng.pick(categoryMembers(node.cat));
      case 'assert':
        return '';
      case 'group': {
        const text = this.gen(node.body, depth);
        if (node.index !== null) this.groups.set(node.index, text);
        return text;
      }
      case 'flagGroup':
      case 'atomic':
        return this.gen(node.body, depth);
      case 'look':
        return !node.behind && !node.negate && rng.bool(0.2) ? this.gen(node.body, depth) : '';
      case 'backref':
        return this.groups.get(node.index) ?? '';
      case 'repeat': {
        const extra = depth > 2 ? 1 : 4;
        const max = Math.min(node.max, node.min + extra);
        const count = node.min + rng.below(max - node.min + 1);
        let text = '';
        for (let i = 0; i < count; i += 1) text += this.gen(node.body, depth + 1);
        return text;
      }
    }
  }
}

function mutate(rng: Prng, text: string): string {
  const chars = Array.from(text);
  const edits = 1 + rng.below(2);
  for (let i = 0; i < edits; i += 1) {
    const at = rng.below(chars.length + 1);
    const kind = rng.below(4);
    if (kind === 0 && chars.length > 0) chars.splice(Math.min(at, chars.length - 1), 1);
    else if (kind === 1) chars.splice(at, 0, rng.pick(Array.from(POOL)));
    else if (kind === 2 && chars.length > 0)
      chars[Math.min(at, chars.length - 1)] = rng.pick(Array.from(POOL));
    else chars.splice(at);
  }
  return chars.join('');
}

/** `count` subjects for `pattern`: about 70% generated from the AST, the rest edited copies. */
export function generateSubjects(pattern: string, count: number, seed: number): string[] {
  const root = parsePythonRegex(pattern).root;
  const rng = new Prng(seed);
  const subjects = new Set<string>();
  for (let attempt = 0; subjects.size < count && attempt < count * 4; attempt += 1) {
    const text = new Generator(rng).gen(root, 0);
    subjects.add(rng.bool(0.7) ? text : mutate(rng, text));
  }
  return [...subjects];
}

/** A line generated from `pattern` (unedited), for device-like outputs. */
export function generateLine(pattern: string, rng: Prng): string {
  return new Generator(rng).gen(parsePythonRegex(pattern).root, 0);
}
