/**
 * Evaluation of a parsed Jinja2 expression or value with Ansible's semantics:
 * lazy undefined (an Undef is an error only when used), Python truthiness,
 * text forms and operators. Variables are read through the Resolver, as the
 * Handlebars path reads them, so lazy variables and unsafe data behave the
 * same in both dialects.
 */
import { BosunError, type SourcePos } from '../../errors.js';
import type { Resolver } from '../resolve.js';
import { missingDetail } from '../resolve.js';
import { isPlainObject } from '../values.js';
import { FILTERS, LAZY_FILTERS } from './filters.js';
import { callFunction, type FunctionContext } from './functions.js';
import { lookupHost, type ControllerHooks } from './lookup-host.js';
import { callMethod } from './methods.js';
import type { Expr, Loc, Part } from './parse.js';
import { TESTS, LAZY_TESTS } from './tests.js';
import {
  floatOf,
  isFloat,
  kind,
  plain,
  printf,
  pyCompare,
  pyEqual,
  PyFloat,
  pyText,
  truthy,
  Undef,
  use,
} from './values.js';

/** Filters that see a boxed float as it is (they print it or keep it). */
const FLOAT_AWARE_FILTERS: ReadonlySet<string> = new Set(['string', 'type_debug']);
/** Filters whose result is a float: boxed when it is a whole number. */
const FLOAT_RESULT_FILTERS: ReadonlySet<string> = new Set(['float', 'round']);

/** The value with boxed floats as plain numbers (what filters, tests, methods and containers get). */
function used(v: unknown): unknown {
  return plain(use(v));
}

/** What an evaluation needs from the engine. */
export interface Env {
  resolver: Resolver;
  pos(loc: Loc): SourcePos | undefined;
  /** Count a step against the render budget. */
  tick(): void;
  /** Ansible's `omit` placeholder. */
  omit: string;
  /** What lookup() may use on the controller; without it, lookup() cannot run. */
  controller?: ControllerHooks;
}

/** A filter or test failed: its message, at the filter's position. */
export class EvalFailure extends Error {
  constructor(
    message: string,
    readonly source: SourcePos | undefined,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

function child(container: unknown, key: string | number): { value: unknown } | undefined {
  if (Array.isArray(container) && typeof key === 'number') {
    const i = key < 0 ? container.length + key : key;
    return i >= 0 && i < container.length ? { value: container[i] } : undefined;
  }
  if (typeof container === 'string' && typeof key === 'number') {
    const i = key < 0 ? container.length + key : key;
    return i >= 0 && i < container.length ? { value: container[i] } : undefined;
  }
  if (typeof container !== 'object' || container === null) return undefined;
  if (!Object.prototype.hasOwnProperty.call(container, key)) return undefined;
  const value = (container as Record<string, unknown>)[key as string];
  return value === undefined ? undefined : { value };
}

/** The text a path was written as (`x.y`, `x['k']`, `x[0]`), for messages. */
function written(e: Expr): string {
  if (e.k === 'name') return e.name;
  if (e.k === 'get') {
    const base = written(e.obj);
    if (e.key.k === 'lit' && e.dot) return `${base}.${String(e.key.v)}`;
    if (e.key.k === 'lit') return `${base}[${typeof e.key.v === 'string' ? `'${e.key.v}'` : String(e.key.v)}]`;
    return `${base}[${written(e.key)}]`;
  }
  return '(expression)';
}

export class Evaluator {
  private functions: FunctionContext | undefined;

  constructor(private readonly env: Env) {}

  /** What global functions (lookup) get: made on first use, one per evaluation. */
  private functionContext(): FunctionContext | undefined {
    const hooks = this.env.controller;
    if (!hooks) return undefined;
    let host: ReturnType<typeof lookupHost> | undefined;
    return (this.functions ??= {
      lookupHost: () => (host ??= lookupHost(this.env.resolver, hooks)),
      warn: (message) => hooks.warn(message),
    });
  }

  /** Render template parts to a list of values (one per output node), for the native-type rule. */
  parts(parts: Part[], out: unknown[]): void {
    for (const part of parts) {
      if (part.k === 'text') out.push(part.text);
      else if (part.k === 'expr') out.push(this.eval(part.e));
      else {
        const hit = part.branches.find((b) => truthy(this.eval(b.cond)));
        if (hit) this.parts(hit.body, out);
        else if (part.else) this.parts(part.else, out);
      }
    }
  }

  eval(e: Expr): unknown {
    switch (e.k) {
      case 'lit':
        return e.float ? new PyFloat(e.v as number) : e.v;
      case 'list':
      case 'tuple':
        return e.items.map((i) => used(this.eval(i)));
      case 'dict': {
        const out: Record<string, unknown> = {};
        for (const [k, v] of e.pairs) out[String(used(this.eval(k)))] = used(this.eval(v));
        return out;
      }
      case 'name':
      case 'get':
        return this.path(e);
      case 'filter':
        return this.filter(e);
      case 'test':
        return this.test(e);
      case 'in':
        return this.contains(used(this.eval(e.right)), used(this.eval(e.left)), e);
      case 'not':
        return !truthy(this.eval(e.e));
      case 'and': {
        const l = this.eval(e.l);
        return truthy(l) ? this.eval(e.r) : l;
      }
      case 'or': {
        const l = this.eval(e.l);
        return truthy(l) ? l : this.eval(e.r);
      }
      case 'cmp':
        return this.compare(e);
      case 'bin':
        return this.binary(e.op, this.eval(e.l), this.eval(e.r), e);
      case 'neg': {
        const v = use(this.eval(e.e));
        if (v instanceof PyFloat) return new PyFloat(-v.value);
        if (typeof v !== 'number') throw this.fail(e, `cannot negate ${kind(v)}`);
        return -v;
      }
      case 'pos':
        return use(this.eval(e.e));
      case 'if':
        if (truthy(this.eval(e.cond))) return this.eval(e.then);
        return e.else
          ? this.eval(e.else)
          : new Undef('(inline if)', 'the condition was false and there is no else', this.env.pos(e));
      case 'call':
        return this.call(e);
      case 'slice':
        return this.slice(e);
    }
  }

  /** Python's `x[start:stop:step]` of a list or a text. */
  private slice(e: Expr & { k: 'slice' }): unknown {
    const value = used(this.eval(e.obj));
    const part = (x: Expr | undefined): number | undefined => {
      if (!x) return undefined;
      const v = use(this.eval(x));
      if (v === null) return undefined;
      if (typeof v === 'boolean') return Number(v);
      if (typeof v !== 'number' || !Number.isInteger(v))
        throw this.fail(x, `slice indices must be integers or None, got ${kind(v)}`);
      return v;
    };
    const [start, stop, step] = [part(e.start), part(e.stop), part(e.step)];
    let items: unknown[];
    if (typeof value === 'string') items = Array.from(value);
    else if (Array.isArray(value)) items = value;
    else throw this.fail(e, `cannot slice ${kind(value)}`);
    if (step === 0) throw this.fail(e.step ?? e, 'slice step cannot be zero');
    const picked = pySlice(items, start, stop, step ?? 1);
    return typeof value === 'string' ? picked.join('') : picked;
  }

  private fail(at: Loc, message: string, cause?: unknown): EvalFailure {
    return new EvalFailure(message, this.env.pos(at), cause);
  }

  /** A variable path: through the Resolver (lazy values rendered, unsafe data left alone) while keys are known. */
  private path(e: Expr & ({ k: 'name' } | { k: 'get' })): unknown {
    const keys: Array<string | number> = [];
    let cur: Expr = e;
    const dynamic: Expr[] = [];
    while (cur.k === 'get') {
      dynamic.unshift(cur.key);
      cur = cur.obj;
    }
    if (cur.k !== 'name') {
      // A path below a computed value: plain lookups.
      let value = this.eval(cur);
      let at: Expr = cur;
      for (const keyExpr of dynamic) {
        const parent: Expr = at;
        at = { ...keyExpr, k: 'get', obj: parent, key: keyExpr, dot: false };
        value = this.index(value, use(this.eval(keyExpr)), at, written(parent));
      }
      return value;
    }
    for (const keyExpr of dynamic) {
      const key = use(this.eval(keyExpr));
      if (typeof key !== 'string' && typeof key !== 'number')
        throw this.fail(keyExpr, `cannot use ${kind(key)} as a key`);
      keys.push(key);
    }
    const name = cur.name;
    const parts = [name, ...keys.map(String)];
    this.env.resolver.check(
      { scope: { kind: 'root' }, parts, name: written(e), line: cur.line, column: cur.col, optional: true },
      () => this.env.pos(cur),
    );
    const root = this.env.resolver.root;
    let value: unknown = root;
    const all = [name, ...keys];
    for (let i = 0; i < all.length; i++) {
      const next = child(value, all[i]!);
      if (!next) {
        if (i === 0) {
          if (name === 'omit') return this.env.omit;
          return new Undef(name, undefined, this.env.pos(cur));
        }
        const detail = missingDetail(value, [String(all[i])], written(this.prefix(e, all.length - i)));
        return new Undef(written(e), detail ?? undefined, this.env.pos(cur));
      }
      value = next.value;
    }
    return value;
  }

  /** The expression `n` levels up a get chain. */
  private prefix(e: Expr, n: number): Expr {
    let cur = e;
    for (let i = 0; i < n && cur.k === 'get'; i++) cur = cur.obj;
    return cur;
  }

  private index(value: unknown, key: unknown, at: Expr, base: string): unknown {
    if (value instanceof Undef) return new Undef(`${value.name}.${String(key)}`, value.detail, value.source);
    const next = typeof key === 'string' || typeof key === 'number' ? child(value, key) : undefined;
    if (next) return next.value;
    const detail = missingDetail(value, [String(key)], base);
    return new Undef(written(at), detail ?? undefined, this.env.pos(at));
  }

  private filter(e: Expr & { k: 'filter' }): unknown {
    this.env.tick();
    const fn = FILTERS[e.name];
    if (!fn) throw this.fail(e, `unknown filter '${e.name}' (see docs/templates.md for the filters bosun has)`);
    const target = this.eval(e.target);
    const value = LAZY_FILTERS.has(e.name) ? target : FLOAT_AWARE_FILTERS.has(e.name) ? use(target) : used(target);
    const args = e.args.map((a) => plain(this.eval(a)));
    const kwargs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e.kwargs)) kwargs[k] = plain(this.eval(v));
    if (!LAZY_FILTERS.has(e.name)) {
      args.forEach(use);
      Object.values(kwargs).forEach(use);
    }
    try {
      const out = fn(value, args, kwargs, this.helpers(e));
      if (FLOAT_RESULT_FILTERS.has(e.name) && typeof out === 'number') return floatOf(out);
      if (e.name === 'abs' && isFloat(target) && typeof out === 'number') return floatOf(out);
      return out;
    } catch (err) {
      if (err instanceof BosunError || err instanceof EvalFailure) throw err;
      throw this.fail(e, `${e.name}: ${(err as Error).message}`, err);
    }
  }

  private test(e: Expr & { k: 'test' }): unknown {
    this.env.tick();
    const fn = TESTS[e.name];
    if (!fn) throw this.fail(e, `unknown test '${e.name}' (see docs/templates.md for the tests bosun has)`);
    const target = this.eval(e.target);
    if (target instanceof PyFloat && (e.name === 'float' || e.name === 'integer')) return e.name === 'float';
    const value = LAZY_TESTS.has(e.name) ? plain(target) : used(target);
    const args = e.args.map((a) => used(this.eval(a)));
    const kwargs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e.kwargs)) kwargs[k] = used(this.eval(v));
    try {
      return fn(value, args, kwargs, this.helpers(e));
    } catch (err) {
      if (err instanceof BosunError || err instanceof EvalFailure) throw err;
      throw this.fail(e, `test ${e.name}: ${(err as Error).message}`, err);
    }
  }

  /** What filters and tests may call back: other filters and tests (map, select), the omit placeholder. */
  helpers(at: Loc): Helpers {
    return {
      filter: (name, value, args, kwargs) => {
        const fn = FILTERS[name];
        if (!fn) throw this.fail(at, `unknown filter '${name}'`);
        return fn(value, args, kwargs ?? {}, this.helpers(at));
      },
      test: (name, value, args) => {
        const fn = TESTS[name];
        if (!fn) throw this.fail(at, `unknown test '${name}'`);
        return truthy(fn(value, args, {}, this.helpers(at)));
      },
      undef: (name, detail) => new Undef(name, detail, this.env.pos(at)),
      omit: this.env.omit,
      tick: () => {
        this.env.tick();
      },
    };
  }

  private contains(container: unknown, item: unknown, at: Loc): boolean {
    if (typeof container === 'string') {
      if (typeof item !== 'string') throw this.fail(at, `'in <string>' needs a string on the left, got ${kind(item)}`);
      return container.includes(item);
    }
    if (Array.isArray(container)) return container.some((x) => pyEqual(x, item));
    if (isPlainObject(container)) return Object.prototype.hasOwnProperty.call(container, String(item));
    throw this.fail(at, `cannot look for a value in ${kind(container)}`);
  }

  private compare(e: Expr & { k: 'cmp' }): boolean {
    let left = this.eval(e.first);
    for (const { op, e: right } of e.ops) {
      const r = this.eval(right);
      const l = used(left);
      const rv = used(r);
      let ok: boolean;
      if (op === '==' || op === '===') ok = pyEqual(l, rv);
      else if (op === '!=' || op === '!==') ok = !pyEqual(l, rv);
      else {
        let c: number;
        try {
          c = pyCompare(l, rv);
        } catch (err) {
          throw this.fail(e, (err as Error).message, err);
        }
        ok = op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
      }
      if (!ok) return false;
      left = r;
    }
    return true;
  }

  private binary(op: string, lv: unknown, rv: unknown, at: Loc): unknown {
    if (op === '~') return pyText(lv) + pyText(rv);
    const float = isFloat(use(lv)) || isFloat(use(rv));
    const l = used(lv);
    const r = used(rv);
    const num = (v: unknown): v is number | boolean => typeof v === 'number' || typeof v === 'boolean';
    const bad = (): EvalFailure => this.fail(at, `cannot use '${op}' on ${kind(l)} and ${kind(r)}`);
    // Python: a float operand makes a float, and true division always does.
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
        throw this.fail(at, (err as Error).message, err);
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
        if (b === 0) throw this.fail(at, 'division by zero');
        return result(a / b);
      case '//':
        if (b === 0) throw this.fail(at, 'division by zero');
        return result(Math.floor(a / b));
      case '%':
        if (b === 0) throw this.fail(at, 'division by zero');
        return result(a - b * Math.floor(a / b));
      case '**':
        // An integer to a negative power is a float in Python.
        return float || b < 0 ? floatOf(a ** b) : a ** b;
    }
    throw bad();
  }

  private call(e: Expr & { k: 'call' }): unknown {
    this.env.tick();
    const args = e.args.map((a) => used(this.eval(a)));
    const kwargs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e.kwargs)) kwargs[k] = used(this.eval(v));
    try {
      if (e.callee.k === 'get' && e.callee.dot && e.callee.key.k === 'lit') {
        const obj = used(this.eval(e.callee.obj));
        return callMethod(obj, String(e.callee.key.v), args, kwargs);
      }
      if (e.callee.k === 'name') return callFunction(e.callee.name, args, kwargs, this.functionContext());
    } catch (err) {
      if (err instanceof BosunError && !err.source)
        throw new BosunError(err.code, err.message, {
          source: this.env.pos(e.callee),
          hint: err.hint,
          cause: err.cause,
        });
      if (err instanceof BosunError || err instanceof EvalFailure) throw err;
      throw this.fail(e, (err as Error).message, err);
    }
    throw this.fail(e, 'only methods of values (s.split(","), d.items()) and range() can be called here');
  }
}

/** The items Python's slice picks (step not zero). */
function pySlice<T>(items: readonly T[], start: number | undefined, stop: number | undefined, step: number): T[] {
  const n = items.length;
  const [lower, upper] = step > 0 ? [0, n] : [-1, n - 1];
  const clamp = (v: number | undefined, fallback: number): number => {
    if (v === undefined) return fallback;
    return v < 0 ? Math.max(v + n, lower) : Math.min(v, upper);
  };
  const from = clamp(start, step > 0 ? lower : upper);
  const to = clamp(stop, step > 0 ? upper : lower);
  const out: T[] = [];
  for (let i = from; step > 0 ? i < to : i > to; i += step) out.push(items[i]!);
  return out;
}

/** What filters and tests get besides their arguments. */
export interface Helpers {
  filter(name: string, value: unknown, args: unknown[], kwargs?: Record<string, unknown>): unknown;
  test(name: string, value: unknown, args: unknown[]): boolean;
  undef(name: string, detail?: string): Undef;
  omit: string;
  tick(): void;
}
