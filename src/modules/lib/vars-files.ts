/**
 * Controller-side file rules of `include_vars`, as Ansible's action plugin
 * applies them: the search for a single file (the role's `vars/` and its
 * folder, the task file's folder, then the playbook's), the root of a `dir`
 * (the role's `vars/`, else the task file's folder), and the sorted walk of
 * that folder with its `depth` counted over folders in sorted order (not
 * their nesting: ansible-core's own counting, kept).
 */
import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { SearchPaths } from '../types.js';

/** Python's os.path.join of two parts: an absolute `b` wins, nothing is normalised (`vars/./x.yml` stays). */
export function pyJoin(a: string, ...rest: string[]): string {
  let out = a;
  for (const b of rest) out = b.startsWith('/') ? b : out === '' || out.endsWith('/') ? out + b : `${out}/${b}`;
  return out;
}

/** The candidates Ansible's path_dwim_relative_stack tries for `source` under `dirname`, in order. */
export function searchCandidates(source: string, dirname: string, paths: SearchPaths): string[] {
  if (source.startsWith('~')) return [path.join(homedir(), source.slice(1))];
  if (path.isAbsolute(source)) return [path.normalize(source)];
  const stack = [...(paths.roleDir !== undefined ? [paths.roleDir] : [])];
  if (!stack.includes(paths.fileDir)) stack.push(paths.fileDir);
  const withDir = source.split('/')[0] !== dirname;
  const out: string[] = [];
  for (const base of [...stack, paths.playbookDir]) {
    if (withDir) out.push(pyJoin(base, dirname, source));
    out.push(pyJoin(base, source));
  }
  return out;
}

/** The first candidate that exists, or the list searched (for the error). */
export function findNeedle(
  source: string,
  dirname: string,
  paths: SearchPaths,
): { found: string } | { searched: string[] } {
  const candidates = searchCandidates(source, dirname, paths);
  const found = candidates.find((c) => existsSync(c));
  return found !== undefined ? { found } : { searched: candidates };
}

/** The folder a `dir:` names: under the role's `vars/` (or the role, when it starts with `vars/`), else the task file's folder. */
export function dirRoot(dir: string, paths: SearchPaths): string {
  if (paths.roleDir !== undefined) {
    if (dir.split('/')[0] === 'vars') {
      const inRole = pyJoin(paths.roleDir, dir);
      return existsSync(inRole) ? inRole : dir;
    }
    return pyJoin(paths.roleDir, 'vars', dir);
  }
  return pyJoin(paths.fileDir, dir);
}

/** One folder of the walk: its path and its file names (not folders), sorted. */
export interface WalkedFolder {
  root: string;
  files: string[];
}

/**
 * os.walk of `top` (symlinked folders listed, not entered), the folders sorted
 * by path, cut after `depth` folders (0: all), each folder's non-folder names sorted.
 */
export function walkSorted(top: string, depth: number): WalkedFolder[] {
  const all: WalkedFolder[] = [];
  const visit = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    const files: string[] = [];
    const subdirs: string[] = [];
    for (const name of names) {
      const full = pyJoin(dir, name);
      let isDir: boolean;
      try {
        isDir = statSync(full).isDirectory();
      } catch {
        isDir = false;
      }
      if (isDir) subdirs.push(full);
      else files.push(name);
    }
    all.push({ root: dir, files });
    for (const sub of subdirs) {
      // os.walk lists a symlinked folder among the folders but does not enter it (followlinks=False).
      if (!lstatSync(sub).isSymbolicLink()) visit(sub);
    }
  };
  visit(top);
  all.sort((a, b) => (a.root < b.root ? -1 : a.root > b.root ? 1 : 0));
  const kept = depth > 0 ? all.slice(0, depth) : all;
  for (const f of kept) f.files.sort();
  return kept;
}

/** Ansible's `combine_vars(old, new, merge)`: `new` over `old`, dicts merged recursively when `merge`. */
export function combineVars(old: unknown, value: unknown, merge: boolean): unknown {
  if (!merge || !isDict(old) || !isDict(value)) return value;
  const out: Record<string, unknown> = { ...old };
  for (const [k, v] of Object.entries(value)) out[k] = Object.hasOwn(out, k) ? combineVars(out[k], v, true) : v;
  return out;
}

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
