/**
 * Jinja2 and Ansible filters (`x | default('a')`, `l | map(attribute='n')`),
 * each with Ansible's semantics. A filter gets its input (an Undef only for
 * the filters in LAZY_FILTERS), its arguments and keyword arguments, and the
 * helpers to call other filters and tests (map, select).
 */
import { createHash, randomInt } from 'node:crypto';
import { encrypt as cryptHash } from 'unixcrypt';
import { posix } from 'node:path';
import { Document, isScalar, parse as parseYaml, stringify as stringifyYaml, visit } from 'yaml';
import { BosunError } from '../../errors.js';
import { regex } from '../helpers.js';
import { isPlainObject } from '../values.js';
import type { Helpers } from './eval.js';
import { NET_FILTERS } from './filters-net.js';
import { QUERY_FILTERS } from './filters-query.js';
import { CRYPTO_FILTERS } from './filters-crypto.js';
import { pySplit } from './methods.js';
import { pyQuote } from '../../util/py-quote.js';
import { ANSIBLE_FILTERS } from './filters-ansible.js';
import { compareVersions } from './version.js';
import { kind, printf, pyCompare, pyEqual, pyText, pyTruthy, truthy, typeName, Undef } from './values.js';
import { shlexQuote } from '../../util/python-text.js';

export type FilterFn = (value: unknown, args: unknown[], kwargs: Record<string, unknown>, h: Helpers) => unknown;

/** Filters that take an undefined input without failing. */
export const LAZY_FILTERS: ReadonlySet<string> = new Set(['default', 'd', 'mandatory']);

function list(v: unknown, what = 'the input'): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return Array.from(v);
  if (isPlainObject(v)) return Object.keys(v);
  throw new Error(`${what} must be a list, got ${kind(v)}`);
}

function str(v: unknown, what: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return pyText(v);
  throw new Error(`${what} must be a string, got ${kind(v)}`);
}

function dict(v: unknown, what = 'the input'): Record<string, unknown> {
  if (isPlainObject(v)) return v;
  throw new Error(`${what} must be a dict, got ${kind(v)}`);
}

/** `attribute='a.b'` or `attribute=0` of an item; undefined when missing. */
function attr(item: unknown, path: unknown): unknown {
  let cur = item;
  for (const part of String(path).split('.')) {
    if (Array.isArray(cur) && /^\d+$/.test(part)) cur = cur[Number(part)];
    else if (isPlainObject(cur) && Object.prototype.hasOwnProperty.call(cur, part)) cur = cur[part];
    else return undefined;
  }
  return cur;
}

function unique(items: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const x of items) if (!out.some((y) => pyEqual(x, y))) out.push(x);
  return out;
}

function toBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === null || v === undefined) return false;
  const s = typeof v === 'string' ? v.trim().toLowerCase() : pyText(v);
  return ['yes', 'on', '1', 'true', 'y', 't', '1.0'].includes(s);
}

function toInt(v: unknown, fallback: unknown, base: unknown): unknown {
  if (typeof v === 'boolean') return Number(v);
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : fallback;
  if (typeof v === 'string') {
    const s = v.trim().replace(/_/g, '');
    const b = typeof base === 'number' ? base : 10;
    if (b === 16 && /^[-+]?(0x)?[0-9a-f]+$/i.test(s)) return Number.parseInt(s, 16);
    if (b === 8 && /^[-+]?(0o)?[0-7]+$/i.test(s)) return Number.parseInt(s.replace(/0o/i, ''), 8);
    if (b === 2 && /^[-+]?(0b)?[01]+$/i.test(s)) return Number.parseInt(s.replace(/0b/i, ''), 2);
    if (b === 10 && /^[-+]?\d+$/.test(s)) return Number.parseInt(s, 10);
    if (b === 10 && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) return Math.trunc(Number(s));
  }
  return fallback;
}

function toFloat(v: unknown, fallback: unknown): unknown {
  if (typeof v === 'boolean') return Number(v);
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const s = v.trim();
    if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) return Number(s);
    if (/^[-+]?inf(inity)?$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  }
  return fallback;
}

/** Python's json.dumps: `", "` and `": "` separators, non-ASCII escaped unless asked not to. */
export function pyJson(
  value: unknown,
  opts: { indent?: number; sortKeys?: boolean; ascii?: boolean } = {},
  depth = 0,
): string {
  const ascii = opts.ascii ?? true;
  const nl = opts.indent === undefined ? '' : `\n${' '.repeat(opts.indent * (depth + 1))}`;
  const end = opts.indent === undefined ? '' : `\n${' '.repeat(opts.indent * depth)}`;
  const sep = opts.indent === undefined ? ', ' : ',';
  if (value instanceof Undef) throw value.error();
  if (value === null || value === undefined) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    return String(value);
  }
  if (typeof value === 'string') {
    const json = JSON.stringify(value);
    return ascii
      ? json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
      : json;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[${nl}${value.map((v) => pyJson(v, opts, depth + 1)).join(sep + nl)}${end}]`;
  }
  const keys = Object.keys(value);
  if (opts.sortKeys) keys.sort();
  if (keys.length === 0) return '{}';
  const rec = value as Record<string, unknown>;
  return `{${nl}${keys.map((k) => `${pyJson(k, opts)}: ${pyJson(rec[k], opts, depth + 1)}`).join(sep + nl)}${end}}`;
}

function combine(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  recursive: boolean,
  listMerge: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const old = out[k];
    if (recursive && isPlainObject(old) && isPlainObject(v)) out[k] = combine(old, v, recursive, listMerge);
    else if (Array.isArray(old) && Array.isArray(v) && listMerge !== 'replace') {
      const o = old as unknown[];
      const n = v as unknown[];
      if (listMerge === 'keep') out[k] = o;
      else if (listMerge === 'append') out[k] = [...o, ...n];
      else if (listMerge === 'prepend') out[k] = [...n, ...o];
      else if (listMerge === 'append_rp') out[k] = [...o.filter((x) => !n.some((y) => pyEqual(x, y))), ...n];
      else if (listMerge === 'prepend_rp') out[k] = [...n, ...o.filter((x) => !n.some((y) => pyEqual(x, y)))];
      else
        throw new Error(
          `list_merge must be replace, keep, append, prepend, append_rp or prepend_rp, got '${listMerge}'`,
        );
    } else out[k] = v;
  }
  return out;
}

function flatten(items: unknown[], levels: number | undefined, skipNulls: boolean): unknown[] {
  const out: unknown[] = [];
  for (const x of items) {
    if (skipNulls && (x === null || x === 'None')) continue;
    if (Array.isArray(x) && (levels === undefined || levels > 0))
      out.push(...flatten(x, levels === undefined ? undefined : levels - 1, skipNulls));
    else out.push(x);
  }
  return out;
}

function sortKey(v: unknown, caseSensitive: boolean): unknown {
  return !caseSensitive && typeof v === 'string' ? v.toLowerCase() : v;
}

/** Python's re.sub template: `\\1`, `\\g<1>`, `\\g<name>`, `\\n`, `\\\\`; any other escape kept as written. */
function pyReplacement(
  template: string,
): (numbered: Array<string | undefined>, named: Record<string, string | undefined>) => string {
  return (numbered, named) =>
    template.replace(
      /\\(?:g<(\w+)>|(\d{1,2})|(.))/gs,
      (all, g: string | undefined, d: string | undefined, c: string | undefined) => {
        if (g !== undefined) return (/^\d+$/.test(g) ? numbered[Number(g)] : named[g]) ?? '';
        if (d !== undefined) return numbered[Number(d)] ?? '';
        if (c === 'n') return '\n';
        if (c === 't') return '\t';
        if (c === '\\') return '\\';
        return all;
      },
    );
}

/**
 * PyYAML's dump with default_flow_style=None: a collection of scalars only in flow style, others in block style;
 * mapping keys sorted unless `sort_keys=False` (PyYAML's default, which Ansible's to_yaml keeps).
 */
function pyYaml(v: unknown, sortKeys: boolean): string {
  const doc = new Document(v, { sortMapEntries: sortKeys });
  visit(doc, {
    Map: (_k, node) => {
      if (node.items.every((p) => isScalar(p.value))) node.flow = true;
    },
    Seq: (_k, node) => {
      if (node.items.every((i) => isScalar(i))) node.flow = true;
    },
  });
  return doc.toString({ indent: 2, lineWidth: 0, flowCollectionPadding: false });
}

function regexFlags(kw: Record<string, unknown>, g = ''): string {
  return `${g}${kw['ignorecase'] === true ? 'i' : ''}${kw['multiline'] === true ? 'm' : ''}`;
}

function pyRound(v: number, precision: number, method: string): number {
  const f = 10 ** precision;
  if (method === 'floor') return Math.floor(v * f) / f;
  if (method === 'ceil') return Math.ceil(v * f) / f;
  if (!Number.isFinite(v) || precision < 0 || precision > 20) return Math.round(v * f) / f;
  // Python rounds the exact binary value, halves to even; toFixed rounds the exact value too, halves up.
  const exact = Math.abs(v).toFixed(Math.min(100, precision + 60));
  const rest = exact.slice(exact.indexOf('.') + 1 + precision);
  const half = /^50*$/.test(rest);
  let out = Number(v.toFixed(precision));
  if (half) {
    const down = Math.trunc(Math.abs(v) * f) / f;
    const lastEven = Math.round(down * f) % 2 === 0;
    out = Math.sign(v) * (lastEven ? down : down + 1 / f);
  }
  return out;
}

function selectBy(items: unknown[], args: unknown[], h: Helpers, keep: boolean, onAttr: boolean): unknown[] {
  const [first, testName, ...rest] = args;
  const name = onAttr ? testName : first;
  const testArgs = onAttr ? rest : [testName, ...rest].filter((_, i) => i < args.length - 1);
  return items.filter((item) => {
    h.tick();
    let value: unknown = item;
    if (onAttr) {
      const a = attr(item, first);
      value = a === undefined ? h.undef(`item.${String(first)}`) : a;
    }
    const ok = name === undefined ? truthy(value) : h.test(pyText(name), value, testArgs);
    return ok === keep;
  });
}

/** crypt(3)'s salt alphabet. */
const SALT_CHARS = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** passlib's sha*_crypt: its default rounds (what Ansible 2.14 gives with passlib, as Debian's package has it). */
const CRYPT_SCHEMES: Record<string, { id: string; rounds: number }> = {
  sha512: { id: '6', rounds: 656000 },
  sha256: { id: '5', rounds: 535000 },
};

/**
 * Ansible's `password_hash` for sha512 and sha256 (crypt's `$6$`/`$5$`), as passlib writes it: `rounds=N$`
 * unless N is crypt's implicit 5000; a random 16-character salt when none is given.
 */
export function passwordHash(secret: string, type: string, salt: unknown, rounds: unknown): string {
  const scheme = CRYPT_SCHEMES[type];
  if (!scheme) throw new Error(`password_hash: hash type '${type}' is not supported here (sha512 or sha256)`);
  let s: string;
  if (salt === undefined || salt === null) s = Array.from({ length: 16 }, () => SALT_CHARS[randomInt(64)]).join('');
  else s = pyText(salt);
  if (s.length > 16) throw new Error(`password_hash: salt too large (${type}_crypt requires <= 16 chars)`);
  if (!/^[./0-9A-Za-z]*$/.test(s)) throw new Error(`password_hash: the salt may hold only ./0-9A-Za-z, not '${s}'`);
  const n = rounds === undefined || rounds === null ? scheme.rounds : Number(rounds);
  if (!Number.isInteger(n) || n < 1000 || n > 999999999)
    throw new Error(`password_hash: rounds must be a whole number from 1000 to 999999999`);
  return cryptHash(secret, n === 5000 ? `$${scheme.id}$${s}` : `$${scheme.id}$rounds=${n}$${s}`);
}

export const FILTERS: Record<string, FilterFn> = {
  default: (v, [fb = '', falsy = false], kw) => {
    const boolean = kw['boolean'] ?? falsy;
    if (v instanceof Undef) return kw['default_value'] ?? fb;
    if (boolean === true && !pyTruthy(v)) return kw['default_value'] ?? fb;
    return v;
  },
  d: (v, a, kw, h) => FILTERS['default']!(v, a, kw, h),
  mandatory: (v, [msg]) => {
    if (v instanceof Undef) {
      if (msg !== undefined) throw new BosunError('UNDEFINED_VAR', pyText(msg), { source: v.source });
      throw new BosunError('UNDEFINED_VAR', `mandatory variable '${v.name}' not defined`, { source: v.source });
    }
    return v;
  },
  bool: (v) => toBool(v),
  int: (v, [fb = 0, base = 10], kw) => toInt(v, kw['default'] ?? fb, kw['base'] ?? base),
  float: (v, [fb = 0], kw) => toFloat(v, kw['default'] ?? fb),
  string: (v) => pyText(v),
  length: (v) => list(typeof v === 'string' ? Array.from(v) : v).length,
  count: (v) => list(typeof v === 'string' ? Array.from(v) : v).length,
  first: (v, _a, _k, h) => {
    const l = list(v);
    return l.length ? l[0] : h.undef('first', 'the list is empty');
  },
  last: (v, _a, _k, h) => {
    const l = list(v);
    return l.length ? l[l.length - 1] : h.undef('last', 'the list is empty');
  },
  min: (v, _a, kw) => {
    const l = list(v);
    if (!l.length) return null;
    const key = (x: unknown): unknown =>
      sortKey(kw['attribute'] ? attr(x, kw['attribute']) : x, kw['case_sensitive'] === true);
    return l.reduce((a, b) => (pyCompare(key(b), key(a)) < 0 ? b : a));
  },
  max: (v, _a, kw) => {
    const l = list(v);
    if (!l.length) return null;
    const key = (x: unknown): unknown =>
      sortKey(kw['attribute'] ? attr(x, kw['attribute']) : x, kw['case_sensitive'] === true);
    return l.reduce((a, b) => (pyCompare(key(b), key(a)) > 0 ? b : a));
  },
  sum: (v, [attribute, start = 0], kw) => {
    const a = kw['attribute'] ?? attribute;
    let total = kw['start'] ?? start;
    for (const x of list(v)) {
      const item = a === undefined ? x : attr(x, a);
      if (Array.isArray(total) && Array.isArray(item)) total = [...(total as unknown[]), ...(item as unknown[])];
      else if (typeof item === 'number' || typeof item === 'boolean') total = Number(total) + Number(item);
      else throw new Error(`cannot add ${kind(item)} to a sum`);
    }
    return total;
  },
  join: (v, [sep = ''], kw) => {
    const a = kw['attribute'];
    return list(v)
      .map((x) => pyText(a === undefined ? x : attr(x, a)))
      .join(str(kw['d'] ?? sep, 'the separator'));
  },
  split: (v, [sep, max]) => pySplit(str(v, 'the input'), sep, max),
  lower: (v) => str(v, 'the input').toLowerCase(),
  upper: (v) => str(v, 'the input').toUpperCase(),
  capitalize: (v) => {
    const s = str(v, 'the input');
    return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
  },
  title: (v) =>
    str(v, 'the input')
      .toLowerCase()
      .replace(/(^|[^\p{L}\d'])(\p{Ll})/gu, (_m, a: string, b: string) => a + b.toUpperCase()),
  trim: (v, [chars]) => {
    const s = str(v, 'the input');
    if (chars === undefined) return s.trim();
    const set = str(chars, 'chars');
    let a = 0;
    let b = s.length;
    while (a < b && set.includes(s[a]!)) a++;
    while (b > a && set.includes(s[b - 1]!)) b--;
    return s.slice(a, b);
  },
  replace: (v, [a, b, n]) => {
    const s = pyText(v);
    const from = str(a, 'old');
    const to = str(b, 'new');
    if (n === undefined || n === null) return s.split(from).join(to);
    const parts = s.split(from);
    const k = Number(n);
    return parts.length - 1 <= k
      ? parts.join(to)
      : parts.slice(0, k + 1).join(to) + from + parts.slice(k + 1).join(from);
  },
  regex_replace: (v, [pattern = '', repl = '', ignorecase, multiline], kw) => {
    const flags = regexFlags(
      { ignorecase: kw['ignorecase'] ?? ignorecase, multiline: kw['multiline'] ?? multiline },
      'g',
    );
    const count = Number(kw['count'] ?? 0);
    const re = regex(pattern, flags);
    const expand = pyReplacement(str(repl, 'the replacement'));
    let n = 0;
    return pyText(v).replace(re, (...m: unknown[]) => {
      const whole = m[0] as string;
      if (count && n++ >= count) return whole;
      const last = m[m.length - 1];
      const groups = (typeof last === 'object' && last !== null ? last : {}) as Record<string, string | undefined>;
      const numbered = m.slice(0, typeof last === 'object' && last !== null ? -3 : -2) as Array<string | undefined>;
      return expand(numbered, groups);
    });
  },
  regex_search: (v, [pattern, ...groups], kw) => {
    const m = regex(pattern, regexFlags(kw)).exec(str(v, 'the input'));
    if (!m) return null;
    if (!groups.length) return m[0];
    return groups.map((g) => {
      const s = String(g);
      const num = /^\\(\d+)$/.exec(s);
      if (num) return m[Number(num[1])] ?? null;
      const named = /^\\g<(\w+)>$/.exec(s);
      if (named) return m.groups?.[named[1]!] ?? null;
      throw new Error(`unknown group '${s}' (use '\\1' or '\\g<name>')`);
    });
  },
  regex_findall: (v, [pattern], kw) => {
    const re = regex(pattern, regexFlags(kw, 'g'));
    return [...str(v, 'the input').matchAll(re)].map((m) =>
      m.length === 1 ? m[0] : m.length === 2 ? (m[1] ?? '') : m.slice(1).map((x: string | undefined) => x ?? ''),
    );
  },
  regex_escape: (v) => str(v, 'the input').replace(/[^\w]/g, '\\$&'),
  quote: (v) => shlexQuote(pyText(v)),
  to_json: (v, _a, kw) =>
    pyJson(v, {
      sortKeys: kw['sort_keys'] === true,
      ascii: kw['ensure_ascii'] !== false,
      ...(typeof kw['indent'] === 'number' ? { indent: kw['indent'] } : {}),
    }),
  to_nice_json: (v, _a, kw) =>
    pyJson(v, {
      indent: typeof kw['indent'] === 'number' ? kw['indent'] : 4,
      sortKeys: kw['sort_keys'] !== false,
      // Python's json.dumps default (ensure_ascii), as Ansible's to_nice_json leaves it.
      ascii: kw['ensure_ascii'] !== false,
    }),
  from_json: (v) => {
    try {
      return JSON.parse(str(v, 'the input')) as unknown;
    } catch (err) {
      throw new Error(`not JSON: ${(err as Error).message}`, { cause: err });
    }
  },
  to_yaml: (v, _a, kw) => pyYaml(v, kw['sort_keys'] !== false),
  to_nice_yaml: (v, _a, kw) =>
    stringifyYaml(v, {
      indent: typeof kw['indent'] === 'number' ? kw['indent'] : 4,
      lineWidth: 0,
      sortMapEntries: kw['sort_keys'] !== false,
    }),
  from_yaml: (v) => (typeof v === 'string' ? (parseYaml(v) as unknown) : v),
  b64encode: (v) => Buffer.from(pyText(v), 'utf8').toString('base64'),
  // Jinja2's urlencode: a text is quoted with `/` kept; a dict or a list of pairs becomes a query string.
  urlencode: (v) => {
    if (typeof v === 'string' || v === null || typeof v !== 'object') return pyQuote(pyText(v));
    const items: unknown[][] = Array.isArray(v)
      ? v.map((p: unknown): unknown[] => (Array.isArray(p) ? (p as unknown[]) : [p]))
      : Object.entries(v);
    return items.map(([k, x]) => `${pyQuote(pyText(k), '', true)}=${pyQuote(pyText(x), '', true)}`).join('&');
  },
  // Ansible's urldecode: unquote_plus.
  urldecode: (v) => decodeURIComponent(pyText(v).replace(/\+/g, ' ')),
  b64decode: (v) => Buffer.from(str(v, 'the input'), 'base64').toString('utf8'),
  password_hash: (v, [type = 'sha512', salt, rounds], kw) =>
    passwordHash(pyText(v), pyText(kw['hashtype'] ?? type), kw['salt'] ?? salt, kw['rounds'] ?? rounds),
  hash: (v, [algo = 'sha1']) => {
    const a = str(algo, 'the hash type');
    try {
      return createHash(a).update(pyText(v), 'utf8').digest('hex');
    } catch {
      throw new Error(`unknown hash type '${a}'`);
    }
  },
  checksum: (v) => createHash('sha1').update(pyText(v), 'utf8').digest('hex'),
  md5: (v) => createHash('md5').update(pyText(v), 'utf8').digest('hex'),
  sha1: (v) => createHash('sha1').update(pyText(v), 'utf8').digest('hex'),
  basename: (v) => (posix.basename(str(v, 'the path')) === '' ? '' : str(v, 'the path').split('/').pop()!),
  dirname: (v) => {
    const s = str(v, 'the path');
    const i = s.lastIndexOf('/');
    if (i < 0) return '';
    const head = s.slice(0, i + 1);
    return /^\/+$/.test(head) ? head : head.replace(/\/+$/, '');
  },
  splitext: (v) => {
    const s = str(v, 'the path');
    const base = s.slice(s.lastIndexOf('/') + 1);
    const dot = base.lastIndexOf('.');
    if (dot <= 0 || /^\.+$/.test(base.slice(0, dot + 1))) return [s, ''];
    const cut = s.length - base.length + dot;
    return [s.slice(0, cut), s.slice(cut)];
  },
  map: (v, args, kw, h) => {
    const items = list(v);
    if (kw['attribute'] !== undefined) {
      return items.map((x) => {
        const a = attr(x, kw['attribute']);
        if (a !== undefined) return a;
        if ('default' in kw) return kw['default'];
        return h.undef(`item.${String(kw['attribute'])}`);
      });
    }
    const [name, ...rest] = args;
    if (name === undefined) return items;
    return items.map((x) => {
      h.tick();
      return h.filter(pyText(name), x, rest, kw);
    });
  },
  select: (v, a, _k, h) => selectBy(list(v), a, h, true, false),
  reject: (v, a, _k, h) => selectBy(list(v), a, h, false, false),
  selectattr: (v, a, _k, h) => selectBy(list(v), a, h, true, true),
  rejectattr: (v, a, _k, h) => selectBy(list(v), a, h, false, true),
  unique: (v) => unique(list(v)),
  union: (v, [o]) => unique([...list(v), ...list(o, 'the other list')]),
  intersect: (v, [o]) => unique(list(v).filter((x) => list(o, 'the other list').some((y) => pyEqual(x, y)))),
  difference: (v, [o]) => unique(list(v).filter((x) => !list(o, 'the other list').some((y) => pyEqual(x, y)))),
  symmetric_difference: (v, [o]) => {
    const a = list(v);
    const b = list(o, 'the other list');
    return unique([
      ...a.filter((x) => !b.some((y) => pyEqual(x, y))),
      ...b.filter((x) => !a.some((y) => pyEqual(x, y))),
    ]);
  },
  flatten: (v, [levels], kw) => {
    const l = kw['levels'] ?? levels;
    return flatten(list(v), typeof l === 'number' ? l : undefined, kw['skip_nulls'] !== false);
  },
  combine: (v, args, kw) => {
    const dicts = [v, ...args].flatMap((x): unknown[] => (Array.isArray(x) ? (x as unknown[]) : [x]));
    // Python's truthiness, as Ansible's `if recursive:` (kubespray writes recursive=1).
    const recursive = pyTruthy(kw['recursive'] ?? false);
    const listMerge = pyText(kw['list_merge'] ?? 'replace');
    return dicts
      .slice(1)
      .reduce<Record<string, unknown>>(
        (acc, d) => combine(acc, dict(d, 'each argument'), recursive, listMerge),
        dict(dicts[0]),
      );
  },
  dict2items: (v, _a, kw) => {
    const k = pyText(kw['key_name'] ?? 'key');
    const n = pyText(kw['value_name'] ?? 'value');
    return Object.entries(dict(v)).map(([key, value]) => ({ [k]: key, [n]: value }));
  },
  items2dict: (v, _a, kw) => {
    const k = pyText(kw['key_name'] ?? 'key');
    const n = pyText(kw['value_name'] ?? 'value');
    const out: Record<string, unknown> = {};
    for (const item of list(v)) {
      const d = dict(item, 'each item');
      out[pyText(d[k])] = d[n];
    }
    return out;
  },
  dictsort: (v, [caseSensitive = false, by = 'key', reverse = false], kw) => {
    const cs = (kw['case_sensitive'] ?? caseSensitive) === true;
    const idx = (kw['by'] ?? by) === 'value' ? 1 : 0;
    const out = Object.entries(dict(v)).sort((a, b) => pyCompare(sortKey(a[idx], cs), sortKey(b[idx], cs)));
    return (kw['reverse'] ?? reverse) === true ? out.reverse() : out;
  },
  sort: (v, [reverse = false, caseSensitive = false, attribute], kw) => {
    const cs = (kw['case_sensitive'] ?? caseSensitive) === true;
    const a = kw['attribute'] ?? attribute;
    const key = (x: unknown): unknown => sortKey(a === undefined ? x : attr(x, a), cs);
    const out = [...list(v)].sort((x, y) => pyCompare(key(x), key(y)));
    return (kw['reverse'] ?? reverse) === true ? out.reverse() : out;
  },
  reverse: (v) => (typeof v === 'string' ? Array.from(v).reverse().join('') : [...list(v)].reverse()),
  zip: (v, others) => {
    const lists = [list(v), ...others.map((o) => list(o, 'each argument'))];
    const n = Math.min(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_, i) => lists.map((l) => l[i]));
  },
  zip_longest: (v, others, kw) => {
    const lists = [list(v), ...others.map((o) => list(o, 'each argument'))];
    const n = Math.max(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_, i) => lists.map((l) => (i < l.length ? l[i] : (kw['fillvalue'] ?? null))));
  },
  product: (v, others) => {
    let out: unknown[][] = [[]];
    for (const l of [list(v), ...others.map((o) => list(o, 'each argument'))])
      out = out.flatMap((p) => l.map((x) => [...p, x]));
    return out;
  },
  subelements: (v, [key, skip], kw) => {
    const out: unknown[] = [];
    for (const item of list(v)) {
      const sub = attr(item, key);
      if (sub === undefined) {
        if ((kw['skip_missing'] ?? (isPlainObject(skip) ? skip['skip_missing'] : skip)) === true) continue;
        throw new Error(`could not find '${String(key)}' key in iterated item`);
      }
      for (const s of list(sub, String(key))) out.push([item, s]);
    }
    return out;
  },
  ternary: (v, [yes, no, none]) => (v === null && none !== undefined ? none : truthy(v) ? yes : no),
  type_debug: (v) => typeName(v),
  list: (v) => list(v),
  items: (v) => Object.entries(dict(v)),
  abs: (v) => {
    if (typeof v !== 'number') throw new Error(`needs a number, got ${kind(v)}`);
    return Math.abs(v);
  },
  round: (v, [precision = 0, method = 'common']) => {
    const n = toFloat(v, undefined);
    if (typeof n !== 'number') throw new Error(`needs a number, got ${kind(v)}`);
    return pyRound(n, Number(precision), String(method));
  },
  version_compare: (v, [ver, op, strict], kw) =>
    compareVersions(
      v,
      ver,
      op ?? kw['operator'],
      kw['version_type'] ?? ((strict ?? kw['strict']) ? 'strict' : undefined),
    ),
  version: (v, [ver, op, strict], kw) =>
    compareVersions(
      v,
      ver,
      op ?? kw['operator'],
      kw['version_type'] ?? ((strict ?? kw['strict']) ? 'strict' : undefined),
    ),
  indent: (v, [width = 4, first = false, blank = false], kw) => {
    const w = kw['width'] ?? width;
    const pad = typeof w === 'string' ? w : ' '.repeat(Number(w));
    const lines = str(v, 'the input').split('\n');
    const keepBlank = (kw['blank'] ?? blank) === true;
    const out = lines.map((l, i) => {
      if (i === 0 && (kw['first'] ?? first) !== true) return l;
      return l === '' && !keepBlank ? l : pad + l;
    });
    return out.join('\n');
  },
  comment: (v) => {
    const lines = str(v, 'the input').split('\n');
    return `#\n${lines.map((l) => `# ${l}`.trimEnd()).join('\n')}\n#`;
  },
  wordcount: (v) => (str(v, 'the input').match(/\w+/gu) ?? []).length,
  center: (v, [width = 80]) => {
    const s = str(v, 'the input');
    const n = Number(width) - s.length;
    if (n <= 0) return s;
    const left = Math.floor(n / 2) + (n % 2 && Number(width) % 2 ? 1 : 0);
    return ' '.repeat(left) + s + ' '.repeat(n - left);
  },
  format: (v, args) => printf(str(v, 'the format'), args),
  truncate: (v, [length = 255, killwords = false, end = '...', leeway = 5]) => {
    const s = str(v, 'the input');
    const n = Number(length);
    const tail = String(end);
    if (s.length <= n + Number(leeway)) return s;
    if (killwords === true) return s.slice(0, n - tail.length) + tail;
    const cut = s.slice(0, n - tail.length);
    const space = cut.lastIndexOf(' ');
    return (space >= 0 ? cut.slice(0, space) : cut) + tail;
  },
  // Ansible's extract looks each key up as Jinja2's getitem does: a missing key (or one below a value that has
  // none) is undefined, an error only when used, so `map('extract', hostvars, [...]) | select('defined')` works.
  extract: (v, [container, morekeys], _kw, h) => {
    const more: unknown[] =
      morekeys === undefined ? [] : Array.isArray(morekeys) ? (morekeys as unknown[]) : [morekeys];
    const keys = [v, ...more];
    let out: unknown = container;
    for (const k of keys) {
      let next: unknown;
      if (Array.isArray(out) && typeof k === 'number') next = out[k < 0 ? out.length + k : k];
      else if (isPlainObject(out) && Object.prototype.hasOwnProperty.call(out, String(k))) next = out[String(k)];
      if (next === undefined) return h.undef(pyText(k), `extract: ${pyText(v)} has no key ${pyText(k)} below it`);
      out = next;
    }
    return out;
  },
  ...ANSIBLE_FILTERS,
  ...NET_FILTERS,
  ...QUERY_FILTERS,
  ...CRYPTO_FILTERS,
};
