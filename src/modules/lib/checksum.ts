/**
 * Ansible's `checksum: ALGO:VALUE` argument: the algorithms, the target
 * command that computes each one, and the `sha256sum`-format checksum files
 * that `ALGO:URL` points to.
 */
import { ModuleArgError } from './attrs.js';

/** The digest algorithms `checksum:` accepts, all available as `<algo>sum` on GNU and busybox targets. */
export const CHECKSUM_ALGOS = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const;

/** One of CHECKSUM_ALGOS. */
export type ChecksumAlgo = (typeof CHECKSUM_ALGOS)[number];

/** A `checksum:` argument split as Ansible's get_url splits it (at the first ':'). */
export interface ChecksumSpec {
  algo: ChecksumAlgo;
  /** What follows the ':' as written: a digest, or the URL of a checksum file. */
  value: string;
  /** The value is a URL (its scheme http, https, ftp or file): the digest comes from that checksum file. */
  isUrl: boolean;
}

/** Ansible's message for a `checksum:` without ':'. */
export const CHECKSUM_FORMAT = 'The checksum parameter has to be in format <algorithm>:<checksum>';

/** Split `checksum:` as Ansible does; undefined when empty (no checksum). Throws on a value without ':'. */
export function parseChecksum(value: string | undefined): ChecksumSpec | undefined {
  if (value === undefined || value === '') return undefined;
  const at = value.indexOf(':');
  if (at < 0) throw new ModuleArgError(CHECKSUM_FORMAT);
  const algo = value.slice(0, at);
  const rest = value.slice(at + 1);
  if (!(CHECKSUM_ALGOS as readonly string[]).includes(algo)) {
    throw new ModuleArgError(`checksum algorithm '${algo}' is not supported (use one of ${CHECKSUM_ALGOS.join(', ')})`);
  }
  return { algo: algo as ChecksumAlgo, value: rest, isUrl: /^(https?|ftp|file):/i.test(rest) };
}

/**
 * The digest as Ansible's get_url makes it of what was given: every run of non-word characters removed (spaces, a
 * line end, '-', a zero-width space), lowercase; undefined when the rest is not a hexadecimal number as Python's
 * int(x, 16) reads one (which allows a 0x prefix and single underscores between digits). Its length is not checked:
 * a short digest fails after the download as a mismatch, as in Ansible.
 */
export function cleanChecksum(value: string): string | undefined {
  const h = value.replace(/[^\p{L}\p{N}_]+/gu, '').toLowerCase();
  return /^(0x)?[0-9a-f]+(_[0-9a-f]+)*$/.test(h) ? h : undefined;
}

/**
 * The digest for `filename` in a checksum file, read as Ansible's get_url reads it: a file of one line holding one
 * word is that digest; otherwise each line is split at its first space into the digest and the name, the name loses
 * one leading ' ' or '*' (the type mark) and every leading '.' and '/', and must then equal `filename` exactly (a
 * trailing space, a tab or a folder in front do not match). The first matching line wins; undefined when none.
 */
export function pickChecksum(text: string, filename: string): string | undefined {
  // Python reads the file in text mode: \r\n and a lone \r end lines too.
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 1 && lines[0]!.trim().split(/\s+/).length === 1 && lines[0]!.trim() !== '') return lines[0]!;
  for (const line of lines) {
    const sp = line.indexOf(' ');
    if (sp < 0) continue;
    let name = line.slice(sp + 1);
    if (name.startsWith(' ') || name.startsWith('*')) name = name.slice(1);
    if (name.replace(/^[./]+/, '') === filename) return line.slice(0, sp);
  }
  return undefined;
}

/** The target command that prints the digest of its stdin (`sha256sum`). */
export function digestCommand(algo: ChecksumAlgo): string {
  return `${algo}sum`;
}
