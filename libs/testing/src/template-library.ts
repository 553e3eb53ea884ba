import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TemplateLibrary } from '@toolkit/textfsm';

const SCRIPT = resolve(__dirname, '../../../tools/scripts/ntc-templates.sh');

let directory: string | undefined;
let library: TemplateLibrary | undefined;

/**
 * The community template library's directory, as the services find it:
 * TEXTFSM_TEMPLATES_DIR when the test command exported it, otherwise what
 * tools/scripts/ntc-templates.sh prints (installing the pinned version into the cache if
 * needed). Started services get it through their environment.
 */
export function templateLibraryDir(): string {
  if (directory !== undefined) return directory;
  const fromEnv = process.env['TEXTFSM_TEMPLATES_DIR'];
  if (fromEnv && existsSync(join(fromEnv, 'index'))) return (directory = fromEnv);
  const run = spawnSync('bash', [SCRIPT], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`tools/scripts/ntc-templates.sh failed: ${run.stderr}`);
  const found = run.stdout.trim();
  if (!existsSync(join(found, 'index'))) throw new Error(`no template index in ${found}`);
  return (directory = found);
}

/** The library loaded once per test process (about 150 ms and 4 MB). */
export function installedTemplateLibrary(): TemplateLibrary {
  library ??= TemplateLibrary.load(templateLibraryDir());
  return library;
}
