/**
 * Benchmark (not a test): node --import tsx libs/textfsm/bench/library.ts [--min-ms 200]
 *
 * Our engine vs Google's Python TextFSM (Debian python3-textfsm) on the installed community
 * template library (ntc-templates, `tools/scripts/ntc-templates.sh`), in one run:
 * 1. compile every template of the library: how many each engine accepts (names of the
 *    failures) and the time for the whole library, cold (first compile in a fresh process;
 *    template texts read beforehand) and again (second pass);
 * 2. parse throughput on the simulator's output of every command that has a library
 *    template (the cases of libs/device-sim/src/platforms/library-differential.spec.ts,
 *    enumerated by libs/device-sim/test/library-cases.ts): templates compiled beforehand,
 *    each output parsed repeatedly until --min-ms per case and per engine (after a warm-up),
 *    outside process start and compile; the engines take turns case by case (one python3
 *    process for the run), so both see the same load on a shared machine. Ours:
 *    `parseWithTemplates` (the engine's compile cache); Python: prebuilt `TextFSM` objects,
 *    `Reset()` + `ParseText()`, and the clitable merge (TextTable.extend) when an index row
 *    names several templates.
 * Timing: process.hrtime.bigint() and time.perf_counter().
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

// eslint-disable-next-line @nx/enforce-module-boundaries -- a bench script shares the differential spec's cases (a device-sim test helper, not its API)
import { libraryCases } from '../../device-sim/test/library-cases';
import { TemplateLibrary, TextFsmTemplate, parseWithTemplates } from '../src/index';
import { findReferencePython } from '../test/python-reference';
import { installedLibraryDir } from '../test/template-library';

const COMMAND = 'node --import tsx libs/textfsm/bench/library.ts';

type LibraryCase = ReturnType<typeof libraryCases>[number];

interface CompileFigures {
  /** Whole library, first compile of each template in the process. */
  readonly coldMs: number;
  /** Whole library, compiled a second time. */
  readonly againMs: number;
  readonly failures: readonly { name: string; error: string }[];
}

interface ParseFigures {
  readonly msPerParse: number;
  readonly parses: number;
  readonly records: number;
}

interface PythonStart {
  readonly version: string;
  readonly compile: CompileFigures;
}

/**
 * The Python side, one process for the whole run, answering one JSON line per request line:
 * the first line holds the library's texts and gets the compile figures; every further line
 * is one case to time (so that both engines measure each case at nearly the same moment).
 */
const PYTHON_BENCH = String.raw`
import io, json, sys, time
import textfsm
from textfsm import texttable

texts = json.loads(sys.stdin.readline())

def compile_all():
    failures = []
    t0 = time.perf_counter()
    for name, text in texts.items():
        try:
            textfsm.TextFSM(io.StringIO(text))
        except Exception as err:  # pylint: disable=broad-except
            failures.append({"name": name, "error": "%s: %s" % (type(err).__name__, err)})
    return (time.perf_counter() - t0) * 1000, failures

def parser_for(names, text):
    fsms = [textfsm.TextFSM(io.StringIO(texts[n])) for n in names]
    keys = set()
    for fsm in fsms:
        keys = set(fsm.GetValuesByAttrib("Key"))
        if keys:
            break
    def parse_once():
        # CliTable.ParseCmd without the file handling and the compile.
        fsms[0].Reset()
        rows = fsms[0].ParseText(text)
        if len(fsms) == 1:
            return len(rows)
        table = texttable.TextTable()
        table.header = fsms[0].header
        for row in rows:
            table.Append(row)
        for fsm in fsms[1:]:
            fsm.Reset()
            other = texttable.TextTable()
            other.header = fsm.header
            for row in fsm.ParseText(text):
                other.Append(row)
            table.extend(other, keys)
        return table.size
    return parse_once

def measure(fn, min_s):
    for _ in range(3):
        fn()
    batch, parses, elapsed, records = 1, 0, 0.0, 0
    while elapsed < min_s:
        t0 = time.perf_counter()
        for _ in range(batch):
            records = fn()
        elapsed += time.perf_counter() - t0
        parses += batch
        if batch < 1 << 20:
            batch *= 2
    return {"msPerParse": elapsed * 1000 / parses, "parses": parses, "records": records}

def answer(value):
    sys.stdout.write(json.dumps(value) + "\n")
    sys.stdout.flush()

cold_ms, failures = compile_all()
again_ms, _ = compile_all()
answer({
    "version": sys.version.split()[0],
    "compile": {"coldMs": cold_ms, "againMs": again_ms, "failures": failures},
})
for line in sys.stdin:
    case = json.loads(line)
    try:
        answer(measure(parser_for(case["templates"], case["text"]), case["minMs"] / 1000))
    except Exception as err:  # pylint: disable=broad-except
        answer({"error": "%s: %s" % (type(err).__name__, err)})
`;

function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function compileOurs(texts: ReadonlyMap<string, string>): CompileFigures {
  const pass = (): { ms: number; failures: { name: string; error: string }[] } => {
    const failures: { name: string; error: string }[] = [];
    const start = process.hrtime.bigint();
    for (const [name, text] of texts) {
      try {
        new TextFsmTemplate(text);
      } catch (error) {
        const e = error as Error;
        failures.push({ name, error: `${e.name}: ${e.message}` });
      }
    }
    return { ms: elapsedMs(start), failures };
  };
  const cold = pass();
  const again = pass();
  return { coldMs: cold.ms, againMs: again.ms, failures: cold.failures };
}

/** Same loop as the Python side: 3 warm-up parses, then doubling batches until minMs. */
function measureOurs(fn: () => number, minMs: number): ParseFigures {
  for (let i = 0; i < 3; i += 1) fn();
  let batch = 1;
  let parses = 0;
  let elapsed = 0;
  let records = 0;
  while (elapsed < minMs) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch; i += 1) records = fn();
    elapsed += elapsedMs(start);
    parses += batch;
    if (batch < 1 << 20) batch *= 2;
  }
  return { msPerParse: elapsed / parses, parses, records };
}

/** The Python side as a request/answer channel (one JSON line each way). */
class PythonBench {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;

  constructor() {
    this.child = spawn(findReferencePython(), ['-c', PYTHON_BENCH]);
    this.child.stderr.pipe(process.stderr);
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  async request<T>(value: unknown): Promise<T> {
    this.child.stdin.write(`${JSON.stringify(value)}\n`);
    const line = await this.lines.next();
    if (line.done === true) throw new Error('the python benchmark process ended early');
    return JSON.parse(line.value) as T;
  }

  close(): void {
    this.child.stdin.end();
  }
}

const num = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function printCompile(total: number, ours: CompileFigures, python: CompileFigures): void {
  console.log(`\n## Compile: the ${total} templates of the library`);
  for (const [engine, f] of [
    ['ours', ours],
    ['python', python],
  ] as const) {
    console.log(
      `${engine.padEnd(7)} compiled ${total - f.failures.length}/${total}   ` +
        `whole library: cold ${num(f.coldMs, 1)} ms, again ${num(f.againMs, 1)} ms`,
    );
  }
  console.log(
    `ratio   python/ours compile time: cold ${(python.coldMs / ours.coldMs).toFixed(2)}, ` +
      `again ${(python.againMs / ours.againMs).toFixed(2)}`,
  );
  for (const [engine, f] of [
    ['ours', ours],
    ['python', python],
  ] as const) {
    if (f.failures.length === 0) continue;
    console.log(`\nrefused by ${engine} (${f.failures.length}):`);
    for (const failure of f.failures) {
      const reason = failure.error.replace(/\s+/g, ' ');
      console.log(
        `  ${failure.name}  ${reason.length > 150 ? `${reason.slice(0, 147)}...` : reason}`,
      );
    }
  }
}

interface Measured {
  readonly testCase: LibraryCase;
  readonly bytes: number;
  readonly ours: ParseFigures;
  readonly python: ParseFigures;
}

function printParse(
  measured: readonly Measured[],
  excluded: readonly string[],
  minMs: number,
): void {
  console.log(
    `\n## Parse: ${measured.length} simulator outputs with a library template ` +
      `(each parsed until >= ${minMs} ms per engine)`,
  );
  console.log(
    `${'platform'.padEnd(8)} ${'command'.padEnd(44)} ${'bytes'.padStart(7)} ${'records'.padStart(7)} ` +
      `${'ours ms'.padStart(9)} ${'python ms'.padStart(9)} ${'ours/py'.padStart(8)}`,
  );
  console.log('(ms per parse; ours/py = python time / our time, above 1 means ours is faster)');
  for (const m of measured) {
    console.log(
      `${m.testCase.platform.padEnd(8)} ${m.testCase.command.slice(0, 44).padEnd(44)} ` +
        `${String(m.bytes).padStart(7)} ${String(m.ours.records).padStart(7)} ` +
        `${m.ours.msPerParse.toFixed(4).padStart(9)} ${m.python.msPerParse.toFixed(4).padStart(9)} ` +
        `${(m.python.msPerParse / m.ours.msPerParse).toFixed(1).padStart(7)}x`,
    );
  }
  const sum = (f: (m: Measured) => number): number => measured.reduce((a, m) => a + f(m), 0);
  const records = sum((m) => m.ours.records);
  const megabytes = sum((m) => m.bytes) / 1e6;
  console.log(
    `\nall ${measured.length} outputs parsed once each: ${num(records)} records, ` +
      `${num(megabytes * 1e3, 1)} kB`,
  );
  const totals = [
    ['ours', sum((m) => m.ours.msPerParse), sum((m) => m.ours.parses)],
    ['python', sum((m) => m.python.msPerParse), sum((m) => m.python.parses)],
  ] as const;
  for (const [engine, ms, parses] of totals) {
    const seconds = ms / 1000;
    console.log(
      `${engine.padEnd(7)} ${num(ms, 3).padStart(8)} ms per round   ` +
        `${num(records / seconds).padStart(10)} records/s   ${(megabytes / seconds).toFixed(2).padStart(6)} MB/s   ` +
        `mean ${(ms / measured.length).toFixed(4)} ms per parse   (${num(parses)} parses timed)`,
    );
  }
  const [[, oursMs], [, pythonMs]] = totals;
  const ratios = measured.map((m) => m.python.msPerParse / m.ours.msPerParse).sort((a, b) => a - b);
  const median = ratios[Math.floor(ratios.length / 2)] ?? NaN;
  console.log(
    `ratio   ours/python throughput: ${(pythonMs / oursMs).toFixed(1)}x over the round, ` +
      `per output median ${median.toFixed(1)}x (min ${(ratios[0] ?? NaN).toFixed(1)}x, ` +
      `max ${(ratios[ratios.length - 1] ?? NaN).toFixed(1)}x)`,
  );
  if (excluded.length > 0) {
    console.log(`\nnot timed (${excluded.length}):`);
    for (const line of excluded) console.log(`  ${line}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'min-ms': { type: 'string', default: '200' } } });
  const minMs = Number(values['min-ms']);
  const started = new Date();
  const directory = installedLibraryDir();
  // Template texts read straight from the directory, so that ours compiles cold: nothing of
  // the engine (not even the index's regexes) has run in this process yet.
  const texts = new Map(
    readdirSync(directory)
      .filter((file) => file.endsWith('.textfsm'))
      .sort()
      .map((file) => [file, readFileSync(join(directory, file), 'utf8')] as const),
  );
  const oursCompile = compileOurs(texts);
  const library = TemplateLibrary.load(directory);

  console.log(`# TextFSM library benchmark`);
  console.log(
    `command: ${COMMAND}${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`,
  );
  console.log(`date:    ${started.toISOString()}`);
  console.log(
    `library: ${library.directory} (${texts.size} templates, ${library.index.size} index rows)`,
  );

  const cases = libraryCases(library).filter((c) => c.templates !== undefined);
  const idOf = (c: LibraryCase): string => `${c.platform}: ${c.command}`;
  const python = new PythonBench();
  try {
    const start = await python.request<PythonStart>(Object.fromEntries(texts));
    console.log(
      `engines: ours on Node ${process.version}; Python TextFSM (python3-textfsm) on Python ${start.version}`,
    );
    printCompile(texts.size, oursCompile, start.compile);

    const measured: Measured[] = [];
    const excluded: string[] = [];
    for (const testCase of cases) {
      const names = testCase.templates ?? [];
      const templates = names.map((name) => texts.get(name) ?? '');
      let ours: ParseFigures | undefined;
      let oursError: string | undefined;
      try {
        ours = measureOurs(() => parseWithTemplates(templates, testCase.output).rows.length, minMs);
      } catch (error) {
        oursError = `${(error as Error).name}: ${(error as Error).message}`;
      }
      const theirs = await python.request<ParseFigures | { error: string }>({
        templates: names,
        text: testCase.output,
        minMs,
      });
      const pythonError = 'error' in theirs ? theirs.error : undefined;
      if (ours === undefined || 'error' in theirs) {
        const reason =
          oursError !== undefined && pythonError !== undefined
            ? `both engines: ${pythonError}`
            : oursError !== undefined
              ? `ours only: ${oursError}`
              : `python only: ${pythonError ?? ''}`;
        excluded.push(`${idOf(testCase)}  ${reason.replace(/\s+/g, ' ').slice(0, 120)}`);
        continue;
      }
      measured.push({
        testCase,
        bytes: Buffer.byteLength(testCase.output),
        ours,
        python: theirs,
      });
    }
    printParse(measured, excluded, minMs);
  } finally {
    python.close();
  }
}

void main();
