/**
 * Test helper: runs Google's Python TextFSM (Debian `python3-textfsm`) on a
 * batch of {template, text} cases in one `python3` process.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export type ReferenceResult =
  | { readonly ok: true; readonly header: string[]; readonly rows: unknown[][] }
  | { readonly ok: false; readonly error: string; readonly message: string };

export interface ReferenceCase {
  readonly template: string;
  readonly text: string;
}

const SCRIPT = join(__dirname, 'reference.py');
const INSTALL_HINT =
  'Python TextFSM is required for the differential tests: run `apt-get install python3-textfsm` ' +
  '(the `python3` on PATH, or /usr/bin/python3, must be able to `import textfsm`).';

let cachedInterpreter: string | undefined;

/** The first python3 interpreter that can import textfsm; throws with the install hint otherwise. */
export function findReferencePython(): string {
  if (cachedInterpreter !== undefined) return cachedInterpreter;
  for (const candidate of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(candidate, ['-c', 'import textfsm'], { encoding: 'utf8' });
    if (probe.status === 0) {
      cachedInterpreter = candidate;
      return candidate;
    }
  }
  throw new Error(INSTALL_HINT);
}

function runScript<T>(request: unknown): T {
  const python = findReferencePython();
  const result = spawnSync(python, [SCRIPT], {
    input: JSON.stringify(request),
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`reference.py failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** Runs all cases through the reference implementation in a single process. */
export function runReference(cases: readonly ReferenceCase[]): ReferenceResult[] {
  return runScript<ReferenceResult[]>(cases);
}

export type CompileResult =
  { readonly ok: true } | { readonly ok: false; readonly error: string; readonly message: string };

/** Compiles every template with Python TextFSM (one process). */
export function runCompileReference(templates: readonly string[]): CompileResult[] {
  return runScript<CompileResult[]>({ mode: 'compile', templates });
}

export interface RegexCase {
  readonly pattern: string;
  readonly subject: string;
}

export interface PythonReMatch {
  /** Group 0 first; null when the group did not participate. */
  readonly groups: (string | null)[];
  /** [start, end] in code points; [-1, -1] when the group did not participate. */
  readonly spans: [number, number][];
}

export type RegexResult =
  | { readonly ok: true; readonly match: PythonReMatch | null }
  | { readonly ok: false; readonly error: string; readonly message: string };

/** Python `re.match(pattern, subject)` for every case (one process). */
export function runRegexReference(cases: readonly RegexCase[]): RegexResult[] {
  return runScript<RegexResult[]>({ mode: 'regex', cases });
}
