import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TextFsmIndexError } from './errors';
import { TemplateLibrary } from './template-library';

const TEMPLATE = 'Value A (\\S+)\n\nStart\n  ^${A} -> Record\n';

function libraryDir(index: string, files: readonly string[], version?: string): string {
  const root = mkdtempSync(join(tmpdir(), 'library-'));
  mkdirSync(join(root, 'templates'));
  writeFileSync(join(root, 'templates', 'index'), index);
  for (const file of files) writeFileSync(join(root, 'templates', file), TEMPLATE);
  if (version) writeFileSync(join(root, 'VERSION'), `${version}\n`);
  return root;
}

const INDEX = [
  '# comment',
  'Template, Hostname, Platform, Command',
  '',
  'a_show_x_detail.textfsm, .*, a, sh[[ow]] x d[[etail]]',
  'a_show_x.textfsm:a_show_x_more.textfsm, .*, a, sh[[ow]] x',
  'b_show_x.textfsm, .*, b, sh[[ow]] x',
  '',
].join('\n');
const FILES = [
  'a_show_x_detail.textfsm',
  'a_show_x.textfsm',
  'a_show_x_more.textfsm',
  'b_show_x.textfsm',
];

describe('TemplateLibrary', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

  it('when a library is loaded, then each template lists its platforms and commands as written, and the index picks the first matching row', () => {
    // Arrange
    const root = libraryDir(INDEX, FILES, '9.9.9');
    roots.push(root);

    // Act
    const library = TemplateLibrary.load(join(root, 'templates'));

    // Assert
    expect(library.version).toBe('9.9.9');
    expect(library.templates.map((t) => [t.name, t.platforms, t.commands])).toEqual([
      ['a_show_x.textfsm', ['a'], ['sh[[ow]] x']],
      ['a_show_x_detail.textfsm', ['a'], ['sh[[ow]] x d[[etail]]']],
      ['a_show_x_more.textfsm', ['a'], ['sh[[ow]] x']],
      ['b_show_x.textfsm', ['b'], ['sh[[ow]] x']],
    ]);
    expect(library.find('a', 'sh x det')).toEqual(['a_show_x_detail.textfsm']);
    expect(library.find('a', 'show x 1')).toEqual(['a_show_x.textfsm', 'a_show_x_more.textfsm']);
    expect(library.find('c', 'show x')).toBeUndefined();
    expect(library.text('b_show_x.textfsm')).toBe(TEMPLATE);
  });

  it('when the index names a template the directory lacks, then loading fails naming it', () => {
    // Arrange
    const root = libraryDir(INDEX, FILES.slice(1));
    roots.push(root);

    // Act
    const load = () => TemplateLibrary.load(join(root, 'templates'));

    // Assert
    expect(load).toThrow(TextFsmIndexError);
    expect(load).toThrow(/a_show_x_detail\.textfsm/);
  });
});
