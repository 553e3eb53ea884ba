import {
  PARSING_TEMPLATE_BRIEF_FIELDS,
  PARSING_TEMPLATE_PATH,
  TEMPLATE_NAME_PATTERN,
  parsingTemplateListSpec,
} from '@toolkit/api-contracts';
import type {
  ParseRequest,
  ParseResponse,
  ParsingTemplateRepresentation,
} from '@toolkit/api-contracts';
import type { ParsingSpec, PlatformDriver } from '@toolkit/contracts';
import { AppError } from '@toolkit/errors';
import type { Filter, QueryInput, SortDirection } from '@toolkit/netbox-list';
import { allOf, parseListQuery, selectFields, toPage } from '@toolkit/netbox-list';
import type { Page } from '@toolkit/netbox-list';
import {
  PythonRegex,
  TextFsmBaseError,
  TextFsmTemplateError,
  compileTemplate,
  expandCommandCompletion,
  parseWithTemplates,
  tableToRecords,
} from '@toolkit/textfsm';
import type { TemplateLibrary } from '@toolkit/textfsm';
import type { ParsingTemplateDoc } from './entities';
import { matchesFilter } from './filter-matcher';
import type { Repository, RequestContext } from './ports';
import { iso, objectUrl } from './presenters';

/**
 * The library's platform for each executor platform. Our drivers carry ntc-templates'
 * names already; FRRouting has no platform there, and the closest (cisco_ios) formats
 * `show version`, `show ip route` and `show interface` differently, so a template would
 * parse nothing or the wrong fields: FRR output is parsed only by custom templates.
 */
export const LIBRARY_PLATFORMS: Readonly<Record<PlatformDriver, string | null>> = {
  cisco_ios: 'cisco_ios',
  cisco_nxos: 'cisco_nxos',
  cisco_xr: 'cisco_xr',
  arista_eos: 'arista_eos',
  juniper_junos: 'juniper_junos',
  linux: 'linux',
  frr: null,
};

/** `command` values one list may filter by (each is an index lookup per platform). */
export const MAX_COMMAND_FILTERS = 10;

/** Custom templates a catalog holds at most (they are listed and selected in memory). */
export const MAX_CUSTOM_TEMPLATES = 1_000;

/**
 * How long the custom templates read for selection serve renders. Writes of this process
 * refresh them at once; this bounds how late another replica's write is seen (as the
 * list cache bounds lists).
 */
export const CUSTOM_TEMPLATE_TTL_MS = 2_000;

/**
 * Library templates have no stored id: theirs is derived from the name (the same on every
 * replica and installation of the library), in a range custom ids never reach.
 */
export const LIBRARY_ID_BASE = 1_000_000_000;

/** A template as listed: a custom one as stored, or a library one. */
export interface TemplateEntry {
  _id: number;
  name: string;
  source: 'library' | 'custom';
  platform: string;
  command: string;
  description: string;
  text: string;
  library_version: string | null;
  created: Date | null;
  last_updated: Date | null;
}

/** A command's `parsing_template` setting, told apart. */
export type ParsingSetting =
  | { kind: 'none' }
  | { kind: 'auto' }
  | { kind: 'name'; name: string }
  | { kind: 'inline'; text: string };

export function parsingSetting(value: string | null | undefined): ParsingSetting {
  if (value === null || value === undefined || value === 'none') return { kind: 'none' };
  if (value === 'auto') return { kind: 'auto' };
  // A TextFSM template has at least a Value line, a blank line and a state: a single line
  // is a name.
  if (/[\r\n]/.test(value)) return { kind: 'inline', text: value };
  return { kind: 'name', name: value.trim() };
}

/** Why a template's text does not compile, naming its line as TextFSM reports it; else undefined. */
export function templateProblem(text: string): string | undefined {
  try {
    compileTemplate(text);
    return undefined;
  } catch (error) {
    return describeTemplateError(error);
  }
}

function describeTemplateError(error: unknown): string {
  if (error instanceof TextFsmTemplateError && error.line !== undefined)
    return truncate(`Line ${error.line}: ${error.message}`);
  if (error instanceof TextFsmBaseError) return truncate(error.message);
  return 'The template could not be compiled.';
}

/** Why an index `Command` cell is not usable (it is a Python regex after completion). */
export function commandPatternProblem(pattern: string): string | undefined {
  try {
    new PythonRegex(expandCommandCompletion(pattern));
    return undefined;
  } catch (error) {
    return truncate(`Not a valid command pattern: ${(error as Error).message}`);
  }
}

function truncate(text: string): string {
  return text.length > 1_000 ? `${text.slice(0, 997)}...` : text;
}

/** FNV-1a, 32 bits: the library ids' hash. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

interface CustomSnapshot {
  readonly at: number;
  readonly docs: readonly ParsingTemplateDoc[];
  readonly byName: ReadonlyMap<string, ParsingTemplateDoc>;
  readonly patterns: ReadonlyMap<number, PythonRegex | null>;
}

/**
 * The templates executions are parsed with: the community library (read from disk at
 * boot, optional) and the custom templates (stored). Selects a command's template for a
 * device, lists both kinds together with NetBox list semantics, and parses pasted output.
 */
export class ParsingTemplates {
  private readonly libraryEntries: readonly TemplateEntry[];
  private readonly libraryById: ReadonlyMap<number, TemplateEntry>;
  private readonly values = new Map<string, string[]>();
  private snapshot: Promise<CustomSnapshot> | undefined;

  constructor(
    private readonly library: TemplateLibrary | null,
    private readonly libraryVersion: string | null,
    private readonly repository: Repository<ParsingTemplateDoc>,
    private readonly now: () => number = Date.now,
    private readonly ttlMs = CUSTOM_TEMPLATE_TTL_MS,
  ) {
    const entries: TemplateEntry[] = [];
    const byId = new Map<number, TemplateEntry>();
    for (const template of library?.templates ?? []) {
      let id = LIBRARY_ID_BASE + (fnv1a(template.name) % LIBRARY_ID_BASE);
      while (byId.has(id)) id = id + 1 < 2 * LIBRARY_ID_BASE ? id + 1 : LIBRARY_ID_BASE;
      const entry: TemplateEntry = {
        _id: id,
        name: template.name,
        source: 'library',
        platform: template.platforms[0] ?? '',
        command: template.commands[0] ?? '',
        description: libraryVersion ? `ntc-templates ${libraryVersion}` : 'ntc-templates',
        text: library?.text(template.name) ?? '',
        library_version: libraryVersion,
        created: null,
        last_updated: null,
      };
      byId.set(id, entry);
      entries.push(entry);
    }
    this.libraryEntries = entries;
    this.libraryById = byId;
  }

  /** Whether a library is installed, and how many templates it has. */
  get librarySize(): number {
    return this.libraryEntries.length;
  }

  /** Forget the custom templates read for selection (after a write of this process). */
  invalidate(): void {
    this.snapshot = undefined;
  }

  /** The id is a library template's (those cannot be changed or deleted). */
  isLibraryId(id: number): boolean {
    return this.libraryById.has(id);
  }

  /** A library template's name exists (custom names may not take one). */
  isLibraryName(name: string): boolean {
    return this.library?.text(name) !== undefined;
  }

  /**
   * The template(s) a command's output is parsed with on a device of `platform`, the
   * rendered command being what the index sees: custom templates first (the first by
   * name whose command pattern matches), then the library's index. Null: not parsed.
   */
  async resolve(
    setting: string | null,
    platform: PlatformDriver,
    renderedCommand: string,
  ): Promise<ParsingSpec | null> {
    const parsed = parsingSetting(setting);
    switch (parsed.kind) {
      case 'none':
        return null;
      case 'inline':
        return { template: 'inline', texts: [parsed.text] };
      case 'name':
        return this.byName(parsed.name, await this.customs());
      case 'auto':
        return this.select(platform, renderedCommand, await this.customs());
    }
  }

  /** Why a command's `parsing_template` is refused, or undefined when it is usable. */
  async settingProblem(setting: string | null | undefined): Promise<string | undefined> {
    const parsed = parsingSetting(setting);
    if (parsed.kind === 'inline') return templateProblem(parsed.text);
    if (parsed.kind !== 'name') return undefined;
    if (!TEMPLATE_NAME_PATTERN.test(parsed.name) || parsed.name === 'inline')
      return 'Give TextFSM template text, the name of a template, "auto" or "none".';
    this.invalidate();
    if ((await this.byName(parsed.name, await this.customs())) === null)
      return `No parsing template is named '${parsed.name}'.`;
    return undefined;
  }

  /** Library and custom templates together, filtered, ordered and paged as NetBox lists. */
  async list(
    query: QueryInput,
    visibility: Filter,
    ctx: RequestContext,
  ): Promise<Page<Record<string, unknown>>> {
    const parsed = parseListQuery(parsingTemplateListSpec, query);
    const filter = allOf(parsed.filter, visibility);
    const customs = await this.customs({ fresh: true });
    let entries = [...customs.docs.map(customEntry), ...this.libraryEntries].filter((entry) =>
      matchesFilter(entry, filter),
    );
    const commands = parsed.passthrough['command'] ?? [];
    // Each value is an index lookup per platform listed: a bounded number of them.
    if (commands.length > MAX_COMMAND_FILTERS)
      throw AppError.validation({
        command: [`At most ${MAX_COMMAND_FILTERS} commands per list.`],
      });
    if (commands.length > 0) {
      const selected = new Set<string>();
      const platforms = [...new Set(entries.map((entry) => entry.platform))];
      for (const command of commands) {
        for (const platform of platforms)
          for (const name of this.selectedNames(platform, command, customs)) selected.add(name);
      }
      entries = entries.filter((entry) => selected.has(entry.name));
    }
    entries.sort(compareBy(parsed.sort));
    const page = entries.slice(parsed.offset, parsed.offset + parsed.limit);
    const results = page.map((entry) =>
      selectFields(this.present(entry, ctx.baseUrl), parsed, PARSING_TEMPLATE_BRIEF_FIELDS),
    );
    return toPage(ctx.requestUrl, entries.length, parsed.limit, parsed.offset, results);
  }

  /** One template, library or custom, if the caller may see it; else 404. */
  async get(
    id: number,
    visibility: Filter,
    ctx: RequestContext,
  ): Promise<ParsingTemplateRepresentation> {
    const library = this.libraryById.get(id);
    const entry = library ?? (await this.repository.findById(id).then(maybeCustom));
    if (!entry || !matchesFilter(entry, visibility)) throw AppError.notFound('parsing template');
    return this.present(entry, ctx.baseUrl);
  }

  /** The API's representation of a template (`values`: its Value names, when it compiles). */
  present(
    entry: TemplateEntry | ParsingTemplateDoc,
    baseUrl: string,
  ): ParsingTemplateRepresentation {
    const e = 'library_version' in entry ? entry : customEntry(entry);
    return {
      id: e._id,
      url: objectUrl(baseUrl, PARSING_TEMPLATE_PATH, e._id),
      display: e.name,
      name: e.name,
      source: e.source,
      platform: e.platform,
      command: e.command,
      description: e.description,
      values: this.valueNames(e),
      text: e.text,
      library_version: e.library_version,
      created: iso(e.created),
      last_updated: iso(e.last_updated),
    };
  }

  /**
   * `parse/`: a template (inline text, a name, or the index's pick for a platform and a
   * command) applied to pasted output. A template that does not compile, or a name or
   * lookup that finds none, is a 400 naming the field; a template that fails on the
   * output answers `success: false` with the error, as an execution's `parsed_output`.
   */
  async parse(request: ParseRequest, visibility: Filter): Promise<ParseResponse> {
    let spec: ParsingSpec | null;
    if (request.template !== undefined) {
      const problem = templateProblem(request.template);
      if (problem) throw AppError.validation({ template: [problem] });
      spec = { template: 'inline', texts: [request.template] };
    } else {
      const customs = await this.customs({ fresh: true });
      const visible = visibleSnapshot(customs, visibility);
      if (request.template_name !== undefined) {
        spec = this.byName(request.template_name, visible);
        if (spec === null)
          throw AppError.validation({
            template_name: [`No parsing template is named '${request.template_name}'.`],
          });
      } else {
        const platform = request.platform ?? '';
        const command = request.command ?? '';
        spec = this.selectFor(platform, command, visible);
        if (spec === null)
          throw AppError.validation({
            command: [`No template for platform '${platform}' and command '${command}'.`],
          });
      }
    }
    return applyTemplates(spec, request.output);
  }

  private valueNames(entry: TemplateEntry): string[] {
    const key = `${entry.source}:${entry._id}:${entry.last_updated?.getTime() ?? ''}`;
    let names = this.values.get(key);
    if (names === undefined) {
      try {
        names = [...compileTemplate(entry.text).header];
      } catch {
        names = [];
      }
      if (this.values.size > 4_096) this.values.clear();
      this.values.set(key, names);
    }
    return names;
  }

  private byName(name: string, customs: CustomSnapshot): ParsingSpec | null {
    const custom = customs.byName.get(name);
    if (custom) return { template: custom.name, texts: [custom.text] };
    const text = this.library?.text(name);
    return text === undefined ? null : { template: name, texts: [text] };
  }

  private select(
    platform: PlatformDriver,
    command: string,
    customs: CustomSnapshot,
  ): ParsingSpec | null {
    const custom = firstCustom(customs, platform, command);
    if (custom) return { template: custom.name, texts: [custom.text] };
    const libraryPlatform = LIBRARY_PLATFORMS[platform];
    return libraryPlatform === null ? null : this.fromLibrary(libraryPlatform, command);
  }

  /** `select` for any platform name (the parse endpoint's lookup takes library names too). */
  private selectFor(
    platform: string,
    command: string,
    customs: CustomSnapshot,
  ): ParsingSpec | null {
    const custom = firstCustom(customs, platform, command);
    if (custom) return { template: custom.name, texts: [custom.text] };
    return this.fromLibrary(
      platform in LIBRARY_PLATFORMS
        ? (LIBRARY_PLATFORMS[platform as PlatformDriver] ?? '')
        : platform,
      command,
    );
  }

  private selectedNames(platform: string, command: string, customs: CustomSnapshot): string[] {
    const custom = firstCustom(customs, platform, command);
    if (custom) return [custom.name];
    return (platform && this.library?.find(platform, command)) || [];
  }

  private fromLibrary(platform: string, command: string): ParsingSpec | null {
    if (this.library === null || platform === '') return null;
    const names = this.library.find(platform, command);
    if (!names || names.length === 0) return null;
    const texts = names.map((name) => this.library?.text(name));
    if (texts.some((text) => text === undefined)) return null;
    return { template: names.join(':'), texts: texts as string[] };
  }

  /** The custom templates, read at most every `ttlMs` (or now, when `fresh`). */
  private customs(options: { fresh?: boolean } = {}): Promise<CustomSnapshot> {
    const current = this.snapshot;
    if (!options.fresh && current) {
      return current.then((s) => (this.now() - s.at < this.ttlMs ? s : this.reload()));
    }
    return this.reload();
  }

  private reload(): Promise<CustomSnapshot> {
    const at = this.now();
    const loading = this.repository
      .find({}, { sort: [['name', 1]], limit: MAX_CUSTOM_TEMPLATES + 1 })
      .then((docs) => snapshotOf(at, docs));
    this.snapshot = loading;
    loading.catch(() => {
      if (this.snapshot === loading) this.snapshot = undefined;
    });
    return loading;
  }
}

function snapshotOf(at: number, docs: readonly ParsingTemplateDoc[]): CustomSnapshot {
  const patterns = new Map<number, PythonRegex | null>();
  for (const doc of docs) {
    let regex: PythonRegex | null = null;
    if (doc.command !== '') {
      try {
        regex = new PythonRegex(expandCommandCompletion(doc.command));
      } catch {
        regex = null; // refused at write; an old one that no longer compiles selects nothing
      }
    }
    patterns.set(doc._id, regex);
  }
  return { at, docs, byName: new Map(docs.map((d) => [d.name, d])), patterns };
}

function visibleSnapshot(snapshot: CustomSnapshot, visibility: Filter): CustomSnapshot {
  if (Object.keys(visibility).length === 0) return snapshot;
  const docs = snapshot.docs.filter((doc) => matchesFilter(doc, visibility));
  return { ...snapshot, docs, byName: new Map(docs.map((d) => [d.name, d])) };
}

function firstCustom(
  customs: CustomSnapshot,
  platform: string,
  command: string,
): ParsingTemplateDoc | undefined {
  return customs.docs.find(
    (doc) => doc.platform === platform && customs.patterns.get(doc._id)?.match(command) != null,
  );
}

function customEntry(doc: ParsingTemplateDoc): TemplateEntry {
  return {
    _id: doc._id,
    name: doc.name,
    source: 'custom',
    platform: doc.platform,
    command: doc.command,
    description: doc.description,
    text: doc.text,
    library_version: null,
    created: doc.created,
    last_updated: doc.last_updated,
  };
}

function maybeCustom(doc: ParsingTemplateDoc | null): TemplateEntry | undefined {
  return doc ? customEntry(doc) : undefined;
}

/** MongoDB's order for the values these documents hold: missing/null, numbers, strings, dates. */
function rank(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return 1;
  if (typeof value === 'string') return 2;
  return 3;
}

function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  const x = a instanceof Date ? a.getTime() : a;
  const y = b instanceof Date ? b.getTime() : b;
  if (x === y || ra === 0) return 0;
  return (x as number | string) < (y as number | string) ? -1 : 1;
}

function compareBy(sort: readonly [string, SortDirection][]) {
  return (a: TemplateEntry, b: TemplateEntry): number => {
    for (const [path, direction] of sort) {
      const order = compareValues(
        (a as unknown as Record<string, unknown>)[path],
        (b as unknown as Record<string, unknown>)[path],
      );
      if (order !== 0) return order * direction;
    }
    return a._id - b._id;
  };
}

/** Runs the template(s) on output; a template failing on it is reported, never thrown. */
export function applyTemplates(spec: ParsingSpec, output: string): ParseResponse {
  try {
    const table = parseWithTemplates(spec.texts, output.endsWith('\n') ? output : `${output}\n`);
    return {
      success: true,
      method: 'textfsm',
      template: spec.template,
      header: [...table.header],
      data: tableToRecords(table) as Record<string, unknown>[],
      error: null,
    };
  } catch (error) {
    return {
      success: false,
      method: 'textfsm',
      template: spec.template,
      header: [],
      data: [],
      error: describeTemplateError(error),
    };
  }
}
