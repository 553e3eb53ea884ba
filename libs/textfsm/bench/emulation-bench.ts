/**
 * Benchmark (not a test): node --import tsx libs/textfsm/bench/emulation-bench.ts
 *
 * Cost of the `sre` emulation on a template that needs it
 * (arista_eos_show_interfaces from the installed ntc-templates, whose rule
 * `^\s+\[(\d+(,\s+)?)+\]` is emulated) on a generated `show interfaces` of a
 * few thousand lines: this engine (emulation with the native prefilter),
 * Python TextFSM on the same text, and, at the regex level, the emulated rule
 * with and without the native prefilter and the native RegExp alone.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PythonRegex, TextFsmTemplate } from '../src/index';

import { findReferencePython } from '../test/python-reference';
import { Prng } from '@toolkit/prng';
import { installedLibraryDir } from '../test/template-library';

const TEMPLATE = readFileSync(
  join(installedLibraryDir(), 'arista_eos_show_interfaces.textfsm'),
  'utf8',
);
const EMULATED_RULE = '^\\s+\\[(\\d+(,\\s+)?)+\\]';

function interfaceBlock(rng: Prng, index: number): string[] {
  const name = `Ethernet${index}`;
  const mac = `00${rng.below(10)}c.7${rng.below(10)}ab.cdef`;
  return [
    `${name} is up, line protocol is up (connected)`,
    `  Hardware is Ethernet, address is ${mac} (bia ${mac})`,
    `  Description: uplink-${index}`,
    `  Internet address is 10.${index % 256}.${rng.below(256)}.1/24`,
    '  Broadcast address is 255.255.255.255',
    `  IP MTU 1500 bytes , BW 10000000 kbit`,
    '  Full-duplex, 10Gb/s, auto negotiation: off, uni-link: n/a',
    `  Up ${rng.below(30)} days, ${rng.below(24)} hours, ${rng.below(60)} minutes, ${rng.below(60)} seconds`,
    `  Loopback Mode : None`,
    `  ${rng.below(9)} link status changes since last clear`,
    `  Last clearing of "show interface" counters never`,
    `  5 minutes input rate ${rng.below(100000)} bps (0.0% with framing overhead), ${rng.below(100)} packets/sec`,
    `  5 minutes output rate ${rng.below(100000)} bps (0.0% with framing overhead), ${rng.below(100)} packets/sec`,
    `     ${rng.below(1e6)} packets input, ${rng.below(1e9)} bytes`,
    `     Received ${rng.below(100)} broadcasts, ${rng.below(1000)} multicast`,
    `     0 runts, 0 giants`,
    `     0 input errors, 0 CRC, 0 alignment, 0 symbol, 0 input discards`,
    `     0 PAUSE input`,
    `     ${rng.below(1e6)} packets output, ${rng.below(1e9)} bytes`,
    `     Sent ${rng.below(100)} broadcasts, ${rng.below(1000)} multicast`,
    `     0 output errors, 0 collisions`,
    `     0 late collision, 0 deferred, 0 output discards`,
    `     0 PAUSE output`,
    `  [${Array.from({ length: 1 + rng.below(6) }, () => String(rng.below(4096))).join(', ')}]`,
  ];
}

function generate(lines: number): string {
  const rng = new Prng(7);
  const out: string[] = [];
  for (let i = 1; out.length < lines; i += 1) out.push(...interfaceBlock(rng, i));
  return out.slice(0, lines).join('\n');
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

function line(label: string, lines: number, ms: number, extra = ''): void {
  const rate = Math.round(lines / (ms / 1000)).toLocaleString('en-US');
  console.log(
    `${label.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms  ${rate.padStart(11)} lines/s ${extra}`,
  );
}

function pythonParse(text: string): { ms: number; records: number } | null {
  let python: string;
  try {
    python = findReferencePython();
  } catch {
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'textfsm-emu-bench-'));
  try {
    writeFileSync(join(dir, 't.textfsm'), TEMPLATE);
    writeFileSync(join(dir, 'in.txt'), text);
    const script = [
      'import io, sys, time, textfsm',
      'tpl = open(sys.argv[1]).read(); text = open(sys.argv[2]).read()',
      'best = None',
      'for _ in range(5):',
      '    fsm = textfsm.TextFSM(io.StringIO(tpl)); t = time.perf_counter(); rows = fsm.ParseText(text)',
      '    d = (time.perf_counter() - t) * 1000; best = d if best is None or d < best else best',
      'print(best, len(rows))',
    ].join('\n');
    const run = spawnSync(python, ['-c', script, join(dir, 't.textfsm'), join(dir, 'in.txt')], {
      encoding: 'utf8',
    });
    if (run.status !== 0) return null;
    const [ms, records] = run.stdout.trim().split(' ');
    return { ms: Number(ms), records: Number(records) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  const lines = 5000;
  const text = generate(lines);
  const subjects = text.split('\n');
  console.log(`arista_eos_show_interfaces, ${lines} generated lines (Node ${process.version})`);

  const template = new TextFsmTemplate(TEMPLATE);
  const ours = bestOf(5, () => template.parseText(text));
  line(
    'TypeScript parse (sre emulation + prefilter)',
    lines,
    ours.ms,
    `(${ours.result.rows.length} records)`,
  );
  const python = pythonParse(text);
  if (python) {
    line('Python TextFSM parse', lines, python.ms, `(${python.records} records)`);
    console.log(`speed-up: ${(python.ms / ours.ms).toFixed(1)}x`);
  }

  const prefiltered = new PythonRegex(EMULATED_RULE);
  const unfiltered = new PythonRegex(EMULATED_RULE, { nativePrefilter: false });
  const matchAll = (regex: PythonRegex): number =>
    subjects.reduce((n, s) => n + (regex.match(s, true) === null ? 0 : 1), 0);
  const a = bestOf(5, () => matchAll(prefiltered));
  const b = bestOf(5, () => matchAll(unfiltered));

  const native = new RegExp(EMULATED_RULE, 'y');
  const d = bestOf(5, () =>
    subjects.reduce((n, s) => {
      native.lastIndex = 0;
      return n + (native.exec(s) === null ? 0 : 1);
    }, 0),
  );
  console.log(`\nrule ${EMULATED_RULE} on every line (${a.result} matching):`);
  line('  emulation with native prefilter', lines, a.ms);
  line('  emulation without prefilter', lines, b.ms);
  line('  native RegExp alone (wrong groups)', lines, d.ms);
}

main();
