import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TemplateLibrary } from '@toolkit/textfsm';
import type { ParsingTemplateDoc } from './entities';
import {
  LIBRARY_ID_BASE,
  ParsingTemplates,
  applyTemplates,
  parsingSetting,
  templateProblem,
} from './parsing-templates';
import type { Repository } from './ports';

const VERSION = 'Value VERSION (\\S+)\n\nStart\n  ^Version ${VERSION} -> Record\n';
const INTERFACES = 'Value INTF (\\S+)\n\nStart\n  ^Interface ${INTF} -> Record\n';

let dir: string;
let library: TemplateLibrary;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'templates-'));
  mkdirSync(join(dir, 'templates'));
  writeFileSync(join(dir, 'VERSION'), '1.2.3\n');
  writeFileSync(join(dir, 'templates', 'cisco_ios_show_version.textfsm'), VERSION);
  writeFileSync(join(dir, 'templates', 'cisco_ios_show_interfaces.textfsm'), INTERFACES);
  writeFileSync(
    join(dir, 'templates', 'index'),
    [
      'Template, Hostname, Platform, Command',
      '',
      'cisco_ios_show_version.textfsm, .*, cisco_ios, sh[[ow]] ver[[sion]]',
      'cisco_ios_show_interfaces.textfsm, .*, cisco_ios, sh[[ow]] int[[erfaces]]',
      '',
    ].join('\n'),
  );
  library = TemplateLibrary.load(join(dir, 'templates'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The repository port over an array: only `find` and `findById` are used for reads. */
function customRepository(docs: ParsingTemplateDoc[]): Repository<ParsingTemplateDoc> & {
  reads: number;
} {
  const repo = {
    reads: 0,
    find: async () => {
      repo.reads += 1;
      return [...docs].sort((a, b) => a.name.localeCompare(b.name));
    },
    findById: async (id: number) => docs.find((d) => d._id === id) ?? null,
  };
  return repo as unknown as Repository<ParsingTemplateDoc> & { reads: number };
}

function custom(name: string, command: string, text = VERSION): ParsingTemplateDoc {
  return {
    _id: name.length,
    name,
    source: 'custom',
    description: '',
    platform: 'cisco_ios',
    command,
    text,
    created: new Date(0),
    last_updated: new Date(0),
  };
}

describe('parsingSetting', () => {
  it.each([
    [null, 'none'],
    ['none', 'none'],
    ['auto', 'auto'],
    ['cisco_ios_show_version.textfsm', 'name'],
    [VERSION, 'inline'],
  ] as const)('when the setting is %j, then it is %s', (value, kind) => {
    // Act
    const parsed = parsingSetting(value);

    // Assert
    expect(parsed.kind).toBe(kind);
  });
});

describe('templateProblem', () => {
  it('when a template compiles, then there is none; when it does not, then the line is named', () => {
    // Act
    const fine = templateProblem(VERSION);
    const broken = templateProblem('Value X (\\S+\n\nStart\n');

    // Assert
    expect(fine).toBeUndefined();
    expect(broken).toMatch(/^Line 1: /);
  });
});

describe('ParsingTemplates', () => {
  it('when auto resolves a rendered command, then the index sees the whole command; frr has no library platform', async () => {
    // Arrange
    const templates = new ParsingTemplates(library, '1.2.3', customRepository([]));

    // Act
    const interfaces = await templates.resolve('auto', 'cisco_ios', 'show interfaces Gi0/1');
    const abbreviated = await templates.resolve('auto', 'cisco_ios', 'sh ver');
    const unknown = await templates.resolve('auto', 'cisco_ios', 'show clock');
    const frr = await templates.resolve('auto', 'frr', 'show version');

    // Assert
    expect(interfaces).toEqual({
      template: 'cisco_ios_show_interfaces.textfsm',
      texts: [INTERFACES],
    });
    expect(abbreviated?.template).toBe('cisco_ios_show_version.textfsm');
    expect(unknown).toBeNull();
    expect(frr).toBeNull();
  });

  it('when a custom template matches the same platform and command, then it takes precedence over the library', async () => {
    // Arrange
    const mine = custom('mine', 'show ver', INTERFACES);
    const templates = new ParsingTemplates(library, '1.2.3', customRepository([mine]));

    // Act
    const resolved = await templates.resolve('auto', 'cisco_ios', 'show version');
    const other = await templates.resolve('auto', 'arista_eos', 'show version');

    // Assert
    expect(resolved).toEqual({ template: 'mine', texts: [INTERFACES] });
    expect(other).toBeNull();
  });

  it('when selections follow each other within the TTL, then custom templates are read once; after invalidate, again', async () => {
    // Arrange
    let now = 0;
    const repo = customRepository([]);
    const templates = new ParsingTemplates(library, '1.2.3', repo, () => now, 1_000);

    // Act
    await templates.resolve('auto', 'cisco_ios', 'show version');
    await templates.resolve('auto', 'cisco_ios', 'show version');
    const withinTtl = repo.reads;
    now = 1_500;
    await templates.resolve('auto', 'cisco_ios', 'show version');
    const afterTtl = repo.reads;
    templates.invalidate();
    await templates.resolve('auto', 'cisco_ios', 'show version');

    // Assert
    expect([withinTtl, afterTtl, repo.reads]).toEqual([1, 2, 3]);
  });

  it('when two catalogs load the same library, then its templates get the same ids, in the library range, listed with the custom ones by name', async () => {
    // Arrange
    const mine = custom('aaa-mine', 'show ver');
    const ctx = {
      principal: undefined,
      constraints: undefined,
      requestId: undefined,
      baseUrl: 'https://nb.example.com',
      requestUrl: 'https://nb.example.com/api/plugins/toolkit/parsing-templates/',
    };
    const list = (t: ParsingTemplates) => t.list(new URLSearchParams(), {}, ctx);

    // Act
    const first = await list(new ParsingTemplates(library, '1.2.3', customRepository([mine])));
    const second = await list(new ParsingTemplates(library, '1.2.3', customRepository([mine])));

    // Assert
    const ids = (page: typeof first) => page.results.map((r) => [r['name'], r['id']]);
    expect(ids(first)).toEqual(ids(second));
    expect(first.results.map((r) => r['name'])).toEqual([
      'aaa-mine',
      'cisco_ios_show_interfaces.textfsm',
      'cisco_ios_show_version.textfsm',
    ]);
    for (const r of first.results.slice(1)) {
      expect(r['id']).toBeGreaterThanOrEqual(LIBRARY_ID_BASE);
      expect(r['library_version']).toBe('1.2.3');
    }
  });

  it('when a template fails on the output, then the failure is reported with the template, not thrown', () => {
    // Act
    const failed = applyTemplates(
      { template: 'inline', texts: ['Value X (\\S+)\n\nStart\n  ^boom -> Error "bad line"\n'] },
      'boom\n',
    );
    const parsed = applyTemplates({ template: 'v', texts: [VERSION] }, 'Version 1.0');

    // Assert
    expect(failed).toMatchObject({ success: false, method: 'textfsm', template: 'inline' });
    expect(failed.error).toContain('bad line');
    expect(parsed).toMatchObject({
      success: true,
      header: ['VERSION'],
      data: [{ VERSION: '1.0' }],
    });
  });

  it('when a list filters by more than 10 commands, then it is refused naming command', async () => {
    // Arrange
    const templates = new ParsingTemplates(library, '1.2.3', customRepository([]));
    const query = new URLSearchParams(
      Array.from({ length: 11 }, (_, i): [string, string] => ['command', `show ${i}`]),
    );
    const ctx = {
      principal: undefined,
      constraints: undefined,
      requestId: undefined,
      baseUrl: 'https://nb.example.com',
      requestUrl: 'https://nb.example.com/api/plugins/toolkit/parsing-templates/',
    };

    // Act
    const listing = templates.list(query, {}, ctx);

    // Assert
    await expect(listing).rejects.toMatchObject({
      category: 'validation',
      details: { fields: { command: ['At most 10 commands per list.'] } },
    });
  });
});
