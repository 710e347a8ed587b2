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
import { shq } from '../../util/shell.js';

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
      lines.push(`if [ -L ${q} ]; then ${linkLines(String(i), q)}; fi`);
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
export function linkLines(tag: string, q: string): string {
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
