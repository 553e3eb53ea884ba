// Just enough Markdown for the documentation checks (tools/docs/*.spec.ts): the links a
// GitHub rendering would make, the anchors its headings get, and the sections and tables
// of a README. Code (fenced blocks and inline spans) is never read as Markdown.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../..');

export interface MarkdownLink {
  /** The target as written: `docs/a.md#b`, `https://...`, `#anchor`. */
  target: string;
  /** 1-based line of the link. */
  line: number;
}

export interface BrokenLink extends MarkdownLink {
  reason: string;
}

/** Blanks fenced code blocks, keeping line numbers. */
export function withoutFences(markdown: string): string {
  let fence: string | undefined;
  return markdown
    .split('\n')
    .map((line) => {
      const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
      if (fence !== undefined) {
        if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length)
          fence = undefined;
        return '';
      }
      if (marker !== undefined) {
        fence = marker;
        return '';
      }
      return line;
    })
    .join('\n');
}

/** Blanks fenced code blocks and inline code spans, keeping line numbers and columns. */
export function withoutCode(markdown: string): string {
  return withoutFences(markdown)
    .split('\n')
    .map((line) => line.replace(/(`+)[^`]*?\1/g, (span) => ' '.repeat(span.length)))
    .join('\n');
}

/** Inline links and images (`[text](target "title")`) and reference definitions. */
export function extractLinks(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  withoutCode(markdown)
    .split('\n')
    .forEach((text, index) => {
      const line = index + 1;
      const definition = /^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/.exec(text);
      if (definition?.[1]) {
        links.push({ target: definition[1], line });
        return;
      }
      for (const match of text.matchAll(
        /!?\[(?:[^\][]|\[[^\]]*\])*\]\(\s*(?:<([^>]*)>|([^\s)]*))(?:\s+"[^"]*")?\s*\)/g,
      )) {
        const target = match[1] ?? match[2];
        if (target !== undefined) links.push({ target, line });
      }
    });
  return links;
}

/** Reference-style uses (`[text][label]`, `[label][]`) whose label has no definition. */
export function undefinedReferences(markdown: string): string[] {
  const text = withoutCode(markdown);
  const defined = new Set(
    [...text.matchAll(/^ {0,3}\[([^\]]+)\]:/gm)].map((m) => normaliseLabel(m[1] ?? '')),
  );
  const missing: string[] = [];
  for (const match of text.matchAll(/\[([^\]]+)\]\[([^\]]*)\]/g)) {
    const label = normaliseLabel(match[2] || match[1] || '');
    if (!defined.has(label)) missing.push(label);
  }
  return missing;
}

function normaliseLabel(label: string): string {
  return label.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** GitHub's anchor for a heading's text (github-slugger): lower case, punctuation dropped. */
export function slug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a file offers: heading slugs (repeats numbered as GitHub does), HTML ids. */
export function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  const seen = new Map<string, number>();
  const lines = markdown.split('\n');
  const prose = withoutCode(markdown).split('\n');
  prose.forEach((text, index) => {
    const atx = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    const setext =
      text.trim() !== '' &&
      !/^\s*([-*_]\s*){3,}$/.test(text) &&
      /^ {0,3}(=+|-+)\s*$/.test(prose[index + 1] ?? '') &&
      !/^\s*[-*+>|]/.test(text);
    const heading = atx
      ? (lines[index] ?? '').replace(/^ {0,3}#{1,6}\s+|\s*#*\s*$/g, '')
      : setext
        ? (lines[index] ?? '')
        : undefined;
    if (heading === undefined) return;
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    found.add(count === 0 ? base : `${base}-${count}`);
  });
  for (const match of markdown.matchAll(/<a\s[^>]*(?:name|id)="([^"]+)"/g))
    if (match[1]) found.add(match[1]);
  return found;
}

/**
 * The links of `file` (absolute path) whose target file or heading does not exist; paths
 * starting with `/` and the paths in the reasons are relative to `root`.
 */
export function brokenLinks(file: string, root: string = REPO_ROOT): BrokenLink[] {
  const markdown = readFileSync(file, 'utf8');
  const broken: BrokenLink[] = [];
  const anchorCache = new Map<string, Set<string>>();
  const anchorsOf = (target: string): Set<string> => {
    let set = anchorCache.get(target);
    if (!set) {
      set = anchors(readFileSync(target, 'utf8'));
      anchorCache.set(target, set);
    }
    return set;
  };
  for (const link of extractLinks(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(link.target) || link.target.startsWith('//')) continue;
    const hash = link.target.indexOf('#');
    const pathPart = hash === -1 ? link.target : link.target.slice(0, hash);
    const anchor = hash === -1 ? undefined : decodeURIComponent(link.target.slice(hash + 1));
    const resolved =
      pathPart === ''
        ? file
        : pathPart.startsWith('/')
          ? path.join(root, decodeURIComponent(pathPart))
          : path.resolve(path.dirname(file), decodeURIComponent(pathPart));
    if (!existsSync(resolved)) {
      broken.push({ ...link, reason: `no such file: ${path.relative(root, resolved)}` });
      continue;
    }
    if (anchor === undefined || anchor === '') continue;
    if (!resolved.endsWith('.md') || statSync(resolved).isDirectory()) continue;
    if (!anchorsOf(resolved).has(anchor))
      broken.push({
        ...link,
        reason: `no heading #${anchor} in ${path.relative(root, resolved)}`,
      });
  }
  for (const label of undefinedReferences(markdown))
    broken.push({ target: `[${label}]`, line: 0, reason: 'reference link without a definition' });
  return broken;
}

function markdownUnder(dir: string, onlyReadmes: boolean): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...markdownUnder(full, onlyReadmes));
    else if (onlyReadmes ? entry.name === 'README.md' : entry.name.endsWith('.md')) out.push(full);
  }
  return out;
}

/** The documentation: the root README, every app's and library's, docs/, deploy/README.md. */
export function documentationFiles(root: string = REPO_ROOT): string[] {
  const apps = path.join(root, 'apps');
  const appReadmes = existsSync(apps)
    ? readdirSync(apps)
        .map((name) => path.join(apps, name, 'README.md'))
        .filter((file) => existsSync(file))
    : [];
  return [
    path.join(root, 'README.md'),
    ...appReadmes,
    ...markdownUnder(path.join(root, 'libs'), true),
    ...markdownUnder(path.join(root, 'docs'), false),
    path.join(root, 'deploy', 'README.md'),
  ]
    .filter((file) => existsSync(file))
    .sort();
}

/** The text of a `## name` section, up to the next heading of the same or a higher level. */
export function section(markdown: string, name: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => new RegExp(`^##\\s+${name}\\b`).test(line));
  if (start === -1) return '';
  const end = lines.findIndex((line, index) => index > start && /^#{1,2}\s/.test(line));
  return lines.slice(start, end === -1 ? undefined : end).join('\n');
}

/** The cells of every table row (header and delimiter rows included) in `markdown`. */
export function tableRows(markdown: string): string[][] {
  return withoutFences(markdown)
    .split('\n')
    .filter((line) => /^\s*\|.*\|\s*$/.test(line))
    .map((line) =>
      line
        .trim()
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );
}
