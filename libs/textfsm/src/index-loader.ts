/**
 * Optional file-system helper (the only module doing I/O besides the CLI):
 * loads an index file and resolves its templates relative to its directory.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import type { IndexAttributes, TemplateLoader } from './template-index';
import { TemplateIndex, parseWithIndex } from './template-index';
import type { ParseTable } from './text-fsm';

export interface LoadedIndex {
  readonly index: TemplateIndex;
  /** Reads (and caches) templates relative to the index file's directory. */
  readonly loadTemplate: TemplateLoader;
}

export function loadIndexFile(indexPath: string): LoadedIndex {
  const index = TemplateIndex.parse(readFileSync(indexPath, 'utf8'));
  const directory = dirname(resolve(indexPath));
  const cache = new Map<string, string>();
  const loadTemplate: TemplateLoader = (name) => {
    const cached = cache.get(name);
    if (cached !== undefined) return cached;
    const text = readFileSync(resolve(directory, name), 'utf8');
    cache.set(name, text);
    return text;
  };
  return { index, loadTemplate };
}

/** Loads `indexPath` and parses `raw` with the template(s) matching `attributes`. */
export function parseWithIndexFile(
  indexPath: string,
  attributes: IndexAttributes,
  raw: string,
): ParseTable {
  const { index, loadTemplate } = loadIndexFile(indexPath);
  return parseWithIndex(index, loadTemplate, attributes, raw);
}
