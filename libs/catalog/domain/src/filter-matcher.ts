import type { Filter } from '@toolkit/netbox-list';

/**
 * Evaluates, in memory, the subset of the MongoDB query language that @toolkit/netbox-list
 * produces ($and/$or/$nor, $in/$nin/$ne, $gt/$gte/$lt/$lte, $regex, null), with MongoDB's
 * array semantics (a condition on `platforms.slug` matches when any element matches).
 * Used to check permission constraints against an object before and after a write.
 */
export function matchesFilter(doc: unknown, filter: Filter): boolean {
  return Object.entries(filter).every(([key, condition]) => {
    switch (key) {
      case '$and':
        return (condition as Filter[]).every((f) => matchesFilter(doc, f));
      case '$or':
        return (condition as Filter[]).some((f) => matchesFilter(doc, f));
      case '$nor':
        return !(condition as Filter[]).some((f) => matchesFilter(doc, f));
      default:
        return matchesCondition(valuesAt(doc, key.split('.')), condition);
    }
  });
}

function valuesAt(value: unknown, path: readonly string[]): unknown[] {
  if (path.length === 0) return Array.isArray(value) ? [value, ...value] : [value];
  if (Array.isArray(value)) return value.flatMap((item) => valuesAt(item, path));
  if (value === null || typeof value !== 'object') return [undefined];
  const [head, ...rest] = path;
  return valuesAt((value as Record<string, unknown>)[head as string], rest);
}

function isOperatorObject(condition: unknown): condition is Record<string, unknown> {
  return (
    typeof condition === 'object' &&
    condition !== null &&
    !(condition instanceof Date) &&
    !Array.isArray(condition) &&
    Object.keys(condition).every((k) => k.startsWith('$'))
  );
}

function matchesCondition(values: unknown[], condition: unknown): boolean {
  if (!isOperatorObject(condition)) return values.some((v) => equals(v, condition));
  return Object.entries(condition).every(([op, operand]) => {
    switch (op) {
      case '$in':
        return (operand as unknown[]).some((o) => values.some((v) => equals(v, o)));
      case '$nin':
        return !(operand as unknown[]).some((o) => values.some((v) => equals(v, o)));
      case '$ne':
        return !values.some((v) => equals(v, operand));
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        return values.some((v) => compare(v, operand, op));
      case '$regex': {
        const flags = String((condition as { $options?: string }).$options ?? '');
        const re = new RegExp(String(operand), flags);
        return values.some((v) => typeof v === 'string' && re.test(v));
      }
      case '$options':
        return true;
      default:
        return false;
    }
  });
}

function equals(value: unknown, expected: unknown): boolean {
  if (expected === null) return value === null || value === undefined;
  if (value instanceof Date && expected instanceof Date)
    return value.getTime() === expected.getTime();
  return value === expected;
}

function compare(value: unknown, operand: unknown, op: string): boolean {
  const a = value instanceof Date ? value.getTime() : value;
  const b = operand instanceof Date ? operand.getTime() : operand;
  if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) return false;
  const x = a as number | string;
  const y = b as number | string;
  switch (op) {
    case '$gt':
      return x > y;
    case '$gte':
      return x >= y;
    case '$lt':
      return x < y;
    default:
      return x <= y;
  }
}
