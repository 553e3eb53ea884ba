/**
 * Metric names in PromQL expressions (alerting rules, Grafana panels), for the check that
 * every name the deployment files use is exported by a running service.
 *
 * A small tokenizer, not a parser: it skips string literals, label matchers (`{...}`,
 * reading only a `__name__="..."` matcher), ranges and subqueries (`[...]`), numbers and
 * durations, Grafana variables (`$x`, `${x}`, `[[x]]`), the label lists of `by`, `without`,
 * `on`, `ignoring`, `group_left` and `group_right`, keywords, aggregation operators, and
 * identifiers followed by `(` (functions). What is left is a metric name. The expressions are
 * checked for syntax by promtool separately.
 */

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'atan2',
  'inf',
  'nan',
  'start',
  'end',
]);
/** Aggregation operators: `sum by (x) (...)` puts a keyword between the name and `(`. */
const AGGREGATIONS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
]);
const LABEL_LIST_KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
]);

const IDENTIFIER_START = /[A-Za-z_:]/;
const IDENTIFIER_PART = /[A-Za-z0-9_:]/;

export class PromqlNameError extends Error {
  constructor(message: string, expr: string) {
    super(`${message} in: ${expr}`);
    this.name = 'PromqlNameError';
  }
}

/** The metric names `expr` selects, sorted and without duplicates. */
export function metricNamesOf(expr: string): string[] {
  const names = new Set<string>();
  let i = 0;
  const peekNonSpace = (from: number): string => {
    let j = from;
    while (j < expr.length && /\s/.test(expr[j] ?? '')) j += 1;
    return expr[j] ?? '';
  };
  const skipString = (from: number): number => {
    const quote = expr[from];
    let j = from + 1;
    while (j < expr.length && expr[j] !== quote) j += expr[j] === '\\' && quote !== '`' ? 2 : 1;
    if (j >= expr.length) throw new PromqlNameError('unterminated string', expr);
    return j + 1;
  };
  /** Index after the bracket closing the one at `from` (strings inside skipped). */
  const skipGroup = (from: number, open: string, close: string): number => {
    let depth = 0;
    let j = from;
    while (j < expr.length) {
      const c = expr[j];
      if (c === '"' || c === "'" || c === '`') {
        j = skipString(j);
        continue;
      }
      if (c === open) depth += 1;
      else if (c === close) {
        depth -= 1;
        if (depth === 0) return j + 1;
      }
      j += 1;
    }
    throw new PromqlNameError(`unbalanced ${open}${close}`, expr);
  };
  const readMatchers = (from: number, to: number): void => {
    const body = expr.slice(from + 1, to - 1);
    const byName = /__name__\s*(=~|!=|!~|=)\s*(["'`])((?:\\.|(?!\2).)*)\2/.exec(body);
    if (!byName) return;
    if (byName[1] !== '=')
      throw new PromqlNameError('a __name__ matcher other than = cannot be checked', expr);
    names.add(byName[3] ?? '');
  };

  while (i < expr.length) {
    const c = expr[i] ?? '';
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '#') {
      while (i < expr.length && expr[i] !== '\n') i += 1;
    } else if (c === '"' || c === "'" || c === '`') {
      i = skipString(i);
    } else if (c === '{') {
      const end = skipGroup(i, '{', '}');
      readMatchers(i, end);
      i = end;
    } else if (c === '[') {
      // A range or subquery; Grafana's old `[[var]]` syntax is a bracket group too.
      i = skipGroup(i, '[', ']');
    } else if (c === '$') {
      i += 1;
      if (expr[i] === '{') i = skipGroup(i, '{', '}');
      else while (i < expr.length && IDENTIFIER_PART.test(expr[i] ?? '')) i += 1;
    } else if (/[0-9.]/.test(c)) {
      // Numbers, hexadecimal and durations (5m, 1h30m, 1e-3 is 1e then -3).
      while (i < expr.length && /[0-9A-Za-z_.]/.test(expr[i] ?? '')) i += 1;
    } else if (IDENTIFIER_START.test(c)) {
      let j = i;
      while (j < expr.length && IDENTIFIER_PART.test(expr[j] ?? '')) j += 1;
      const word = expr.slice(i, j);
      const lower = word.toLowerCase();
      const next = peekNonSpace(j);
      i = j;
      if (LABEL_LIST_KEYWORDS.has(lower)) {
        // Its label list (optional after group_left/group_right).
        if (next === '(') {
          while (expr[i] !== '(') i += 1;
          i = skipGroup(i, '(', ')');
        }
      } else if (KEYWORDS.has(lower) || AGGREGATIONS.has(lower)) {
        // `start()`/`end()` after @ are functions; either way nothing to record.
      } else if (next === '(') {
        // A function or an aggregation: its arguments are scanned as the loop goes on.
      } else {
        names.add(word);
      }
    } else {
      i += 1;
    }
  }
  return [...names].sort();
}

/**
 * Names in a Grafana query variable: `label_values(<expr>, label)` and `query_result(<expr>)`
 * read their expression; `label_values(label)`, `label_names()` and `metrics(re)` select none.
 */
export function metricNamesOfVariableQuery(query: string): string[] {
  const trimmed = query.trim();
  const labelValues = /^label_values\(\s*([\s\S]*),\s*[A-Za-z_][A-Za-z0-9_]*\s*\)$/.exec(trimmed);
  if (labelValues) return metricNamesOf(labelValues[1] ?? '');
  if (/^label_values\(\s*[A-Za-z_][A-Za-z0-9_]*\s*\)$/.test(trimmed)) return [];
  if (/^(label_names|metrics)\(/.test(trimmed)) return [];
  const result = /^query_result\(([\s\S]*)\)$/.exec(trimmed);
  if (result) return metricNamesOf(result[1] ?? '');
  throw new PromqlNameError('unknown Grafana variable query', query);
}

/**
 * Metric names a `/metrics` page declares (`# TYPE` lines), with the series names a
 * histogram or summary expands to.
 */
export function exportedMetricNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const match of exposition.matchAll(/^# TYPE ([A-Za-z_:][A-Za-z0-9_:]*) (\w+)$/gm)) {
    const [, name = '', type] = match;
    names.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(name + s);
  }
  return names;
}
