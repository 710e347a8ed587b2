/**
 * Stat many paths with as few processes on the target as possible: one
 * `stat` for every path that exists and one `sha1sum`/`sha256sum` for every
 * file that needs a checksum, whatever the number of paths (a process start
 * is the main cost of a decision on the target: about 1 ms of its CPU each,
 * measured on the sandbox hosts, against 0.3 ms for the round trip itself).
 * Repeated paths are stat'ed once. Links (without `follow`) still get their
 * own `readlink`, only when they are links.
 */
import { shq } from '../../util/shell.js';

/** The `stat -c` format shared with `statScript` (after the `S<tag> ` prefix). */
export const STAT_FORMAT = '%f %u %g %s %Y %X %i %d %U %G';

/**
 * A script that prints, for paths numbered 0..n-1: `A<i>` for each absent
 * path, `E<i>` for each existing one (in order), then one `S ...` line per
 * existing path from a single `stat`, `L<i>`/`R<i>` lines for links, `K<i>`
 * for each checksummed file (in order), then the checksum program's lines.
 */
export function batchStatScript(paths: string[], opts: { checksum?: 'sha1' | 'sha256'; follow?: boolean }): string {
  const lines: string[] = ['set --'];
  paths.forEach((p, i) => {
    const q = shq(p);
    const test = opts.follow ? `[ -e ${q} ]` : `{ [ -e ${q} ] || [ -L ${q} ]; }`;
    lines.push(`if ${test}; then set -- "$@" ${q}; echo E${i}; else echo A${i}; fi`);
  });
  lines.push(`[ $# -eq 0 ] || stat ${opts.follow ? '-L ' : ''}-c 'S ${STAT_FORMAT}' -- "$@"`);
  if (!opts.follow) {
    paths.forEach((p, i) => {
      const q = shq(p);
      lines.push(`if [ -L ${q} ]; then ${linkLines(String(i), q)}; fi`);
    });
  }
  if (opts.checksum) {
    lines.push('set --');
    paths.forEach((p, i) => {
      const q = shq(p);
      lines.push(`if [ -f ${q} ] && [ -r ${q} ]${opts.follow ? '' : ` && [ ! -L ${q} ]`}; then set -- "$@" ${q}; echo K${i}; fi`);
    });
    lines.push(`[ $# -eq 0 ] || ${opts.checksum === 'sha256' ? 'sha256sum' : 'sha1sum'} -- "$@"`);
  }
  return lines.join('\n');
}

/**
 * The `L<tag> HEX` (readlink) and `R<tag> HEX` (readlink -f) lines of a
 * symlink whose quoted path is `q`: hex, so that a target holding a newline
 * survives the line-based parsing (decode with `decodeLinkHex`).
 */
export function linkLines(tag: string, q: string): string {
  const hex = "od -An -v -tx1 | tr -d ' \\n'; echo";
  return `printf '%s ' L${tag}; readlink -- ${q} | ${hex}; printf '%s ' R${tag}; { readlink -f -- ${q} || echo; } | ${hex}`;
}

/** The text of a `linkLines` value: readlink's output without its final newline. */
export function decodeLinkHex(hex: string): string {
  return Buffer.from(hex, 'hex').toString('utf8').replace(/\n$/, '');
}

/** One path's raw findings: its stat fields, link lines and checksum. */
export interface BatchEntry {
  exists: boolean;
  statLine?: string;
  linkTarget?: string;
  linkSource?: string;
  checksum?: string;
}

/**
 * Parse the output of `batchStatScript` for `count` paths. Returns undefined
 * when the output does not add up (a path vanished or a file could not be
 * read between the test and the program): the caller then stats path by path.
 */
export function parseBatchStat(stdout: string, count: number): BatchEntry[] | undefined {
  const entries: Array<BatchEntry | undefined> = new Array(count).fill(undefined);
  const existing: number[] = [];
  const summed: number[] = [];
  const stats: string[] = [];
  const sums: string[] = [];
  for (const line of stdout.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^([AEK])(\d+)$/.exec(line))) {
      const i = Number(m[2]);
      if (m[1] === 'A') entries[i] = { exists: false };
      else if (m[1] === 'E') { entries[i] = { exists: true }; existing.push(i); } else summed.push(i);
    } else if (line.startsWith('S ')) stats.push(line.slice(2));
    else if ((m = /^([LR])(\d+) (.*)$/.exec(line))) {
      const e = entries[Number(m[2])];
      if (e) e[m[1] === 'L' ? 'linkTarget' : 'linkSource'] = m[3]!;
    } else if ((m = /^\\?([0-9a-f]{40,128}) /.exec(line))) sums.push(m[1]!);
  }
  if (entries.some((e) => e === undefined) || stats.length !== existing.length || sums.length !== summed.length) return undefined;
  existing.forEach((i, k) => { entries[i]!.statLine = stats[k]!; });
  summed.forEach((i, k) => { entries[i]!.checksum = sums[k]!; });
  return entries as BatchEntry[];
}
