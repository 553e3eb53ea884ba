import { parseTextToRecords } from '@toolkit/textfsm';
import type { PlatformDriverSpec, VendorErrorKind } from './platform-drivers';

export interface SyntaxErrorInfo {
  detected: boolean;
  type?: VendorErrorKind;
  vendor?: string;
  message?: string;
  guidance?: string;
}

export const NO_SYNTAX_ERROR: SyntaxErrorInfo = Object.freeze({ detected: false });

// eslint-disable-next-line no-control-regex -- terminal escape sequences are what is removed
const ANSI = /\u001b(?:\[[0-9;?]*[ -/]*[@-~]|[()][A-Za-z0-9]|[=>78DEHM])/g;

/** Terminal bytes to plain text: ANSI sequences, backspaces and carriage returns applied. */
export function normaliseTerminalText(raw: string): string {
  let text = raw.replace(ANSI, '');
  // A backspace erases the character before it (pager prompts are erased this way).
  // eslint-disable-next-line no-control-regex -- backspace handling
  while (/[^\n\u0008]\u0008/.test(text)) text = text.replace(/[^\n\u0008]\u0008/g, '');
  // eslint-disable-next-line no-control-regex -- stray backspaces
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

/**
 * What the user should see of an interactive command: without the echoed command line,
 * pager prompts, and the trailing prompt (and Junos' `[edit]` banner), with LF endings.
 */
export function cleanShellOutput(
  driver: PlatformDriverSpec,
  raw: string,
  command: string,
  prompt?: RegExp,
): string {
  const lines = normaliseTerminalText(raw).split('\n');
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

/** Exec channel output: LF endings, no trailing blank lines. */
export function cleanExecOutput(raw: string): string {
  return raw.replace(/\r\n/g, '\n').replace(/\n+$/, '');
}

/** The first vendor error message in the output, with its kind and a guidance line. */
export function detectVendorError(driver: PlatformDriverSpec, output: string): SyntaxErrorInfo {
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
  return NO_SYNTAX_ERROR;
}

export interface ParsedOutcome {
  parsedOutput: Record<string, unknown>[] | null;
  parseError: string | null;
}

/** TextFSM parsing; a bad template or unparsable output is reported, never thrown. */
export function parseWithTemplate(template: string | undefined, output: string): ParsedOutcome {
  if (template === undefined || template.trim() === '') {
    return { parsedOutput: null, parseError: null };
  }
  try {
    const records = parseTextToRecords(template, output.endsWith('\n') ? output : `${output}\n`);
    return { parsedOutput: records as Record<string, unknown>[], parseError: null };
  } catch (error) {
    const message = error instanceof Error ? error.message : 'template could not be applied';
    return { parsedOutput: null, parseError: message.slice(0, 1_000) };
  }
}
