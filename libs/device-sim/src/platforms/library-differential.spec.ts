import type { ParseTable } from '@toolkit/textfsm';
import {
  TemplateLibrary,
  TextFsmError,
  parseWithTemplates,
  tableToRecords,
} from '@toolkit/textfsm';
import { installedLibraryDir } from '../../../textfsm/test/template-library';
import type { ClitableResult, LibraryCase } from '../../test/library-cases';
import { libraryCases, runClitableReference, simulatedDevice } from '../../test/library-cases';
import type { DeviceState } from '../device-state';
import type { PlatformId } from '../types';
import { PLATFORM_IDS } from '../types';

/**
 * Differential test of the simulator through the community template library: every
 * show-type command each simulated platform answers (enumerated from its command table)
 * runs on a seeded device, the library's index selects the templates as the product will
 * (`TemplateLibrary.find(ntcPlatform, command)`), and our engine must parse the output into
 * the same header and rows as Python's real `clitable.CliTable.ParseCmd` over the same index.
 * Commands without a template are allowed and listed as their own test cases.
 */

/** Cases with a template when this test was written: a drop means commands went missing. */
const MIN_COMPARED = 57;

/**
 * Simulated outputs the selected library template rejects (an `Error` rule fires, in Python
 * as in ours): the simulator prints something its template does not accept. Keyed by
 * `platform: command`; the value says whether the simulator or the library is off.
 */
const KNOWN_TEMPLATE_ERRORS: Readonly<Record<string, string>> = {
  'ios: show running-config interface GigabitEthernet1/0/1':
    'library: the template has no rule for " no switchport" (a routed Catalyst port prints it ' +
    'too) nor for the closing "end" line IOS prints after a single interface',
  'ios: show startup-config':
    'library: the index row "sh[[ow]] sta[[ndby]]" prefix-matches it, and the standby template ' +
    'rejects configuration text from its first line ("Using N out of 2097152 bytes")',
  'junos: show interfaces':
    'library: ADMIN_STATE is (\\S+), so "Administratively down, Physical link is Down" (a ' +
    'disabled port, as Junos prints it) hits the Error rule',
  'junos: show interfaces terse':
    'library: no terse template; the "sh[[ow]] inte[[rfaces]]" row prefix-matches it',
  'junos: show interfaces ge-0/0/0 terse':
    'library: no terse template; the "sh[[ow]] inte[[rfaces]]" row prefix-matches it',
};

/** The software version column of each platform's `show version` template. */
const VERSION_FIELD: Partial<Record<PlatformId, string>> = {
  ios: 'VERSION',
  nxos: 'OS',
  eos: 'IMAGE',
  junos: 'JUNOS_VERSION',
};

/**
 * Outputs the simulator once printed in another command's format (the template rejected
 * them): each must now give one record per entry of the device, keyed by the field named.
 */
const FORMAT_FIXED: readonly (readonly [
  PlatformId,
  string,
  string,
  (device: DeviceState) => string[],
])[] = [
  ['junos', 'show arp no-resolve', 'IP_ADDRESS', (d) => d.arp.map((a) => a.address)],
  ['linux', 'ip address show', 'INTERFACE', (d) => ['lo', ...d.interfaces.map((i) => i.name)]],
];

const library = TemplateLibrary.load(installedLibraryDir());
const cases = libraryCases(library);
const compared = cases.filter((c) => c.templates !== undefined);
const withoutTemplate = cases.filter((c) => c.templates === undefined);
let reference: ClitableResult[] = [];

beforeAll(() => {
  reference = runClitableReference(library.directory, cases);
});

function referenceFor(testCase: LibraryCase): ClitableResult {
  const result = reference[cases.indexOf(testCase)];
  if (result === undefined) throw new Error(`no reference result for ${testCase.command}`);
  return result;
}

function parseOurs(testCase: LibraryCase): ParseTable {
  const texts = (testCase.templates ?? []).map((name) => {
    const text = library.text(name);
    if (text === undefined) throw new Error(`template ${name} is not in the library`);
    return text;
  });
  return parseWithTemplates(texts, testCase.output);
}

/** The name and message of what `fn` throws (a template refused by our engine is rethrown). */
function errorOf(fn: () => unknown): { error: string; message: string } | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (!(error instanceof TextFsmError)) throw error;
    return { error: error.name, message: error.message };
  }
}

describe('simulated show output through the template library: our engine vs Python clitable', () => {
  it.each(PLATFORM_IDS.map((p) => [p] as const))(
    'when the %s command table is enumerated, then every show command answers without a CLI error',
    (platform) => {
      // Arrange
      const mine = cases.filter((c) => c.platform === platform);

      // Act
      const errors = mine.filter((c) =>
        /% Invalid input|% Incomplete command|% Ambiguous command|syntax error|command not found/.test(
          c.output,
        ),
      );

      // Assert
      expect(mine.length).toBeGreaterThan(0);
      expect(errors.map((c) => c.command)).toEqual([]);
      expect(mine.every((c) => c.exitCode === 0)).toBe(true);
    },
  );

  it('when the index is applied to every simulated command, then at least the known number are compared', () => {
    // Arrange / Act
    const platformsCompared = new Set(compared.map((c) => c.platform));

    // Assert
    expect([...platformsCompared].sort()).toEqual([...PLATFORM_IDS].sort());
    expect(compared.length).toBeGreaterThanOrEqual(MIN_COMPARED);
  });

  it.each(compared.map((c) => [c.platform, c.command, (c.templates ?? []).join(':'), c] as const))(
    'when %s answers "%s", then %s gives the header and rows (or the error) of Python clitable',
    (_platform, _command, templates, testCase) => {
      // Arrange
      const expected = referenceFor(testCase);
      if (!expected.ok) {
        // Act: the template rejects the output in Python too (see KNOWN_TEMPLATE_ERRORS).
        const error = errorOf(() => parseOurs(testCase));

        // Assert
        expect(error).toEqual({ error: expected.error, message: expected.message });
        return;
      }

      // Act
      const actual = parseOurs(testCase);

      // Assert
      expect(expected.templates).toBe(templates);
      expect({ header: actual.header, rows: actual.rows }).toEqual({
        header: expected.header,
        rows: expected.rows,
      });
    },
  );

  it('when Python clitable parses every simulated output, then only the known gaps fail and the rest yield records', () => {
    // Arrange
    const results = compared.map((c) => ({
      key: `${c.platform}: ${c.command}`,
      r: referenceFor(c),
    }));

    // Act
    const failing = results.filter(({ r }) => !r.ok).map(({ key }) => key);
    const empty = results.filter(({ r }) => r.ok && r.rows.length === 0).map(({ key }) => key);

    // Assert
    expect(failing.sort()).toEqual(Object.keys(KNOWN_TEMPLATE_ERRORS).sort());
    expect(empty).toEqual([]);
  });

  it.each(withoutTemplate.map((c) => [c.platform, c.command, c] as const))(
    'when %s answers "%s", then the library has no template for it (allowed) and clitable agrees',
    (_platform, _command, testCase) => {
      // Arrange / Act
      const expected = referenceFor(testCase);

      // Assert
      expect(expected).toMatchObject({ ok: false, error: 'CliTableError' });
    },
  );

  it.each(FORMAT_FIXED)(
    'when %s answers "%s", then the library template yields one record per entry (%s)',
    (platform, command, field, expectedOf) => {
      // Arrange
      const testCase = compared.find((c) => c.platform === platform && c.command === command);
      if (testCase === undefined)
        throw new Error(`no template selected for ${platform} ${command}`);
      const expected = expectedOf(simulatedDevice(platform));

      // Act
      const records = tableToRecords(parseOurs(testCase));

      // Assert
      expect(referenceFor(testCase).ok).toBe(true);
      expect(records.map((r) => r[field])).toEqual(expected);
    },
  );

  it.each(Object.entries(VERSION_FIELD))(
    'when %s answers "show version", then the library template yields a record with field %s set',
    (platform, field) => {
      // Arrange
      const testCase = compared.find(
        (c) => c.platform === platform && c.command === 'show version',
      );
      if (testCase === undefined) throw new Error(`no show version template for ${platform}`);

      // Act
      const records = tableToRecords(parseOurs(testCase));

      // Assert
      expect(records.length).toBeGreaterThanOrEqual(1);
      expect(String(records[0]?.[field] ?? '').trim()).not.toBe('');
    },
  );
});
