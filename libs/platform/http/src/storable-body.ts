import type { NextFunction, Request, Response } from 'express';
import { FieldErrorList } from '@toolkit/errors';

/** Deeper than any body of ours; deeper bodies only exhaust recursive code behind this. */
export const MAX_BODY_DEPTH = 32;

/**
 * Refuses, with a 400 naming the field, what a JSON body can carry but no store keeps:
 * NUL characters (PostgreSQL under FerretDB fails the write; DRF refuses them) and unpaired
 * surrogates (`"\ud800"`, silently turned into U+FFFD when encoded as UTF-8); and nesting
 * deeper than {@link MAX_BODY_DEPTH}.
 */
export function checkStorableBody(body: unknown): void {
  const errors = new FieldErrorList();
  visit(body, [], errors);
  errors.throwIfAny('unstorable-body');
}

function visit(value: unknown, path: string[], errors: FieldErrorList): void {
  if (typeof value === 'string') {
    const problem = stringProblem(value);
    if (problem) errors.add(fieldName(path), problem);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (path.length >= MAX_BODY_DEPTH) {
    errors.add(fieldName(path), `Nested deeper than ${MAX_BODY_DEPTH} levels.`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => visit(item, [...path, String(index)], errors));
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    const problem = stringProblem(key);
    if (problem) {
      errors.add(fieldName(path), `Field name: ${problem}`);
      continue;
    }
    visit(item, [...path, key], errors);
  }
}

/** In unicode mode a paired surrogate is one code point; only an unpaired one is `Cs`. */
const LONE_SURROGATE = /\p{Cs}/u;

function stringProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'Null characters are not allowed.';
  if (LONE_SURROGATE.test(text))
    return 'Enter valid Unicode text (an unpaired surrogate was sent).';
  return undefined;
}

function fieldName(path: readonly string[]): string {
  return path.length === 0 ? 'non_field_errors' : path.join('.');
}

export function storableBody(req: Request, _res: Response, next: NextFunction): void {
  try {
    checkStorableBody(req.body);
    next();
  } catch (error) {
    next(error);
  }
}
