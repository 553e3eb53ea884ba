/**
 * A template library on disk: a directory holding an `index` (clitable format) and the
 * templates it names, as ntc-templates ships them. Loaded once, read-only afterwards:
 * every template named by the index is read at load (a missing one fails the load, not
 * a later parse), and templates compile lazily through the engine's cache.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { TextFsmIndexError } from './errors';
import type { IndexAttributes } from './template-index';
import { TemplateIndex } from './template-index';

/** One template of a library with the index rows that select it. */
export interface LibraryTemplate {
  /** File name as the index writes it, e.g. `cisco_ios_show_version.textfsm`. */
  readonly name: string;
  /** The `Platform` cells of the rows naming it (in index order, without repeats). */
  readonly platforms: readonly string[];
  /** The `Command` cells as written (`sh[[ow]] ver[[sion]]`), in index order. */
  readonly commands: readonly string[];
}

export class TemplateLibrary {
  private constructor(
    readonly directory: string,
    /** The library's version: a `VERSION` file next to the directory (as the setup writes it), if any. */
    readonly version: string | null,
    readonly index: TemplateIndex,
    readonly templates: readonly LibraryTemplate[],
    private readonly texts: ReadonlyMap<string, string>,
  ) {}

  /** Reads `directory/index` and every template in `directory`; throws on a missing one. */
  static load(directory: string): TemplateLibrary {
    const root = resolve(directory);
    const index = TemplateIndex.parse(readFileSync(join(root, 'index'), 'utf8'));
    const rowsOf = new Map<string, IndexAttributes[]>();
    for (const row of index.entries()) {
      for (const name of (row['Template'] ?? '').split(':')) {
        if (name === '') continue;
        const rows = rowsOf.get(name) ?? [];
        rows.push(row);
        rowsOf.set(name, rows);
      }
    }
    const names = new Set(readdirSync(root).filter((file) => file.endsWith('.textfsm')));
    const missing = [...rowsOf.keys()].find((name) => !names.has(name));
    if (missing !== undefined) {
      throw new TextFsmIndexError(
        `Template '${missing}' named by ${join(root, 'index')} is missing.`,
      );
    }
    const texts = new Map<string, string>();
    const templates: LibraryTemplate[] = [];
    for (const name of [...names].sort()) {
      texts.set(name, readFileSync(join(root, name), 'utf8'));
      const rows = rowsOf.get(name) ?? [];
      templates.push({
        name,
        platforms: [...new Set(rows.map((row) => row['Platform'] ?? ''))],
        commands: rows.map((row) => row['Command'] ?? ''),
      });
    }
    const versionFile = join(root, '..', 'VERSION');
    const version = existsSync(versionFile)
      ? readFileSync(versionFile, 'utf8').trim() || null
      : null;
    return new TemplateLibrary(root, version, index, templates, texts);
  }

  /** The text of the template called `name`, if the library has it. */
  text(name: string): string | undefined {
    return this.texts.get(name);
  }

  /**
   * The templates the index selects for a platform and a command (the first matching row,
   * as clitable and ntc-templates select them), or undefined when no row matches.
   */
  find(platform: string, command: string): string[] | undefined {
    return this.index.findTemplates({ Platform: platform, Command: command });
  }
}
