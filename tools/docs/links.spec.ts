import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  REPO_ROOT,
  anchors,
  brokenLinks,
  documentationFiles,
  extractLinks,
  slug,
} from './markdown';

const files = documentationFiles();
const relative = (file: string) => path.relative(REPO_ROOT, file);

describe('the link checker', () => {
  it('when a sample holds inline, image and reference links and code, then it finds exactly the links outside code', () => {
    const sample = [
      '# Title',
      'See [the guide](docs/guide.md#setup) and ![a figure](img/a.png "A figure").',
      'Two on a line: [one](a.md) [two](<b c.md>), and [ref][r].',
      '`[not a link](inline-code.md)` and text.',
      '```sh',
      'echo "[not a link](fenced.md)"',
      '```',
      '[r]: https://example.com/page',
      '[external](https://example.com) and [local anchor](#title).',
    ].join('\n');

    const links = extractLinks(sample);

    expect(links).toEqual([
      { target: 'docs/guide.md#setup', line: 2 },
      { target: 'img/a.png', line: 2 },
      { target: 'a.md', line: 3 },
      { target: 'b c.md', line: 3 },
      { target: 'https://example.com/page', line: 8 },
      { target: 'https://example.com', line: 9 },
      { target: '#title', line: 9 },
    ]);
  });

  it('when headings hold code, punctuation and repeats, then their anchors are GitHub slugs', () => {
    const sample = [
      '# Execution API: added latency (p50), 2026-12-02',
      '## `parsed_output`',
      '### RSS with 1,000 open sessions',
      '## The ingest stall on FerretDB (issue 7): root cause and fix',
      '## Python → JavaScript regex translation',
      '## Notes',
      '## Notes',
      '```',
      '# not a heading',
      '```',
      'Setext heading',
      '--------------',
    ].join('\n');

    expect([...anchors(sample)]).toEqual([
      'execution-api-added-latency-p50-2026-12-02',
      'parsed_output',
      'rss-with-1000-open-sessions',
      'the-ingest-stall-on-ferretdb-issue-7-root-cause-and-fix',
      'python--javascript-regex-translation',
      'notes',
      'notes-1',
      'setext-heading',
    ]);
    expect(slug('Catalog write latency: outbox and write journal')).toBe(
      'catalog-write-latency-outbox-and-write-journal',
    );
  });

  describe('on files', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'docs-links-'));
      mkdirSync(path.join(dir, 'docs'));
      writeFileSync(path.join(dir, 'docs', 'guide.md'), '# Guide\n\n## Setup\n');
    });
    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it('when links point at missing files, headings or reference definitions, then each is reported', () => {
      const readme = path.join(dir, 'README.md');
      writeFileSync(
        readme,
        [
          '# Readme',
          '[fine](docs/guide.md#setup) [fine too](docs/) [self](#readme) [web](https://x.y/z)',
          '[gone](docs/missing.md) [bad anchor](docs/guide.md#install) [bad self](#nope)',
          '[undefined][nowhere]',
        ].join('\n'),
      );

      const broken = brokenLinks(readme, dir).map((b) => `${b.line} ${b.target}: ${b.reason}`);

      expect(broken).toEqual([
        '3 docs/missing.md: no such file: docs/missing.md',
        '3 docs/guide.md#install: no heading #install in docs/guide.md',
        '3 #nope: no heading #nope in README.md',
        '0 [nowhere]: reference link without a definition',
      ]);
    });
  });
});

describe('the documentation', () => {
  it('when it is listed, then it covers the root README, every app README, the library READMEs and docs/', () => {
    const listed = files.map(relative);

    expect(listed).toEqual(
      expect.arrayContaining([
        'README.md',
        'apps/gateway/README.md',
        'apps/catalog/README.md',
        'apps/executor/README.md',
        'apps/analytics/README.md',
        'apps/simulator/README.md',
        'libs/textfsm/README.md',
        'docs/benchmarks.md',
        'docs/ferretdb.md',
        'deploy/README.md',
      ]),
    );
    const relativeLinks = files.flatMap((file) =>
      extractLinks(readFileSync(file, 'utf8')).filter(
        (link) => !/^[a-z][a-z0-9+.-]*:/i.test(link.target),
      ),
    );
    expect(relativeLinks.length).toBeGreaterThan(100);
  });

  it.each(files.map(relative))('when %s is read, then every relative link resolves', (file) => {
    const broken = brokenLinks(path.join(REPO_ROOT, file)).map(
      (b) => `${file}:${b.line} ${b.target}: ${b.reason}`,
    );

    expect(broken).toEqual([]);
  });
});
