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
import { type Expr, type Loc, type Part, shortName } from './parse.js';
import { TESTS, LAZY_TESTS } from './tests.js';
import { binary, compare, contains } from './ops.js';
import {
  collectBlocks,
  isNamespace,
  LOOP_CALL,
  loopContext,
  loopMethod,
  Macro,
  namespace,
  Scope,
  type BlockDef,
  type LoadedTemplate,
  type TemplateLoader,
} from './runtime.js';
import {
  EmptyUndef,
  FailedUndef,
  floatOf,
  isFloat,
  kind,
  plain,
  PyFloat,
  pyEqual,
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
  pos: (loc: Loc) => SourcePos | undefined;
  /** Count a step against the render budget. */
  tick: () => void;
  /** Ansible's `omit` placeholder. */
  omit: string;
  /** What lookup() may use on the controller; without it, lookup() cannot run. */
  controller?: ControllerHooks;
  /** How an output node becomes text (a macro's output, a captured block); pyText when not given. */
  text?: (node: unknown) => string;
  /** Finds other templates for `{% include %}` and `{% import %}`; without it they are an error. */
  loader?: TemplateLoader;
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
  /** Names the template's statements bound (loop variables, set, macros); undefined outside any statement. */
  private scope: Scope | undefined;
  /** Positions in the template being run (an included template has its own). */
  private pos: (loc: Loc) => SourcePos | undefined;
  /** The blocks of the template being rendered (child definitions first), its own top scope, the blocks running. */
  private blocks: Map<string, BlockDef[]> | undefined;
  private templateScope: Scope | undefined;
  private readonly blockStack: Array<{ name: string; level: number; scoped: boolean }> = [];

  constructor(private readonly env: Env) {
    this.pos = env.pos;
  }

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
    this.scope ??= new Scope();
    for (const part of parts) {
      switch (part.k) {
        case 'text':
          out.push(part.text);
          break;
        case 'expr':
          out.push(this.eval(part.e));
          break;
        case 'ifs': {
          const hit = part.branches.find((b) => truthy(this.eval(b.cond)));
          if (hit) this.parts(hit.body, out);
          else if (part.else) this.parts(part.else, out);
          break;
        }
        case 'for':
          this.forLoop(part, out);
          break;
        case 'set':
          this.assign(part);
          break;
        case 'macro':
          this.scope.set(part.name, new Macro(part.name, part.params, part.body, this.scope));
          break;
        case 'include':
          this.include(part, out);
          break;
        case 'import':
        case 'from':
          this.importTemplate(part);
          break;
        case 'with': {
          const values = part.values.map((v) => use(this.eval(v)));
          const scope = new Scope(this.scope);
          part.targets.forEach((t, i) => scope.set(t, values[i]));
          this.within(scope, () => this.parts(part.body, out));
          break;
        }
        case 'block':
          if (this.blocks?.has(part.name)) this.block(part.name, 0, part.scoped, out);
          else this.within(new Scope(this.scope), () => this.parts(part.body, out));
          break;
        case 'extends':
          throw this.fail(part, '{% extends %} is read at the top level of a template file only');
      }
    }
  }

  /**
   * Render a whole template: its blocks collected, and when it extends another, the other rendered with this one's
   * blocks in front (Jinja2's inheritance). Output after `{% extends %}` is dropped; statements still run.
   */
  template(parts: Part[], out: unknown[]): void {
    this.scope ??= new Scope();
    const saved = { blocks: this.blocks, top: this.templateScope };
    this.blocks = new Map();
    this.templateScope = this.scope;
    try {
      let current = { parts, pos: this.pos };
      for (let level = 0; ; level++) {
        collectBlocks(current.parts, current.pos, this.failer, this.blocks);
        let parent: (Part & { k: 'extends' }) | undefined;
        const top = current.parts;
        this.within(
          this.scope,
          () => {
            for (const part of top) {
              if (part.k === 'extends') {
                if (parent) throw this.fail(part, 'a template extends another one only once');
                parent = part;
              } else if (!parent) this.parts([part], out);
              else if (part.k === 'set' || part.k === 'macro' || part.k === 'import' || part.k === 'from')
                this.parts([part], []);
            }
          },
          current.pos,
        );
        if (!parent) return;
        if (level > 100) throw this.fail(parent, 'templates extend each other in a circle');
        const found = this.within(this.scope, () => this.load(parent!.template, parent!, false)!, current.pos);
        current = { parts: found.tpl.parts, pos: found.pos };
      }
    } finally {
      this.blocks = saved.blocks;
      this.templateScope = saved.top;
    }
  }

  /**
   * Render the `level`th definition of a block (0: the one in force; super() goes one further). `scoped` is the block
   * tag's where it is rendered: the names bound around it (a loop variable) are seen then.
   */
  private block(name: string, level: number, scoped: boolean, out: unknown[]): void {
    const def = this.blocks!.get(name)![level]!;
    const scope = new Scope(scoped ? this.scope : this.templateScope);
    this.blockStack.push({ name, level, scoped });
    try {
      this.within(scope, () => this.parts(def.body, out), def.pos);
    } finally {
      this.blockStack.pop();
    }
  }

  /** `super()` inside a block, `self.name()` anywhere: the block's text. */
  private blockCall(name: string, level: number, scoped: boolean, at: Loc): unknown {
    if (!this.blocks?.get(name)?.[level])
      return new Undef('super', `there is no parent block called '${name}'`, this.pos(at));
    const nodes: unknown[] = [];
    this.block(name, level, scoped, nodes);
    return this.text(nodes);
  }

  /** Text of rendered output nodes. */
  private text(nodes: unknown[]): string {
    const toText = this.env.text ?? pyText;
    return nodes.map((n) => toText(n)).join('');
  }

  /** Run `body` in a new scope below `scope`; the scope is restored after, also on failure. */
  private within<T>(scope: Scope, body: () => T, pos?: (loc: Loc) => SourcePos | undefined): T {
    const saved = this.scope;
    const savedPos = this.pos;
    this.scope = scope;
    if (pos) this.pos = pos;
    try {
      return body();
    } finally {
      this.scope = saved;
      this.pos = savedPos;
    }
  }

  private forLoop(part: Part & { k: 'for' }, out: unknown[]): void {
    this.loop(part, this.scope!, use(this.eval(part.iter)), 1, out);
  }

  /** One run of a loop over `value` (a recursive loop's `loop(children)` runs it again one level deeper). */
  private loop(part: Part & { k: 'for' }, outer: Scope, value: unknown, depth: number, out: unknown[]): void {
    let items = this.iterate(value, part.iter);
    const bind = (scope: Scope, item: unknown): void => {
      if (part.targets.length === 1) {
        scope.set(part.targets[0]!, item);
        return;
      }
      const values = Array.isArray(item) ? item : typeof item === 'string' ? Array.from(item) : undefined;
      if (!values) throw this.fail(part, `cannot unpack ${kind(item)} into ${part.targets.join(', ')}`);
      if (values.length !== part.targets.length)
        throw this.fail(
          part,
          `${values.length < part.targets.length ? 'not enough' : 'too many'} values to unpack (expected ${part.targets.length}, got ${values.length})`,
        );
      part.targets.forEach((t, i) => scope.set(t, values[i]));
    };
    if (part.cond) {
      const cond = part.cond;
      items = items.filter((item) => {
        const scope = new Scope(outer);
        bind(scope, item);
        return this.within(scope, () => truthy(this.eval(cond)));
      });
    }
    if (items.length === 0) {
      if (part.else) this.within(new Scope(outer), () => this.parts(part.else!, out));
      return;
    }
    const changed: { last: unknown[] | undefined } = { last: undefined };
    const recurse = part.recursive
      ? (args: unknown[]): string => {
          if (args.length !== 1) throw new Error('loop() of a recursive loop takes one value to loop over');
          const nodes: unknown[] = [];
          this.loop(part, outer, args[0], depth + 1, nodes);
          return this.text(nodes);
        }
      : undefined;
    items.forEach((item, i) => {
      this.env.tick();
      const scope = new Scope(outer);
      bind(scope, item);
      scope.set('loop', loopContext(items, i, depth, changed, pyEqual, recurse));
      this.within(scope, () => this.parts(part.body, out));
    });
  }

  /** What a `for` loops over, as Python iterates it: a list's items, a dict's keys, a string's characters. */
  private iterate(value: unknown, at: Loc): unknown[] {
    if (Array.isArray(value)) return value;
    if (typeof value === 'string') return Array.from(value);
    if (isPlainObject(value)) return Object.keys(value);
    throw this.fail(at, `cannot loop over ${kind(value)}`);
  }

  private assign(part: Part & { k: 'set' }): void {
    const value = use(this.eval(part.value));
    let values: unknown[] = [value];
    if (part.targets.length > 1) {
      if (!Array.isArray(value))
        throw this.fail(part, `cannot unpack ${kind(value)} into ${part.targets.length} names`);
      if (value.length !== part.targets.length)
        throw this.fail(part, `cannot unpack ${value.length} values into ${part.targets.length} names`);
      values = value;
    }
    part.targets.forEach((target, i) => {
      if (target.attr === undefined) {
        this.scope!.set(target.name, values[i]);
        return;
      }
      const ns = this.scope!.lookup(target.name)?.value;
      if (!isNamespace(ns))
        throw this.fail(
          part,
          `{% set ${target.name}.${target.attr} %}: only a namespace() object's attributes can be set`,
        );
      ns[target.attr] = values[i];
    });
  }

  /** The template named by `expr` (a name, or a list of names: the first that exists). */
  private load(expr: Expr, at: Loc, ignoreMissing: boolean): LoadedTemplate | undefined {
    const loader = this.env.loader;
    if (!loader) throw this.fail(at, '{% include %} and {% import %} work in template files only');
    const wanted = use(this.eval(expr));
    const names = Array.isArray(wanted) ? wanted : [wanted];
    for (const name of names) {
      if (typeof name !== 'string') throw this.fail(at, `a template name must be a string, got ${kind(name)}`);
      const found = loader(name);
      if (found) return found;
    }
    if (ignoreMissing) return undefined;
    throw this.fail(at, `template not found: ${names.map((n) => String(n)).join(', ')}`);
  }

  private include(part: Part & { k: 'include' }, out: unknown[]): void {
    const found = this.load(part.template, part, part.ignoreMissing);
    if (!found) return;
    // The included template sees the play's variables and the names bound here, but not `loop` (as Jinja2).
    const scope = part.withContext
      ? new Scope(this.scope, { hidden: new Set(['loop']) })
      : new Scope(undefined, { isolated: true });
    const nodes: unknown[] = [];
    this.within(scope, () => this.template(found.tpl.parts, nodes), found.pos);
    out.push(this.text(nodes));
  }

  /** `{% import 'x' as m %}` and `{% from 'x' import a, b as c %}`: the template's macros and top-level names. */
  private importTemplate(part: Part & ({ k: 'import' } | { k: 'from' })): void {
    const found = this.load(part.template, part, false)!;
    const scope = part.withContext
      ? new Scope(this.scope, { hidden: new Set(['loop']) })
      : new Scope(undefined, { isolated: true });
    this.within(scope, () => this.parts(found.tpl.parts, []), found.pos);
    const exported = new Map(scope.entries().filter(([name]) => !name.startsWith('_')));
    if (part.k === 'import') {
      this.scope!.set(part.as, Object.fromEntries(exported));
      return;
    }
    for (const [name, alias] of part.names) {
      if (!exported.has(name)) throw this.fail(part, `the template has no macro or variable '${name}' to import`);
      this.scope!.set(alias, exported.get(name));
    }
  }

  /** Call a macro: its parameters bound from the arguments (defaults, varargs, kwargs, caller), its output as text. */
  private invoke(macro: Macro, args: unknown[], kwargs: Record<string, unknown>, at: Loc): string {
    const scope = new Scope(macro.closure);
    const named = new Set(macro.params.map((p) => p.name));
    macro.params.forEach((p, i) => {
      if (i < args.length) scope.set(p.name, args[i]);
      else if (Object.prototype.hasOwnProperty.call(kwargs, p.name)) scope.set(p.name, kwargs[p.name]);
      else if (p.default)
        scope.set(
          p.name,
          this.within(scope, () => use(this.eval(p.default!))),
        );
      else scope.set(p.name, new Undef(p.name, `no value was passed to macro '${macro.name}'`, this.pos(at)));
    });
    scope.set('varargs', args.slice(macro.params.length));
    if ('caller' in kwargs) scope.set('caller', kwargs['caller']);
    scope.set('kwargs', Object.fromEntries(Object.entries(kwargs).filter(([k]) => !named.has(k) && k !== 'caller')));
    const nodes: unknown[] = [];
    this.within(scope, () => this.parts(macro.body, nodes));
    return this.text(nodes);
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
        return contains(used(this.eval(e.right)), used(this.eval(e.left)), e, this.failer);
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
        return compare(e, (x) => this.eval(x), this.failer);
      case 'bin':
        return binary(e.op, this.eval(e.l), this.eval(e.r), e, this.failer);
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
          : new EmptyUndef('(inline if)', 'the condition was false and there is no else', this.pos(e));
      case 'call':
        return this.call(e);
      case 'slice':
        return this.slice(e);
      case 'caller':
        return new Macro('caller', e.params, e.body, this.scope ?? new Scope());
      case 'capture': {
        const nodes: unknown[] = [];
        this.within(new Scope(this.scope), () => this.parts(e.body, nodes));
        return this.text(nodes);
      }
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

  private readonly failer = (at: Loc, message: string, cause?: unknown): EvalFailure => this.fail(at, message, cause);

  private fail(at: Loc, message: string, cause?: unknown): EvalFailure {
    return new EvalFailure(message, this.pos(at), cause);
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
    const local = this.scope?.lookup(name);
    if (local) {
      let value = local.value;
      let at: Expr = cur;
      for (let i = 0; i < keys.length; i++) {
        const parent: Expr = at;
        at = { ...dynamic[i]!, k: 'get', obj: parent, key: dynamic[i]!, dot: false };
        value = this.index(value, keys[i], at, written(parent));
      }
      return value;
    }
    if (this.scope?.isolated)
      return new Undef(name, 'a template imported without context sees only its own names', this.pos(cur));
    const parts = [name, ...keys.map(String)];
    try {
      this.env.resolver.check(
        { scope: { kind: 'root' }, parts, name: written(e), line: cur.line, column: cur.col, optional: true },
        () => this.pos(cur),
      );
    } catch (err) {
      // A lazy value on the path read something undefined: the variable is undefined (Ansible), its error kept for a use.
      if (err instanceof BosunError && err.code === 'UNDEFINED_VAR')
        return new FailedUndef(written(e), this.pos(cur), err);
      throw err;
    }
    const root = this.env.resolver.root;
    let value: unknown = root;
    const all = [name, ...keys];
    for (let i = 0; i < all.length; i++) {
      const next = child(value, all[i]!);
      if (!next) {
        if (i === 0) {
          if (name === 'omit') return this.env.omit;
          return new Undef(name, undefined, this.pos(cur));
        }
        const detail = missingDetail(value, [String(all[i])], written(this.prefix(e, all.length - i)));
        return new Undef(written(e), detail ?? undefined, this.pos(cur));
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
    return new Undef(written(at), detail ?? undefined, this.pos(at));
  }

  private filter(e: Expr & { k: 'filter' }): unknown {
    this.env.tick();
    const fn = FILTERS[e.name];
    if (!fn) throw this.fail(e, `unknown filter '${e.name}' (see docs/templates.md for the filters bosun has)`);
    const target = this.eval(e.target);
    // Ansible's type_debug names the class of what it is given, an undefined value's too (kubespray's
    // `x | type_debug == 'bool'` checks are false, not an error, for a variable left unset).
    if (e.name === 'type_debug' && target instanceof Undef) return 'AnsibleUndefined';
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
        // map('ansible.utils.ipaddr'), select('community.general.x'): collection names as in the template.
        const fn = FILTERS[shortName(name)];
        if (!fn) throw this.fail(at, `unknown filter '${name}'`);
        return fn(value, args, kwargs ?? {}, this.helpers(at));
      },
      test: (name, value, args) => {
        const fn = TESTS[shortName(name)];
        if (!fn) throw this.fail(at, `unknown test '${name}'`);
        return truthy(fn(value, args, {}, this.helpers(at)));
      },
      undef: (name, detail) => new Undef(name, detail, this.pos(at)),
      omit: this.env.omit,
      tick: () => {
        this.env.tick();
      },
    };
  }

  private call(e: Expr & { k: 'call' }): unknown {
    this.env.tick();
    const args = e.args.map((a) => used(this.eval(a)));
    const kwargs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e.kwargs)) kwargs[k] = used(this.eval(v));
    try {
      if (e.callee.k === 'get' && e.callee.dot && e.callee.key.k === 'lit') {
        const self = e.callee.obj;
        if (self.k === 'name' && self.name === 'self' && this.blocks && !this.scope?.lookup('self'))
          return this.blockCall(String(e.callee.key.v), 0, false, e);
        const obj = used(this.eval(e.callee.obj));
        const name = String(e.callee.key.v);
        const member = isPlainObject(obj) && Object.prototype.hasOwnProperty.call(obj, name) ? obj[name] : undefined;
        if (member instanceof Macro) return this.invoke(member, args, kwargs, e);
        const method = loopMethod(obj, name);
        if (method) return method(args);
        return callMethod(obj, name, args, kwargs);
      }
      if (e.callee.k === 'name') {
        const local = this.scope?.lookup(e.callee.name)?.value;
        if (local instanceof Macro) return this.invoke(local, args, kwargs, e);
        const recurse = loopMethod(local, LOOP_CALL);
        if (recurse) return recurse(args);
        if (e.callee.name === 'super' && local === undefined) {
          const current = this.blockStack[this.blockStack.length - 1];
          if (!current) throw this.fail(e, 'super() is called inside a {% block %} only');
          return this.blockCall(current.name, current.level + 1, current.scoped, e);
        }
        if (local !== undefined) throw this.fail(e, `'${e.callee.name}' is not a macro and cannot be called`);
        if (e.callee.name === 'namespace') {
          const init: Record<string, unknown> = {};
          for (const a of args) if (isPlainObject(a)) Object.assign(init, a);
          return namespace(Object.assign(init, kwargs));
        }
        return callFunction(e.callee.name, args, kwargs, this.functionContext());
      }
    } catch (err) {
      if (err instanceof BosunError && !err.source)
        throw new BosunError(err.code, err.message, {
          source: this.pos(e.callee),
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
