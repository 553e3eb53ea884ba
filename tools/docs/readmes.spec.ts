import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { analyticsConfigSchema } from '../../apps/analytics/src/config';
import { catalogConfigSchema } from '../../apps/catalog/src/config';
import { executorConfigSchema } from '../../apps/executor/src/config';
import { gatewayConfigSchema } from '../../apps/gateway/src/config';
import { REPO_ROOT, documentationFiles, section, tableRows } from './markdown';

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');
const lineCount = (text: string) => text.trimEnd().split('\n').length;

const SERVICES: [string, z.ZodObject][] = [
  ['gateway', gatewayConfigSchema],
  ['catalog', catalogConfigSchema],
  ['executor', executorConfigSchema],
  ['analytics', analyticsConfigSchema],
];

/** `` `NAME` `` in the first column of the section's tables (header rows excluded). */
function firstColumnNames(markdown: string, pattern: RegExp): string[] {
  return tableRows(markdown)
    .map((cells) => cells[0] ?? '')
    .flatMap((cell) => [...cell.matchAll(new RegExp(`\`(${pattern.source})\``, 'g'))])
    .map((match) => match[1] ?? '');
}

describe('the root README', () => {
  const readme = read('README.md');

  it('when it is read, then it fits on two screens (at most 100 lines)', () => {
    expect(lineCount(readme)).toBeLessThanOrEqual(100);
  });

  it('when its tables are read, then every cell is short (at most 60 characters)', () => {
    const long = tableRows(readme)
      .flat()
      .filter((cell) => cell.length > 60 && !/^-+$/.test(cell));

    expect(long).toEqual([]);
  });

  it('when it is read, then it gives the one command that brings the system up and the one that runs every test', () => {
    expect(readme).toContain('npm run up');
    expect(readme).toContain('npm test');
  });
});

describe('app and library READMEs', () => {
  const readmes = documentationFiles()
    .map((file) => path.relative(REPO_ROOT, file))
    .filter((file) => /^(apps|libs)\/.*README\.md$/.test(file));

  it.each(readmes)(
    'when %s is read, then it is a reference of at most 160 lines and 12 KB',
    (file) => {
      const text = read(file);
      const long = tableRows(text)
        .flat()
        .filter((cell) => cell.length > 120 && !/^-+$/.test(cell));

      expect(lineCount(text)).toBeLessThanOrEqual(160);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(12_000);
      expect(long).toEqual([]);
    },
  );
});

describe.each(SERVICES)('the %s README', (service, schema) => {
  const readme = read(`apps/${service}/README.md`);
  const configuration = section(readme, 'Configuration');
  const variables = Object.keys(schema.shape).sort();

  it('when its configuration is read, then it names every variable the config accepts', () => {
    const missing = variables.filter((name) => !configuration.includes(`\`${name}\``));

    expect(variables.length).toBeGreaterThan(15);
    expect(missing).toEqual([]);
  });

  it('when its configuration table is read, then every variable it lists exists', () => {
    const listed = firstColumnNames(configuration, /[A-Z][A-Z0-9_]+/);

    expect(listed.length).toBeGreaterThan(5);
    expect(listed.filter((name) => !variables.includes(name))).toEqual([]);
  });
});

/** `export const X_METRIC = { key: 'toolkit_...' }` blocks of a source file, by constant. */
function metricConstants(source: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const block of source.matchAll(/export const ([A-Z_]*METRIC) = \{([^}]*)\}/g)) {
    found.set(
      block[1] ?? '',
      [...(block[2] ?? '').matchAll(/'(toolkit_[a-z0-9_]+)'/g)].map((m) => m[1] ?? ''),
    );
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /(?<!\.spec|\.int-spec)\.ts$/.test(entry.name))
    .map((entry) => path.relative(REPO_ROOT, path.join(entry.parentPath, entry.name)));
}

/** Where each metric name must be documented: the owning README, or operations.md. */
function documentedMetrics(): Map<string, string[]> {
  const where = new Map<string, string[]>();
  const add = (doc: string, names: string[]) =>
    where.set(doc, [...(where.get(doc) ?? []), ...names]);
  for (const service of ['gateway', 'catalog', 'executor', 'analytics'])
    for (const file of sourceFiles(`apps/${service}/src`))
      for (const names of metricConstants(read(file)).values())
        add(`apps/${service}/README.md`, names);
  const platform = metricConstants(read('libs/platform/metrics/src/metrics.ts'));
  add('docs/operations.md', platform.get('METRIC') ?? []);
  add('apps/executor/README.md', platform.get('EXECUTOR_METRIC') ?? []);
  return where;
}

describe('metrics in the documentation', () => {
  const where = documentedMetrics();
  const all = [...where.values()].flat();

  it.each([...where.keys()])('when %s is read, then it lists every metric it owns', (doc) => {
    const text = doc.startsWith('apps/') ? section(read(doc), 'Metrics') : read(doc);
    const missing = (where.get(doc) ?? []).filter((name) => !text.includes(`\`${name}\``));

    expect(where.get(doc)?.length).toBeGreaterThan(1);
    expect(missing).toEqual([]);
  });

  it('when metrics are created in code, then each has a documented name constant', () => {
    const created = ['apps', 'libs']
      .flatMap((dir) => sourceFiles(dir))
      .filter((file) => !file.includes('/bench/') && !file.includes('/test/'))
      .map((file) => read(file))
      .filter((source) => /new (Counter|Gauge|Histogram|Summary)\b/.test(source))
      .flatMap((source) => [...source.matchAll(/'(toolkit_[a-z0-9_]+)'/g)].map((m) => m[1] ?? ''));

    expect(created.length).toBeGreaterThan(20);
    expect(created.filter((name) => !all.includes(name))).toEqual([]);
  });

  it.each(['gateway', 'catalog', 'executor', 'analytics'])(
    'when the %s README lists metrics, then each exists',
    (service) => {
      const listed = firstColumnNames(
        section(read(`apps/${service}/README.md`), 'Metrics'),
        /toolkit_[a-z0-9_]+/,
      );

      expect(listed.filter((name) => !all.includes(name))).toEqual([]);
    },
  );
});

describe('the simulator README', () => {
  it('when its configuration is read, then it names every command-line option', () => {
    const main = read('apps/simulator/src/main.ts');
    const options = [...main.matchAll(/^\s+'?([a-z][a-z-]*)'?: \{ type: '(string|boolean)'/gm)].map(
      (m) => `--${m[1] ?? ''}`,
    );
    const configuration = section(read('apps/simulator/README.md'), 'Configuration');

    expect(options.length).toBeGreaterThan(10);
    expect(options.filter((option) => !configuration.includes(option))).toEqual([]);
  });
});
