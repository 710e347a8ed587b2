/**
 * `lookup()`, `query()` and `q()` of Jinja2 expressions, with Ansible's
 * semantics (Templar._lookup): the positional arguments are the terms;
 * `wantlist=True` (always, for query) gives the plugin's list, otherwise a
 * list of texts is joined with commas, one non-text item is itself and more
 * are the list; an empty result is `[]` either way; `errors='strict'` (the
 * default) fails, `'warn'` and `'ignore'` give None (or `[]` with wantlist)
 * instead, except for undefined variables and bad options.
 */
import { BosunError } from '../../errors.js';
import { env, pipe, url } from './controller.js';
import { file, fileglobLookup, firstFound, template } from './files.js';
import { cartesian, dictItems, indexedItems, items, nested, subelements, together } from './lists.js';
import { checkOptions, LookupOptionsError } from './options.js';
import { password } from './password.js';
import { sequence } from './sequence.js';
import { LookupError, type LookupFn, type LookupHost } from './types.js';
import { inventoryHostnames, vars, varnames } from './vars.js';

import { refuseInSpeculation } from '../../util/speculation-flag.js';
export { LookupError, type LookupHost } from './types.js';

/** A plugin that takes no options. */
function plain(name: string, fn: (terms: unknown[]) => unknown[]): LookupFn {
  return (terms, options) => {
    checkOptions(name, options, []);
    return fn(terms);
  };
}

/** The lookup plugins bosun has, by Ansible's names. */
export const LOOKUPS: Readonly<Record<string, LookupFn>> = {
  env,
  file,
  fileglob: fileglobLookup,
  first_found: firstFound,
  template,
  password,
  pipe,
  url,
  vars,
  varnames,
  inventory_hostnames: inventoryHostnames,
  items: plain('items', items),
  list: plain('list', (terms) => terms),
  indexed_items: plain('indexed_items', indexedItems),
  dict: plain('dict', dictItems),
  together: plain('together', together),
  nested: plain('nested', nested),
  cartesian: plain('cartesian', cartesian),
  subelements: plain('subelements', subelements),
  sequence: plain('sequence', (terms) => terms.flatMap((t) => sequence(String(t)))),
};

/** The plugin name without `ansible.builtin.` / `ansible.legacy.`. */
function shortName(name: string): string {
  return name.replace(/^ansible\.(builtin|legacy)\./, '');
}

/** What the caller of a lookup gets besides the plugin's host. */
export interface LookupCall {
  /** `query()`/`q()`: always the list. */
  query: boolean;
  /** Print a warning (errors='warn'). */
  warn(message: string): void;
}

/** Run `lookup(name, *args, **kwargs)` (or query). */
export function runLookup(
  name: unknown,
  args: unknown[],
  kwargs: Record<string, unknown>,
  host: LookupHost,
  call: LookupCall,
): unknown {
  // A lookup may run a command or write a file on the controller: never ahead of its task.
  refuseInSpeculation(`lookup ${String(name)}`);
  const fn = typeof name === 'string' ? LOOKUPS[shortName(name)] : undefined;
  if (!fn)
    throw new BosunError('TEMPLATE_RENDER', `lookup plugin (${String(name)}) not found`, {
      hint: `bosun has the lookups ${Object.keys(LOOKUPS).join(', ')}`,
    });
  const { wantlist = false, errors = 'strict', allow_unsafe: _unsafe, ...options } = kwargs;
  if (errors !== 'strict' && errors !== 'warn' && errors !== 'ignore')
    throw new BosunError('TEMPLATE_RENDER', `errors must be 'strict', 'warn' or 'ignore', got '${String(errors)}'`);
  const asList = call.query || wantlist === true;
  let ran: unknown[];
  try {
    ran = fn(args, options, host);
  } catch (err) {
    if (err instanceof LookupOptionsError)
      throw new BosunError('TEMPLATE_RENDER', `lookup('${String(name)}'): ${err.message}`, { hint: err.hint });
    if (err instanceof BosunError) throw err;
    const message = `lookup('${String(name)}') failed: ${(err as Error).message}`;
    if (errors === 'strict')
      throw new BosunError('TEMPLATE_RENDER', message, err instanceof LookupError ? { hint: err.hint } : {});
    if (errors === 'warn') call.warn(`Lookup failed but the error is being ignored: ${(err as Error).message}`);
    return asList ? [] : null;
  }
  if (ran.length === 0 || asList) return ran;
  if (ran.every((x) => typeof x === 'string')) return ran.join(',');
  return ran.length === 1 ? ran[0] : ran;
}
