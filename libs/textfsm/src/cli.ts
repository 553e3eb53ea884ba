/**
 * Command line adapter:
 *   npm run -s textfsm -- <template-file> <raw-output-file>
 *   npm run -s textfsm -- --index <index-file> --platform <p> --command "<cmd>" <raw-output-file>
 * Prints the records as JSON; exits 1 with a message on stderr on error.
 */
import { readFileSync } from 'node:fs';

import { TextFsmBaseError } from './errors';
import { loadIndexFile } from './index-loader';
import { parseWithIndex, tableToRecords } from './template-index';
import type { TextFsmRecord } from './text-fsm';
import { compileTemplate } from './text-fsm';

const USAGE =
  'usage: textfsm <template-file> <raw-output-file>\n' +
  '       textfsm --index <index-file> --platform <platform> --command "<command>" <raw-output-file>';

class UsageError extends Error {}

interface CliArgs {
  readonly positional: string[];
  readonly options: Map<string, string>;
}

function parseArgs(argv: readonly string[]): CliArgs {
  const positional: string[] = [];
  const options = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined) throw new UsageError(`missing value for ${arg}`);
    options.set(arg.slice(2), value);
    i += 1;
  }
  return { positional, options };
}

function run(argv: readonly string[]): TextFsmRecord[] {
  const { positional, options } = parseArgs(argv);
  const indexFile = options.get('index');
  if (indexFile === undefined) {
    const [templateFile, rawFile] = positional;
    if (templateFile === undefined || rawFile === undefined || positional.length !== 2)
      throw new UsageError(USAGE);
    return compileTemplate(readFileSync(templateFile, 'utf8')).parseTextToRecords(
      readFileSync(rawFile, 'utf8'),
    );
  }
  const [rawFile] = positional;
  const platform = options.get('platform');
  const command = options.get('command');
  if (
    rawFile === undefined ||
    positional.length !== 1 ||
    platform === undefined ||
    command === undefined
  ) {
    throw new UsageError(USAGE);
  }
  const { index, loadTemplate } = loadIndexFile(indexFile);
  const attributes = { Platform: platform, Command: command };
  return tableToRecords(
    parseWithIndex(index, loadTemplate, attributes, readFileSync(rawFile, 'utf8')),
  );
}

function describe(error: unknown): string {
  if (error instanceof UsageError) return error.message;
  if (error instanceof TextFsmBaseError) {
    const detail =
      'detail' in error && typeof error.detail === 'string' ? ` (${error.detail})` : '';
    return `${error.name}: ${error.message}${detail}`;
  }
  if (error instanceof Error && 'code' in error && 'path' in error)
    return `cannot read ${String(error.path)}: ${String(error.code)}`;
  return error instanceof Error ? error.message : String(error);
}

try {
  process.stdout.write(`${JSON.stringify(run(process.argv.slice(2)), null, 2)}\n`);
} catch (error) {
  process.stderr.write(`textfsm: ${describe(error)}\n`);
  process.exitCode = 1;
}
