/** Ansible's version comparisons: LooseVersion by default, `strict` and `semver` on request. */
import coerce from 'semver/functions/coerce.js';
import semverCompare from 'semver/functions/compare.js';
import { VERSION_OPS } from '../helpers.js';
import { pyText } from './values.js';

/** distutils' LooseVersion: runs of digits (as numbers) and of letters, dots dropped. */
function loose(v: string): Array<number | string> {
  return (v.match(/\d+|[a-z]+|\./gi) ?? []).filter((p) => p !== '.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function compareLoose(a: string, b: string): number {
  const x = loose(a);
  const y = loose(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i]!;
    const q = y[i]!;
    if (typeof p !== typeof q) throw new Error(`cannot compare versions '${a}' and '${b}' (a number with a word)`);
    if (p !== q) return p < q ? -1 : 1;
  }
  return x.length - y.length;
}

/** `value` compared with `version` by `op` (default eq). */
export function compareVersions(value: unknown, version: unknown, op: unknown, type: unknown): boolean {
  const a = pyText(value);
  const b = pyText(version);
  if (a === '') throw new Error('Input version value cannot be empty');
  if (b === '') throw new Error('Version parameter to compare against cannot be empty');
  const test = VERSION_OPS[pyText(op ?? 'eq')];
  if (!test) throw new Error(`Invalid operator type (${pyText(op)})`);
  let c: number;
  if (type === 'semver' || type === 'semantic') {
    const x = coerce(a, { includePrerelease: true, loose: true });
    const y = coerce(b, { includePrerelease: true, loose: true });
    if (!x || !y) throw new Error(`not a semantic version: ${!x ? a : b}`);
    c = semverCompare(x, y);
  } else {
    if (type === 'strict' && !/^\d+\.\d+(\.\d+)?([ab]\d+)?$/.test(a)) throw new Error(`invalid version number '${a}'`);
    c = compareLoose(a, b);
  }
  return test(c);
}
