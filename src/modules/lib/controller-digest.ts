/**
 * The sha1 (and md5, which Ansible's copy registers as `md5sum`) of a file on the controller, read as a stream and remembered per
 * path, device, inode, size and times: a copy that sends one file to many
 * hosts reads and hashes it once (the hosts share the digest, even while it
 * is being computed), and the file is never held in memory.
 */
import { createHash } from 'node:crypto';
import { promises as fs, type Stats } from 'node:fs';

/** How many digests are remembered (the oldest goes first). */
const MAX_ENTRIES = 1024;

/** Both digests of a file, hex. */
export interface Digests {
  sha1: string;
  md5: string;
}

const digests = new Map<string, Promise<Digests>>();

/** The sha1 (hex) of the controller file `path`, whose stat is `st`; a changed file (size or times) is read again. */
export async function controllerSha1(path: string, st: Stats): Promise<string> {
  return (await controllerDigests(path, st)).sha1;
}

/** The sha1 and md5 of the controller file `path` (read once for both), remembered as controllerSha1's. */
export function controllerDigests(path: string, st: Stats): Promise<Digests> {
  const key = [path, st.dev, st.ino, st.size, st.mtimeMs, st.ctimeMs].join('\0');
  let digest = digests.get(key);
  if (!digest) {
    digest = hashFile(path);
    digests.set(key, digest);
    // A read that failed is tried again by the next host (and its error reported by each).
    digest.catch(() => digests.delete(key));
    if (digests.size > MAX_ENTRIES) digests.delete(digests.keys().next().value!);
  }
  return digest;
}

/** The bytes read at a time. */
const PIECE_BYTES = 1024 * 1024;

async function hashFile(path: string): Promise<Digests> {
  const hash = createHash('sha1');
  const md5 = createHash('md5');
  const handle = await fs.open(path, 'r');
  try {
    const piece = Buffer.allocUnsafe(PIECE_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(piece, 0, PIECE_BYTES, null);
      if (bytesRead === 0) break;
      hash.update(piece.subarray(0, bytesRead));
      md5.update(piece.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return { sha1: hash.digest('hex'), md5: md5.digest('hex') };
}
