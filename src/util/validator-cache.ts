/**
 * The on-disk cache of compiled validators. Its files are JavaScript that
 * bosun evaluates, so it is kept the way ssh keeps `~/.ssh`: the folder is
 * the current user's and only theirs (created 0700, files 0600), and a
 * folder or file that someone else owns or that group or others may write is
 * not used at all (not read, not written). Each entry `<key>.cjs` has its
 * sha256 in `<key>.sha256` beside it, checked before the code is run: a file
 * that does not match (edited, truncated, or left by an older bosun without a
 * digest) is never run; the caller compiles again and the entry is rewritten.
 */
import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  type Stats,
} from 'node:fs';
import { join } from 'node:path';

/** Whether a folder or file is the current user's and no one else may write it. */
function isPrivate(st: Stats): boolean {
  const uid = process.getuid?.();
  return (uid === undefined || st.uid === uid) && (st.mode & 0o022) === 0;
}

/**
 * The cache folder ready for use (created 0700 when missing, tightened to
 * 0700 when it is ours), or null when it is not safe to use or cannot be made.
 */
export function openCacheDir(dir: string): string | null {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    if (!st.isDirectory() || !isPrivate(st)) return null;
    if ((st.mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
    return dir;
  } catch {
    return null;
  }
}

/** A regular, private file's text, read without following a link; undefined otherwise. */
function readPrivate(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    const st = fstatSync(fd);
    if (!st.isFile() || !isPrivate(st)) return undefined;
    return readFileSync(fd, 'utf8');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The cached code for `key` when the entry is private and matches its digest; undefined otherwise. */
export function readCachedCode(dir: string, key: string): string | undefined {
  const digest = readPrivate(join(dir, `${key}.sha256`));
  if (digest === undefined) return undefined;
  const code = readPrivate(join(dir, `${key}.cjs`));
  if (code === undefined || sha256(code) !== digest.trim()) return undefined;
  return code;
}

/** Write a file 0600 through a new temporary file (never an existing one or a link) and a rename. */
function writePrivate(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(tmp, text, { flag: 'wx', mode: 0o600 });
    renameSync(tmp, file);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was created
    }
    throw err;
  }
}

/** Store code for `key`: the code first, then its digest, so a reader never trusts a half-stored entry. */
export function writeCachedCode(dir: string, key: string, code: string): void {
  writePrivate(join(dir, `${key}.cjs`), code);
  writePrivate(join(dir, `${key}.sha256`), sha256(code));
}
