/**
 * Seeded generators for the randomized differential test: random templates
 * (options, actions, states), random Python regexes, and random device-like
 * outputs. Deterministic for a given seed.
 */
import type { Prng } from '@toolkit/prng';
import type { ReferenceCase } from './python-reference';

const VALUE_REGEXES = [
  '(\\S+)',
  '(\\d+)',
  '(\\w*)',
  '(.*?)',
  '(.*)',
  '([a-c]+)',
  '(\\d+|x)',
  '((?P<letter>[a-z])(?P<digit>\\d)?)',
  '((\\w)\\w*)',
];
const OPTION_SETS = [
  '',
  'Filldown',
  'Fillup',
  'Required',
  'List',
  'Key',
  'Filldown,Required',
  'List,Filldown',
  'Required,List',
  'Fillup,List',
];
const RECORD_OPS = ['', 'Record', 'Clear', 'Clearall', 'NoRecord'];
const KEYWORDS = ['alpha', 'beta', 'gamma', 'delta'];

function randomAction(rng: Prng, states: readonly string[]): string {
  const line = rng.pick(['', '', 'Next', 'Continue']);
  const record = rng.pick(RECORD_OPS);
  const ops = [line, record].filter((op) => op !== '').join('.');
  const canJump = line !== 'Continue' && rng.bool(0.25);
  const target = canJump ? rng.pick(states) : '';
  const action = [ops, target].filter((part) => part !== '').join(' ');
  return action === '' ? '' : ` -> ${action}`;
}

/** A random but valid template exercising options, record actions and state jumps. */
export function randomTemplate(rng: Prng): string {
  const valueCount = 1 + rng.below(4);
  const values = Array.from({ length: valueCount }, (_unused, i) => {
    const options = rng.pick(OPTION_SETS);
    return `Value ${options ? `${options} ` : ''}V${i} ${rng.pick(VALUE_REGEXES)}`;
  });
  const states = ['Start', 'Second', 'End', 'EOF'];
  const stateBody = (): string[] =>
    Array.from({ length: 2 + rng.below(4) }, () => {
      const keyword = rng.pick(KEYWORDS);
      const value = `V${rng.below(valueCount)}`;
      const regex = rng.bool(0.8) ? `^${keyword}\\s+\${${value}}` : `^${keyword}`;
      return `  ${regex}${randomAction(rng, states)}`;
    });
  const eofState = rng.bool(0.2) ? ['', 'EOF'] : [];
  return [
    ...values,
    '',
    'Start',
    ...stateBody(),
    '',
    'Second',
    ...stateBody(),
    ...eofState,
    '',
  ].join('\n');
}

const TOKENS = ['a', 'b1', 'c', '42', 'x', '7', 'ab', '', 'zz9', 'é', '٣'];

export function randomInput(rng: Prng, lines: number): string {
  return Array.from({ length: lines }, () => {
    const keyword = rng.pick(KEYWORDS);
    const spaces = rng.pick([' ', '  ', '\t']);
    return `${keyword}${spaces}${rng.pick(TOKENS)}${rng.bool(0.2) ? ` ${rng.pick(TOKENS)}` : ''}`;
  }).join('\n');
}

const ATOMS = [
  'a',
  'b',
  '1',
  '\\d',
  '\\w',
  '\\s',
  '\\S',
  '.',
  '[ab]',
  '[^a]',
  '[\\w-]',
  '\\W',
  '\\D',
  'é',
  '[a-z]',
];

/** A random Python regex over a small grammar (groups, alternation, quantifiers, anchors). */
export function randomRegex(rng: Prng, depth = 0): string {
  const parts = Array.from({ length: 1 + rng.below(3) }, () => {
    const roll = rng.next();
    let atom: string;
    if (depth < 2 && roll < 0.15)
      atom = `(?:${randomRegex(rng, depth + 1)}|${randomRegex(rng, depth + 1)})`;
    else if (depth < 2 && roll < 0.3) atom = `(?=${randomRegex(rng, depth + 1)})`;
    else if (roll < 0.35) atom = rng.pick(['\\b', '\\B', '$']);
    else atom = rng.pick(ATOMS);
    if (atom.startsWith('\\b') || atom.startsWith('\\B') || atom === '$' || atom.startsWith('(?='))
      return atom;
    const quantifier = rng.pick(['', '', '*', '+', '?', '{1,2}', '{,2}', '*?', '+?', '{2}']);
    return atom + quantifier;
  });
  return parts.join('');
}

const SUBJECT_CHARS = ['a', 'b', '1', '2', ' ', '_', '-', 'é', '٣', '\u00a0', 'Z', '.'];

export function randomSubject(rng: Prng): string {
  return Array.from({ length: rng.below(8) }, () => rng.pick(SUBJECT_CHARS)).join('');
}

/** Template cases checking the regex translation: Value (regex) anchored with re.match. */
export function randomRegexCase(rng: Prng): ReferenceCase {
  const template = `Value M (${randomRegex(rng)})\n\nStart\n  ^\${M} -> Record\n`;
  const text = Array.from({ length: 6 }, () => randomSubject(rng)).join('\n');
  return { template, text };
}

/** A large-ish `show ip route` with random protocols, masks and optional fields. */
export function randomRouteTable(rng: Prng, routes: number): string {
  const lines = ['Gateway of last resort is 10.0.0.1 to network 0.0.0.0', ''];
  for (let i = 0; i < routes; i += 1) {
    const net = `10.${rng.below(256)}.${rng.below(256)}.0/${16 + rng.below(17)}`;
    const proto = rng.pick(['O', 'B', 'S', 'D', 'C', 'O IA', 'O E2', 'D EX']);
    const via = `10.${rng.below(256)}.${rng.below(256)}.${1 + rng.below(254)}`;
    const age = rng.pick(['', ', 3d04h', ', 00:01:02', ', 1w2d']);
    const intf = rng.pick(['', ', GigabitEthernet0/1', ', TenGigabitEthernet1/0/1', ', Vlan10']);
    if (proto === 'C') lines.push(`C        ${net} is directly connected, Vlan${rng.below(4000)}`);
    else
      lines.push(
        `${proto.padEnd(8)} ${net} [${rng.below(255)}/${rng.below(100000)}] via ${via}${age}${intf}`,
      );
    if (rng.bool(0.1))
      lines.push(`                      [${rng.below(255)}/${rng.below(100)}] via ${via}${age}${intf}`);
  }
  return lines.join('\n');
}
