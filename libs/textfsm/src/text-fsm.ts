/**
 * The TextFSM state machine: a compiled template ({@link TextFsmTemplate})
 * and the per-parse runtime reproducing Python `TextFSM.ParseText`.
 */
import { TextFsmError, TextFsmMatchLimitError } from './errors';
import { RegexStepLimitError } from './python-regex/regex-backtracker';
import { isAscii } from './python-regex/python-regex';
import type { PythonMatch, PythonRegex } from './python-regex/python-regex';
import { pySplitLines } from './python-text';
import type {
  LineOp,
  RecordOp,
  RuleDefinition,
  TemplateDefinition,
  ValueDefinition,
  ValueOption,
} from './template-parser';
import { parseTemplateDefinition } from './template-parser';

/** One element of a List value: a string, or an object for List regexes with named groups. */
export type ListItem = string | null | Readonly<Record<string, string | null>>;
/** A record field: the matched string (`""` when empty) or, for List values, an array. */
export type CellValue = string | ListItem[];
/** A record keyed by the Value names exactly as written in the template. */
export type TextFsmRecord = Record<string, CellValue>;

/** The header/rows form returned by Python's `ParseText`. */
export interface ParseTable {
  readonly header: string[];
  readonly rows: CellValue[][];
}

export interface ParseOptions {
  /** Set to false when parsing partial input: suppresses the implicit EOF record. Default true. */
  readonly eof?: boolean;
}

type Cell = string | null | ListItem[];

const END = -1;
const EOF = -2;
const STAY = -3;

interface CompiledRule {
  readonly regex: PythonRegex;
  /** Flattened pairs of (Python group number, value index), in `groupdict()` order. */
  readonly assignments: readonly number[];
  readonly lineOp: LineOp;
  readonly recordOp: RecordOp;
  readonly newState: string;
  /** Index of the target state, or END / EOF / STAY. */
  readonly target: number;
  readonly lineNum: number;
}

function truthy(cell: Cell): boolean {
  return cell !== null && cell.length > 0;
}

/** Mutable state of one Value during a parse (Python `TextFSMValue` + its options). */
class ValueSlot {
  value: Cell = null;
  private filldownValue: Cell = null;
  private list: ListItem[] = [];
  private readonly options: readonly ValueOption[];
  private readonly keepListOnClear: boolean;

  constructor(
    private readonly definition: ValueDefinition,
    private readonly index: number,
  ) {
    this.options = definition.options;
    this.keepListOnClear = definition.options.includes('Filldown');
  }

  assign(matched: string | null, results: Cell[][], subjectIsAscii: boolean): void {
    this.value = matched;
    for (const option of this.options) {
      if (option === 'Filldown') this.filldownValue = matched;
      else if (option === 'Fillup') this.fillUp(results);
      else if (option === 'List') this.list.push(this.listItem(matched, subjectIsAscii));
    }
  }

  private fillUp(results: Cell[][]): void {
    if (!truthy(this.value)) return;
    for (let row = results.length - 1; row >= 0; row -= 1) {
      const record = results[row];
      if (record === undefined || truthy(record[this.index] ?? null)) break;
      record[this.index] = this.value;
    }
  }

  private listItem(matched: string | null, subjectIsAscii: boolean): ListItem {
    const regex = this.definition.listRegex;
    if (matched === null || regex === null || regex.groupCount <= 1) return matched;
    const match = regex.match(matched, subjectIsAscii);
    if (match === null || regex.groupIndex.size === 0) return matched;
    return regex.groupDict(match);
  }

  clear(): void {
    this.value = null;
    for (const option of this.options) {
      if (option === 'Filldown') this.value = this.filldownValue;
      else if (option === 'List' && !this.keepListOnClear) this.list = [];
    }
  }

  clearAll(): void {
    this.value = null;
    this.filldownValue = null;
    this.list = [];
  }

  /** Returns false when the record must be skipped (Required value empty). */
  save(): boolean {
    for (const option of this.options) {
      if (option === 'Required' && !truthy(this.value)) return false;
      if (option === 'List') this.value = [...this.list];
    }
    return true;
  }
}

/** One run of the state machine over one input text. */
class FsmRun {
  private readonly slots: ValueSlot[];
  private readonly results: Cell[][] = [];
  private state: readonly CompiledRule[];
  private stateTarget = STAY;

  constructor(
    template: TextFsmTemplate,
    private readonly states: readonly (readonly CompiledRule[])[],
    startState: number,
    private readonly subjectIsAscii: boolean,
  ) {
    this.slots = template.values.map((value, index) => new ValueSlot(value, index));
    this.state = states[startState] ?? [];
  }

  run(lines: readonly string[], eof: boolean, hasEofState: boolean): Cell[][] {
    for (const line of lines) {
      this.checkLine(line);
      if (this.stateTarget === END || this.stateTarget === EOF) break;
    }
    if (this.stateTarget !== END && !hasEofState && eof) this.appendRecord();
    return this.results;
  }

  private checkLine(line: string): void {
    for (const rule of this.state) {
      const match = this.match(rule, line);
      if (match === null) continue;
      const assignments = rule.assignments;
      for (let i = 0; i < assignments.length; i += 2) {
        const slot = this.slots[assignments[i + 1] ?? 0];
        slot?.assign(match[assignments[i] ?? 0] ?? null, this.results, this.subjectIsAscii);
      }
      if (this.operations(rule, line)) {
        if (rule.target !== STAY) {
          this.stateTarget = rule.target;
          if (rule.target >= 0) this.state = this.states[rule.target] ?? [];
        }
        return;
      }
    }
  }

  private match(rule: CompiledRule, line: string): PythonMatch | null {
    try {
      return rule.regex.match(line, this.subjectIsAscii);
    } catch (error) {
      if (!(error instanceof RegexStepLimitError)) throw error;
      throw new TextFsmMatchLimitError(
        `Regular expression step limit exceeded: ${error.reason}. Rule Line: ${rule.lineNum}. Input Line: ${line}`,
        rule.lineNum,
        line,
      );
    }
  }

  /** Returns true unless the line operator is Continue. */
  private operations(rule: CompiledRule, line: string): boolean {
    if (rule.recordOp === 'Record') this.appendRecord();
    else if (rule.recordOp === 'Clear') this.clearRecord();
    else if (rule.recordOp === 'Clearall') this.clearAllRecord();
    if (rule.lineOp === 'Error') {
      const message = rule.newState
        ? `Error: ${rule.newState}. Rule Line: ${rule.lineNum}. Input Line: ${line}.`
        : `State Error raised. Rule Line: ${rule.lineNum}. Input Line: ${line}`;
      throw new TextFsmError(message, rule.lineNum, line);
    }
    return rule.lineOp !== 'Continue';
  }

  private appendRecord(): void {
    if (this.slots.length === 0) return;
    const record: Cell[] = [];
    for (const slot of this.slots) {
      if (!slot.save()) {
        this.clearRecord();
        return;
      }
      record.push(slot.value);
    }
    if (record.every((cell) => cell === null || (Array.isArray(cell) && cell.length === 0))) return;
    for (let i = 0; i < record.length; i += 1) if (record[i] === null) record[i] = '';
    this.results.push(record);
    this.clearRecord();
  }

  private clearRecord(): void {
    for (const slot of this.slots) slot.clear();
  }

  private clearAllRecord(): void {
    for (const slot of this.slots) slot.clearAll();
  }
}

function compileRule(
  rule: RuleDefinition,
  valueIndex: ReadonlyMap<string, number>,
  stateIndex: ReadonlyMap<string, number>,
): CompiledRule {
  const assignments: number[] = [];
  for (const [name, group] of rule.compiled.groupIndex) {
    const index = valueIndex.get(name);
    if (index !== undefined) assignments.push(group, index);
  }
  let target = STAY;
  if (rule.newState === 'End') target = END;
  else if (rule.newState === 'EOF') target = EOF;
  else if (rule.newState && rule.lineOp !== 'Error') target = stateIndex.get(rule.newState) ?? STAY;
  return {
    regex: rule.compiled,
    assignments,
    lineOp: rule.lineOp,
    recordOp: rule.recordOp,
    newState: rule.newState,
    target,
    lineNum: rule.lineNum,
  };
}

function toRecord(header: readonly string[], row: readonly CellValue[]): TextFsmRecord {
  return Object.fromEntries(header.map((name, i) => [name, row[i] ?? '']));
}

/**
 * A compiled TextFSM template. Immutable: `parseText` may be called any
 * number of times (each call starts from a fresh `Start` state).
 */
export class TextFsmTemplate {
  /** Value names in template order (Python `TextFSM.header`). */
  readonly header: readonly string[];
  readonly values: readonly ValueDefinition[];
  /** State names in definition order (`End` excluded, as in Python). */
  readonly stateNames: readonly string[];
  private readonly states: readonly (readonly CompiledRule[])[];
  private readonly startState: number;
  private readonly hasEofState: boolean;

  /** Compiles a template; throws `TextFsmTemplateError` for malformed templates. */
  constructor(readonly source: string) {
    const definition: TemplateDefinition = parseTemplateDefinition(source);
    this.values = definition.values;
    this.header = definition.values.map((value) => value.name);
    this.stateNames = [...definition.states.keys()];
    const valueIndex = new Map<string, number>();
    this.header.forEach((name, i) => valueIndex.set(name, i));
    const stateIndex = new Map(this.stateNames.map((name, i) => [name, i]));
    this.states = this.stateNames.map((name) =>
      (definition.states.get(name) ?? []).map((rule) => compileRule(rule, valueIndex, stateIndex)),
    );
    this.startState = stateIndex.get('Start') ?? 0;
    this.hasEofState = stateIndex.has('EOF');
  }

  /** Names of the Values carrying `option` (Python `GetValuesByAttrib`). */
  valuesWithOption(option: ValueOption): string[] {
    return this.values.filter((value) => value.options.includes(option)).map((value) => value.name);
  }

  /** Parses `text`; returns the header and rows (Python `ParseText`). Throws `TextFsmError`. */
  parseText(text: string, options: ParseOptions = {}): ParseTable {
    const run = new FsmRun(this, this.states, this.startState, isAscii(text));
    const rows = run.run(
      pySplitLines(text),
      options.eof ?? true,
      this.hasEofState,
    ) as CellValue[][];
    return { header: [...this.header], rows };
  }

  /** Parses `text` into records keyed by Value name (Python `ParseTextToDicts`). */
  parseTextToRecords(text: string, options: ParseOptions = {}): TextFsmRecord[] {
    const { header, rows } = this.parseText(text, options);
    return rows.map((row) => toRecord(header, row));
  }
}

const CACHE_LIMIT = 256;
const cache = new Map<string, TextFsmTemplate>();

/** Compiles a template, reusing a previously compiled identical template (LRU cache of 256). */
export function compileTemplate(template: string): TextFsmTemplate {
  const cached = cache.get(template);
  if (cached !== undefined) {
    cache.delete(template);
    cache.set(template, cached);
    return cached;
  }
  const compiled = new TextFsmTemplate(template);
  cache.set(template, compiled);
  if (cache.size > CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  return compiled;
}

/** Convenience: compile (cached) and parse into records. */
export function parseTextToRecords(
  template: string,
  text: string,
  options: ParseOptions = {},
): TextFsmRecord[] {
  return compileTemplate(template).parseTextToRecords(text, options);
}

/** Convenience: compile (cached) and parse into the header/rows form. */
export function parseText(template: string, text: string, options: ParseOptions = {}): ParseTable {
  return compileTemplate(template).parseText(text, options);
}
