/**
 * What Jinja2 statements make while a template runs: the scopes of `{% for %}`
 * bodies, macros and includes (Jinja2's rules: a loop body's assignments stay
 * in that iteration, an `{% if %}` has no scope of its own), the `loop`
 * variable, macros, and `namespace()` objects.
 */
import type { SourcePos } from '../../errors.js';
import { loopPosition } from '../../util/loop-position.js';
import type { JinjaTemplate, Loc, Param, Part } from './parse.js';

/** Names visible in a template besides the variables of the play. */
export class Scope {
  private readonly vars = new Map<string, unknown>();

  constructor(
    readonly parent?: Scope,
    /**
     * `hidden`: names the parent has that this scope does not see (an include does not see `loop`). `isolated`: the
     * play's variables are not visible below this scope (a template imported without context).
     */
    private readonly opts: { hidden?: ReadonlySet<string>; isolated?: boolean } = {},
  ) {}

  /** The innermost binding of `name`, or undefined when no scope binds it. */
  lookup(name: string): { value: unknown } | undefined {
    if (this.vars.has(name)) return { value: this.vars.get(name) };
    if (this.opts.hidden?.has(name)) return undefined;
    return this.parent?.lookup(name);
  }

  /** True when the play's variables are not visible from here. */
  get isolated(): boolean {
    return this.opts.isolated === true || (this.parent?.isolated ?? false);
  }

  set(name: string, value: unknown): void {
    this.vars.set(name, value);
  }

  /** The names this scope itself binds, in order (an imported template's exports). */
  entries(): Array<[string, unknown]> {
    return [...this.vars.entries()];
  }
}

/** A `{% macro %}` (or a `{% call %}` body passed as `caller`), closed over the scope it was defined in. */
export class Macro {
  constructor(
    readonly name: string,
    readonly params: Param[],
    readonly body: Part[],
    readonly closure: Scope,
  ) {}
}

/** Marks a `namespace()` object: the only object whose attributes `{% set ns.x = ... %}` may assign. */
export const NAMESPACE: unique symbol = Symbol('namespace');
/** The methods of the `loop` variable (`loop.cycle('a', 'b')`, `loop.changed(x)`), kept off its printed keys. */
export const LOOP_METHODS: unique symbol = Symbol('loop methods');

export type LoopMethod = (args: unknown[]) => unknown;

/** A `namespace(a=1)` object. */
export function namespace(init: Record<string, unknown>): Record<string, unknown> {
  const ns: Record<string | symbol, unknown> = { ...init };
  Object.defineProperty(ns, NAMESPACE, { value: true, enumerable: false });
  return ns;
}

export function isNamespace(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && NAMESPACE in value;
}

/** The name under LOOP_METHODS of a recursive loop's `loop(children)`. */
export const LOOP_CALL = '__call__';

/**
 * The `loop` variable of one iteration. `depth` is the recursion level (1 outside a recursive loop's inner calls, as
 * Jinja2 counts it); `recurse` is what `loop(children)` runs in a `recursive` loop.
 */
export function loopContext(
  items: unknown[],
  i: number,
  depth: number,
  changed: { last: unknown[] | undefined },
  equal: (a: unknown, b: unknown) => boolean,
  recurse?: LoopMethod,
): Record<string, unknown> {
  const loop: Record<string | symbol, unknown> = { ...loopPosition(items, i), depth, depth0: depth - 1 };
  const methods: Record<string, LoopMethod> = {
    cycle: (args) => {
      if (args.length === 0) throw new Error('loop.cycle() needs at least one value');
      return args[i % args.length];
    },
    changed: (args) => {
      const same = changed.last?.length === args.length && args.every((a, k) => equal(a, changed.last![k]));
      changed.last = args;
      return !same;
    },
  };
  if (recurse) methods[LOOP_CALL] = recurse;
  Object.defineProperty(loop, LOOP_METHODS, { value: methods, enumerable: false });
  return loop;
}

/** A loop method of `value`, when it is a `loop` variable. */
export function loopMethod(value: unknown, name: string): LoopMethod | undefined {
  if (typeof value !== 'object' || value === null || !(LOOP_METHODS in value)) return undefined;
  return (value as { [LOOP_METHODS]: Record<string, LoopMethod> })[LOOP_METHODS][name];
}

/** Another template found by name (include, import): parsed, with the positions of its own file. */
export interface LoadedTemplate {
  tpl: JinjaTemplate;
  pos: (loc: Loc) => SourcePos | undefined;
}

/** Finds and parses another template by name; undefined when there is none (a syntax error is thrown). */
export type TemplateLoader = (name: string) => LoadedTemplate | undefined;

/** One definition of a `{% block %}`: its body, in the file that wrote it. */
export interface BlockDef {
  name: string;
  body: Part[];
  pos: (loc: Loc) => SourcePos | undefined;
}

/** Every block a template defines, at any depth (Jinja2 collects them all); a name defined twice is an error. */
export function collectBlocks(
  parts: Part[],
  pos: (loc: Loc) => SourcePos | undefined,
  fail: (at: Loc, message: string) => Error,
  into: Map<string, BlockDef[]>,
): void {
  const own = new Set<string>();
  const walk = (list: Part[] | undefined): void => {
    for (const part of list ?? []) {
      switch (part.k) {
        case 'block':
          if (own.has(part.name)) throw fail(part, `block '${part.name}' is defined twice`);
          own.add(part.name);
          into.set(part.name, [...(into.get(part.name) ?? []), { name: part.name, body: part.body, pos }]);
          walk(part.body);
          break;
        case 'ifs':
          for (const b of part.branches) walk(b.body);
          walk(part.else);
          break;
        case 'for':
          walk(part.body);
          walk(part.else);
          break;
        case 'with':
        case 'macro':
          walk(part.body);
          break;
        default:
          break;
      }
    }
  };
  walk(parts);
}
