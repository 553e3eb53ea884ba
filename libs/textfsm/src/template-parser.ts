/**
 * Parses a TextFSM template into values, states and rules, validating it
 * exactly like Python's `TextFSM._Parse` (same conditions, same messages).
 */
import { TextFsmTemplateError } from './errors';
import { PythonRegex } from './python-regex/python-regex';
import { PythonRegexError } from './python-regex/regex-parser';
import {
  PY_WHITESPACE_CLASS,
  TemplateSubstitutionError,
  pyRstrip,
  pyStrip,
  pyTemplateSubstitute,
  splitFileLines,
} from './python-text';

export const VALUE_OPTIONS = ['Filldown', 'Fillup', 'Key', 'List', 'Required'] as const;
export type ValueOption = (typeof VALUE_OPTIONS)[number];

export const LINE_OPS = ['Continue', 'Next', 'Error'] as const;
export const RECORD_OPS = ['Clear', 'Clearall', 'Record', 'NoRecord'] as const;
export type LineOp = (typeof LINE_OPS)[number] | '';
export type RecordOp = (typeof RECORD_OPS)[number] | '';

/** Maximum length of Value and state names (Python `TextFSM.MAX_NAME_LEN`). */
export const MAX_NAME_LEN = 48;

export interface ValueDefinition {
  readonly name: string;
  /** The Value's regular expression as written, e.g. `(\S+)`. */
  readonly regex: string;
  readonly options: readonly ValueOption[];
  /** The regex with the outer group named after the Value: `(?P<name>\S+)`. */
  readonly template: string;
  /** Compiled regex of List values (used for nested named groups). */
  readonly listRegex: PythonRegex | null;
}

export interface RuleDefinition {
  /** The rule's regex as written (before `${VALUE}` substitution). */
  readonly match: string;
  /** The regex after substitution. */
  readonly regex: string;
  readonly compiled: PythonRegex;
  readonly lineOp: LineOp;
  readonly recordOp: RecordOp;
  /** Target state, or the quoted message of an `Error` action; '' if none. */
  readonly newState: string;
  readonly lineNum: number;
}

export interface TemplateDefinition {
  readonly values: readonly ValueDefinition[];
  /** States in definition order (an empty `End` state is removed, as in Python). */
  readonly states: ReadonlyMap<string, readonly RuleDefinition[]>;
}

const WS = `[${PY_WHITESPACE_CLASS}]`;
const WORD = '[\\p{L}\\p{N}_]';
const COMMENT = new RegExp(`^${WS}*#`, 'u');
const STATE_NAME = new RegExp(`^${WORD}+$`, 'u');
const STARTS_WITH_WORD = new RegExp(`^${WORD}`, 'u');
const MATCH_ACTION = new RegExp(`^([^\\n]*)(${WS}->([^\\n]*))`, 'u');
const NEW_STATE = `(?:${WS}+(?<newState>${WORD}+|"[^\\n]*"))?$`;
const OPS = (ops: readonly string[]): string => ops.join('|');
const ACTION_RE = new RegExp(
  `^${WS}+(?<lineOp>${OPS(LINE_OPS)})(?:\\.(?<recordOp>${OPS(RECORD_OPS)}))?${NEW_STATE}`,
  'u',
);
const ACTION2_RE = new RegExp(`^${WS}+(?<recordOp>${OPS(RECORD_OPS)})${NEW_STATE}`, 'u');
const ACTION3_RE = new RegExp(`^${NEW_STATE}`, 'u');

function isComment(line: string): boolean {
  return COMMENT.test(line);
}

function invalidRegexDetail(error: unknown): string | undefined {
  return error instanceof PythonRegexError ? error.message : undefined;
}

/** Parses one `Value [options] name (regex)` line (Python `TextFSMValue.Parse`). */
function parseValue(line: string): ValueDefinition {
  const tokens = line.split(' ');
  if (tokens.length < 3) throw new TextFsmTemplateError('Expect at least 3 tokens on line.');
  const third = tokens[2] ?? '';
  let name: string;
  let regex: string;
  const options: ValueOption[] = [];
  if (!third.startsWith('(')) {
    for (const option of (tokens[1] ?? '').split(',')) {
      if (options.includes(option as ValueOption))
        throw new TextFsmTemplateError(`Duplicate option "${option}"`);
      if (!(VALUE_OPTIONS as readonly string[]).includes(option)) {
        throw new TextFsmTemplateError(`Unknown option "${option}"`);
      }
      options.push(option as ValueOption);
    }
    name = third;
    regex = tokens.slice(3).join(' ');
  } else {
    name = tokens[1] ?? '';
    regex = tokens.slice(2).join(' ');
  }
  if (Array.from(name).length > MAX_NAME_LEN) {
    throw new TextFsmTemplateError(`Invalid Value name '${name}' or name too long.`);
  }
  const opens = regex.split('(').length - 1;
  const closes = regex.split(')').length - 1;
  if (!/^\([^\n]*\)\n?$/.test(regex) || opens !== closes) {
    throw new TextFsmTemplateError(`Value '${regex}' must be contained within a '()' pair.`);
  }
  const template = regex.replace(/^\(/, `(?P<${name}>`);
  let listRegex: PythonRegex | null = null;
  if (options.includes('List')) {
    try {
      listRegex = new PythonRegex(regex);
    } catch (error) {
      throw new TextFsmTemplateError(error instanceof Error ? error.message : String(error));
    }
  }
  return { name, regex, options, template, listRegex };
}

/** Parses one rule line (Python `TextFSMRule.__init__`). */
function parseRule(
  rawLine: string,
  lineNum: number,
  valueMap: ReadonlyMap<string, string>,
): RuleDefinition {
  const line = pyStrip(rawLine);
  if (line === '')
    throw new TextFsmTemplateError(`Null data in FSMRule. Line: ${lineNum}`, lineNum);
  const matchAction = MATCH_ACTION.exec(line);
  const match = matchAction ? (matchAction[1] ?? '') : line;
  let regex = match;
  if (valueMap.size > 0) {
    try {
      regex = pyTemplateSubstitute(match, valueMap);
    } catch (error) {
      if (!(error instanceof TemplateSubstitutionError)) throw error;
      throw new TextFsmTemplateError(
        `Duplicate or invalid variable substitution: '${match}'. Line: ${lineNum}.`,
        lineNum,
      );
    }
  }
  let compiled: PythonRegex;
  try {
    compiled = new PythonRegex(regex);
  } catch (error) {
    throw new TextFsmTemplateError(
      `Invalid regular expression: '${regex}'. Line: ${lineNum}.`,
      lineNum,
      invalidRegexDetail(error),
    );
  }
  if (!matchAction)
    return { match, regex, compiled, lineOp: '', recordOp: '', newState: '', lineNum };
  const action = matchAction[3] ?? '';
  const parsed = ACTION_RE.exec(action) ?? ACTION2_RE.exec(action) ?? ACTION3_RE.exec(action);
  if (!parsed)
    throw new TextFsmTemplateError(`Badly formatted rule '${line}'. Line: ${lineNum}.`, lineNum);
  const groups = parsed.groups ?? {};
  const lineOp = (groups['lineOp'] ?? '') as LineOp;
  const recordOp = (groups['recordOp'] ?? '') as RecordOp;
  const newState = groups['newState'] ?? '';
  if (lineOp === 'Continue' && newState) {
    throw new TextFsmTemplateError(
      `Action '${lineOp}' with new state ${newState} specified. Line: ${lineNum}.`,
      lineNum,
    );
  }
  if (lineOp !== 'Error' && newState && !STARTS_WITH_WORD.test(newState)) {
    throw new TextFsmTemplateError(
      `Alphanumeric characters only in state names. Line: ${lineNum}.`,
      lineNum,
    );
  }
  return { match, regex, compiled, lineOp, recordOp, newState, lineNum };
}

/** Stateful reader mirroring Python's shared file iterator and `_line_num`. */
class TemplateReader {
  private index = 0;
  lineNum = 0;
  readonly values: ValueDefinition[] = [];
  readonly valueMap = new Map<string, string>();
  readonly states = new Map<string, RuleDefinition[]>();

  constructor(private readonly lines: readonly string[]) {}

  private nextLine(): string | undefined {
    const line = this.lines[this.index];
    if (line === undefined) return undefined;
    this.index += 1;
    this.lineNum += 1;
    return pyRstrip(line);
  }

  parseValues(): void {
    for (let line = this.nextLine(); line !== undefined; line = this.nextLine()) {
      if (line === '') return;
      if (isComment(line)) continue;
      if (line.startsWith('Value ')) {
        this.addValue(line);
      } else if (this.values.length === 0) {
        throw new TextFsmTemplateError('No Value definitions found.');
      } else {
        throw new TextFsmTemplateError(
          `Expected blank line after last Value entry. Line: ${this.lineNum}.`,
          this.lineNum,
        );
      }
    }
  }

  private addValue(line: string): void {
    let value: ValueDefinition;
    try {
      value = parseValue(line);
    } catch (error) {
      if (!(error instanceof TextFsmTemplateError)) throw error;
      throw new TextFsmTemplateError(`${error.message} Line ${this.lineNum}.`, this.lineNum);
    }
    if (this.values.some((existing) => existing.name === value.name)) {
      throw new TextFsmTemplateError(
        `Duplicate declarations for Value '${value.name}'. Line: ${this.lineNum}.`,
        this.lineNum,
      );
    }
    this.values.push(value);
    this.valueMap.set(value.name, value.template);
  }

  /** Parses one state; returns false when the template is exhausted. */
  parseState(): boolean {
    let stateName = '';
    for (let line = this.nextLine(); line !== undefined; line = this.nextLine()) {
      if (line === '' || isComment(line)) continue;
      const reserved =
        (LINE_OPS as readonly string[]).includes(line) ||
        (RECORD_OPS as readonly string[]).includes(line);
      if (!STATE_NAME.test(line) || Array.from(line).length > MAX_NAME_LEN || reserved) {
        throw new TextFsmTemplateError(
          `Invalid state name: '${line}'. Line: ${this.lineNum}`,
          this.lineNum,
        );
      }
      if (this.states.has(line)) {
        throw new TextFsmTemplateError(
          `Duplicate state name: '${line}'. Line: ${this.lineNum}`,
          this.lineNum,
        );
      }
      stateName = line;
      this.states.set(stateName, []);
      break;
    }
    const rules = this.states.get(stateName);
    for (let line = this.nextLine(); line !== undefined; line = this.nextLine()) {
      if (line === '') break;
      if (isComment(line)) continue;
      if (!(line.startsWith(' ^') || line.startsWith('  ^') || line.startsWith('\t^'))) {
        throw new TextFsmTemplateError(
          `Missing white space or carat ('^') before rule. Line: ${this.lineNum}`,
          this.lineNum,
        );
      }
      rules?.push(parseRule(line, this.lineNum, this.valueMap));
    }
    return stateName !== '';
  }
}

function validate(states: Map<string, RuleDefinition[]>): void {
  if (!states.has('Start')) throw new TextFsmTemplateError("Missing state 'Start'.");
  if ((states.get('End')?.length ?? 0) > 0)
    throw new TextFsmTemplateError("Non-Empty 'End' state.");
  if ((states.get('EOF')?.length ?? 0) > 0)
    throw new TextFsmTemplateError("Non-Empty 'EOF' state.");
  states.delete('End');
  for (const [state, rules] of states) {
    for (const rule of rules) {
      if (rule.lineOp === 'Error') continue;
      if (!rule.newState || rule.newState === 'End' || rule.newState === 'EOF') continue;
      if (!states.has(rule.newState)) {
        throw new TextFsmTemplateError(
          `State '${rule.newState}' not found, referenced in state '${state}'`,
        );
      }
    }
  }
}

/** Parse and validate a TextFSM template. Throws {@link TextFsmTemplateError}. */
export function parseTemplateDefinition(template: string): TemplateDefinition {
  const reader = new TemplateReader(splitFileLines(template));
  reader.parseValues();
  while (reader.parseState()) {
    // Each call consumes one state definition.
  }
  validate(reader.states);
  return { values: reader.values, states: reader.states };
}
