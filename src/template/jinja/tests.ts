/**
 * Jinja2 and Ansible tests (`x is defined`, `v is version('1.2', '>=')`,
 * `r is failed`), each with Ansible's semantics. A test gets the value (an
 * Undef only for the tests in LAZY_TESTS), its arguments and keyword
 * arguments.
 */
import { existsSync, lstatSync, statSync } from 'node:fs';
import { regex } from '../helpers.js';
import { isPlainObject } from '../values.js';
import type { Helpers } from './eval.js';
import { NET_TESTS } from './tests-net.js';
import { compareVersions } from './version.js';
import { kind, pyCompare, pyEqual, truthy, Undef } from './values.js';

export type TestFn = (value: unknown, args: unknown[], kwargs: Record<string, unknown>, h: Helpers) => boolean;

/** Tests that take an undefined value without failing. */
export const LAZY_TESTS: ReadonlySet<string> = new Set([
  'defined',
  'undefined',
  // Type tests are false for an undefined value, as in Jinja2.
  'none',
  'string',
  'number',
  'integer',
  'float',
  'boolean',
  'mapping',
  'list',
  'sameas',
  'true',
  'false',
]);

function result(value: unknown, test: string): Record<string, unknown> {
  if (!isPlainObject(value))
    throw new Error(`the '${test}' test expects a dictionary (a registered result), got ${kind(value)}`);
  return value;
}

function inside(value: unknown, seq: unknown): boolean {
  if (typeof seq === 'string') return typeof value === 'string' && seq.includes(value);
  if (Array.isArray(seq)) return seq.some((x) => pyEqual(x, value));
  if (isPlainObject(seq)) return Object.prototype.hasOwnProperty.call(seq, String(value));
  throw new Error(`cannot look for a value in ${kind(seq)}`);
}

function reTest(value: unknown, pattern: unknown, kwargs: Record<string, unknown>, how: 'match' | 'search'): boolean {
  if (typeof value !== 'string') throw new Error(`needs a string, got ${kind(value)}`);
  const flags = `${kwargs['ignorecase'] === true ? 'i' : ''}${kwargs['multiline'] === true ? 'm' : ''}`;
  const re = regex(pattern, flags);
  const m = re.exec(value);
  return m !== null && (how === 'search' || m.index === 0);
}

const cmp =
  (ok: (c: number) => boolean): TestFn =>
  (v, [other]) =>
    ok(pyCompare(v, other));

export const TESTS: Record<string, TestFn> = {
  defined: (v) => !(v instanceof Undef),
  undefined: (v) => v instanceof Undef,
  none: (v) => v === null,
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number' || typeof v === 'boolean',
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  float: (v) => typeof v === 'number' && !Number.isInteger(v),
  boolean: (v) => typeof v === 'boolean',
  // An undefined value is no mapping (Undef is an object here, not in Jinja2).
  mapping: (v) => isPlainObject(v) && !(v instanceof Undef),
  iterable: (v) => typeof v === 'string' || Array.isArray(v) || isPlainObject(v),
  sequence: (v) => typeof v === 'string' || Array.isArray(v) || isPlainObject(v),
  list: (v) => Array.isArray(v),
  in: (v, [seq]) => inside(v, seq),
  contains: (v, [item]) => inside(item, v),
  match: (v, [p], kw) => reTest(v, p, kw, 'match'),
  search: (v, [p], kw) => reTest(v, p, kw, 'search'),
  regex: (v, [p], kw) => reTest(v, p, kw, kw['match_type'] === 'match' ? 'match' : 'search'),
  version: (v, [ver, op, strict], kw) =>
    compareVersions(
      v,
      ver,
      op ?? kw['operator'],
      kw['version_type'] ?? ((strict ?? kw['strict']) ? 'strict' : undefined),
    ),
  version_compare: (v, [ver, op, strict], kw) =>
    compareVersions(
      v,
      ver,
      op ?? kw['operator'],
      kw['version_type'] ?? ((strict ?? kw['strict']) ? 'strict' : undefined),
    ),
  failed: (v) => truthy(result(v, 'failed')['failed'] ?? false),
  failure: (v) => truthy(result(v, 'failed')['failed'] ?? false),
  succeeded: (v) => !truthy(result(v, 'succeeded')['failed'] ?? false),
  success: (v) => !truthy(result(v, 'success')['failed'] ?? false),
  successful: (v) => !truthy(result(v, 'successful')['failed'] ?? false),
  changed: (v) => {
    const r = result(v, 'changed');
    if ('changed' in r) return truthy(r['changed']);
    if (Array.isArray(r['results'])) return r['results'].some((x) => isPlainObject(x) && truthy(x['changed'] ?? false));
    return false;
  },
  change: (v, a, k, h) => TESTS['changed']!(v, a, k, h),
  skipped: (v) => truthy(result(v, 'skipped')['skipped'] ?? false),
  skip: (v) => truthy(result(v, 'skipped')['skipped'] ?? false),
  unreachable: (v) => truthy(result(v, 'unreachable')['unreachable'] ?? false),
  reachable: (v) => !truthy(result(v, 'reachable')['unreachable'] ?? false),
  finished: (v) => {
    const r = result(v, 'finished');
    return 'finished' in r ? truthy(r['finished']) : true;
  },
  truthy: (v, [convert], kw) => {
    if ((convert ?? kw['convert_bool']) === true && typeof v === 'string') {
      return (
        ['yes', 'on', '1', 'true', 'y', 't'].includes(v.toLowerCase()) ||
        (truthy(v) && !['no', 'off', '0', 'false', 'n', 'f'].includes(v.toLowerCase()))
      );
    }
    return truthy(v);
  },
  falsy: (v, a, kw, h) => !TESTS['truthy']!(v, a, kw, h),
  any: (v) => (Array.isArray(v) ? v.some(truthy) : truthy(v)),
  all: (v) => (Array.isArray(v) ? v.every(truthy) : truthy(v)),
  equalto: (v, [o]) => pyEqual(v, o),
  '==': (v, [o]) => pyEqual(v, o),
  eq: (v, [o]) => pyEqual(v, o),
  ne: (v, [o]) => !pyEqual(v, o),
  '!=': (v, [o]) => !pyEqual(v, o),
  lt: cmp((c) => c < 0),
  '<': cmp((c) => c < 0),
  lessthan: cmp((c) => c < 0),
  le: cmp((c) => c <= 0),
  '<=': cmp((c) => c <= 0),
  gt: cmp((c) => c > 0),
  '>': cmp((c) => c > 0),
  greaterthan: cmp((c) => c > 0),
  ge: cmp((c) => c >= 0),
  '>=': cmp((c) => c >= 0),
  sameas: (v, [o]) => v === o,
  true: (v) => v === true,
  false: (v) => v === false,
  odd: (v) => typeof v === 'number' && Math.abs(v % 2) === 1,
  even: (v) => typeof v === 'number' && v % 2 === 0,
  divisibleby: (v, [n]) => typeof v === 'number' && typeof n === 'number' && v % n === 0,
  lower: (v) => typeof v === 'string' && v === v.toLowerCase(),
  upper: (v) => typeof v === 'string' && v === v.toUpperCase(),
  subset: (v, [o]) => Array.isArray(v) && Array.isArray(o) && v.every((x) => o.some((y) => pyEqual(x, y))),
  issubset: (v, [o]) => Array.isArray(v) && Array.isArray(o) && v.every((x) => o.some((y) => pyEqual(x, y))),
  superset: (v, [o]) => Array.isArray(v) && Array.isArray(o) && o.every((x) => v.some((y) => pyEqual(x, y))),
  issuperset: (v, [o]) => Array.isArray(v) && Array.isArray(o) && o.every((x) => v.some((y) => pyEqual(x, y))),
  // Controller-side, as in Ansible.
  exists: (v) => typeof v === 'string' && existsSync(v),
  file: (v) => typeof v === 'string' && existsSync(v) && statSync(v).isFile(),
  is_file: (v) => typeof v === 'string' && existsSync(v) && statSync(v).isFile(),
  directory: (v) => typeof v === 'string' && existsSync(v) && statSync(v).isDirectory(),
  is_dir: (v) => typeof v === 'string' && existsSync(v) && statSync(v).isDirectory(),
  link: (v) => {
    if (typeof v !== 'string') return false;
    try {
      return lstatSync(v).isSymbolicLink();
    } catch {
      return false;
    }
  },
  abs: (v) => typeof v === 'string' && v.startsWith('/'),
  ...NET_TESTS,
};
