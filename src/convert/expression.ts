/**
 * Jinja2 -> bosun Handlebars, one expression at a time (`bosun convert`).
 * Only constructs whose Handlebars form means the same on bosun's engine are
 * converted; anything else throws NotConvertible with the reason and the
 * place, and the caller leaves the text as Jinja2 (which bosun still runs).
 */
import { isHandlebars } from '../template/dialect.js';
import { BUILTIN_HELPERS, HELPER_NAMES } from '../template/helpers.js';
import { parseJinja, type Expr, type Loc } from '../template/jinja/parse.js';

/** A construct with no Handlebars equivalent (or one bosun cannot prove the same): left as Jinja2. */
export class NotConvertible extends Error {
  constructor(
    message: string,
    readonly loc: Loc,
  ) {
    super(message);
  }
}

/** Filters whose helper takes the value first and the same arguments, with the same meaning. */
const SAME_FILTERS: ReadonlySet<string> = new Set([
  'join',
  'split',
  'lower',
  'upper',
  'trim',
  'length',
  'first',
  'last',
  'int',
  'bool',
  'basename',
  'dirname',
  'from_json',
  'from_yaml',
  'b64encode',
  'b64decode',
  'quote',
  'replace',
  'dict2items',
  'items2dict',
  'ternary',
  'mandatory',
]);

const COMPARE: Record<string, string> = { '==': 'eq', '!=': 'ne', '<': 'lt', '>': 'gt', '<=': 'le', '>=': 'ge' };

/** A Handlebars string literal of a text (undefined when no quoting keeps it as it is). */
function quoted(s: string): string | undefined {
  // Handlebars keeps a backslash in a string as it is, except before the closing quote.
  if (s.includes('\n') || s.endsWith('\\')) return undefined;
  if (!s.includes('"')) return `"${s}"`;
  if (!s.includes("'")) return `'${s}'`;
  return undefined;
}

/**
 * How names read where an expression is converted (a template file's loop body): a name bound by a loop is a block
 * parameter, one bound by `{% set %}` stands for its value, and any other is a variable, read through `@root` inside a
 * loop (Handlebars reads a plain name there relative to the item).
 */
export interface NameScope {
  /** The Handlebars form of a name bound here, or undefined for a variable. */
  resolve(name: string, at: Loc): string | undefined;
  /** The Handlebars form of `loop.<attr>`; throws NotConvertible when there is none. */
  loopAttr?(attr: string, at: Loc): string;
  /** True inside a loop body: variables are read as `@root.name`. */
  readonly inLoop: boolean;
  /**
   * `a ~ b` may be converted (`join (list a b) ""`): in a template file. A YAML value's text is read back as a literal
   * by Ansible (`"{{ a ~ b }}"` of '1' and '2' is the number 12), which Handlebars' text is not.
   */
  readonly concat?: boolean;
  /** Told of every variable path read (`a.b.[0]` as its parts), where it is read. */
  read?(parts: string[], at: Loc): void;
}

const PLAIN: NameScope = { resolve: () => undefined, inLoop: false };

/** Names a variable cannot be written as plainly: helpers (called when written alone) and Handlebars' literals. */
function reserved(name: string): boolean {
  return HELPER_NAMES.has(name) || BUILTIN_HELPERS.has(name) || ['true', 'false', 'null', 'undefined'].includes(name);
}

/** A path `a.b.0` as Handlebars writes it; undefined when it is not a plain path. */
function pathOf(e: Expr, scope: NameScope = PLAIN): string | undefined {
  if (e.k === 'name') {
    if (!/^[A-Za-z_]\w*$/.test(e.name) || e.name === 'this') return undefined;
    const bound = scope.resolve(e.name, e);
    if (bound !== undefined) return bound;
    if (e.name === 'loop' && scope.loopAttr)
      throw new NotConvertible(
        'the loop object itself (only loop.index, loop.index0, loop.first, loop.last, loop.length)',
        e,
      );
    return scope.inLoop || reserved(e.name) ? `@root.${e.name}` : e.name;
  }
  if (e.k !== 'get' || e.key.k !== 'lit') return undefined;
  if (
    e.obj.k === 'name' &&
    e.obj.name === 'loop' &&
    scope.loopAttr &&
    typeof e.key.v === 'string' &&
    scope.resolve('loop', e) === undefined
  )
    return scope.loopAttr(e.key.v, e);
  const base = pathOf(e.obj, scope);
  // A bound name that stands for an expression (a {% set %}) has no path below it.
  if (base?.startsWith('(')) return undefined;
  if (base === undefined) return undefined;
  const key = e.key.v;
  // `a.[0]`: Handlebars reads `a.0` at the end of a path as a number.
  if (typeof key === 'number' && Number.isInteger(key) && key >= 0) return `${base}.[${key}]`;
  if (typeof key === 'string' && /^[A-Za-z_][\w-]*$/.test(key)) return `${base}.${key}`;
  return undefined;
}

/** The parts of a variable path (`a.b.0`), undefined when its head is bound or it is no plain path. */
function variableParts(e: Expr, scope: NameScope): string[] | undefined {
  if (e.k === 'name') return scope.resolve(e.name, e) === undefined && e.name !== 'loop' ? [e.name] : undefined;
  if (e.k !== 'get' || e.key.k !== 'lit') return undefined;
  const base = variableParts(e.obj, scope);
  return base && [...base, String(e.key.v)];
}

/** The Handlebars form of one expression (an argument: sub-expressions are parenthesised). */
export function toHandlebars(e: Expr, scope: NameScope = PLAIN): string {
  const fail = (why: string): never => {
    throw new NotConvertible(why, e);
  };
  const sub = (x: Expr): string => toHandlebars(x, scope);
  switch (e.k) {
    case 'lit': {
      if (e.v === null) return 'null';
      if (typeof e.v === 'boolean') return String(e.v);
      if (typeof e.v === 'number')
        return e.float ? fail('a float literal (Python prints 2.0, Handlebars 2)') : String(e.v);
      if (typeof e.v === 'string')
        return quoted(e.v) ?? fail('a string with a newline, both quotes or a trailing backslash');
      return fail('this literal');
    }
    case 'name':
    case 'get': {
      const p = pathOf(e, scope) ?? fail('a subscript with a computed or unusual key (x[y], x["a b"])');
      if (scope.read) {
        const parts = variableParts(e, scope);
        if (parts) scope.read(parts, e);
      }
      return p;
    }
    case 'list':
      return `(list${e.items.map((i) => ` ${sub(i)}`).join('')})`;
    case 'dict': {
      // {'a': x}: the dict helper takes alternating keys and values.
      if (e.pairs.some(([k]) => k.k !== 'lit' || typeof k.v !== 'string'))
        return fail('a dict whose keys are not texts');
      return `(dict${e.pairs.map(([k, v]) => ` ${sub(k)} ${sub(v)}`).join('')})`;
    }
    case 'and':
    case 'or': {
      // `a and b and c` as one call: (and a b c) means the same (the first falsy argument, or the last).
      return `(${e.k}${chainOperands(e)
        .map((o) => ` ${sub(o)}`)
        .join('')})`;
    }
    case 'not':
      return `(not ${sub(e.e)})`;
    case 'in':
      return `(in ${sub(e.left)} ${sub(e.right)})`;
    case 'cmp': {
      if (e.ops.length !== 1) return fail('a chained comparison (a < b < c)');
      const helper = COMPARE[e.ops[0]!.op];
      if (!helper) return fail(`the comparison ${e.ops[0]!.op}`);
      return `(${helper} ${sub(e.first)} ${sub(e.ops[0]!.e)})`;
    }
    case 'test': {
      if (e.args.length || Object.keys(e.kwargs).length) return fail(`the test '${e.name}' with arguments`);
      if (e.name === 'defined' || e.name === 'undefined') {
        const p = pathOf(e.target, scope) ?? fail(`'is ${e.name}' of something other than a variable`);
        return `(${e.name} ${p})`;
      }
      return fail(`the test '${e.name}' (no helper of that name)`);
    }
    case 'filter':
      return filter(e, scope, fail);
    case 'bin': {
      if (e.op !== '~' || !scope.concat) return fail(`the operator ${e.op} (no Handlebars helper)`);
      // `a ~ b ~ c`: each operand's text, joined (the same text for strings and whole numbers).
      const operands: Expr[] = [];
      const collect = (x: Expr): void => {
        if (x.k === 'bin' && x.op === '~') {
          collect(x.l);
          collect(x.r);
        } else operands.push(x);
      };
      collect(e);
      return `(join (list${operands.map((o) => ` ${sub(o)}`).join('')}) "")`;
    }
    case 'call': {
      // range(n), range(a, b), range(a, b, step): the helper is Python's range.
      if (e.callee.k === 'name' && e.callee.name === 'range' && scope.resolve('range', e) === undefined) {
        if (Object.keys(e.kwargs).length || e.args.length === 0 || e.args.length > 3)
          return fail('range() with keyword arguments or with no, or more than 3, arguments');
        return `(range${e.args.map((a) => ` ${sub(a)}`).join('')})`;
      }
      return fail('a function or method call (no Handlebars helper)');
    }
    default:
      return fail(`a ${e.k} expression (no Handlebars helper)`);
  }
}

function filter(e: Expr & { k: 'filter' }, scope: NameScope, fail: (why: string) => never): string {
  if (Object.keys(e.kwargs).length) return fail(`the filter '${e.name}' with keyword arguments`);
  if (!SAME_FILTERS.has(e.name) && e.name !== 'default' && e.name !== 'd')
    return fail(`the filter '${e.name}' (no helper with the same meaning)`);
  const args = (): string => [e.target, ...e.args].map((a) => toHandlebars(a, scope)).join(' ');
  if (e.name === 'default' || e.name === 'd') {
    if (e.args.length === 0) return fail("default() without a fallback (Jinja2's is an empty string)");
    const fallback = e.args[0]!;
    if (fallback.k === 'name' && fallback.name === 'omit') return fail('default(omit): Handlebars has no omit');
    return `(default ${args()})`;
  }
  return `(${e.name} ${args()})`;
}

/** The operands of a chain of one operator (`a and b and c` -> a, b, c), left to right. */
function chainOperands(e: Expr): Expr[] {
  const operands: Expr[] = [];
  const collect = (x: Expr): void => {
    if (x.k === e.k && (x.k === 'and' || x.k === 'or')) {
      collect(x.l);
      collect(x.r);
    } else operands.push(x);
  };
  collect(e);
  return operands;
}

/**
 * A condition whose value is a boolean under bosun's truthiness (the rule of `when:` and of Jinja2's `{% if %}`):
 * Handlebars' own `#if` counts the strings "false"/"no"/"off"/"0" and an empty mapping as true, so anything that may
 * give such a value is tested through `not`. `and`/`or` of booleans are booleans, and keep `(defined x)` guards.
 */
export function conditionOf(e: Expr, scope: NameScope = PLAIN): string {
  if (e.k === 'and' || e.k === 'or')
    return `(${e.k}${chainOperands(e)
      .map((o) => ` ${conditionOf(o, scope)}`)
      .join('')})`;
  const h = toHandlebars(e, scope);
  return isBoolean(e) ? h : `(not (not ${h}))`;
}

/** Whether an expression surely gives a boolean. */
function isBoolean(e: Expr): boolean {
  if (e.k === 'not' || e.k === 'in' || e.k === 'cmp' || e.k === 'test') return true;
  if (e.k === 'lit') return typeof e.v === 'boolean';
  if (e.k === 'filter') return e.name === 'bool';
  // loop.first and loop.last (@first, @last) are booleans.
  return (
    e.k === 'get' &&
    e.obj.k === 'name' &&
    e.obj.name === 'loop' &&
    e.key.k === 'lit' &&
    ['first', 'last'].includes(String(e.key.v))
  );
}

/** A helper call as the whole mustache needs no parentheses: `{{ default x "a" }}`. */
export function mustache(h: string): string {
  return h.startsWith('(') && h.endsWith(')') ? h.slice(1, -1) : h;
}

const CTX = { source: undefined, inserted: new Map<number, number[]>(), colShift: 0 };

/** Filters whose result is text (or a number), which both dialects print alike inside a text. */
const TEXT_FILTERS: ReadonlySet<string> = new Set([
  'join',
  'lower',
  'upper',
  'trim',
  'basename',
  'dirname',
  'b64encode',
  'b64decode',
  'quote',
  'replace',
  'int',
  'length',
]);

/** Whether an expression surely gives text or a whole number (Python and Handlebars print those the same). */
export function printsAlike(e: Expr): boolean {
  if (e.k === 'lit') return typeof e.v === 'string' || (typeof e.v === 'number' && !e.float);
  return e.k === 'filter' && TEXT_FILTERS.has(e.name);
}

/**
 * A YAML value written in Jinja2, as Handlebars; the text itself when it has no `{{ }}`. Statements (`{% %}`) are not
 * converted. When the result is read as Handlebars, an expression printed inside a text whose value may be no text (a
 * boolean, a list: Jinja2 prints `True` and `['a']`, Handlebars `true` and JSON) is converted and named in `checks`.
 */
export function convertValue(text: string, checks: Array<{ reason: string; loc: Loc }> = []): string {
  const tpl = parseJinja(text, CTX, { verbatim: true, trimBlocks: false });
  const inText = tpl.parts.length > 1;
  const unsure: Loc[] = [];
  let out = '';
  for (const part of tpl.parts) {
    if (part.k === 'text') {
      if (part.text.includes('{{') || part.text.includes('\\'))
        throw new NotConvertible('literal braces or backslashes in the text', { line: 1, col: 0 });
      out += part.text;
    } else if (part.k === 'expr') {
      out += `{{ ${mustache(toHandlebars(part.e))} }}`;
      if (inText && !printsAlike(part.e)) unsure.push(part.e);
    } else {
      const at = 'line' in part ? part : { line: 1, col: 0 };
      throw new NotConvertible(
        `the statement {% ${part.k === 'ifs' ? 'if' : part.k} %} (a YAML value keeps it as Jinja2)`,
        at,
      );
    }
  }
  // A text the dialect rule still reads as Jinja2 (no helper call in it) renders as before.
  if (isHandlebars(out))
    for (const loc of unsure)
      checks.push({
        reason:
          'printed inside a text: if its value is a boolean, a list or a mapping, Jinja2 prints True/[...] where Handlebars prints true/JSON',
        loc,
      });
  return out;
}

/** A condition (`when:`) written in Jinja2, as a Handlebars condition without braces. */
export function convertCondition(text: string): string {
  const tpl = parseJinja(`{{ ${text} }}`, { ...CTX, colShift: 3 }, { verbatim: false });
  const exprs = tpl.parts.filter((p) => p.k !== 'text' || p.text.trim() !== '');
  const only = exprs[0];
  if (exprs.length !== 1 || only?.k !== 'expr') throw new NotConvertible('not one expression', { line: 1, col: 0 });
  return toHandlebars(only.e);
}
