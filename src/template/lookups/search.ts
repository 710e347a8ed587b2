/**
 * Where lookups find controller files, as Ansible finds them: the task's
 * search path (`ansible_search_path`: the role, the task file's folder, the
 * playbook's folder), each tried with the lookup's subfolder (`files/`,
 * `templates/`) first, then the playbook folder as the last resort
 * (DataLoader.path_dwim_relative_stack). And `fileglob`, which globs in the
 * folder found that way.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** The folders a lookup searches and the playbook's folder (Ansible's loader basedir). */
export interface SearchPath {
  paths: readonly string[];
  basedir: string;
}

/** `~` and `~/x` as the controller user's home. */
export function expandHome(p: string): string {
  if (p === '~') return homedir();
  if (p.startsWith('~/')) return path.join(homedir(), p.slice(2));
  return p;
}

/** Ansible's imperfect role detection: a folder with tasks/main.yml or meta/main.yml, or a role's tasks/ folder. */
function isRole(p: string): boolean {
  const mains = ['main.yml', 'main.yaml', 'main'];
  if (/\/tasks\/?$/.test(p) && mains.some((m) => existsSync(path.join(p, m)))) return true;
  for (const base of [p, path.dirname(p)])
    for (const sub of ['tasks', 'meta']) if (mains.some((m) => existsSync(path.join(base, sub, m)))) return true;
  return false;
}

/** The places tried for `needle` under `subdir`, in order. */
export function candidates(search: SearchPath, subdir: string, needle: string): string[] {
  if (needle.startsWith('~') || needle.startsWith('/')) return [path.resolve(expandHome(needle))];
  const out: string[] = [];
  const usesSubdir = needle.split('/')[0] === subdir;
  for (const p of search.paths) {
    const dir = path.resolve(p);
    const parent = path.dirname(dir);
    if (parent.endsWith('/tasks') && isRole(p)) {
      out.push(path.join(path.dirname(parent), subdir, needle), path.join(parent, needle));
    } else {
      if (!usesSubdir) out.push(path.join(dir, subdir, needle));
      out.push(path.join(dir, needle));
    }
  }
  const base = path.resolve(search.basedir);
  if (!usesSubdir) out.push(path.join(base, subdir, needle));
  out.push(path.join(base, needle));
  return out;
}

/** The first existing place of `needle` (a file or a folder), or undefined. */
export function findFile(search: SearchPath, subdir: string, needle: string): string | undefined {
  return candidates(search, subdir, needle).find((c) => existsSync(c));
}

/**
 * `fileglob`: files (not folders) matching the pattern's last part. A bare
 * pattern is tried in `files/` then the folder itself of each search path,
 * the first with matches winning; a pattern with a folder is globbed in the
 * place that folder is found at. Results are sorted (Python's glob gives
 * directory order).
 */
export function fileglob(term: string, search: SearchPath): string[] {
  const base = path.basename(term);
  const dirs: string[] = [];
  if (base === term) {
    for (const p of search.paths) dirs.push(path.join(p, 'files'), p);
  } else {
    const found = findFile(search, 'files', path.dirname(term));
    if (found) dirs.push(found);
  }
  const match = globRegExp(base);
  for (const d of dirs) {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      continue;
    }
    const files = names
      .filter((n) => match.test(n))
      .map((n) => path.join(d, n))
      .filter(isFile)
      .sort();
    if (files.length) return files;
  }
  return [];
}

/** Python fnmatch of one path part; `*` and `?` do not match a leading dot. */
function globRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) re += '\\[';
      else {
        let set = pattern.slice(i + 1, close);
        set = set.startsWith('!') ? `^${set.slice(1)}` : set.startsWith('^') ? `\\${set}` : set;
        re += `[${set.replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${pattern.startsWith('.') ? '' : '(?!\\.)'}${re}$`, 's');
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
