/** Jinja2's operators with Python's rules: `in`, chained comparisons, arithmetic, `~`, `%` formatting. */
import { isPlainObject } from '../values.js';
import type { Expr, Loc } from './parse.js';
import { floatOf, isFloat, kind, plain, printf, pyCompare, pyEqual, PyFloat, pyText, use } from './values.js';

/** Make the positioned failure of an operator. */
export type Fail = (at: Loc, message: string, cause?: unknown) => Error;

export function contains(container: unknown, item: unknown, at: Loc, fail: Fail): boolean {
  if (typeof container === 'string') {
    if (typeof item !== 'string') throw fail(at, `'in <string>' needs a string on the left, got ${kind(item)}`);
    return container.includes(item);
  }
  if (Array.isArray(container)) return container.some((x) => pyEqual(x, item));
  if (isPlainObject(container)) return Object.prototype.hasOwnProperty.call(container, String(item));
  throw fail(at, `cannot look for a value in ${kind(container)}`);
}

export function compare(e: Expr & { k: 'cmp' }, evaluate: (e: Expr) => unknown, fail: Fail): boolean {
  let left = evaluate(e.first);
  for (const { op, e: right } of e.ops) {
    const r = evaluate(right);
    const l = plain(use(left));
    const rv = plain(use(r));
    let ok: boolean;
    if (op === '==' || op === '===') ok = pyEqual(l, rv);
    else if (op === '!=' || op === '!==') ok = !pyEqual(l, rv);
    else {
      let c: number;
      try {
        c = pyCompare(l, rv);
      } catch (err) {
        throw fail(e, (err as Error).message, err);
      }
      ok = op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
    }
    if (!ok) return false;
    left = r;
  }
  return true;
}

export function binary(op: string, lv: unknown, rv: unknown, at: Loc, fail: Fail): unknown {
  if (op === '~') return pyText(lv) + pyText(rv);
  const float = isFloat(use(lv)) || isFloat(use(rv));
  const l = plain(use(lv));
  const r = plain(use(rv));
  const num = (v: unknown): v is number | boolean => typeof v === 'number' || typeof v === 'boolean';
  const bad = (): Error => fail(at, `cannot use '${op}' on ${kind(l)} and ${kind(r)}`);
  // Python: a float operand makes a float, and true division always does (a whole one is boxed: PyFloat).
  const result = (n: number): number | PyFloat => (float || op === '/' ? floatOf(n) : n);
  if (op === '+') {
    if (num(l) && num(r)) return result(Number(l) + Number(r));
    if (typeof l === 'string' && typeof r === 'string') return l + r;
    if (Array.isArray(l) && Array.isArray(r)) return [...(l as unknown[]), ...(r as unknown[])];
    throw bad();
  }
  if (op === '*') {
    if (num(l) && num(r)) return result(Number(l) * Number(r));
    const [seq, n] = num(r) ? [l, Number(r)] : [r, Number(l)];
    if (!Number.isInteger(n) || !(num(l) || num(r))) throw bad();
    if (typeof seq === 'string') return seq.repeat(Math.max(0, n));
    if (Array.isArray(seq)) return Array.from({ length: Math.max(0, n) }, () => seq as unknown[]).flat();
    throw bad();
  }
  if (op === '%' && typeof l === 'string') {
    try {
      return printf(l, Array.isArray(r) ? r : [r]);
    } catch (err) {
      throw fail(at, (err as Error).message, err);
    }
  }
  if (!num(l) || !num(r)) {
    throw bad();
  }
  const a = Number(l);
  const b = Number(r);
  switch (op) {
    case '-':
      return result(a - b);
    case '/':
      if (b === 0) throw fail(at, 'division by zero');
      return result(a / b);
    case '//':
      if (b === 0) throw fail(at, 'division by zero');
      return result(Math.floor(a / b));
    case '%':
      if (b === 0) throw fail(at, 'division by zero');
      return result(a - b * Math.floor(a / b));
    case '**':
      // An integer to a negative power is a float in Python.
      return float || b < 0 ? floatOf(a ** b) : a ** b;
  }
  throw bad();
}
