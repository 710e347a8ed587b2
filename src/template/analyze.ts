/**
 * Static analysis of a parsed template: which variables it reads (each with
 * the context it is relative to, so the engine can check it against the real
 * values before rendering), and the rewrites that let Handlebars' strict mode
 * coexist with bosun's rules (optional arguments, paths inside contexts whose
 * values are only known at run time). Unknown helpers are found here.
 */
import { BUILTIN_HELPERS, HELPER_NAMES, OPTIONAL_FIRST_ARG } from './helpers.js';
import { VALUE_HELPER } from './positions.js';

type Program = hbs.AST.Program;
type Statement = hbs.AST.Statement;
// Handlebars' types say every mustache has a `hash` and every block a `program` and an `inverse`; the parser
// leaves each out when absent (no `k=v`; an inverted `{{^x}}` block; no `{{else}}`).
/** A `{{...}}` node as the parser makes it. */
export type Mustache = Omit<hbs.AST.MustacheStatement, 'hash'> & { hash?: hbs.AST.Hash };
type Block = Omit<hbs.AST.BlockStatement, 'hash' | 'program' | 'inverse'> & {
  hash?: hbs.AST.Hash;
  program?: Program;
  inverse?: Program;
};
type Expression = hbs.AST.Expression;
type PathExpression = hbs.AST.PathExpression;
type SubExpression = hbs.AST.SubExpression;
type Loc = hbs.AST.SourceLocation;

/** What a path is relative to: the variables, an `#each` item, a `#with` value, or something known only at run time. */
export type Scope =
  | { kind: 'root' }
  | { kind: 'with'; parent: Scope; parts: string[]; label: string }
  | { kind: 'item'; parent: Scope; parts: string[]; label: string }
  | { kind: 'dynamic' }
  | { kind: 'data' };

/** One variable read by a template. */
export interface VarRef {
  scope: Scope;
  parts: string[];
  /** The path as written. */
  name: string;
  line: number;
  column: number;
  /** First argument of `default`/`defined`/`undefined`/`mandatory`: may be undefined. */
  optional: boolean;
}

/** A syntax-level problem found by the walk, with its location. */
export class AnalysisError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

/** Internal helpers the rewrites call; users cannot call them. */
export const INTERNAL = {
  str: '__bosun_str',
  capture: '__bosun_capture',
  get: '__bosun_get',
  opt: '__bosun_opt',
} as const;

const ROOT: Scope = { kind: 'root' };
const DATA: Scope = { kind: 'data' };
const BLOCKS = new Set(['if', 'unless', 'each', 'with']);

/** True for a name the engine registers as a helper. */
export function isHelper(name: string): boolean {
  return HELPER_NAMES.has(name) || BUILTIN_HELPERS.has(name) || name === VALUE_HELPER;
}

function pathNode(name: string, loc: Loc): PathExpression {
  return { type: 'PathExpression', data: false, depth: 0, parts: [name], original: name, loc };
}

function stringNode(value: string, loc: Loc): Expression {
  return { type: 'StringLiteral', value, original: value, loc } as hbs.AST.StringLiteral;
}

function isScoped(p: PathExpression): boolean {
  return /^\.|this\b/.test(p.original);
}

/** A bare `{{name}}` that Handlebars calls as a helper. */
function isHelperCall(p: PathExpression): boolean {
  return p.parts.length === 1 && !p.data && p.depth === 0 && !isScoped(p) && isHelper(p.parts[0]!);
}

function hasArgs(node: { params: Expression[]; hash?: hbs.AST.Hash }): boolean {
  return node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0;
}

/** Walks a freshly parsed program once, recording references and rewriting paths in place. */
class Walker {
  readonly refs: VarRef[] = [];
  private readonly contexts: Scope[] = [ROOT];
  private readonly blockParams: Array<Map<string, Scope>> = [];
  /**
   * Paths known to be defined where the walk is: inside `{{#if (defined x)}}` (and the `else` of
   * `#unless`), and in the arguments of `and` after a `(defined x)`. Reads of them or below them
   * may be undefined (the guard is false then, and their value is never used), as Jinja2's lazy
   * undefined allows `x is defined and x.y`.
   */
  private readonly guards: Array<{ scope: Scope; parts: string[] }> = [];

  program(p: Program | undefined): void {
    if (p) for (const s of p.body) this.statement(s);
  }

  private statement(s: Statement): void {
    switch (s.type) {
      case 'ContentStatement':
      case 'CommentStatement':
        return;
      case 'MustacheStatement':
        return this.mustache(s as Mustache);
      case 'BlockStatement':
        return this.block(s as Block);
      case 'PartialStatement':
      case 'PartialBlockStatement':
        throw this.error('partials ({{> name}}) are not supported', s.loc);
      default:
        throw this.error('decorators are not supported', s.loc);
    }
  }

  private error(message: string, loc: Loc): AnalysisError {
    return new AnalysisError(message, loc.start.line, loc.start.column);
  }

  private helperName(p: Expression): string {
    // Handlebars calls `{{undefined x}}` / `(null x)` the helper named by the literal's text.
    if (p.type !== 'PathExpression') {
      const name = String((p as hbs.AST.Literal & { original: unknown }).original);
      if (p.type === 'SubExpression' || !isHelper(name)) throw this.error(`unknown helper '${name}'`, p.loc);
      return name;
    }
    const path = p as PathExpression;
    const name = path.original;
    if (path.parts.length !== 1 || path.data || path.depth > 0 || isScoped(path) || !isHelper(name)) {
      throw this.error(`unknown helper '${name}'`, p.loc);
    }
    return name;
  }

  private mustache(m: Mustache): void {
    const path = m.path;
    if (path.type === 'PathExpression' && !hasArgs(m)) {
      if (!isHelperCall(path as PathExpression)) m.path = this.value(path as PathExpression, false);
      return;
    }
    if (!hasArgs(m)) return;
    this.args(m, this.helperName(path));
  }

  private args(node: { params: Expression[]; hash?: hbs.AST.Hash }, helper: string): void {
    const depth = this.guards.length;
    node.params = node.params.map((p, i) => {
      // `(and (defined x) x.y)`: the later arguments may read x.
      const guards = helper === 'and' ? this.guardsOf(p) : [];
      const out = this.expr(p, i === 0 && OPTIONAL_FIRST_ARG.has(helper));
      this.guards.push(...guards);
      return out;
    });
    this.guards.length = depth;
    for (const pair of node.hash?.pairs ?? []) pair.value = this.expr(pair.value, false);
  }

  /** The paths an expression, when true, says are defined: `(defined x)`, and those of `(and ...)`. */
  private guardsOf(e: Expression): Array<{ scope: Scope; parts: string[] }> {
    if (e.type !== 'SubExpression') return [];
    const s = e as SubExpression;
    const name = s.path.original;
    if (name === 'and') return s.params.flatMap((p) => this.guardsOf(p));
    const first = s.params[0];
    if (name !== 'defined' || s.params.length !== 1 || first?.type !== 'PathExpression') return [];
    const where = this.locate(first as PathExpression);
    return where && where.parts.length > 0 ? [{ scope: where.scope, parts: where.parts }] : [];
  }

  private guarded(scope: Scope, parts: string[]): boolean {
    return this.guards.some(
      (g) => g.scope === scope && g.parts.length <= parts.length && g.parts.every((p, i) => parts[i] === p),
    );
  }

  private expr(e: Expression, optional: boolean): Expression {
    if (e.type === 'SubExpression') {
      const sub = e as SubExpression;
      this.args(sub, this.helperName(sub.path));
      return sub;
    }
    if (e.type === 'PathExpression') return this.value(e as PathExpression, optional);
    return e;
  }

  /** Where a path points: its scope and the parts below it; undefined for data variables. */
  private locate(p: PathExpression): { scope: Scope; parts: string[]; head: PathExpression } | undefined {
    if (p.data) {
      if (p.parts[0] !== 'root') return undefined;
      return { scope: ROOT, parts: p.parts.slice(1), head: { ...p, parts: ['root'], original: '@root' } };
    }
    if (p.depth === 0 && !isScoped(p) && p.parts.length > 0) {
      for (let i = this.blockParams.length - 1; i >= 0; i--) {
        const scope = this.blockParams[i]!.get(p.parts[0]!);
        if (scope === undefined) continue;
        if (scope === DATA) return undefined;
        return { scope, parts: p.parts.slice(1), head: { ...p, parts: [p.parts[0]!], original: p.parts[0]! } };
      }
    }
    const scope = this.contexts[Math.max(0, this.contexts.length - 1 - p.depth)]!;
    const original = `${'../'.repeat(p.depth)}this`;
    return { scope, parts: p.parts, head: { ...p, parts: [], original } };
  }

  /** Record a variable read, or rewrite it into a checked run-time lookup. */
  private value(p: PathExpression, optional: boolean): Expression {
    const where = this.locate(p);
    if (!where || where.parts.length === 0) return p;
    const { scope, parts, head } = where;
    optional ||= this.guarded(scope, parts);
    const lookup = (helper: string, from: PathExpression, rest: string[]): SubExpression => ({
      type: 'SubExpression',
      path: pathNode(helper, p.loc),
      params: [stringNode(p.original, p.loc), from, ...rest.map((s) => stringNode(s, p.loc))],
      hash: { type: 'Hash', pairs: [], loc: p.loc },
      loc: p.loc,
    });
    if (scope.kind === 'dynamic') return lookup(optional ? INTERNAL.opt : INTERNAL.get, head, parts);
    this.refs.push({ scope, parts, name: p.original, line: p.loc.start.line, column: p.loc.start.column, optional });
    // Strict mode reads `a.b` as lookup(lookup(ctx, a), b), which throws when `a` is missing.
    if (optional && p.parts.length > 1) {
      const first: PathExpression = { ...p, parts: [p.parts[0]!], original: p.data ? `@${p.parts[0]!}` : p.parts[0]! };
      return lookup(INTERNAL.opt, first, p.parts.slice(1));
    }
    return p;
  }

  private block(b: Block): void {
    const name = b.path.original;
    if (name === 'raw' && b.params.length === 0) return;
    if (!BLOCKS.has(name)) {
      if (isHelper(name))
        throw this.error(`'${name}' is not a block helper (blocks: #if, #unless, #each, #with)`, b.loc);
      throw this.error(`unknown block helper '#${name}' (blocks: #if, #unless, #each, #with, {{{{raw}}}})`, b.loc);
    }
    if (b.params.length !== 1) throw this.error(`#${name} takes exactly one argument`, b.loc);
    const target = b.params[0]!;
    const where = target.type === 'PathExpression' ? this.locate(target as PathExpression) : undefined;
    const guards = name === 'if' || name === 'unless' ? this.guardsOf(target) : [];
    this.args(b, name);
    if (name === 'if' || name === 'unless') {
      const depth = this.guards.length;
      // `#if (defined x)`: x is defined in the block; `#unless (defined x)`: in its else.
      if (name === 'if') this.guards.push(...guards);
      this.program(b.program);
      this.guards.length = depth;
      if (name === 'unless') this.guards.push(...guards);
      this.program(b.inverse);
      this.guards.length = depth;
      return;
    }
    let inner: Scope = { kind: 'dynamic' };
    if (where && where.scope.kind !== 'dynamic' && where.scope.kind !== 'data') {
      const label = (target as PathExpression).original;
      inner =
        name === 'each'
          ? { kind: 'item', parent: where.scope, parts: where.parts, label }
          : { kind: 'with', parent: where.scope, parts: where.parts, label };
    }
    const params = new Map<string, Scope>();
    const declared = b.program?.blockParams ?? [];
    if (declared[0] !== undefined) params.set(declared[0], inner);
    if (declared[1] !== undefined) params.set(declared[1], DATA);
    this.contexts.push(inner);
    this.blockParams.push(params);
    this.program(b.program);
    this.blockParams.pop();
    this.contexts.pop();
    this.program(b.inverse);
  }
}

/** Analyse a parsed program in place: returns the variable reads; throws AnalysisError. */
export function analyzeProgram(program: Program): VarRef[] {
  const walker = new Walker();
  walker.program(program);
  return walker.refs;
}

/** The expression a mustache evaluates, usable as a helper argument. */
function mustacheExpr(m: Mustache): Expression {
  const path = m.path;
  const call = hasArgs(m) || (path.type === 'PathExpression' && isHelperCall(path as PathExpression));
  if (!call) return path;
  return {
    type: 'SubExpression',
    path: m.path as PathExpression,
    params: m.params,
    hash: m.hash ?? { type: 'Hash', pairs: [], loc: m.loc },
    loc: m.loc,
  } as SubExpression;
}

function wrap(m: Mustache, helper: string): Mustache {
  return { ...m, path: pathNode(helper, m.loc), params: [mustacheExpr(m)], hash: undefined };
}

/** A copy of the program where every `{{expr}}` goes through the text helper (lists as JSON, ...). */
export function textProgram(p: Program): Program {
  const body = p.body.map((s): Statement => {
    if (s.type === 'MustacheStatement') return wrap(s as Mustache, INTERNAL.str);
    if (s.type === 'BlockStatement') {
      const b = s as Block;
      return {
        ...b,
        program: b.program && textProgram(b.program),
        inverse: b.inverse && textProgram(b.inverse),
      } as Block;
    }
    return s;
  });
  return { ...p, body };
}

/** The single mustache of a text that is exactly one expression (whitespace around allowed). */
export function singleMustache(p: Program): Mustache | undefined {
  const stmts = p.body.filter(
    (s) => !(s.type === 'ContentStatement' && (s as hbs.AST.ContentStatement).value.trim() === ''),
  );
  return stmts.length === 1 && stmts[0]!.type === 'MustacheStatement' ? (stmts[0] as Mustache) : undefined;
}

/** A program that hands the single expression's raw value to the capture helper. */
export function captureProgram(p: Program, m: Mustache): Program {
  return { ...p, body: [wrap(m, INTERNAL.capture)] };
}
