/** Python methods of values that roles call in expressions: `s.split(',')`, `d.items()`, `l.index(x)`. */
import { isPlainObject } from '../values.js';
import { kind, pyEqual, pyText } from './values.js';

type Method = (self: never, args: unknown[], kwargs: Record<string, unknown>) => unknown;

function s(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new Error(`${what} must be a string, got ${kind(v)}`);
  return v;
}

/** Python's str.split: no separator splits on runs of whitespace and drops empty ends. */
export function pySplit(text: string, sep: unknown, maxsplit: unknown): string[] {
  const max = typeof maxsplit === 'number' && maxsplit >= 0 ? maxsplit : Infinity;
  if (sep === undefined || sep === null) {
    const out: string[] = [];
    let rest = text.replace(/^\s+/, '');
    while (rest !== '' && out.length < max) {
      const m = /\s+/.exec(rest);
      if (!m) break;
      out.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    if (rest !== '') out.push(out.length >= max ? rest : rest.replace(/\s+$/, ''));
    return out.filter((x, i, all) => x !== '' || i < all.length - 1);
  }
  const sp = s(sep, 'the separator');
  if (sp === '') throw new Error('empty separator');
  const parts = text.split(sp);
  if (parts.length - 1 <= max) return parts;
  return [...parts.slice(0, max), parts.slice(max).join(sp)];
}

function strip(text: string, chars: unknown, left: boolean, right: boolean): string {
  if (chars === undefined || chars === null) {
    let out = text;
    if (left) out = out.replace(/^\s+/, '');
    if (right) out = out.replace(/\s+$/, '');
    return out;
  }
  const set = s(chars, 'chars');
  let a = 0;
  let b = text.length;
  if (left) while (a < b && set.includes(text[a]!)) a++;
  if (right) while (b > a && set.includes(text[b - 1]!)) b--;
  return text.slice(a, b);
}

/** str.format with `{}`, `{0}` and `{name}` fields. */
function format(text: string, args: unknown[], kwargs: Record<string, unknown>): string {
  let auto = 0;
  return text.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (m, field: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const name = (field ?? '').split(':')[0]!;
    if (name === '') return pyText(args[auto++]);
    if (/^\d+$/.test(name)) return pyText(args[Number(name)]);
    return pyText(kwargs[name]);
  });
}

function title(text: string): string {
  return text.toLowerCase().replace(/(^|[^A-Za-z])([a-z])/g, (_m, a: string, b: string) => a + b.toUpperCase());
}

const STRING: Record<string, (self: string, a: unknown[], kw: Record<string, unknown>) => unknown> = {
  split: (t, [sep, max], kw) => pySplit(t, sep ?? kw['sep'], max ?? kw['maxsplit']),
  rsplit: (t, [sep, max]) => {
    if (max === undefined) return pySplit(t, sep, undefined);
    const parts = pySplit(t, sep, undefined);
    const n = Number(max);
    if (parts.length - 1 <= n) return parts;
    return [parts.slice(0, parts.length - n).join(pyText(sep ?? ' ')), ...parts.slice(parts.length - n)];
  },
  splitlines: (t) => t.split(/\r\n|\r|\n/).filter((x, i, all) => x !== '' || i < all.length - 1),
  strip: (t, [c]) => strip(t, c, true, true),
  lstrip: (t, [c]) => strip(t, c, true, false),
  rstrip: (t, [c]) => strip(t, c, false, true),
  lower: (t) => t.toLowerCase(),
  upper: (t) => t.toUpperCase(),
  capitalize: (t) => t.charAt(0).toUpperCase() + t.slice(1).toLowerCase(),
  title: (t) => title(t),
  startswith: (t, [p]) =>
    Array.isArray(p) ? p.some((x) => t.startsWith(s(x, 'prefix'))) : t.startsWith(s(p, 'prefix')),
  endswith: (t, [p]) => (Array.isArray(p) ? p.some((x) => t.endsWith(s(x, 'suffix'))) : t.endsWith(s(p, 'suffix'))),
  replace: (t, [a, b, n]) => {
    const from = s(a, 'old');
    const to = s(b, 'new');
    if (n === undefined || Number(n) < 0) return t.split(from).join(to);
    const parts = t.split(from);
    const k = Number(n);
    return parts.length - 1 <= k
      ? parts.join(to)
      : parts.slice(0, k + 1).join(to) + from + parts.slice(k + 1).join(from);
  },
  find: (t, [x]) => t.indexOf(s(x, 'sub')),
  index: (t, [x]) => {
    const i = t.indexOf(s(x, 'sub'));
    if (i < 0) throw new Error('substring not found');
    return i;
  },
  count: (t, [x]) => t.split(s(x, 'sub')).length - 1,
  join: (t, [xs]) => {
    if (!Array.isArray(xs)) throw new Error(`join needs a list, got ${kind(xs)}`);
    return xs.map((x) => s(x, 'each item')).join(t);
  },
  format: (t, a, kw) => format(t, a, kw),
  isdigit: (t) => /^\d+$/.test(t),
  isalpha: (t) => /^[A-Za-z]+$/.test(t),
  isalnum: (t) => /^[A-Za-z0-9]+$/.test(t),
  islower: (t) => /[a-z]/.test(t) && t === t.toLowerCase(),
  isupper: (t) => /[A-Z]/.test(t) && t === t.toUpperCase(),
  zfill: (t, [w]) => t.padStart(Number(w), '0'),
  center: (t, [w]) => {
    const n = Number(w) - t.length;
    if (n <= 0) return t;
    const left = Math.floor(n / 2) + (n % 2 && Number(w) % 2 ? 1 : 0);
    return ' '.repeat(left) + t + ' '.repeat(n - left);
  },
};

const LIST: Record<string, (self: unknown[], a: unknown[]) => unknown> = {
  index: (l, [x]) => {
    const i = l.findIndex((y) => pyEqual(x, y));
    if (i < 0) throw new Error(`${pyText(x)} is not in the list`);
    return i;
  },
  count: (l, [x]) => l.filter((y) => pyEqual(x, y)).length,
};

const DICT: Record<string, (self: Record<string, unknown>, a: unknown[]) => unknown> = {
  items: (d) => Object.entries(d),
  keys: (d) => Object.keys(d),
  values: (d) => Object.values(d),
  get: (d, [k, fb]) => (Object.prototype.hasOwnProperty.call(d, String(k)) ? d[String(k)] : (fb ?? null)),
  copy: (d) => ({ ...d }),
};

/** Call `name` on `self`; an error naming the type when it has no such method. */
export function callMethod(self: unknown, name: string, args: unknown[], kwargs: Record<string, unknown>): unknown {
  let table: Record<string, Method> | undefined;
  if (typeof self === 'string') table = STRING;
  else if (Array.isArray(self)) table = LIST;
  else if (isPlainObject(self)) table = DICT;
  const fn = table?.[name];
  if (!fn) throw new Error(`${kind(self)} has no method '${name}' that bosun knows`);
  return fn(self as never, args, kwargs);
}
