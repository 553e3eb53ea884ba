import type { ExecutionRequest, ParsingSpec } from '@toolkit/contracts';
import { parseWithTemplates, tableToRecords } from '@toolkit/textfsm';
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

/**
 * Terminal bytes to plain text: ANSI sequences, backspaces and carriage returns applied.
 * Runs on every command's whole output (and on every chunk's last line while waiting for
 * the prompt): each step is skipped when its character is absent, and backspaces are
 * applied in one pass, so a large plain output costs one CR/LF replacement.
 */
export function normaliseTerminalText(raw: string): string {
  let text = raw.includes('\u001b') ? raw.replace(ANSI, '') : raw;
  if (text.includes('\u0008')) text = applyBackspaces(text);
  if (!text.includes('\r')) return text;
  text = text.replace(/\r+\n/g, '\n');
  if (!text.includes('\r')) return text;
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
 * A backspace erases the character before it unless that is a line feed (pager prompts
 * are erased this way); backspaces with nothing to erase are dropped. One pass: the text
 * between backspaces is kept as segments, a backspace shortens the last one.
 */
function applyBackspaces(text: string): string {
  const segments: string[] = [];
  let from = 0;
  for (let at = text.indexOf('\u0008'); at >= 0; at = text.indexOf('\u0008', from)) {
    if (at > from) segments.push(text.slice(from, at));
    from = at + 1;
    const last = segments.length - 1;
    const segment = segments[last];
    if (segment === undefined || segment.endsWith('\n')) continue;
    if (segment.length === 1) segments.pop();
    else segments[last] = segment.slice(0, -1);
  }
  segments.push(text.slice(from));
  return segments.join('');
}

/** `pattern` (written for one line) as a multiline regex over a whole text, cached. */
const multilineForms = new WeakMap<RegExp, RegExp>();
export function anyLine(pattern: RegExp): RegExp {
  let found = multilineForms.get(pattern);
  if (!found) {
    const flags = pattern.flags.replace(/[gy]/g, '');
    found = new RegExp(pattern.source, flags.includes('m') ? flags : `${flags}m`);
    multilineForms.set(pattern, found);
  }
  return found;
}

/**
 * What the user should see of an interactive command: without the echoed command line,
 * pager prompts, and the trailing prompt (and Junos' `[edit]` banner), with LF endings
 * and no trailing blanks on any line. The echo and the prompt are found at the ends of
 * the text, so an output of thousands of lines is not split into lines unless a line
 * has trailing blanks or may be a pager prompt.
 */
export function cleanShellOutput(
  driver: PlatformDriverSpec,
  raw: string,
  command: string,
  prompt?: RegExp,
): string {
  const text = normaliseTerminalText(raw);
  const head = afterEcho(text, command.trim());
  if (head > text.length) return '';
  const promptRe = prompt ?? driver.promptPattern;
  const isTrailer = (line: string) =>
    line === '' || promptRe.test(line) || line === '[edit]' || /^\{[\w:]+\}$/.test(line);
  // Lines are [head, end): drop trailing ones while they are blank or a prompt.
  let end = text.length;
  for (;;) {
    const lf = end > head ? text.lastIndexOf('\n', end - 1) : -1;
    const lineStart = lf >= head ? lf + 1 : head;
    if (!isTrailer(text.slice(lineStart, end).trimEnd())) break;
    if (lineStart === head) return '';
    end = lineStart - 1;
  }
  const body = text.slice(head, end);
  // Paging is off, so pager lines are rare: one test over the body says whether any line
  // can be one (a line a pattern matches alone, it matches within the whole text too).
  if (!anyLine(driver.morePattern).test(body)) return trimLineEnds(body);
  return body
    .split('\n')
    .filter((l) => !driver.morePattern.test(l.trim() === '' ? '\u0000' : l))
    .map((l) => l.trimEnd())
    .join('\n');
}

/** What String#trimEnd removes (space and tab first: this runs once per output line). */
const isBlank = (code: number): boolean =>
  code === 32 || (code >= 9 && code <= 13) || (code > 127 && /\s/.test(String.fromCharCode(code)));

/** Every line without its trailing blanks; only the lines that have some are copied. */
export function trimLineEnds(text: string): string {
  let out = '';
  let copied = 0;
  for (let lineStart = 0; lineStart <= text.length;) {
    const lf = text.indexOf('\n', lineStart);
    const lineEnd = lf < 0 ? text.length : lf;
    if (lineEnd > lineStart && isBlank(text.charCodeAt(lineEnd - 1))) {
      out += text.slice(copied, lineStart) + text.slice(lineStart, lineEnd).trimEnd();
      copied = lineEnd;
    }
    lineStart = lineEnd + 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * Where the output starts: after the first non-blank line when it is the echoed command
 * (past the end, `text.length + 1`, when nothing follows it), else at 0.
 */
function afterEcho(text: string, wanted: string): number {
  for (let lineStart = 0; ;) {
    const lf = text.indexOf('\n', lineStart);
    const line = text.slice(lineStart, lf < 0 ? undefined : lf);
    if (line.trim() !== '') {
      if (wanted === '' || !line.includes(wanted)) return 0;
      return lf < 0 ? text.length + 1 : lf + 1;
    }
    if (lf < 0) return 0;
    lineStart = lf + 1;
  }
}

/** Exec channel output: LF endings, no trailing blank lines. */
export function cleanExecOutput(raw: string): string {
  return raw.replace(/\r\n/g, '\n').replace(/\n+$/, '');
}

/**
 * Per driver, its error patterns joined into one alternation per flag set: one pass over
 * an output says whether any pattern can match (most outputs hold no error).
 */
const errorScreens = new WeakMap<PlatformDriverSpec, RegExp[]>();
function errorScreen(driver: PlatformDriverSpec): RegExp[] {
  let screen = errorScreens.get(driver);
  if (!screen) {
    const byFlags = new Map<string, string[]>();
    for (const { pattern } of driver.errorPatterns) {
      const flags = pattern.flags.replace(/[gy]/g, '');
      byFlags.set(flags, [...(byFlags.get(flags) ?? []), `(?:${pattern.source})`]);
    }
    screen = [...byFlags].map(([flags, sources]) => new RegExp(sources.join('|'), flags));
    errorScreens.set(driver, screen);
  }
  return screen;
}

/** The first vendor error message in the output, with its kind and a guidance line. */
export function detectVendorError(driver: PlatformDriverSpec, output: string): SyntaxErrorInfo {
  if (!errorScreen(driver).some((screen) => screen.test(output))) return NO_SYNTAX_ERROR;
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
  /** The records (several templates' merged), or null when none applied or it failed. */
  parsedOutput: Record<string, unknown>[] | null;
  /** Why the template could not be applied; null when it parsed or none applied. */
  parseError: string | null;
  /** The name of the template applied (`parsing.template`); null when none applied. */
  parseTemplate: string | null;
}

/** The longest parse error a result carries (a TextFSM error quotes the input line). */
export const PARSE_ERROR_MAX_LENGTH = 1_000;

export const NOT_PARSED: ParsedOutcome = Object.freeze({
  parsedOutput: null,
  parseError: null,
  parseTemplate: null,
});

/**
 * What a request's output is to be parsed with: its `parsing`, or the inline template text
 * of a message published before `parsing` existed (`parsingTemplate`, blank: none).
 */
export function parsingOf(
  request: Pick<ExecutionRequest, 'parsing' | 'parsingTemplate'>,
): ParsingSpec | undefined {
  if (request.parsing !== undefined) return request.parsing;
  const legacy = request.parsingTemplate;
  return legacy === undefined || legacy.trim() === ''
    ? undefined
    : { template: 'inline', texts: [legacy] };
}

/**
 * TextFSM parsing with the template(s) of `parsing` (several merged like clitable merges
 * an index row naming several); a bad template or unparsable output is reported (the
 * error's message, cut to PARSE_ERROR_MAX_LENGTH), never thrown. The message quotes at
 * most template text and an output line, both already in the request and the result.
 */
export function parseOutput(parsing: ParsingSpec | undefined, output: string): ParsedOutcome {
  if (parsing === undefined) return NOT_PARSED;
  const parseTemplate = parsing.template;
  try {
    const table = parseWithTemplates(parsing.texts, output.endsWith('\n') ? output : `${output}\n`);
    return { parsedOutput: tableToRecords(table), parseError: null, parseTemplate };
  } catch (error) {
    const message =
      error instanceof Error && error.message !== ''
        ? error.message
        : 'The template could not be applied.';
    return {
      parsedOutput: null,
      parseError: cutMessage(message, PARSE_ERROR_MAX_LENGTH),
      parseTemplate,
    };
  }
}

/** At most `max` UTF-16 units, not splitting a surrogate pair. */
function cutMessage(message: string, max: number): string {
  if (message.length <= max) return message;
  const code = message.charCodeAt(max - 1);
  return message.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}
