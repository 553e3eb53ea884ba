import type { PlatformDriver } from '@toolkit/contracts';
import { mulberry32 } from '@toolkit/prng';
import type { SyntaxErrorInfo } from './output-analysis';
import { cleanShellOutput, detectVendorError, normaliseTerminalText } from './output-analysis';
import { PLATFORM_DRIVER_TABLE, driverFor } from './platform-drivers';
import type { PlatformDriverSpec } from './platform-drivers';
import { TerminalBuffer } from './terminal-buffer';

// Differential tests: the output path was rewritten for speed (one pass per step, steps
// skipped when their character is absent, the echo and prompt found at the text's ends).
// The straightforward versions it replaced are kept here as the reference, and both must
// agree on random terminal text made of the pieces that matter.

/* eslint-disable no-control-regex -- terminal text is what these functions handle */

const ANSI = /\u001b(?:\[[0-9;?]*[ -/]*[@-~]|[()][A-Za-z0-9]|[=>78DEHM])/g;

function referenceNormalise(raw: string): string {
  let text = raw.replace(ANSI, '');
  // A backspace erases the character before it (pager prompts are erased this way).

  while (/[^\n\u0008]\u0008/.test(text)) text = text.replace(/[^\n\u0008]\u0008/g, '');

  text = text.replace(/\u0008/g, '');
  text = text.replace(/\r+\n/g, '\n');
  // A lone carriage return moves to column 0: what follows overwrites the line.
  return text
    .split('\n')
    .map((line) => {
      const cr = line.lastIndexOf('\r');
      if (cr < 0) return line;
      const after = line.slice(cr + 1);
      return after.trim() === '' ? (line.slice(0, cr).split('\r')[0] ?? '') : after;
    })
    .join('\n');
}

function referenceClean(
  driver: PlatformDriverSpec,
  raw: string,
  command: string,
  prompt?: RegExp,
): string {
  const lines = referenceNormalise(raw).split('\n');
  const wanted = command.trim();
  const firstContent = lines.findIndex((l) => l.trim() !== '');
  if (firstContent >= 0 && wanted !== '' && lines[firstContent]?.includes(wanted)) {
    lines.splice(0, firstContent + 1);
  }
  const promptRe = prompt ?? driver.promptPattern;
  while (lines.length > 0) {
    const last = (lines[lines.length - 1] ?? '').trimEnd();
    if (last === '' || promptRe.test(last) || last === '[edit]' || /^\{[\w:]+\}$/.test(last)) {
      lines.pop();
      continue;
    }
    break;
  }
  return lines
    .filter((l) => !driver.morePattern.test(l.trim() === '' ? '\u0000' : l))
    .map((l) => l.trimEnd())
    .join('\n');
}

function referenceDetect(driver: PlatformDriverSpec, output: string): SyntaxErrorInfo {
  for (const candidate of driver.errorPatterns) {
    const match = candidate.pattern.exec(output);
    if (!match) continue;
    const start = output.lastIndexOf('\n', match.index) + 1;
    const end = output.indexOf('\n', match.index);
    const line = output.slice(start, end < 0 ? undefined : end).trim();
    return {
      detected: true,
      type: candidate.type,
      vendor: driver.vendor,
      message: line.slice(0, 500),
      guidance: candidate.guidance,
    };
  }
  return { detected: false };
}

/* eslint-enable no-control-regex */

const PIECES = [
  'a',
  'b',
  'x',
  ' ',
  ' ',
  '\t',
  '\u00a0',
  '\r',
  '\r',
  '\n',
  '\n',
  '\r\n',
  '\r\n',
  '\r\r\n',
  '\b',
  '\b\b',
  '\u001b[7m',
  '\u001b[0m',
  '\u001b[K',
  '\u001b(B',
  '\u001b>',
  'show clock',
  'R1#',
  'R1(config)#',
  'R1>',
  'nx1# ',
  'admin@sw1> ',
  'admin@sw1# ',
  'user@host:~$ ',
  '[edit]',
  '{master:0}',
  ' --More-- ',
  '--More--',
  '---(more 40%)---',
  ':',
  '%',
  '% ',
  "% Invalid input detected at '^' marker.",
  "% Invalid command at '^' marker.",
  '% Incomplete command',
  '% Ambiguous command',
  '% Unknown command',
  '% Permission denied',
  'syntax error, expecting <command>',
  'unknown command.',
  "'s' is ambiguous.",
  'error: commit failed',
  'error: x permission denied',
  '% Failed to commit',
  '% Invalid input (privileged mode required)',
  '% Command incomplete',
];

function randomText(next: () => number): string {
  let text = '';
  const count = Math.floor(next() * 40);
  for (let i = 0; i < count; i++) text += PIECES[Math.floor(next() * PIECES.length)] ?? '';
  return text;
}

const drivers: PlatformDriverSpec[] = Object.values(PLATFORM_DRIVER_TABLE);
const CASES = 4_000;

describe('output path, against the reference implementations', () => {
  it('when random terminal text is normalised, then both agree', () => {
    const next = mulberry32(1);
    for (let i = 0; i < CASES; i++) {
      const raw = randomText(next);
      expect([raw, normaliseTerminalText(raw)]).toEqual([raw, referenceNormalise(raw)]);
    }
  });

  it('when random shell output is cleaned on every platform, with and without a known prompt, then both agree', () => {
    const next = mulberry32(2);
    for (let i = 0; i < CASES; i++) {
      const raw = randomText(next);
      const driver = drivers[i % drivers.length] as PlatformDriverSpec;
      const command = next() < 0.7 ? 'show clock' : next() < 0.5 ? '' : 'x';
      const prompt = next() < 0.5 ? undefined : driver.promptFromBase('R1');
      expect([driver.platform, raw, cleanShellOutput(driver, raw, command, prompt)]).toEqual([
        driver.platform,
        raw,
        referenceClean(driver, raw, command, prompt),
      ]);
    }
  });

  it('when random output is screened for vendor errors on every platform, then both agree', () => {
    const next = mulberry32(3);
    let detected = 0;
    for (let i = 0; i < CASES; i++) {
      const output = normaliseTerminalText(randomText(next));
      const driver = drivers[i % drivers.length] as PlatformDriverSpec;
      const found = detectVendorError(driver, output);
      if (found.detected) detected++;
      expect([driver.platform, output, found]).toEqual([
        driver.platform,
        output,
        referenceDetect(driver, output),
      ]);
    }
    // The generator must exercise both branches for the comparison to mean anything.
    expect(detected).toBeGreaterThan(CASES / 10);
    expect(detected).toBeLessThan(CASES - CASES / 10);
  });

  it('when a large output with trailing blanks is cleaned, then every line loses them and the text is kept', () => {
    const body = Array.from({ length: 2_000 }, (_, i) => `line ${i}${i % 7 === 0 ? ' \t ' : ''}`);
    const raw = `show interface\r\n${body.join('\r\n')}\r\nnx1# `;
    const driver = driverFor('cisco_nxos' satisfies PlatformDriver);

    const cleaned = cleanShellOutput(driver, raw, 'show interface');

    expect(cleaned).toBe(body.map((l) => l.trimEnd()).join('\n'));
    expect(cleaned).toBe(referenceClean(driver, raw, 'show interface'));
  });
});

describe('driver patterns, as the fast paths need them', () => {
  // detectVendorError joins a driver's error patterns into one alternation (numbered or
  // named groups and backreferences would clash), and cleanShellOutput tests a pager
  // pattern over a whole text in multiline mode (a lookaround could see past a line).
  const patterns = drivers.flatMap((d) => [
    ...d.errorPatterns.map((e) => [d.platform, 'error', e.pattern] as const),
    [d.platform, 'pager', d.morePattern] as const,
  ]);

  it.each(patterns)(
    '%s %s pattern %s has no groups that capture, backreferences or lookarounds',
    (_p, _k, pattern) => {
      expect(pattern.source).not.toMatch(/\\[1-9]|\\k<|(?<!\\)\((?!\?:)|\(\?<?[=!]/);
    },
  );
});

describe('terminal buffer', () => {
  /** What prompt detection read before: the whole buffer, rescanned per chunk. */
  const referenceLastLine = (whole: string): string => {
    const from = Math.max(whole.lastIndexOf('\n') + 1, whole.length - 2_048);
    const text = referenceNormalise(whole.slice(from));
    const index = text.lastIndexOf('\n');
    return (index < 0 ? text : text.slice(index + 1)).trimEnd();
  };

  it('when random text arrives in random chunks, then every reading matches the whole text', () => {
    const next = mulberry32(4);
    const buffer = new TerminalBuffer();
    for (let i = 0; i < 500; i++) {
      const keep = next() < 0.3 ? randomText(next).replace(/\n/g, '') : '';
      buffer.reset(keep);
      let whole = keep;
      for (let chunks = Math.floor(next() * 8); chunks > 0; chunks--) {
        const chunk = randomText(next);
        buffer.append(chunk);
        whole += chunk;
        expect({
          raw: buffer.raw,
          recent: buffer.recent,
          hasLineBreak: buffer.hasLineBreak,
          lastLine: buffer.lastLine(),
        }).toEqual({
          raw: whole,
          recent: whole.slice(-40),
          hasLineBreak: /[\r\n]/.test(whole),
          lastLine: referenceLastLine(whole),
        });
      }
    }
  });

  it('when the last line is longer than 2 KB, then only its last 2 KB are read', () => {
    const buffer = new TerminalBuffer();
    buffer.append(`first\n${'y'.repeat(3_000)}`);
    buffer.append('R1#');

    expect(buffer.rawLastLine).toHaveLength(2_048);
    expect(buffer.lastLine()).toBe(`${'y'.repeat(2_045)}R1#`);
  });
});

// Keeps the reference's return type honest against the production one.
const _typeCheck: (d: PlatformDriverSpec, o: string) => SyntaxErrorInfo = referenceDetect;
void _typeCheck;
