/**
 * Test helper: the installed community template library (ntc-templates at the version
 * `tools/scripts/ntc-templates.sh` pins). TEXTFSM_TEMPLATES_DIR when set (the test
 * command exports it), otherwise the script installs it into the cache if needed and
 * prints where it is.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const SCRIPT = resolve(__dirname, '../../../tools/scripts/ntc-templates.sh');

let cached: string | undefined;

/** The directory holding the library's `index` and templates. */
export function installedLibraryDir(): string {
  if (cached !== undefined) return cached;
  const fromEnv = process.env['TEXTFSM_TEMPLATES_DIR'];
  if (fromEnv && existsSync(join(fromEnv, 'index'))) return (cached = fromEnv);
  const run = spawnSync('bash', [SCRIPT], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`ntc-templates.sh failed: ${run.stderr}`);
  const dir = run.stdout.trim();
  if (!existsSync(join(dir, 'index'))) throw new Error(`no template index in ${dir}`);
  return (cached = dir);
}
