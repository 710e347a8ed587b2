/**
 * One-line APT sources (`sources.list` and `sources.list.d/*.list`) as
 * ansible-core 2.14's apt_repository reads, edits and writes them: every
 * line parsed into (valid, enabled, source, comment), a repo added by
 * enabling every equal disabled line or else appended to its own file,
 * removed by dropping every equal enabled line, and each file written back
 * normalised (`# ` before disabled lines, one space between words).
 */

/** One line of a sources file. */
export interface SourceLine {
  /** Its first word is `deb` or `deb-src`. */
  valid: boolean;
  /** Not commented out. */
  enabled: boolean;
  /** The line without its `#` and comment, words joined by single spaces (for valid lines). */
  source: string;
  comment: string;
}

/** The sources files read from a target, in reading order (sources.list first). */
export type SourcesFiles = Map<string, SourceLine[]>;

const SOURCE_TYPES = new Set(['deb', 'deb-src']);

/** Parse one line as Ansible's SourcesList._parse does. */
export function parseSourceLine(raw: string): SourceLine {
  let line = pyStrip(raw);
  let enabled = true;
  let comment = '';
  if (line.startsWith('#')) {
    enabled = false;
    line = line.slice(1);
  }
  const hash = line.indexOf('#');
  if (hash > 0) {
    comment = pyStrip(line.slice(hash + 1));
    line = line.slice(0, hash);
  }
  let source = pyStrip(line);
  let valid = false;
  if (source) {
    const words = pySplit(source);
    if (SOURCE_TYPES.has(words[0]!)) {
      valid = true;
      source = words.join(' ');
    }
  }
  return { valid, enabled, source, comment };
}

/** Python's str.strip() (its whitespace but the rare \x1c-\x1f separators). */
function pyStrip(s: string): string {
  return s.replace(/^[\s\x85]+|[\s\x85]+$/g, '');
}

/** Python's str.split() without arguments. */
function pySplit(s: string): string[] {
  return s.split(/[\s\x85]+/).filter((w) => w !== '');
}

/** The lines of a file's text as Python's file iteration gives them (split after each \n). */
export function parseSourcesText(text: string): SourceLine[] {
  const lines = text.split(/(?<=\n)/).filter((l) => l !== '');
  return lines.map(parseSourceLine);
}

/** A file's text as Ansible's save() writes it. */
export function renderSources(lines: SourceLine[]): string {
  return lines.map((l) => `${l.enabled ? '' : '# '}${l.source}${l.comment ? ` # ${l.comment}` : ''}\n`).join('');
}

/** Every file's text as Ansible's dump() gives it (files without lines left out). */
export function dumpSources(files: SourcesFiles): Map<string, string> {
  const out = new Map<string, string>();
  for (const [path, lines] of files) if (lines.length) out.set(path, renderSources(lines));
  return out;
}

/** A repo line that is not a valid, enabled source: Ansible's InvalidSource. */
export class InvalidSource extends Error {}

/** The source of a repo argument, or InvalidSource (the line as Ansible names it in its message). */
export function repoSource(repo: string): string {
  const line = parseSourceLine(repo);
  if (!line.valid || !line.enabled) {
    // Ansible's message shows the line after its leading '#' and any comment are cut off.
    let shown = pyStrip(repo);
    if (shown.startsWith('#')) shown = shown.slice(1);
    const hash = shown.indexOf('#');
    throw new InvalidSource(hash > 0 ? shown.slice(0, hash) : shown);
  }
  return line.source;
}

/** The file name Ansible picks for a source: `filename` given, else the repository's host and path with `_` between words. */
export function suggestFilename(source: string, filename: string | undefined): string {
  if (filename !== undefined) return `${filename}.list`;
  let line = source.replace(/\[[^\]]+\]/g, '').replace(/\w+:\/\//g, '');
  const parts = pySplit(line).filter((p) => !SOURCE_TYPES.has(p));
  if (parts[0]?.includes('@')) parts[0] = parts[0].slice(parts[0].indexOf('@') + 1);
  line = parts.slice(0, 1).join(' ');
  return `${pySplit(line.replace(/[^a-zA-Z0-9]/g, ' ')).join('_')}.list`;
}

/** The path a file name stands for: as given when it has a `/`, else in the parts folder. */
export function expandSourcesPath(file: string, partsDir: string): string {
  if (file.includes('/')) return file;
  return normalizePath(`${partsDir.replace(/\/+$/, '')}/${file}`);
}

/** os.path.abspath for an absolute path (the parts folder always is one). */
function normalizePath(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

/** Add `source` as Ansible does: enable every equal line; else append it to `file`. Returns the files given new lines. */
export function addSource(files: SourcesFiles, source: string, file: string): Set<string> {
  let found = false;
  for (const lines of files.values()) {
    for (const l of lines) {
      if (l.valid && l.source === source) {
        l.enabled = true;
        found = true;
      }
    }
  }
  const added = new Set<string>();
  if (!found) {
    const lines = files.get(file) ?? [];
    files.set(file, lines);
    lines.push({ valid: true, enabled: true, source, comment: '' });
    added.add(file);
  }
  return added;
}

/**
 * Remove every enabled line equal to `source`, with the quirk of Ansible's loop: it pops by each line's
 * original number while walking the list it pops from, so after one removal in a file the next pop
 * takes whatever line now has that number, and the line after a removed one is not looked at.
 */
export function removeSource(files: SourcesFiles, source: string): void {
  for (const [path, lines] of files) {
    const numbered = lines.map((l, n) => ({ ...l, n }));
    // Python's list iterator: an index that goes on while the list shrinks under it.
    let i = 0;
    while (i < numbered.length) {
      const l = numbered[i]!;
      if (l.valid && l.enabled && l.source === source && l.n < numbered.length) numbered.splice(l.n, 1);
      i += 1;
    }
    files.set(
      path,
      numbered.map(({ n: _n, ...l }) => l),
    );
  }
}
