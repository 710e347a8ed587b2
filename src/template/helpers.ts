/**
 * The one helper registry. Each helper takes its arguments without Handlebars'
 * trailing `options` (the engine strips it) plus the hash arguments, and
 * throws a plain Error for bad input; the engine turns that into a
 * TEMPLATE_RENDER error at the helper's position.
 */
import { posix } from 'node:path';
import type { SemVer } from 'semver';
// Only the two functions used: the package's index loads all 47 of its files.
import coerce from 'semver/functions/coerce.js';
import compare from 'semver/functions/compare.js';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { BosunError } from '../errors.js';
import { shq } from '../util/shell.js';
import { deepEqual, isPlainObject, isPythonTruthy, isTruthy, toText } from './values.js';

/** One helper: its name, a one-line description for the docs, and its function. */
export interface HelperDef {
  name: string;
  /** One line for docs/templates.md. */
  doc: string;
  /** Example call, shown in the docs. */
  example: string;
  fn: (args: unknown[], hash: Record<string, unknown>) => unknown;
}

/** Helpers whose first argument may be an undefined variable. */
export const OPTIONAL_FIRST_ARG: ReadonlySet<string> = new Set(['default', 'defined', 'undefined', 'mandatory']);

/** Handlebars' own helpers that bosun keeps (block helpers and `lookup`). */
export const BUILTIN_HELPERS: ReadonlySet<string> = new Set(['if', 'unless', 'each', 'with', 'lookup']);

function str(value: unknown, what: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`${what} must be a string, got ${describe(value)}`);
}

function list(value: unknown, what: string): unknown[] {
  if (Array.isArray(value)) return value;
  throw new Error(`${what} must be a list, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a dict';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Python `re` syntax that Ansible users write, in JavaScript form. */
export function regex(pattern: unknown, flags: string): RegExp {
  const source = str(pattern, 'pattern')
    .replace(/\(\?P<(\w+)>/g, '(?<$1>')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
  try {
    return new RegExp(source, flags);
  } catch (err) {
    throw new Error(`bad regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`, { cause: err });
  }
}

/** `\1` and `\g<name>` (Python) become `$1` and `$<name>` (JavaScript). */
export function replacement(text: string): string {
  return text
    .replace(/\\g<(\w+)>/g, (_m, g: string) => (/^\d+$/.test(g) ? `$${g}` : `$<${g}>`))
    .replace(/\\(\d+)/g, '$$$1');
}

function compareValues(a: unknown, b: unknown, name: string): number {
  const na = typeof a === 'string' && typeof b === 'number' && a.trim() !== '' ? Number(a) : a;
  const nb = typeof b === 'string' && typeof a === 'number' && b.trim() !== '' ? Number(b) : b;
  if (typeof na === 'number' && typeof nb === 'number' && !Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  if (typeof na === 'string' && typeof nb === 'string') return na < nb ? -1 : na > nb ? 1 : 0;
  throw new Error(`${name} cannot compare ${describe(a)} with ${describe(b)}`);
}

/** The operators of Ansible's version test, both dialects: what each says of a comparison's sign. */
export const VERSION_OPS: Readonly<Record<string, (c: number) => boolean>> = {
  '<': (c) => c < 0,
  lt: (c) => c < 0,
  '<=': (c) => c <= 0,
  le: (c) => c <= 0,
  '>': (c) => c > 0,
  gt: (c) => c > 0,
  '>=': (c) => c >= 0,
  ge: (c) => c >= 0,
  '==': (c) => c === 0,
  eq: (c) => c === 0,
  '=': (c) => c === 0,
  '!=': (c) => c !== 0,
  ne: (c) => c !== 0,
  '<>': (c) => c !== 0,
};

function version(value: unknown): SemVer {
  const v = coerce(str(value, 'version'), { includePrerelease: true, loose: true });
  if (!v) throw new Error(`${JSON.stringify(value)} is not a version`);
  return v;
}

function toInt(value: unknown, fallback: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : fallback;
  if (typeof value === 'string') {
    const s = value.trim();
    if (/^[-+]?\d+$/.test(s)) return Number.parseInt(s, 10);
    if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) return Math.trunc(Number(s));
  }
  return fallback;
}

function toBool(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1;
  if (typeof value === 'string') return ['yes', 'on', '1', 'true', 'y', 't'].includes(value.trim().toLowerCase());
  return false;
}

/** The most items `range` makes (documented in its line of docs/templates.md). */
const RANGE_LIMIT = 1_000_000;

function def(name: string, doc: string, example: string, fn: HelperDef['fn']): HelperDef {
  return { name, doc, example, fn };
}

/** Every helper bosun registers, in documentation order. */
export const HELPERS: readonly HelperDef[] = [
  def(
    'default',
    'The value, or the fallback when it is undefined or null (with a third argument `true`, also when it is falsy).',
    '{{ default port 8080 }}',
    ([v, fb, falsy]) => (v === undefined || v === null || (falsy === true && !isPythonTruthy(v)) ? fb : v),
  ),
  def(
    'defined',
    'True when the variable is defined (null counts as defined).',
    '(defined proxy_url)',
    ([v]) => v !== undefined,
  ),
  def('undefined', 'True when the variable is not defined.', '(undefined proxy_url)', ([v]) => v === undefined),
  def(
    'mandatory',
    'The value; an error (with the optional message) when it is undefined.',
    '{{ mandatory token "set token with -e" }}',
    ([v, msg]) => {
      if (v === undefined)
        throw new BosunError('UNDEFINED_VAR', msg === undefined ? 'mandatory variable is not defined' : toText(msg));
      return v;
    },
  ),
  def('eq', 'Equality (lists and dicts compared by value).', '(eq container_manager "containerd")', ([a, b]) =>
    deepEqual(a, b),
  ),
  def('ne', 'Inequality.', '(ne arch "arm64")', ([a, b]) => !deepEqual(a, b)),
  def(
    'lt',
    'Less than (numbers, or strings; a numeric string compares with a number).',
    '(lt retries 3)',
    ([a, b]) => compareValues(a, b, 'lt') < 0,
  ),
  def('gt', 'Greater than.', '(gt cpu_count 2)', ([a, b]) => compareValues(a, b, 'gt') > 0),
  def('le', 'Less than or equal.', '(le retries 3)', ([a, b]) => compareValues(a, b, 'le') <= 0),
  def('ge', 'Greater than or equal.', '(ge memory_mb 2048)', ([a, b]) => compareValues(a, b, 'ge') >= 0),
  def(
    'and',
    'All arguments truthy: the first falsy argument, or the last one (like Python).',
    '(and enabled (not skip))',
    (args) => {
      for (const a of args) if (!isTruthy(a)) return a;
      return args.length ? args[args.length - 1] : true;
    },
  ),
  def(
    'or',
    'Any argument truthy: the first truthy argument, or the last one (like Python).',
    '(or mirror "https://github.com")',
    (args) => {
      for (const a of args) if (isTruthy(a)) return a;
      return args.length ? args[args.length - 1] : false;
    },
  ),
  def('not', 'Negation, by bosun truthiness.', '(not st.stat.exists)', ([v]) => !isTruthy(v)),
  def(
    'in',
    'Needle in a string (substring), a list (element) or a dict (key).',
    '(in "web" group_names)',
    ([needle, hay]) => {
      if (typeof hay === 'string') return hay.includes(str(needle, 'in: needle'));
      if (Array.isArray(hay)) return hay.some((x) => deepEqual(x, needle));
      if (isPlainObject(hay)) return Object.prototype.hasOwnProperty.call(hay, toText(needle));
      throw new Error(`in: cannot search in ${describe(hay)}`);
    },
  ),
  def('contains', 'The list contains the item.', '(contains features "ipv6")', ([hay, item]) =>
    list(hay, 'contains: first argument').some((x) => deepEqual(x, item)),
  ),
  def('join', 'List items joined with a separator (default "").', '{{ join dns_servers "," }}', ([l, sep]) =>
    list(l, 'join: first argument')
      .map(toText)
      .join(sep === undefined ? '' : str(sep, 'join: separator')),
  ),
  def('split', 'A string split by a separator (default: runs of whitespace).', '{{ split "a,b" "," }}', ([s, sep]) => {
    const text = str(s, 'split: first argument');
    if (sep === undefined) return text.trim() === '' ? [] : text.trim().split(/\s+/);
    return text.split(str(sep, 'split: separator'));
  }),
  def('to_json', 'JSON text of a value (compact).', '{{ to_json registry_mirrors }}', ([v]) =>
    JSON.stringify(v ?? null),
  ),
  def(
    'to_nice_json',
    'JSON text, indented by 4 (or `indent=N`), keys in order.',
    '{{ to_nice_json config }}',
    ([v], hash) => JSON.stringify(v ?? null, null, typeof hash.indent === 'number' ? hash.indent : 4),
  ),
  def('to_yaml', 'YAML text of a value.', '{{ to_yaml labels }}', ([v]) => stringifyYaml(v ?? null)),
  def('from_json', 'Parse JSON text.', '{{ from_json result.stdout }}', ([s]) => {
    try {
      return JSON.parse(str(s, 'from_json: argument'));
    } catch (err) {
      throw new Error(`from_json: ${(err as Error).message}`, { cause: err });
    }
  }),
  def('from_yaml', 'Parse YAML text.', '{{ from_yaml result.stdout }}', ([s]) => {
    try {
      return parseYaml(str(s, 'from_yaml: argument'));
    } catch (err) {
      throw new Error(`from_yaml: ${(err as Error).message}`, { cause: err });
    }
  }),
  def('b64encode', 'Base64 of the UTF-8 text.', '{{ b64encode password }}', ([s]) =>
    Buffer.from(str(s, 'b64encode: argument'), 'utf8').toString('base64'),
  ),
  def('b64decode', 'UTF-8 text of base64.', '{{ b64decode secret.content }}', ([s]) =>
    Buffer.from(str(s, 'b64decode: argument'), 'base64').toString('utf8'),
  ),
  def(
    'regex_replace',
    'Replace matches of a pattern (flags default "g"; `\\1` or `$1` in the replacement).',
    '{{ regex_replace version "^v" "" }}',
    ([s, pattern, repl, flags]) =>
      str(s, 'regex_replace: first argument').replace(
        regex(pattern, flags === undefined ? 'g' : str(flags, 'flags')),
        replacement(repl === undefined ? '' : str(repl, 'replacement')),
      ),
  ),
  def(
    'regex_search',
    'The first match (null when none); with group arguments (`"\\1"`, `"\\g<name>"`) the list of those groups.',
    '{{ regex_search out "v[0-9.]+" }}',
    ([s, pattern, ...groups]) => {
      const m = regex(pattern, '').exec(str(s, 'regex_search: first argument'));
      if (!m) return null;
      if (groups.length === 0) return m[0];
      return groups.map((g) => {
        const ref = /^\\(?:g<)?(\w+)>?$/.exec(str(g, 'group'));
        if (!ref?.[1]) throw new Error(`regex_search: bad group reference ${JSON.stringify(g)}`);
        return /^\d+$/.test(ref[1]) ? m[Number(ref[1])] : m.groups?.[ref[1]];
      });
    },
  ),
  def('replace', 'Replace every occurrence of a substring.', '{{ replace name "-" "_" }}', ([s, from, to]) =>
    str(s, 'replace: first argument')
      .split(str(from, 'replace: old'))
      .join(to === undefined ? '' : str(to, 'replace: new')),
  ),
  def('upper', 'Upper case.', '{{ upper arch }}', ([s]) => str(s, 'upper: argument').toUpperCase()),
  def('lower', 'Lower case.', '{{ lower arch }}', ([s]) => str(s, 'lower: argument').toLowerCase()),
  def('trim', 'Whitespace removed from both ends.', '{{ trim result.stdout }}', ([s]) =>
    str(s, 'trim: argument').trim(),
  ),
  def('length', 'Length of a string or list, or the number of keys of a dict.', '{{ length groups.etcd }}', ([v]) => {
    if (typeof v === 'string' || Array.isArray(v)) return v.length;
    if (isPlainObject(v)) return Object.keys(v).length;
    throw new Error(`length: no length for ${describe(v)}`);
  }),
  def('first', 'First item of a list (or first character of a string).', '{{ first groups.master }}', ([v]) => {
    if (typeof v === 'string') return v[0];
    return list(v, 'first: argument')[0];
  }),
  def('last', 'Last item of a list (or last character of a string).', '{{ last groups.master }}', ([v]) => {
    if (typeof v === 'string') return v[v.length - 1];
    const l = list(v, 'last: argument');
    return l[l.length - 1];
  }),
  def(
    'int',
    'Integer value (truncated); the second argument (default 0) when not a number, like Jinja.',
    '{{ int port }}',
    ([v, fb]) => toInt(v, fb === undefined ? 0 : fb),
  ),
  def('add', 'The sum of numbers (1-based counting in a loop: `add @index 1`).', '{{ add @index 1 }}', (args) => {
    let sum = 0;
    for (const a of args) {
      if (typeof a !== 'number') throw new Error(`add: arguments must be numbers, got ${describe(a)}`);
      sum += a;
    }
    return sum;
  }),
  def('string', 'Text of a value (lists and dicts as JSON).', '{{ string 3 }}', ([v]) => toText(v)),
  def(
    'bool',
    'Ansible\'s bool: true for true, 1, and "yes", "on", "1", "true", "y", "t" (any case); false otherwise.',
    '(bool enable_ipv6)',
    ([v]) => toBool(v),
  ),
  def('basename', 'Last component of a path.', '{{ basename download_url }}', ([s]) =>
    posix.basename(str(s, 'basename: argument')),
  ),
  def('dirname', 'Path without its last component.', '{{ dirname config_path }}', ([s]) =>
    posix.dirname(str(s, 'dirname: argument')),
  ),
  def(
    'version_compare',
    'Compare versions with an operator (<, <=, >, >=, ==, !=, lt, le, gt, ge, eq, ne); loose: "v1.7", "1.7.13", "2.0.0-rc.1".',
    '(version_compare containerd_version ">=" "2.0")',
    ([a, op, b]) => {
      const test = VERSION_OPS[str(op, 'version_compare: operator')];
      if (!test)
        throw new Error(
          `version_compare: unknown operator ${JSON.stringify(op)} (use <, <=, >, >=, ==, !=, lt, le, gt, ge, eq, ne)`,
        );
      return test(compare(version(a), version(b)));
    },
  ),
  def(
    'list',
    'A list of the arguments (build lists inside expressions).',
    '{{ list "overlay" "br_netfilter" }}',
    (args) => [...args],
  ),
  def(
    'dict',
    'A dict from key=value (hash) arguments, or from alternating key value arguments.',
    '{{ dict name="kk" version=kk_version }}',
    (args, hash) => {
      if (args.length % 2 !== 0)
        throw new Error('dict: give key=value pairs, or an even number of arguments (key value ...)');
      const out: Record<string, unknown> = {};
      for (let i = 0; i < args.length; i += 2) out[toText(args[i])] = args[i + 1];
      return { ...out, ...hash };
    },
  ),
  def(
    'concat',
    'Lists joined into one list (a non-list argument is added as one item).',
    '{{ concat base_packages extra_packages }}',
    (args) => args.flatMap((a): unknown[] => (Array.isArray(a) ? a : [a])),
  ),
  def(
    'dict2items',
    'A dict as a list of {key, value} (names via `key_name=`, `value_name=`).',
    '{{#each (dict2items labels)}}{{key}}={{value}}{{/each}}',
    ([d], hash) => {
      if (!isPlainObject(d)) throw new Error(`dict2items: argument must be a dict, got ${describe(d)}`);
      const k = typeof hash.key_name === 'string' ? hash.key_name : 'key';
      const v = typeof hash.value_name === 'string' ? hash.value_name : 'value';
      return Object.entries(d).map(([key, value]) => ({ [k]: key, [v]: value }));
    },
  ),
  def(
    'items2dict',
    'A list of {key, value} as a dict (names via `key_name=`, `value_name=`).',
    '{{ items2dict pairs }}',
    ([l], hash) => {
      const k = typeof hash.key_name === 'string' ? hash.key_name : 'key';
      const v = typeof hash.value_name === 'string' ? hash.value_name : 'value';
      const out: Record<string, unknown> = {};
      for (const item of list(l, 'items2dict: argument')) {
        if (!isPlainObject(item) || !(k in item)) throw new Error(`items2dict: every item needs a '${k}' key`);
        out[toText(item[k])] = item[v];
      }
      return out;
    },
  ),
  def(
    'range',
    `Python's range: (end), (start, end) or (start, end, step); at most ${RANGE_LIMIT} items.`,
    '{{#each (range 3)}}{{this}}{{/each}}',
    (args) => {
      const n = args.map((a) => {
        if (typeof a !== 'number' || !Number.isInteger(a))
          throw new Error(`range: arguments must be integers, got ${describe(a)}`);
        return a;
      });
      const [start, end, step] = n.length === 1 ? [0, n[0]!, 1] : [n[0] ?? 0, n[1] ?? 0, n[2] ?? 1];
      if (step === 0) throw new Error('range: step must not be 0');
      // Counted before any item is made: a typo such as (range 1e15) fails at once.
      const count = Math.max(0, Math.ceil((end - start) / step));
      if (count > RANGE_LIMIT) throw new Error(`range: ${count} items, more than the limit of ${RANGE_LIMIT}`);
      const out: number[] = [];
      for (let i = start; step > 0 ? i < end : i > end; i += step) out.push(i);
      return out;
    },
  ),
  def('quote', 'The value as one POSIX shell word.', 'cmd: "ls {{ quote dir }}"', ([v]) => {
    if (typeof v === 'number') return shq(v);
    return shq(toText(v));
  }),
  def(
    'ternary',
    'The second argument when the first is truthy, else the third (the fourth, if given, when the first is null).',
    '{{ ternary use_tls "https" "http" }}',
    (args) =>
      args.length > 3 && (args[0] === null || args[0] === undefined) ? args[3] : isTruthy(args[0]) ? args[1] : args[2],
  ),
];

/** Helper names, for lookups. */
export const HELPER_NAMES: ReadonlySet<string> = new Set(HELPERS.map((h) => h.name));
