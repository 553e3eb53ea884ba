/**
 * Helpers that reproduce Python `str` semantics the reference relies on:
 * `str.splitlines()`, `str.strip()`/`rstrip()` (Unicode whitespace) and
 * `string.Template.substitute()` (the `$VALUE` / `${VALUE}` / `$$` syntax).
 */

/** Characters for which Python's `str.isspace()` is true (also `\s` in `re`). */
export const PY_WHITESPACE_CLASS =
  '\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const LEADING_WS = new RegExp(`^[${PY_WHITESPACE_CLASS}]+`);
const TRAILING_WS = new RegExp(`[${PY_WHITESPACE_CLASS}]+$`);
// eslint-disable-next-line no-control-regex -- Python str.splitlines() boundaries include \x1c-\x1e.
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/;
const UNIVERSAL_NEWLINE = /\r\n|\r|\n/;

export function pyRstrip(text: string): string {
  return text.replace(TRAILING_WS, '');
}

export function pyStrip(text: string): string {
  return pyRstrip(text).replace(LEADING_WS, '');
}

/** Python `str.splitlines()` (no trailing empty line, all Unicode line boundaries). */
export function pySplitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(LINE_BREAK);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Lines of a text file read with universal newlines (how Python reads a template file). */
export function splitFileLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(UNIVERSAL_NEWLINE);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export class TemplateSubstitutionError extends Error {}

const TEMPLATE_PLACEHOLDER = /\$(?:(\$)|([_a-zA-Z][_a-zA-Z0-9]*)|\{([_a-zA-Z][_a-zA-Z0-9]*)\}|())/g;

/** Python `string.Template(text).substitute(mapping)`. */
export function pyTemplateSubstitute(text: string, mapping: ReadonlyMap<string, string>): string {
  return text.replace(
    TEMPLATE_PLACEHOLDER,
    (_all, escaped: string | undefined, named: string | undefined, braced: string | undefined) => {
      if (escaped !== undefined) return '$';
      const name = named ?? braced;
      if (name === undefined) throw new TemplateSubstitutionError('Invalid placeholder');
      const value = mapping.get(name);
      if (value === undefined) throw new TemplateSubstitutionError(`Unknown placeholder ${name}`);
      return value;
    },
  );
}
