/**
 * The `with_<lookup>` loops (`with_together`, `with_sequence`, `with_nested`,
 * `with_cartesian`, `with_subelements`, `with_fileglob`,
 * `with_indexed_items`, `with_first_found`): the loop's value, once rendered for a host, turned
 * into its items by the lookup of that name (src/template/lookups/, shared
 * with `lookup()` in Jinja2 expressions).
 */
import { BosunError, type SourcePos } from '../errors.js';
import { cartesian, indexedItems, listify, nested, subelements, together } from '../template/lookups/lists.js';
import { firstFoundIn } from '../template/lookups/files.js';
import { fileglob } from '../template/lookups/search.js';
import { sequence } from '../template/lookups/sequence.js';
import { LookupError } from '../template/lookups/types.js';

/**
 * The lookups a `with_<name>` loop may name (besides items, list and dict, which are plain loops), turned into items
 * here; the others (`with_inventory_hostnames`, `with_file`, `with_env`, ...) need the task's variables and run as
 * `query(name, *terms)` through the template engine (LoopSpec.query).
 */
export const LOOP_LOOKUPS = [
  'together',
  'sequence',
  'nested',
  'cartesian',
  'subelements',
  'fileglob',
  'indexed_items',
  'first_found',
] as const;

/** One of LOOP_LOOKUPS. */
export type LoopLookup = (typeof LOOP_LOOKUPS)[number];

/** A task's (or include's) loop as loaded: the value before templating and how it becomes items. */
export interface LoopSpec {
  /** The `loop:`/`with_*:` value (a list, or a template that renders to one). */
  value: unknown;
  source: SourcePos;
  /** `with_items`: flatten one level. */
  flatten: boolean;
  /** `with_<lookup>`: the lookup that turns the rendered value into items. */
  lookup?: LoopLookup;
  /** `with_<lookup>` of a lookup that reads the task's variables or the run: the plugin's name, run by the caller. */
  query?: string;
  /** `with_fileglob`, `with_first_found`: the folders searched for relative names, in order (role, task file, playbook). */
  searchDirs?: string[];
  /** `with_first_found`: the subfolder looked in, by the task's action (`templates`, `vars`, else `files`). */
  subdir?: string;
}

/**
 * The items of a loop from its rendered value: a plain loop's list (checked,
 * flattened for with_items), or what the lookup makes of it. Errors carry
 * the loop's position.
 */
export function expandLoopItems(
  loop: LoopSpec,
  rendered: unknown,
  query?: (name: string, terms: unknown[]) => unknown[],
): unknown[] {
  if (loop.query) {
    if (!query) throw new BosunError('SCHEMA', `with_${loop.query} is not available here`, { source: loop.source });
    // Ansible's task executor: the rendered value listified (a string is one term), then the plugin's run(terms).
    try {
      return query(loop.query, listify(rendered));
    } catch (err) {
      if (err instanceof BosunError && !err.source)
        throw new BosunError(err.code, err.message, { source: loop.source, ...(err.hint ? { hint: err.hint } : {}) });
      throw err;
    }
  }
  if (!loop.lookup) {
    if (!Array.isArray(rendered)) {
      throw new BosunError('SCHEMA', `loop expects a list, got ${rendered === null ? 'null' : typeof rendered}`, {
        source: loop.source,
      });
    }
    return loop.flatten ? rendered.flat(1) : rendered;
  }
  return expandLookupLoop(loop.lookup, rendered, {
    source: loop.source,
    searchDirs: loop.searchDirs ?? [],
    ...(loop.subdir ? { subdir: loop.subdir } : {}),
  });
}

/** What a lookup needs besides its terms. */
export interface LookupContext {
  source: SourcePos;
  searchDirs: string[];
  subdir?: string;
}

/** Run one lookup over the rendered `with_<lookup>` value (the lookups of src/template/lookups/). */
export function expandLookupLoop(lookup: LoopLookup, rendered: unknown, ctx: LookupContext): unknown[] {
  const terms = listify(rendered);
  try {
    switch (lookup) {
      case 'together':
        return together(terms);
      case 'nested':
        return nested(terms);
      case 'cartesian':
        return cartesian(terms);
      case 'indexed_items':
        return indexedItems(terms);
      case 'sequence':
        return terms.flatMap((t) => sequence(String(t)));
      case 'subelements':
        return subelements(terms);
      case 'fileglob': {
        const search = { paths: ctx.searchDirs, basedir: ctx.searchDirs[ctx.searchDirs.length - 1] ?? process.cwd() };
        return terms.flatMap((t) => fileglob(String(t), search));
      }
      case 'first_found': {
        const search = { paths: ctx.searchDirs, basedir: ctx.searchDirs[ctx.searchDirs.length - 1] ?? process.cwd() };
        return firstFoundIn(terms, {}, search, ctx.subdir ?? 'files');
      }
    }
  } catch (err) {
    if (err instanceof LookupError)
      throw new BosunError('SCHEMA', err.message, { source: ctx.source, ...(err.hint ? { hint: err.hint } : {}) });
    throw err;
  }
}
