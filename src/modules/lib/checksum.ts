/**
 * Ansible's `checksum: ALGO:VALUE` argument: the algorithms, the target
 * command that computes each one, and the `sha256sum`-format checksum files
 * that `ALGO:URL` points to.
 */
import { posix } from 'node:path';
import { ModuleArgError } from './attrs.js';

/** The digest algorithms `checksum:` accepts, all available as `<algo>sum` on GNU and busybox targets. */
export const CHECKSUM_ALGOS = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const;

/** One of CHECKSUM_ALGOS. */
export type ChecksumAlgo = (typeof CHECKSUM_ALGOS)[number];

const HEX_LENGTH: Record<ChecksumAlgo, number> = { md5: 32, sha1: 40, sha224: 56, sha256: 64, sha384: 96, sha512: 128 };

/** A parsed `checksum:` argument: either the digest itself or the URL of a checksum file. */
export interface ChecksumSpec {
  algo: ChecksumAlgo;
  /** The expected digest (lowercase hex), when given inline. */
  hex?: string;
  /** The URL of a checksum file, when given as `ALGO:URL`. */
  url?: string;
}

/** The target command that prints the digest of its stdin (`sha256sum`). */
export function digestCommand(algo: ChecksumAlgo): string {
  return `${algo}sum`;
}

/** Parse `sha256:HEX` or `sha256:https://.../SHA256SUMS`; an empty string means no checksum. */
export function parseChecksum(value: string | undefined): ChecksumSpec | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const at = value.indexOf(':');
  if (at < 0)
    throw new ModuleArgError(
      `checksum '${value}' must be ALGO:VALUE, e.g. sha256:<hex> (algorithms: ${CHECKSUM_ALGOS.join(', ')})`,
    );
  const algo = value.slice(0, at).trim().toLowerCase();
  const rest = value.slice(at + 1).trim();
  if (!(CHECKSUM_ALGOS as readonly string[]).includes(algo)) {
    throw new ModuleArgError(`checksum algorithm '${algo}' is not supported (use one of ${CHECKSUM_ALGOS.join(', ')})`);
  }
  const a = algo as ChecksumAlgo;
  if (/^(https?|ftp|file):\/\//i.test(rest)) return { algo: a, url: rest };
  return { algo: a, hex: checkHex(a, rest, `checksum '${value}'`) };
}

function checkHex(algo: ChecksumAlgo, hex: string, what: string): string {
  const h = hex.toLowerCase();
  if (!/^[0-9a-f]+$/.test(h) || h.length !== HEX_LENGTH[algo]) {
    throw new ModuleArgError(`${what} is not a ${algo} digest (${HEX_LENGTH[algo]} hex digits)`);
  }
  return h;
}

/**
 * Pick the digest for `filename` from a checksum file in `sha256sum` format
 * (`HEX  name` or `HEX *name`, `./name` accepted); a file holding a single
 * bare digest is that digest. Throws when no line names the file.
 */
export function pickChecksum(algo: ChecksumAlgo, text: string, filename: string, source: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length === 1 && /^[0-9a-fA-F]+$/.test(lines[0]!))
    return checkHex(algo, lines[0]!, `the checksum in ${source}`);
  for (const line of lines) {
    const m = /^([0-9a-fA-F]+)\s+\*?(.+)$/.exec(line);
    if (!m) continue;
    const name = m[2]!.trim().replace(/^\.\//, '');
    if (name === filename || posix.basename(name) === filename)
      return checkHex(algo, m[1]!, `the checksum for ${filename} in ${source}`);
  }
  throw new ModuleArgError(`Unable to find a checksum for file '${filename}' in '${source}'`);
}
