/**
 * The files a run writes at its end (--retry-file, --report) or along the
 * way (--log), checked before the run starts: finding out after the last
 * host is done that the report cannot be written throws the record away.
 */
import { closeSync, constants, openSync, statSync, unlinkSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BosunError } from '../errors.js';

/** The reason an errno code gives, in words. */
function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'read-only file system';
  if (code === 'ENOSPC') return 'no space left on device';
  return (err as Error).message;
}

/**
 * Throw a BAD_OPTION error naming `flag` and `file` unless the run will be
 * able to write `file`: its folder exists and takes new files, and the file,
 * when it exists, is not a folder and may be written. Leaves nothing behind
 * (a new file is tried under a temporary name and removed; an existing one
 * is opened without truncating it). The test is open(), not access(), so it
 * answers for the effective user, read-only mounts and ACLs too.
 */
export function checkOutputFile(flag: string, file: string): void {
  const fail = (what: string): never => {
    throw new BosunError('BAD_OPTION', `${flag} ${file}: ${what}`, {
      hint: 'create the folder first, or give a path that can be written',
    });
  };
  const full = resolve(file);
  const folder = dirname(full);
  let isFolder = false;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') fail(`the folder ${folder} does not exist`);
    if (code === 'ENOTDIR') fail(`${firstFileAbove(folder)} is not a folder`);
    fail(`cannot read the folder ${folder} (${reason(err)})`);
  }
  if (!isFolder) fail(`${folder} is not a folder`);
  let fileStat;
  try {
    fileStat = statSync(full);
  } catch {
    fileStat = undefined;
  }
  if (fileStat?.isDirectory()) fail('it is a folder (give a file name)');
  if (fileStat) {
    try {
      closeSync(openSync(full, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch (err) {
      fail(`cannot write it (${reason(err)})`);
    }
    return;
  }
  const probe = `${full}.${process.pid}.bosun-check`;
  try {
    closeSync(openSync(probe, 'wx', 0o600));
  } catch (err) {
    fail(`cannot create files in the folder ${folder} (${reason(err)})`);
  }
  unlinkSync(probe);
}

/** The nearest path above (or at) `folder` that exists and is not a folder: the file a path goes through. */
function firstFileAbove(folder: string): string {
  for (let at = folder; ; at = dirname(at)) {
    try {
      if (!statSync(at).isDirectory()) return at;
    } catch {
      // not there (or not reachable): look higher
    }
    if (dirname(at) === at) return folder;
  }
}
