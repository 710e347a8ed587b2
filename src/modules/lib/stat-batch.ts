/**
 * Stat many paths with as few processes on the target as possible: one
 * `stat` for every path that exists and one `sha1sum`/`sha256sum` for every
 * file that needs a checksum, whatever the number of paths (a process start
 * is the main cost of a decision on the target: about 1 ms of its CPU each,
 * measured on the sandbox hosts, against 0.3 ms for the round trip itself).
 * Repeated paths are stat'ed once. Links (without `follow`) still get their
 * own `readlink`s and `od`, only when they are links, and with `resolve` one
 * more `stat -L` for all the links that resolve.
 */
import type { StatProbe } from '../../connection/types.js';
import { shq } from '../../util/shell.js';

export type { StatProbe } from '../../connection/types.js';

/** The `stat -c` format shared with `statScript` (after the `S<tag> ` prefix). */
export const STAT_FORMAT = '%f %u %g %s %Y %X %i %d %U %G';

/** Options of `batchStatScript`. */
export interface BatchStatOptions {
  checksum?: 'sha1' | 'sha256';
  follow?: boolean;
  /** Without `follow`: also stat what each link resolves to (one `stat -L` for all of them). */
  resolve?: boolean;
  /** With `follow`: also say which paths are links (`L<i>`), as copy's follow: false needs to know. */
  markLinks?: boolean;
  /** Without `follow`: a link's `readlink -f` too (`linkSource`; default true). Without it, one process less a link. */
  linkSource?: boolean;
}

/**
 * A script that prints, for paths numbered 0..n-1: `A<i>` for each absent
 * path, `E<i>` for each existing one (in order), then one `S ...` line per
 * existing path from a single `stat`; with `resolve`, `T<i>` for each link
 * that resolves (in order), then one `T ...` line for each from a single
 * `stat -L`; the `linkLines` of links, `K<i>` for each checksummed file (in
 * order), then the checksum program's lines.
 */
export function batchStatScript(paths: string[], opts: BatchStatOptions): string {
  const lines: string[] = ['set --'];
  paths.forEach((p, i) => {
    const q = shq(p);
    const test = opts.follow ? `[ -e ${q} ]` : `{ [ -e ${q} ] || [ -L ${q} ]; }`;
    lines.push(`if ${test}; then set -- "$@" ${q}; echo E${i}; else echo A${i}; fi`);
  });
  lines.push(`[ $# -eq 0 ] || stat ${opts.follow ? '-L ' : ''}-c 'S ${STAT_FORMAT}' -- "$@"`);
  if (opts.follow && opts.markLinks) paths.forEach((p, i) => lines.push(`if [ -L ${shq(p)} ]; then echo L${i}; fi`));
  if (!opts.follow) {
    if (opts.resolve) {
      lines.push('set --');
      paths.forEach((p, i) => {
        const q = shq(p);
        lines.push(`if [ -L ${q} ] && [ -e ${q} ]; then set -- "$@" ${q}; echo T${i}; fi`);
      });
      lines.push(`[ $# -eq 0 ] || stat -L -c 'T ${STAT_FORMAT}' -- "$@"`);
    }
    paths.forEach((p, i) => {
      const q = shq(p);
      lines.push(`if [ -L ${q} ]; then ${linkLines(String(i), q, opts.linkSource !== false)}; fi`);
    });
  }
  if (opts.checksum) {
    lines.push('set --');
    paths.forEach((p, i) => {
      const q = shq(p);
      lines.push(
        `if [ -f ${q} ] && [ -r ${q} ]${opts.follow ? '' : ` && [ ! -L ${q} ]`}; then set -- "$@" ${q}; echo K${i}; fi`,
      );
    });
    lines.push(`[ $# -eq 0 ] || ${opts.checksum === 'sha256' ? 'sha256sum' : 'sha1sum'} -- "$@"`);
  }
  return lines.join('\n');
}

/**
 * The lines of a symlink whose quoted path is `q`: `H<tag>`, then `od`'s hex
 * of readlink's output, a NUL byte and readlink -f's output. Hex, so that a
 * target holding a newline survives the line-based parsing; NUL, because no
 * path holds one (busybox has no `readlink -z`). One `od` for both, no `tr`:
 * the caller joins od's lines (`decodeLinkHex`).
 */
export function linkLines(tag: string, q: string, source = true): string {
  if (!source) return `echo H${tag}; readlink -- ${q} | od -An -v -tx1`;
  return `echo H${tag}; { readlink -- ${q}; printf '\\0'; readlink -f -- ${q}; } | od -An -v -tx1`;
}

/** Whether an output line is one of `od -An -tx1`'s (space-separated byte pairs). */
export function isHexLine(line: string): boolean {
  return /^\s*[0-9a-f]{2}(\s+[0-9a-f]{2})*\s*$/.test(line);
}

/** What a link points to, from `linkLines`: readlink's (target) and readlink -f's (source) text. */
export interface LinkText {
  target: string;
  source: string;
}

/**
 * Decode the `od` lines of `linkLines`: each readlink's output without its
 * final newline (a failed readlink -f prints nothing: an empty source).
 */
export function decodeLinkHex(hexLines: string[]): LinkText {
  const bytes = Buffer.from(hexLines.join('').replace(/\s+/g, ''), 'hex');
  const nul = bytes.indexOf(0);
  const text = (b: Buffer): string => b.toString('utf8').replace(/\n$/, '');
  return nul < 0
    ? { target: text(bytes), source: '' }
    : { target: text(bytes.subarray(0, nul)), source: text(bytes.subarray(nul + 1)) };
}

/** One path's raw findings: its stat fields, link lines and checksum. */
export interface BatchEntry {
  exists: boolean;
  statLine?: string;
  /** With `resolve`, for a link that resolves: the stat line of what it points to. */
  targetStatLine?: string;
  linkTarget?: string;
  linkSource?: string;
  checksum?: string;
  /** With `markLinks`: the path is a link (its stat is what it points to). */
  isLink?: boolean;
}

/**
 * Parse the output of `batchStatScript` for `count` paths. Returns undefined
 * when the output does not add up (a path vanished or a file could not be
 * read between the test and the program): the caller then stats path by path.
 */
export function parseBatchStat(stdout: string, count: number): BatchEntry[] | undefined {
  const entries = new Array<BatchEntry | undefined>(count).fill(undefined);
  const existing: number[] = [];
  const resolved: number[] = [];
  const summed: number[] = [];
  const stats: string[] = [];
  const targetStats: string[] = [];
  const sums: string[] = [];
  const hex = new Map<number, string[]>();
  const links: number[] = [];
  let hexOf: string[] | undefined;
  for (const line of stdout.split('\n')) {
    if (hexOf && isHexLine(line)) {
      hexOf.push(line);
      continue;
    }
    hexOf = undefined;
    let m: RegExpExecArray | null;
    if ((m = /^([AEKTHL])(\d+)$/.exec(line))) {
      const i = Number(m[2]);
      if (m[1] === 'A') entries[i] = { exists: false };
      else if (m[1] === 'L') links.push(i);
      else if (m[1] === 'E') {
        entries[i] = { exists: true };
        existing.push(i);
      } else if (m[1] === 'T') resolved.push(i);
      else if (m[1] === 'H') hex.set(i, (hexOf = []));
      else summed.push(i);
    } else if (line.startsWith('S ')) stats.push(line.slice(2));
    else if (line.startsWith('T ')) targetStats.push(line.slice(2));
    else if ((m = /^\\?([0-9a-f]{40,128}) /.exec(line))) sums.push(m[1]!);
  }
  if (
    entries.some((e) => e === undefined) ||
    stats.length !== existing.length ||
    targetStats.length !== resolved.length ||
    sums.length !== summed.length
  ) {
    return undefined;
  }
  existing.forEach((i, k) => {
    entries[i]!.statLine = stats[k]!;
  });
  resolved.forEach((i, k) => {
    entries[i]!.targetStatLine = targetStats[k]!;
  });
  summed.forEach((i, k) => {
    entries[i]!.checksum = sums[k]!;
  });
  for (const i of links) if (entries[i]!.exists) entries[i]!.isLink = true;
  for (const [i, lines] of hex) {
    const link = decodeLinkHex(lines);
    if (entries[i]!.exists) Object.assign(entries[i]!, { linkTarget: link.target, linkSource: link.source });
  }
  return entries as BatchEntry[];
}

/** The script a `StatProbe` stands for (what the probe sends when it goes alone). */
export function statProbeScript(p: StatProbe): string {
  const stats = batchStatScript(p.paths, p.opts);
  return p.then ? `${stats}\necho ${p.then.marker}\n${p.then.script}` : stats;
}

/** One path of a merged stat: as it is (`follow` false, with `resolve`: also what a link points to) or followed. */
interface MergedEntry {
  path: string;
  follow: boolean;
  resolve: boolean;
  /** Some probe wants the link's readlink -f. */
  source: boolean;
  /** Followed, and some probe wants to know whether the path itself is a link (`markLinks`). */
  mark: boolean;
  checksum: Set<'sha1' | 'sha256'>;
}

/** What the merged stat found for one entry (`BatchEntry` plus the checksums of each kind). */
interface MergedFound {
  exists: boolean;
  statLine?: string;
  targetStatLine?: string;
  link?: LinkText;
  /** With `mark`: the path itself is a link. */
  isLink?: boolean;
  /** A checksummed file: `-f`, readable (and, not followed, no link); the sums by kind. */
  summed: boolean;
  sums: Map<'sha1' | 'sha256', string>;
}

const entryKey = (path: string, follow: boolean): string => `${follow ? 'L' : 'P'}${path}`;

/**
 * Several `StatProbe`s as one script: one `stat` for every path not followed, one `stat -L` for every followed
 * path and every link to resolve, the links' `readlink`s, and one `sha1sum` / `sha256sum` for every file to
 * checksum. `answers(stdout)` gives each probe's stats part as its own script would print it (same tags, same
 * order, same stat and checksum lines), or undefined when the output does not add up.
 */
export function mergedStatScript(probes: StatProbe[]): {
  script: string;
  answers: (stdout: string) => string[] | undefined;
} {
  const entries: MergedEntry[] = [];
  const byKey = new Map<string, number>();
  for (const p of probes) {
    const follow = p.opts.follow === true;
    for (const path of p.paths) {
      const key = entryKey(path, follow);
      let k = byKey.get(key);
      if (k === undefined) {
        byKey.set(key, (k = entries.length));
        entries.push({ path, follow, resolve: false, source: false, mark: false, checksum: new Set() });
      }
      const e = entries[k]!;
      if (!follow && p.opts.resolve) e.resolve = true;
      if (!follow && p.opts.linkSource !== false) e.source = true;
      if (follow && p.opts.markLinks) e.mark = true;
      if (p.opts.checksum) e.checksum.add(p.opts.checksum);
    }
  }
  const lines: string[] = ['set --'];
  entries.forEach((e, k) => {
    if (e.follow) return;
    const q = shq(e.path);
    lines.push(`if { [ -e ${q} ] || [ -L ${q} ]; }; then set -- "$@" ${q}; echo E${k}; else echo A${k}; fi`);
  });
  lines.push(`[ $# -eq 0 ] || stat -c 'S ${STAT_FORMAT}' -- "$@"`, 'echo M1', 'set --');
  // One `stat -L` for the followed paths that exist (E) and the links to resolve that do (T).
  entries.forEach((e, k) => {
    const q = shq(e.path);
    if (e.follow) lines.push(`if [ -e ${q} ]; then set -- "$@" ${q}; echo E${k}; else echo A${k}; fi`);
    else if (e.resolve) lines.push(`if [ -L ${q} ] && [ -e ${q} ]; then set -- "$@" ${q}; echo T${k}; fi`);
  });
  lines.push(`[ $# -eq 0 ] || stat -L -c 'S ${STAT_FORMAT}' -- "$@"`, 'echo M2');
  entries.forEach((e, k) => {
    if (!e.follow) lines.push(`if [ -L ${shq(e.path)} ]; then ${linkLines(String(k), shq(e.path), e.source)}; fi`);
    else if (e.mark) lines.push(`if [ -L ${shq(e.path)} ]; then echo L${k}; fi`);
  });
  for (const kind of ['sha1', 'sha256'] as const) {
    lines.push(`echo M${kind}`, 'set --');
    entries.forEach((e, k) => {
      if (!e.checksum.has(kind)) return;
      const q = shq(e.path);
      lines.push(
        `if [ -f ${q} ] && [ -r ${q} ]${e.follow ? '' : ` && [ ! -L ${q} ]`}; then set -- "$@" ${q}; echo K${k}; fi`,
      );
    });
    lines.push(`[ $# -eq 0 ] || ${kind === 'sha256' ? 'sha256sum' : 'sha1sum'} -- "$@"`);
  }
  lines.push('echo M3');
  return {
    script: lines.join('\n'),
    answers: (stdout) => {
      const found = parseMerged(stdout, entries);
      return found && probes.map((p) => renderedAnswer(p, found, byKey));
    },
  };
}

/** The findings of each merged entry, or undefined when the output does not add up. */
function parseMerged(stdout: string, entries: MergedEntry[]): MergedFound[] | undefined {
  const found: Array<MergedFound | undefined> = entries.map(() => undefined);
  const sections = stdout.split(/^M(?:1|2|sha1|sha256|3)$\n?/m);
  if (sections.length !== 6 || sections[5] !== '') return undefined;
  const [own, followed, links, sha1, sha256] = sections as [string, string, string, string, string];
  // A section of tags and the program's lines after them, in the same order.
  const tagged = (text: string, onTag: (tag: string, k: number) => boolean, prefix: RegExp): string[] | undefined => {
    const data: string[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const m = /^([AETK])(\d+)$/.exec(line);
      if (m) {
        if (!onTag(m[1]!, Number(m[2]))) return undefined;
      } else if (prefix.test(line)) data.push(line);
      else return undefined;
    }
    return data;
  };
  const exist: number[] = [];
  const resolved: number[] = [];
  const record = (tag: string, k: number): boolean => {
    if (k >= entries.length) return false;
    if (tag === 'A' || tag === 'E') {
      if (found[k]) return false;
      found[k] = { exists: tag === 'E', summed: false, sums: new Map() };
      if (tag === 'E') exist.push(k);
      return true;
    }
    if (tag === 'T') {
      resolved.push(k);
      return true;
    }
    return false;
  };
  const ownLines = tagged(own, record, /^S /);
  if (ownLines?.length !== exist.length) return undefined;
  ownLines.forEach((l, i) => (found[exist[i]!]!.statLine = l.slice(2)));
  exist.length = 0;
  const followedLines = tagged(followed, record, /^S /);
  if (followedLines?.length !== exist.length + resolved.length) return undefined;
  // Tags and stat lines alternate in one order: E and T tags as printed.
  const order: Array<{ k: number; target: boolean }> = [];
  for (const line of followed.split('\n')) {
    const m = /^([ET])(\d+)$/.exec(line);
    if (m) order.push({ k: Number(m[2]), target: m[1] === 'T' });
  }
  order.forEach(({ k, target }, i) => {
    const line = followedLines[i]!.slice(2);
    if (target) found[k]!.targetStatLine = line;
    else found[k]!.statLine = line;
  });
  if (found.some((f) => f === undefined)) return undefined;
  if (resolved.some((k) => entries[k]!.follow || !found[k]!.exists)) return undefined;
  let hexOf: string[] | undefined;
  const hex = new Map<number, string[]>();
  for (const line of links.split('\n')) {
    if (line === '') continue;
    if (hexOf && isHexLine(line)) {
      hexOf.push(line);
      continue;
    }
    const mark = /^L(\d+)$/.exec(line);
    if (mark) {
      const k = Number(mark[1]);
      if (k >= entries.length || !entries[k]!.mark) return undefined;
      found[k]!.isLink = true;
      hexOf = undefined;
      continue;
    }
    const m = /^H(\d+)$/.exec(line);
    if (!m || Number(m[1]) >= entries.length) return undefined;
    hex.set(Number(m[1]), (hexOf = []));
  }
  for (const [k, l] of hex) found[k]!.link = decodeLinkHex(l);
  for (const [kind, text] of [
    ['sha1', sha1],
    ['sha256', sha256],
  ] as const) {
    const summed: number[] = [];
    const sums = tagged(
      text,
      (tag, k) => {
        if (tag !== 'K' || k >= entries.length) return false;
        summed.push(k);
        return true;
      },
      /^\\?[0-9a-f]{40,128} /,
    );
    if (sums?.length !== summed.length) return undefined;
    summed.forEach((k, i) => {
      found[k]!.summed = true;
      found[k]!.sums.set(kind, sums[i]!);
    });
  }
  return found as MergedFound[];
}

/** A probe's stats part (and the marker of its `then`), as `batchStatScript` prints it, from the merged findings. */
function renderedAnswer(p: StatProbe, found: MergedFound[], byKey: Map<string, number>): string {
  const follow = p.opts.follow === true;
  const of = p.paths.map((path) => found[byKey.get(entryKey(path, follow))!]!);
  const out: string[] = [];
  of.forEach((f, i) => out.push(`${f.exists ? 'E' : 'A'}${i}`));
  for (const f of of) if (f.exists) out.push(`S ${f.statLine!}`);
  if (follow && p.opts.markLinks) {
    of.forEach((f, i) => {
      if (f.isLink) out.push(`L${i}`);
    });
  }
  if (!follow) {
    if (p.opts.resolve) {
      of.forEach((f, i) => {
        if (f.targetStatLine !== undefined) out.push(`T${i}`);
      });
      for (const f of of) if (f.targetStatLine !== undefined) out.push(`T ${f.targetStatLine}`);
    }
    of.forEach((f, i) => {
      if (f.link) out.push(`H${i}`, ...hexLines(f.link, p.opts.linkSource !== false));
    });
  }
  if (p.opts.checksum) {
    const kind = p.opts.checksum;
    of.forEach((f, i) => {
      if (f.summed) out.push(`K${i}`);
    });
    for (const f of of) if (f.summed) out.push(f.sums.get(kind)!);
  }
  if (p.then) out.push(p.then.marker);
  return `${out.join('\n')}\n`;
}

/** `linkLines`' od lines for a link's texts (readlink's output, a NUL, readlink -f's), 16 bytes a line as od prints them. */
function hexLines(link: LinkText, source: boolean): string[] {
  const bytes = Buffer.concat([
    Buffer.from(`${link.target}\n`),
    ...(source ? [Buffer.from([0]), Buffer.from(link.source === '' ? '' : `${link.source}\n`)] : []),
  ]);
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += 16)
    out.push([...bytes.subarray(i, i + 16)].map((b) => ` ${b.toString(16).padStart(2, '0')}`).join(''));
  return out;
}
