/**
 * Test helper shared by the library differential spec
 * (`src/platforms/library-differential.spec.ts`) and the TextFSM library benchmark
 * (`libs/textfsm/bench/library.ts`): every show-type command the simulator answers, run on
 * a seeded simulated device of each platform, with the templates the installed template
 * library (ntc-templates) selects for it, and Python's `clitable` as the reference parser.
 *
 * The commands are enumerated from the simulator itself, never from a hand-written list:
 * - modal CLIs (ios, nxos, eos, junos): the `show ...` patterns of the platform's privileged
 *   exec-mode command table (`Platform.execPatterns`; `{interface}` becomes the device's
 *   first Ethernet port);
 * - linux: the shell has no declarative command table (a record of handlers that parse their
 *   own arguments), so each `linux` row of the library index is rendered in its long form
 *   (`ip a[[ddress]] [[show]]` -> `ip address show`) and kept when the shell answers it.
 */
import { spawnSync } from 'node:child_process';

import type { PlatformDriver } from '@toolkit/contracts';
import type { TemplateLibrary } from '@toolkit/textfsm';

import { findReferencePython } from '../../textfsm/test/python-reference';
import { CliSession } from '../src/cli/cli-session';
import { DeviceState } from '../src/device-state';
import { FaultController } from '../src/faults';
import { HARDWARE, getPlatform } from '../src/platforms/registry';
import type { PlatformId } from '../src/types';
import { PLATFORM_IDS } from '../src/types';

/** The ntc-templates platform name of each simulated platform (as our platform drivers name them). */
export const NTC_PLATFORM = {
  ios: 'cisco_ios',
  nxos: 'cisco_nxos',
  eos: 'arista_eos',
  junos: 'juniper_junos',
  linux: 'linux',
} as const satisfies Record<PlatformId, PlatformDriver>;

/** Seed and creation time of the simulated devices: every run sees the same device. */
const SEED = 7;

export interface SimulatedOutput {
  readonly platform: PlatformId;
  readonly ntcPlatform: string;
  /** The command line as sent to the device (arguments substituted). */
  readonly command: string;
  /** The command-table pattern it came from (`show interfaces {interface}`), or the index row. */
  readonly source: string;
  /** What the device printed (stdout), line endings normalised to `\n`. */
  readonly output: string;
  readonly exitCode: number;
}

export interface LibraryCase extends SimulatedOutput {
  /** Template names the library's index selects (first matching row), or undefined. */
  readonly templates: readonly string[] | undefined;
}

/** A fresh, seeded device of the platform (hostname `lib-<platform>-01`). */
export function simulatedDevice(platform: PlatformId): DeviceState {
  return new DeviceState(`lib-${platform}-01`, platform, HARDWARE[platform], SEED, new Date());
}

/** Runs one command line on `device` in privileged exec mode, in-process (no SSH). */
export function runOnDevice(
  device: DeviceState,
  command: string,
): { output: string; stderr: string; exitCode: number } {
  const out: string[] = [];
  const err: string[] = [];
  let exitCode = -1;
  const session = new CliSession(
    getPlatform(device.platform, 'enable'),
    device,
    'admin',
    {
      write: (t) => out.push(t),
      writeStderr: (t) => err.push(t),
      end: (code) => {
        exitCode = code;
      },
      drop: () => undefined,
    },
    new FaultController(device.name, {}),
    false,
  );
  // The product enters privileged mode (`enable`) before it runs show commands.
  session.ctx.privileged = true;
  session.runExec(command);
  const normalise = (parts: string[]): string => parts.join('').replace(/\r\n/g, '\n');
  return { output: normalise(out), stderr: normalise(err), exitCode };
}

/** The `show ...` patterns of the platform's privileged exec (operational) mode, in table order. */
export function showPatterns(platform: Exclude<PlatformId, 'linux'>): readonly string[] {
  const patterns = getPlatform(platform, 'enable').execPatterns;
  if (patterns === undefined) throw new Error(`${platform} has no command table`);
  return [...new Set(patterns.filter((pattern) => /^show(\s|$)/.test(pattern)))];
}

/** Substitutes each `{param}` of a pattern with a real value of the device. */
export function renderPattern(pattern: string, device: DeviceState): string {
  return pattern.replace(/\{(\w+)\}/g, (_whole, name: string) => {
    switch (name) {
      case 'interface': {
        const iface = device.interfaces.find((i) => i.kind === 'ethernet') ?? device.interfaces[0];
        if (iface === undefined) throw new Error(`${device.name} has no interface`);
        return iface.name;
      }
      case 'vlan':
      case 'vlanId': {
        const [vlan] = device.vlans.keys();
        if (vlan === undefined) throw new Error(`${device.name} has no VLAN`);
        return String(vlan);
      }
      default:
        throw new Error(`no value for {${name}} in "${pattern}"`);
    }
  });
}

/** The long form of an index `Command` cell: `sh[[ow]] ip int[[erface]]` -> `show ip interface`. */
export function longCommand(indexCommand: string): string {
  return indexCommand
    .replace(/\[\[(.*?)\]\]/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Every show-type command of the platform with the device's output (see the file comment). */
export function simulatedOutputs(
  platform: PlatformId,
  library: TemplateLibrary,
): SimulatedOutput[] {
  const ntcPlatform = NTC_PLATFORM[platform];
  const device = simulatedDevice(platform);
  const candidates: { command: string; source: string }[] =
    platform === 'linux'
      ? library.index
          .entries()
          .filter((row) => row['Platform'] === ntcPlatform)
          .map((row) => ({
            command: longCommand(row['Command'] ?? ''),
            source: `index: ${row['Command'] ?? ''}`,
          }))
      : showPatterns(platform).map((pattern) => ({
          command: renderPattern(pattern, device),
          source: pattern,
        }));
  const outputs: SimulatedOutput[] = [];
  for (const { command, source } of candidates) {
    const { output, stderr, exitCode } = runOnDevice(device, command);
    // Linux rows the shell does not know (`command not found`, bad arguments) are not its commands.
    if (platform === 'linux' && (exitCode !== 0 || stderr !== '' || output === '')) continue;
    outputs.push({ platform, ntcPlatform, command, source, output, exitCode });
  }
  return outputs;
}

/** The simulated outputs of every platform, each with the templates the library selects. */
export function libraryCases(library: TemplateLibrary): LibraryCase[] {
  return PLATFORM_IDS.flatMap((platform) =>
    simulatedOutputs(platform, library).map((out) => ({
      ...out,
      templates: library.find(out.ntcPlatform, out.command),
    })),
  );
}

export type ClitableResult =
  | {
      readonly ok: true;
      /** The `Template` cell of the index row clitable selected. */
      readonly templates: string;
      readonly header: string[];
      readonly rows: unknown[][];
    }
  | { readonly ok: false; readonly error: string; readonly message: string };

const CLITABLE_SCRIPT = String.raw`
import json, sys
from textfsm import clitable
request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
table = clitable.CliTable("index", request["dir"])
results = []
for case in request["cases"]:
    attributes = {"Platform": case["platform"], "Command": case["command"]}
    try:
        table.ParseCmd(case["text"], attributes)
        row = table.index.GetRowMatch(attributes)
        results.append({
            "ok": True,
            "templates": table.index.index[row]["Template"],
            "header": list(table.header),
            "rows": [list(r.values) for r in table],
        })
    except Exception as err:  # pylint: disable=broad-except
        results.append({"ok": False, "error": type(err).__name__, "message": str(err)})
json.dump(results, sys.stdout)
`;

/**
 * Parses every case with Python's real `clitable.CliTable` over the library's own index
 * (`ParseCmd(text, {Platform, Command})`), in one python3 process: the exact reference for
 * template selection and the merge of `:`-joined templates.
 */
export function runClitableReference(
  templatesDir: string,
  cases: readonly { ntcPlatform: string; command: string; output: string }[],
): ClitableResult[] {
  const python = findReferencePython();
  const run = spawnSync(python, ['-c', CLITABLE_SCRIPT], {
    input: JSON.stringify({
      dir: templatesDir,
      cases: cases.map((c) => ({ platform: c.ntcPlatform, command: c.command, text: c.output })),
    }),
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`clitable reference failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as ClitableResult[];
}
