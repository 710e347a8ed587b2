/**
 * The `with_<lookup>` loops (`with_together`, `with_sequence`, `with_nested`,
 * `with_cartesian`, `with_subelements`, `with_fileglob`,
 * `with_indexed_items`): the loop's value, once rendered for a host, turned
 * into its items the way Ansible's lookup plugin of that name does
 * (lib/ansible/plugins/lookup/<name>.py), quirks included.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { BosunError, type SourcePos } from '../errors.js';
import { parseKeyValues } from './arg-string.js';

/** The lookups a `with_<name>` loop may name (besides items, list and dict, which are plain loops). */
export const LOOP_LOOKUPS = [
  'together',
  'sequence',
  'nested',
  'cartesian',
  'subelements',
  'fileglob',
  'indexed_items',
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
  /** `with_fileglob`: the folders searched for relative patterns, in order (role, task file, playbook). */
  searchDirs?: string[];
}

/**
 * The items of a loop from its rendered value: a plain loop's list (checked,
 * flattened for with_items), or what the lookup makes of it. Errors carry
 * the loop's position.
 */
export function expandLoopItems(loop: LoopSpec, rendered: unknown): unknown[] {
  if (!loop.lookup) {
    if (!Array.isArray(rendered)) {
      throw new BosunError('SCHEMA', `loop expects a list, got ${rendered === null ? 'null' : typeof rendered}`, {
        source: loop.source,
      });
    }
    return loop.flatten ? rendered.flat(1) : rendered;
  }
  return expandLookupLoop(loop.lookup, rendered, { source: loop.source, searchDirs: loop.searchDirs ?? [] });
}

/** What a lookup needs besides its terms. */
export interface LookupContext {
  source: SourcePos;
  searchDirs: string[];
}

/** Run one lookup over the rendered `with_<lookup>` value. */
export function expandLookupLoop(lookup: LoopLookup, rendered: unknown, ctx: LookupContext): unknown[] {
  const terms = listify(rendered);
  const fail = (msg: string): never => {
    throw new BosunError('SCHEMA', msg, { source: ctx.source });
  };
  switch (lookup) {
    case 'together': {
      const lists = terms.map(listify);
      if (lists.length === 0) fail('with_together requires at least one element in each list');
      const length = Math.max(...lists.map((l) => l.length));
      return Array.from({ length }, (_v, i) => flattenOnce(lists.map((l) => (i < l.length ? l[i] : null))));
    }
    case 'nested': {
      const lists = terms.map(listify);
      if (lists.length === 0) fail('with_nested requires at least one element in the nested list');
      let result: unknown[] = lists[0]!;
      for (const next of lists.slice(1)) result = result.flatMap((x) => next.map((y) => flattenOnce([x, y])));
      // Ansible flattens each result again: with one list, a string item becomes its characters.
      return result.map((x) => flattenOnce(iterate(x, ctx.source)));
    }
    case 'cartesian': {
      const lists = terms.map(listify);
      if (lists.length === 0) fail('with_cartesian requires at least one element in each list');
      let tuples: unknown[][] = [[]];
      for (const list of lists) tuples = tuples.flatMap((t) => list.map((y) => [...t, y]));
      return tuples.map(flattenOnce);
    }
    case 'indexed_items':
      return flattenOnce(terms).map((x, i) => [i, x]);
    case 'sequence':
      return terms.flatMap((t) => sequence(String(t), ctx.source));
    case 'subelements':
      return subelements(terms, ctx.source);
    case 'fileglob':
      return terms.flatMap((t) => fileglob(String(t), ctx.searchDirs));
  }
}

/** Ansible's listify_lookup_plugin_terms after templating: a string or a scalar becomes a one-item list. */
function listify(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === 'object') return Object.keys(value);
  return [value];
}

/** Python iteration of a value that Ansible's `_flatten` walks (a string yields its characters). */
function iterate(value: unknown, source: SourcePos): unknown[] {
  if (Array.isArray(value)) return value;
  // eslint-disable-next-line @typescript-eslint/no-misused-spread -- Python iterates a str by code points, which is what the spread yields
  if (typeof value === 'string') return [...value];
  if (value !== null && typeof value === 'object') return Object.keys(value);
  throw new BosunError('SCHEMA', `with_nested: '${String(value)}' is not a list`, { source });
}

/** LookupBase._flatten: lists inside are spliced in, one level. */
function flattenOnce(values: readonly unknown[]): unknown[] {
  return values.flatMap((v): unknown[] => (Array.isArray(v) ? v : [v]));
}

// with_sequence ---------------------------------------------------------------

const NUM = '(0?x?[0-9a-f]+)';
const SHORTCUT = new RegExp(`^(${NUM}-)?${NUM}(/${NUM})?(:(.+))?$`, 'is');

/** Python's int(text, 0): decimal without leading zeros, 0x, 0o, 0b. */
function pyInt(text: string): number | undefined {
  const t = text.trim().replace(/_/g, '');
  const m = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|([1-9][0-9]*|0+))$/.exec(t);
  if (!m) return undefined;
  const n =
    m[2] !== undefined
      ? parseInt(m[2], 16)
      : m[3] !== undefined
        ? parseInt(m[3], 8)
        : m[4] !== undefined
          ? parseInt(m[4], 2)
          : parseInt(m[5]!, 10);
  return m[1] === '-' ? -n : n;
}

/** One with_sequence term: `[start-]end[/stride][:format]` or `start= end= count= stride= format=`. */
export function sequence(term: string, source: SourcePos): string[] {
  const fail = (msg: string): never => {
    throw new BosunError('SCHEMA', msg, {
      source,
      hint: 'with_sequence takes start=N end=N (or count=N), stride=N, format=%d, or the short form [start-]end[/stride][:format]',
    });
  };
  let start = 1;
  let end: number | undefined;
  let count: number | undefined;
  let stride = 1;
  let format = '%d';
  const num = (name: string, raw: string): number => pyInt(raw) ?? fail(`can't parse ${name}=${raw} as integer`);
  const short = SHORTCUT.exec(term);
  if (short) {
    if (short[2] !== undefined) start = num('start', short[2]);
    end = num('end', short[3]!);
    if (short[5] !== undefined) stride = num('stride', short[5]);
    if (short[7] !== undefined) format = short[7];
  } else {
    const { values, rest } = parseKeyValues(term, source);
    if (rest.length) fail(`unrecognized arguments to with_sequence: ['_raw_params']`);
    for (const [k, v] of Object.entries(values)) {
      if (k === 'start') start = num(k, v);
      else if (k === 'end') end = num(k, v);
      else if (k === 'count') count = num(k, v);
      else if (k === 'stride') stride = num(k, v);
      else if (k === 'format') format = v;
      else
        fail(
          `unrecognized arguments to with_sequence: [${Object.keys(values)
            .filter((x) => !['start', 'end', 'count', 'stride', 'format'].includes(x))
            .map((x) => `'${x}'`)
            .join(', ')}]`,
        );
    }
  }
  if (count === undefined && end === undefined) fail('must specify count or end in with_sequence');
  if (count !== undefined && end !== undefined) fail("can't specify both count and end in with_sequence");
  if (count !== undefined) {
    if (count !== 0) end = start + count * stride - 1;
    else [start, end, stride] = [0, 0, 0];
  }
  const last = end!;
  if (stride > 0 && last < start) fail('to count backwards make stride negative');
  if (stride < 0 && last > start) fail("to count forward don't make stride negative");
  if (format.split('%').length - 1 !== 1) fail(`bad formatting string: ${format}`);
  if (stride === 0) return [];
  const out: string[] = [];
  // Python's range(start, end + adjust, stride).
  const stop = last + (stride > 0 ? 1 : -1);
  for (let i = start; stride > 0 ? i < stop : i > stop; i += stride) out.push(printf(format, i, source));
  return out;
}

/** Python's `format % i` for a format with one conversion. */
function printf(format: string, n: number, source: SourcePos): string {
  const m = /%([-+ 0#]*)(\d+)?(?:\.(\d+))?([diouxXeEfFgGcrs])/.exec(format);
  if (!m) throw new BosunError('SCHEMA', `problem formatting ${n} with '${format}'`, { source });
  const [whole, flags = '', width, precision, conv] = m;
  let body: string;
  const abs = Math.abs(n);
  switch (conv) {
    case 'd':
    case 'i':
    case 'u':
      body = String(abs);
      break;
    case 'o':
      body = (flags.includes('#') ? '0o' : '') + abs.toString(8);
      break;
    case 'x':
      body = (flags.includes('#') ? '0x' : '') + abs.toString(16);
      break;
    case 'X':
      body = (flags.includes('#') ? '0X' : '') + abs.toString(16).toUpperCase();
      break;
    case 'f':
    case 'F':
      body = abs.toFixed(precision === undefined ? 6 : Number(precision));
      break;
    case 'e':
    case 'E': {
      // toExponential always writes `<mantissa>e<sign><digits>`.
      const [mant, exp] = abs.toExponential(precision === undefined ? 6 : Number(precision)).split('e') as [
        string,
        string,
      ];
      body = `${mant}e${exp.startsWith('-') ? '-' : '+'}${exp.replace(/^[-+]/, '').padStart(2, '0')}`;
      if (conv === 'E') body = body.toUpperCase();
      break;
    }
    case 'g':
    case 'G':
      body = String(abs);
      break;
    case 'c':
      body = String.fromCodePoint(n);
      break;
    default:
      body = String(abs);
  }
  const numeric = conv !== 'c' && conv !== 's' && conv !== 'r';
  const sign = numeric ? (n < 0 ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '') : n < 0 ? '-' : '';
  if ((conv === 's' || conv === 'r') && precision !== undefined) body = body.slice(0, Number(precision));
  let text = sign + body;
  const w = width === undefined ? 0 : Number(width);
  if (text.length < w) {
    if (flags.includes('-')) text = text.padEnd(w);
    else if (flags.includes('0') && numeric) text = sign + body.padStart(w - sign.length, '0');
    else text = text.padStart(w);
  }
  return format.replace(whole, () => text);
}

// with_subelements ------------------------------------------------------------

function subelements(terms: unknown[], source: SourcePos): unknown[] {
  const fail = (msg: string): never => {
    throw new BosunError('SCHEMA', msg, { source });
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

// with_fileglob ---------------------------------------------------------------

/**
 * Files (not folders) matching the pattern's last part, on the controller.
 * A bare pattern is tried in `files/` then the folder itself of each search
 * folder, the first with matches winning; a pattern with a folder is globbed
 * in the first search folder (`files/<dir>`, then `<dir>`) that has that
 * folder. Results are sorted (Python's glob gives directory order).
 */
export function fileglob(term: string, searchDirs: readonly string[]): string[] {
  const base = path.basename(term);
  const dir = path.dirname(term);
  const candidates: string[] = [];
  if (base === term) {
    for (const d of searchDirs) candidates.push(path.join(d, 'files'), d);
  } else if (path.isAbsolute(dir)) candidates.push(dir);
  else {
    const found = searchDirs
      .flatMap((d) =>
        dir.split('/')[0] === 'files' ? [path.join(d, dir)] : [path.join(d, 'files', dir), path.join(d, dir)],
      )
      .find(isDir);
    if (found) candidates.push(found);
  }
  const match = globRegExp(base);
  for (const d of candidates) {
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

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
