/**
 * Benchmark (not a test): node --import tsx libs/textfsm/bench/bench.ts
 * Parses generated `show ip route` outputs of 5,000 and 50,000 lines with the
 * cisco_ios show ip route fixture template, prints records/s, MB/s, the
 * 50k/5k time ratio (linearity) and the template compile time, and the same
 * figures for Python TextFSM when python3-textfsm is installed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { TextFsmTemplate } from '../src/index';
import { Prng } from '@toolkit/prng';
import { randomRouteTable } from '../test/random-cases';

const TEMPLATE = readFileSync(
  join(__dirname, '..', 'test', 'fixtures', 'cisco_ios_show_ip_route', 'template.textfsm'),
  'utf8',
);

function generate(lines: number): string {
  const text = randomRouteTable(new Prng(42), lines);
  return text.split('\n').slice(0, lines).join('\n');
}

function bestOf<T>(runs: number, fn: () => T): { ms: number; result: T } {
  let best = Infinity;
  let result = fn();
  for (let i = 0; i < runs; i += 1) {
    const start = process.hrtime.bigint();
    result = fn();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { ms: best, result };
}

interface Figures {
  readonly lines: number;
  readonly ms: number;
  readonly records: number;
  readonly megabytes: number;
}

function report(engine: string, figures: readonly Figures[], compileMs: number): void {
  for (const f of figures) {
    const seconds = f.ms / 1000;
    console.log(
      `${engine.padEnd(10)} ${String(f.lines).padStart(6)} lines: ${f.ms.toFixed(1).padStart(8)} ms  ` +
        `${Math.round(f.records / seconds)
          .toLocaleString('en-US')
          .padStart(10)} records/s  ` +
        `${(f.megabytes / seconds).toFixed(2).padStart(7)} MB/s  (${f.records} records)`,
    );
  }
  const [small, large, huge] = figures;
  if (small && large) {
    console.log(
      `${engine.padEnd(10)} linearity: time(50k)/time(5k) = ${(large.ms / small.ms).toFixed(2)} (10 = linear)`,
    );
  }
  if (large && huge) {
    console.log(
      `${engine.padEnd(10)} linearity: time(200k)/time(50k) = ${(huge.ms / large.ms).toFixed(2)} (4 = linear)`,
    );
  }
  console.log(`${engine.padEnd(10)} template compile: ${compileMs.toFixed(3)} ms`);
}

const PYTHON_BENCH = `
import io, json, sys, time, textfsm
template = open(sys.argv[1]).read()
out = {}
t0 = time.perf_counter()
for _ in range(50):
    textfsm.TextFSM(io.StringIO(template))
out['compile_ms'] = (time.perf_counter() - t0) * 1000 / 50
for path in sys.argv[2:]:
    text = open(path).read()
    best = None
    for _ in range(3):
        fsm = textfsm.TextFSM(io.StringIO(template))
        t0 = time.perf_counter()
        rows = fsm.ParseText(text)
        ms = (time.perf_counter() - t0) * 1000
        best = ms if best is None else min(best, ms)
    out[path] = {'ms': best, 'records': len(rows)}
print(json.dumps(out))
`;

function pythonFigures(
  texts: readonly string[],
): { figures: Figures[]; compileMs: number } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'textfsm-bench-'));
  try {
    const templatePath = join(dir, 'template.textfsm');
    writeFileSync(templatePath, TEMPLATE);
    const paths = texts.map((text, i) => {
      const path = join(dir, `input-${i}.txt`);
      writeFileSync(path, text);
      return path;
    });
    for (const python of ['python3', '/usr/bin/python3']) {
      const run = spawnSync(python, ['-c', PYTHON_BENCH, templatePath, ...paths], {
        encoding: 'utf8',
      });
      if (run.status !== 0) continue;
      const out = JSON.parse(run.stdout) as Record<string, { ms: number; records: number }> & {
        compile_ms: number;
      };
      const figures = paths.map((path, i) => ({
        lines: (texts[i] ?? '').split('\n').length,
        ms: out[path]?.ms ?? NaN,
        records: out[path]?.records ?? 0,
        megabytes: Buffer.byteLength(texts[i] ?? '') / 1e6,
      }));
      return { figures, compileMs: out.compile_ms };
    }
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  const texts = [generate(5_000), generate(50_000), generate(200_000)];
  const compile = bestOf(200, () => new TextFsmTemplate(TEMPLATE));
  const template = compile.result;
  const figures = texts.map((text) => {
    const { ms, result } = bestOf(5, () => template.parseText(text));
    return {
      lines: text.split('\n').length,
      ms,
      records: result.rows.length,
      megabytes: Buffer.byteLength(text) / 1e6,
    };
  });
  console.log(`show ip route benchmark (Node ${process.version})`);
  report('TypeScript', figures, compile.ms);
  const python = pythonFigures(texts);
  if (python === undefined) {
    console.log(
      'Python     python3-textfsm not installed: skipped (apt-get install python3-textfsm)',
    );
    return;
  }
  report('Python', python.figures, python.compileMs);
  const [, ours] = figures;
  const [, theirs] = python.figures;
  // 200k lines are parsed to show that per-line cost stays flat beyond the young-generation GC size.
  if (ours && theirs) console.log(`speed-up on 50k lines: ${(theirs.ms / ours.ms).toFixed(1)}x`);
}

main();
