/**
 * Template index (Python `clitable.IndexTable` / the ntc-templates `index`
 * file): selects template(s) for a platform and command, and merges the
 * results of several templates joined by `:` the way `CliTable.ParseCmd` does.
 * No I/O here: templates are fetched through a caller-supplied loader.
 */
import { TextFsmIndexError } from './errors';
import { PythonRegex } from './python-regex/python-regex';
import type { CellValue, ParseTable, TextFsmRecord } from './text-fsm';
import { compileTemplate } from './text-fsm';

/** Attributes matched against the index columns, e.g. `{ Platform: 'cisco_ios', Command: 'sh ip int br' }`. */
export type IndexAttributes = Readonly<Record<string, string>>;

/** Returns a template's text given its name as written in the index (relative path). */
export type TemplateLoader = (templateName: string) => string;

const COMPLETION = /\[\[(.+?)\]\]/g;

/** Expands `sh[[ow]]` into the regex `sh(o(w)?)?` (Python `CliTable._Completion`). */
export function expandCommandCompletion(command: string): string {
  return command.replace(COMPLETION, (_match, word: string) => {
    const chars = Array.from(word);
    return `(${chars.join('(')}${')?'.repeat(chars.length)}`;
  });
}

interface IndexRow {
  /** The cells as written in the file. */
  readonly cells: Readonly<Record<string, string>>;
  /** The cells with `Command` completions expanded into regexes. */
  readonly values: Readonly<Record<string, string>>;
  readonly compiled: ReadonlyMap<string, PythonRegex>;
  /**
   * Cells without regex syntax: `re.match` of such a pattern is a prefix test, done with
   * `startsWith` (most rows are skipped on their literal `Platform` without running a regex).
   */
  readonly literals: ReadonlyMap<string, string>;
}

const REGEX_SYNTAX = /[\\.^$*+?{}[\]|()]/;

function splitIndexLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

function compileColumn(column: string, value: string, line: number): PythonRegex {
  try {
    return new PythonRegex(value);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TextFsmIndexError(
      `Invalid regular expression in column '${column}' of index line ${line}: ${reason}`,
    );
  }
}

/** A parsed index file. Immutable. */
export class TemplateIndex {
  readonly header: readonly string[];
  private readonly rows: readonly IndexRow[];

  private constructor(header: readonly string[], rows: readonly IndexRow[]) {
    this.header = header;
    this.rows = rows;
  }

  /**
   * Parses index text (Python `TextTable.CsvToTable` + clitable pre-processing):
   * the first non-comment line is the header; lines starting with `#` are
   * comments; rows whose column count differs from the header are dropped.
   */
  static parse(text: string): TemplateIndex {
    const lines = splitIndexLines(text);
    let cursor = 0;
    let headerText = '';
    while (headerText === '' && cursor < lines.length) {
      headerText = (lines[cursor] ?? '').split('#')[0]?.trim() ?? '';
      cursor += 1;
    }
    const header = headerText.split(',').map((entry) => entry.trim());
    const duplicate = header.find((entry, i) => header.indexOf(entry) !== i);
    if (duplicate !== undefined)
      throw new TextFsmIndexError(`Duplicate header entry '${duplicate}'.`);
    if (!header.includes('Template'))
      throw new TextFsmIndexError("Index file does not have 'Template' column.");
    const rows: IndexRow[] = [];
    for (; cursor < lines.length; cursor += 1) {
      const line = lines[cursor] ?? '';
      if (line.startsWith('#')) continue;
      const cells = line.split(',').map((cell) => cell.trim());
      if (cells.length !== header.length) continue;
      rows.push(TemplateIndex.buildRow(header, cells, cursor + 1));
    }
    return new TemplateIndex(header, rows);
  }

  private static buildRow(
    header: readonly string[],
    cells: readonly string[],
    line: number,
  ): IndexRow {
    const values: Record<string, string> = {};
    const written: Record<string, string> = {};
    const compiled = new Map<string, PythonRegex>();
    const literals = new Map<string, string>();
    header.forEach((column, i) => {
      const raw = cells[i] ?? '';
      const value = column === 'Command' ? expandCommandCompletion(raw) : raw;
      values[column] = value;
      written[column] = raw;
      if (column === 'Template' || value === '') return;
      if (REGEX_SYNTAX.test(value)) compiled.set(column, compileColumn(column, value, line));
      else literals.set(column, value);
    });
    return { cells: written, values, compiled, literals };
  }

  /** Number of template rows. */
  get size(): number {
    return this.rows.length;
  }

  /** The rows' cells as written in the file (`sh[[ow]] ver[[sion]]`), in order. */
  entries(): readonly IndexAttributes[] {
    return this.rows.map((row) => row.cells);
  }

  /**
   * The template names of the first row whose columns all match the attributes
   * (Python `re.match`, i.e. anchored at the start only; empty cells match anything).
   */
  findTemplates(attributes: IndexAttributes): string[] | undefined {
    const entries = Object.entries(attributes);
    const row = this.rows.find(
      (candidate) =>
        entries.every(([column, value]) => {
          const literal = candidate.literals.get(column);
          return literal === undefined || value.startsWith(literal);
        }) &&
        entries.every(([column, value]) => {
          const regex = candidate.compiled.get(column);
          return regex === undefined || regex.match(value) !== null;
        }),
    );
    return row === undefined ? undefined : (row.values['Template'] ?? '').split(':');
  }
}

function sameCell(a: CellValue | undefined, b: CellValue | undefined): boolean {
  return typeof a === 'string' || typeof b === 'string'
    ? a === b
    : JSON.stringify(a) === JSON.stringify(b);
}

/** Python `TextTable.extend`: adds the new columns of `other`, joining rows on `keys` (or by position). */
function extendTable(table: ParseTable, other: ParseTable, keys: readonly string[]): ParseTable {
  const unknown = keys.find((key) => !table.header.includes(key));
  if (unknown !== undefined) throw new TextFsmIndexError(`Unknown key: '${unknown}'`);
  const added = other.header.filter((column) => !table.header.includes(column));
  if (added.length === 0) return table;
  const addedIndex = added.map((column) => other.header.indexOf(column));
  const keyIndex = keys.map(
    (key) => [table.header.indexOf(key), other.header.indexOf(key)] as const,
  );
  const rows = table.rows.map((row, rowNumber) => {
    const match =
      keys.length === 0
        ? other.rows[rowNumber]
        : other.rows.find((candidate) =>
            keyIndex.every(([mine, theirs]) => sameCell(row[mine], candidate[theirs])),
          );
    const extra = addedIndex.map((i) => (match === undefined ? '' : (match[i] ?? '')));
    return [...row, ...extra];
  });
  return { header: [...table.header, ...added], rows };
}

/**
 * Parses `raw` with one or more templates, merging the tables like
 * `CliTable.ParseCmd`: columns of later templates are appended to the rows of
 * the first whose Key values match (Keys of the first template that has any;
 * rows are joined by position when no template has a Key).
 */
export function parseWithTemplates(templates: readonly string[], raw: string): ParseTable {
  const [first, ...rest] = templates;
  if (first === undefined) throw new TextFsmIndexError('No template given.');
  const firstTemplate = compileTemplate(first);
  let keys = firstTemplate.valuesWithOption('Key');
  let table = firstTemplate.parseText(raw);
  for (const text of rest) {
    const template = compileTemplate(text);
    const next = template.parseText(raw);
    if (keys.length === 0) keys = template.valuesWithOption('Key');
    table = extendTable(table, next, keys);
  }
  return table;
}

/** Selects the template(s) for `attributes` in `index` and parses `raw` with them. */
export function parseWithIndex(
  index: TemplateIndex,
  loadTemplate: TemplateLoader,
  attributes: IndexAttributes,
  raw: string,
): ParseTable {
  const names = index.findTemplates(attributes);
  if (names === undefined) {
    throw new TextFsmIndexError(`No template found for attributes: ${JSON.stringify(attributes)}`);
  }
  return parseWithTemplates(
    names.map((name) => loadTemplate(name)),
    raw,
  );
}

/** Converts the header/rows form into records keyed by column name. */
export function tableToRecords(table: ParseTable): TextFsmRecord[] {
  return table.rows.map((row) =>
    Object.fromEntries(table.header.map((name, i) => [name, row[i] ?? ''])),
  );
}
