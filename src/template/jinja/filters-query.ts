/**
 * The data filters of community.general: json_query (JMESPath, with the
 * jmespath package), dict (pairs to a dictionary), dict_kv and lists_mergeby.
 */
import jmespath from 'jmespath';
import { isPlainObject } from '../values.js';
import type { FilterFn } from './filters.js';
import { kind, pyCompare, pyText } from './values.js';

function pairs(v: unknown): Record<string, unknown> {
  if (isPlainObject(v)) return { ...v };
  if (!Array.isArray(v)) throw new Error(`dict expects a list of pairs, got ${kind(v)}`);
  const out: Record<string, unknown> = {};
  v.forEach((item, i) => {
    const pair: unknown = typeof item === 'string' ? Array.from(item) : item;
    if (!Array.isArray(pair) || pair.length !== 2)
      throw new Error(
        `dictionary update sequence element #${String(i)} has length ${String(Array.isArray(pair) ? pair.length : 1)}; 2 is required`,
      );
    Object.defineProperty(out, pyText(pair[0]), {
      value: pair[1],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  });
  return out;
}

function mergeBy(
  lists: unknown[][],
  index: string,
  merge: (a: Record<string, unknown>, b: Record<string, unknown>) => Record<string, unknown>,
): unknown[] {
  const byKey = new Map<string, { key: unknown; value: Record<string, unknown> }>();
  for (const l of lists)
    for (const elem of l) {
      if (!isPlainObject(elem))
        throw new Error(
          `Elements of list arguments for lists_mergeby must be dictionaries. ${pyText(elem)} is ${kind(elem)}`,
        );
      if (!Object.prototype.hasOwnProperty.call(elem, index)) continue;
      const key = elem[index];
      const id = JSON.stringify(key);
      const old = byKey.get(id);
      byKey.set(id, { key, value: old ? merge(old.value, elem) : merge({}, elem) });
    }
  return [...byKey.values()].sort((a, b) => pyCompare(a.key, b.key)).map((e) => e.value);
}

/**
 * A copy of the data whose dictionaries have no prototype (the jmespath package reads `obj[key]`, so `constructor`
 * would find Object's), or, with `plain`, the copy back to ordinary dictionaries.
 */
function copy(x: unknown, plain: boolean): unknown {
  if (Array.isArray(x)) return x.map((v) => copy(v, plain));
  if (!isPlainObject(x)) return x;
  const out: Record<string, unknown> = plain ? {} : (Object.create(null) as Record<string, unknown>);
  for (const [k, v] of Object.entries(x))
    Object.defineProperty(out, k, { value: copy(v, plain), enumerable: true, writable: true, configurable: true });
  return out;
}

export const QUERY_FILTERS: Record<string, FilterFn> = {
  json_query: (v, [expr]) => {
    if (typeof expr !== 'string') throw new Error(`json_query expects a JMESPath expression, got ${kind(expr)}`);
    try {
      return copy(jmespath.search(copy(v, false), expr) as unknown, true);
    } catch (err) {
      throw new Error(
        `JMESPathError in json_query filter plugin: ${err instanceof Error ? err.message : String(err)}`,
        {
          cause: err,
        },
      );
    }
  },
  dict: (v) => pairs(v),
  dict_kv: (v, [key]) => ({ [pyText(key)]: v }),
  lists_mergeby: (v, args, kw, h) => {
    const extra = Object.keys(kw).filter((k) => k !== 'recursive' && k !== 'list_merge');
    if (extra.length) throw new Error("'recursive' and 'list_merge' are the only valid keyword arguments.");
    const terms = [v, ...args];
    if (terms.length < 2) throw new Error('At least one list and index are needed.');
    const lists: unknown[][] = [];
    for (const sub of terms.slice(0, -1)) {
      if (!Array.isArray(sub))
        throw new Error(
          `All arguments before the argument index for community.general.lists_mergeby must be lists. ${pyText(sub)} is ${kind(sub)}`,
        );
      if (sub.length && sub.every((x) => Array.isArray(x))) lists.push(...(sub as unknown[][]));
      else if (sub.length) lists.push(sub);
    }
    if (lists.length === 0) return [];
    if (lists.length === 1) return lists[0];
    const index = terms[terms.length - 1];
    if (typeof index !== 'string')
      throw new Error(
        `First argument after the lists for community.general.lists_mergeby must be string. ${pyText(index)} is ${kind(index)}`,
      );
    const opts = { recursive: kw['recursive'] ?? false, list_merge: kw['list_merge'] ?? 'replace' };
    const merge = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      h.filter('combine', a, [b], opts) as Record<string, unknown>;
    // Highest priority last: each list is merged under the result so far, as the collection does.
    let result = lists[lists.length - 1] ?? [];
    for (let i = lists.length - 2; i >= 0; i--) result = mergeBy([lists[i] ?? [], result], index, merge);
    return result;
  },
};
