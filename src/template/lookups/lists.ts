/**
 * The lookups over lists and dicts (`items`, `list`, `dict`, `indexed_items`,
 * `together`, `nested`, `cartesian`, `subelements`): what Ansible's plugin of
 * that name (lib/ansible/plugins/lookup/<name>.py) makes of its terms, quirks
 * included. `with_<name>` loops and `lookup('<name>', ...)` share them.
 */
import { isPlainObject } from '../values.js';
import { LookupError } from './types.js';

/** Ansible's listify_lookup_plugin_terms after templating: a string or a scalar becomes a one-item list. */
export function listify(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === 'object') return Object.keys(value);
  return [value];
}

/** Python iteration of a value that Ansible's `_flatten` walks (a string yields its characters). */
function iterate(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  // eslint-disable-next-line @typescript-eslint/no-misused-spread -- Python iterates a str by code points, which is what the spread yields
  if (typeof value === 'string') return [...value];
  if (value !== null && typeof value === 'object') return Object.keys(value);
  throw new LookupError(`with_nested: '${String(value)}' is not a list`);
}

/** LookupBase._flatten: lists inside are spliced in, one level. */
export function flattenOnce(values: readonly unknown[]): unknown[] {
  return values.flatMap((v): unknown[] => (Array.isArray(v) ? v : [v]));
}

/** `together`: the lists zipped, the shorter ones padded with None. */
export function together(terms: unknown[]): unknown[] {
  const lists = terms.map(listify);
  if (lists.length === 0) throw new LookupError('with_together requires at least one element in each list');
  const length = Math.max(...lists.map((l) => l.length));
  return Array.from({ length }, (_v, i) => flattenOnce(lists.map((l) => (i < l.length ? l[i] : null))));
}

/** `nested`: every combination, each flattened (a string item of a single list becomes its characters). */
export function nested(terms: unknown[]): unknown[] {
  const lists = terms.map(listify);
  if (lists.length === 0) throw new LookupError('with_nested requires at least one element in the nested list');
  let result: unknown[] = lists[0]!;
  for (const next of lists.slice(1)) result = result.flatMap((x) => next.map((y) => flattenOnce([x, y])));
  // Ansible flattens each result again: with one list, a string item becomes its characters.
  return result.map((x) => flattenOnce(iterate(x)));
}

/** `cartesian`: the product of the lists, each tuple flattened. */
export function cartesian(terms: unknown[]): unknown[] {
  const lists = terms.map(listify);
  if (lists.length === 0) throw new LookupError('with_cartesian requires at least one element in each list');
  let tuples: unknown[][] = [[]];
  for (const list of lists) tuples = tuples.flatMap((t) => list.map((y) => [...t, y]));
  return tuples.map(flattenOnce);
}

/** `indexed_items`: [index, item] of the terms flattened one level. */
export function indexedItems(terms: unknown[]): unknown[] {
  return flattenOnce(terms).map((x, i) => [i, x]);
}

/** `items`: the terms flattened one level. */
export function items(terms: unknown[]): unknown[] {
  return flattenOnce(terms);
}

/** `dict`: every mapping's pairs as {key, value}. */
export function dictItems(terms: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const term of terms) {
    if (!isPlainObject(term)) throw new LookupError('with_dict expects a dict');
    for (const [key, value] of Object.entries(term)) out.push({ key, value });
  }
  return out;
}

/** `subelements`: [list or dict, 'key.path', {skip_missing}] -> [element, subitem] pairs. */
export function subelements(terms: unknown[]): unknown[] {
  const fail = (msg: string): never => {
    throw new LookupError(msg);
  };
  const termsError = (msg = ''): never => fail(`subelements lookup expects a list of two or three items, ${msg}`);
  if (terms.length < 2 || terms.length > 3) termsError();
  const first =
    Array.isArray(terms[0]) || (terms[0] !== null && typeof terms[0] === 'object') ? terms[0] : listify(terms[0]);
  if (typeof terms[1] !== 'string') termsError('first a dict or a list, second a string pointing to the subkey');
  const keys = (terms[1] as string).split('.');
  let elements: unknown[];
  if (Array.isArray(first)) elements = first;
  else {
    const dict = first as Record<string, unknown>;
    if (dict['skipped'] !== undefined && dict['skipped'] !== false) return [];
    elements = Object.values(dict);
  }
  const flags = terms.length === 3 ? terms[2] : {};
  if (
    flags === null ||
    typeof flags !== 'object' ||
    Array.isArray(flags) ||
    Object.keys(flags).some((k) => k !== 'skip_missing')
  ) {
    termsError("the optional third item must be a dict with flags ('skip_missing',)");
  }
  const skipMissing = looseBool((flags as Record<string, unknown>)['skip_missing']);
  const out: unknown[] = [];
  for (const element of elements) {
    if (element === null || typeof element !== 'object' || Array.isArray(element))
      fail(`subelements lookup expects a dictionary, got '${display(element)}'`);
    const item0 = element as Record<string, unknown>;
    if (item0['skipped'] !== undefined && item0['skipped'] !== false) continue;
    // Ansible pops the sublist out of the element: item.0 no longer has it. Copy along the path instead of mutating.
    const copy: Record<string, unknown> = { ...item0 };
    let value = copy;
    let sublist: unknown[] = [];
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      const last = k === keys.length - 1;
      if (!(key in value)) {
        if (skipMissing) continue;
        fail(`could not find '${key}' key in iterated item '${display(value)}'`);
      }
      const next = value[key];
      if (!last) {
        if (next === null || typeof next !== 'object' || Array.isArray(next)) {
          if (skipMissing) continue;
          fail(`the key ${key} should point to a dictionary, got '${display(next)}'`);
        }
        value = value[key] = { ...(next as Record<string, unknown>) };
      } else {
        if (!Array.isArray(next)) fail(`the key ${key} should point to a list, got '${display(next)}'`);
        sublist = next as unknown[];
        // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- the item is a YAML mapping (a dict), and Ansible pops the subelements key out of it
        delete value[key];
      }
    }
    for (const item1 of sublist) out.push([copy, item1]);
  }
  return out;
}

function looseBool(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  // Only a string or a number can be one of these words (null, a list or a mapping never is).
  if (typeof value !== 'string' && typeof value !== 'number') return false;
  return ['y', 'yes', 'on', '1', 'true', 't', '1.0'].includes(String(value).toLowerCase());
}

function display(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
