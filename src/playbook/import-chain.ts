/**
 * The chain of imports that led to a file being loaded, and the two checks
 * made on it: a static import (import_tasks, import_role, import_playbook, a
 * role dependency) of a file still being loaded is a cycle, reported at load
 * time with every import of the cycle; include_tasks and include_role, read
 * at run time, may recurse (a `when:` ends it) but nest at most
 * MAX_INCLUDE_DEPTH deep.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { BosunError, type SourcePos } from '../errors.js';
import type { ImportLink } from './types.js';

/** How deep include_tasks and include_role may nest at run time. */
export const MAX_INCLUDE_DEPTH = 64;

/** A link of the chain for `file`, read from `from`; its key is the file's real path when it exists. */
export function importLink(
  file: string,
  from: SourcePos | undefined,
  how: ImportLink['how'],
  role?: string,
): ImportLink {
  let key = file;
  try {
    key = realpathSync(file);
  } catch {
    // Not there (yet): the read that follows reports it.
  }
  return { key, file, from, how, ...(role !== undefined ? { role } : {}) };
}

/**
 * The chain with `link` added, after checking it: a static link to a file
 * still being loaded is an IMPORT_CYCLE error; an include past the depth
 * limit an INCLUDE_DEPTH error. Both are positioned at `link.from` and name
 * files relative to `baseDir` (the playbook's folder) where they are inside it.
 */
export function enterLink(chain: readonly ImportLink[], link: ImportLink, baseDir: string): ImportLink[] {
  const source = link.from ? { source: link.from } : {};
  if (link.how === 'includes') {
    const depth = chain.filter((l) => l.how === 'includes').length + 1;
    if (depth > MAX_INCLUDE_DEPTH)
      throw new BosunError(
        'INCLUDE_DEPTH',
        `include depth limit of ${String(MAX_INCLUDE_DEPTH)} exceeded: ${describeChain([...chain, link], baseDir)}`,
        {
          ...source,
          hint: 'an include_tasks or include_role that includes itself (directly or through other files) needs a when: that ends the recursion',
        },
      );
    return [...chain, link];
  }
  // Only the files still being loaded can close a cycle: those since the last include (a file that
  // holds an include_tasks was loaded in full before the include ran).
  const start = Math.max(
    0,
    chain.findLastIndex((l) => l.how === 'includes'),
  );
  const at = chain.findIndex((l, i) => i >= start && l.key === link.key);
  if (at >= 0)
    throw new BosunError('IMPORT_CYCLE', `import cycle: ${describeChain([...chain.slice(at + 1), link], baseDir)}`, {
      ...source,
      hint: 'an import is expanded when the playbook is loaded, so a file cannot import itself; use include_tasks or include_role with a when: that ends the recursion',
    });
  return [...chain, link];
}

/** The links as "a.yml:3:5 imports b.yml, ...", runs of a repeating part said once with a count. */
function describeChain(links: readonly ImportLink[], baseDir: string): string {
  const show = (file: string): string => {
    const rel = path.relative(baseDir, file);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
  };
  const steps = links
    .filter((l) => l.from !== undefined)
    .map((l) => {
      const from = l.from!;
      const target = l.role === undefined ? show(l.file) : `role ${l.role} (${show(l.file)})`;
      return `${show(from.file)}:${String(from.line)}:${String(from.col)} ${l.how} ${target}`;
    });
  return compressRuns(steps).join(', ');
}

/** The longest part that repeats right after itself, at most this long, is said once with a count. */
const MAX_PERIOD = 8;

/** Runs of a repeated part said once: [x, a, a, a] as [x, "a (3 times)"], [a, b, a, b] as ["[a, b] (2 times)"]. */
function compressRuns(items: readonly string[]): string[] {
  const out: string[] = [];
  const same = (i: number, j: number, n: number): boolean => {
    for (let k = 0; k < n; k++) if (items[i + k] !== items[j + k]) return false;
    return true;
  };
  let i = 0;
  while (i < items.length) {
    let best = { period: 1, reps: 1 };
    for (let period = 1; period <= MAX_PERIOD && i + 2 * period <= items.length; period++) {
      let reps = 1;
      while (i + (reps + 1) * period <= items.length && same(i, i + reps * period, period)) reps++;
      if (reps > 1 && reps * period > best.reps * best.period) best = { period, reps };
    }
    if (best.reps > 2 || (best.reps === 2 && best.period > 1)) {
      const part = items.slice(i, i + best.period);
      out.push(`${part.length === 1 ? part[0]! : `[${part.join(', ')}]`} (${String(best.reps)} times)`);
      i += best.period * best.reps;
    } else {
      out.push(items[i]!);
      i++;
    }
  }
  return out;
}
