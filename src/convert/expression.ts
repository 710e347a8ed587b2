/**
 * Jinja2 -> bosun Handlebars, one expression at a time (`bosun convert`).
 * Only constructs whose Handlebars form means the same on bosun's engine are
 * converted; anything else throws NotConvertible with the reason and the
 * place, and the caller leaves the text as Jinja2 (which bosun still runs).
 */
import { isHandlebars } from '../template/dialect.js';
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
  if (s.includes('\\') || s.includes('\n')) return undefined;
  if (!s.includes('"')) return `"${s}"`;
  if (!s.includes("'")) return `'${s}'`;
  return undefined;
}

/** A path `a.b.0` as Handlebars writes it; undefined when it is not a plain path. */
function pathOf(e: Expr): string | undefined {
  if (e.k === 'name') return /^[A-Za-z_]\w*$/.test(e.name) && e.name !== 'this' ? e.name : undefined;
  if (e.k !== 'get' || e.key.k !== 'lit') return undefined;
  const base = pathOf(e.obj);
  if (base === undefined) return undefined;
  const key = e.key.v;
  if (typeof key === 'number' && Number.isInteger(key) && key >= 0) return `${base}.${key}`;
  if (typeof key === 'string' && /^[A-Za-z_][\w-]*$/.test(key)) return `${base}.${key}`;
  return undefined;
}

/** The Handlebars form of one expression (an argument: sub-expressions are parenthesised). */
export function toHandlebars(e: Expr): string {
  const fail = (why: string): never => {
    throw new NotConvertible(why, e);
  };
  switch (e.k) {
    case 'lit': {
      if (e.v === null) return 'null';
      if (typeof e.v === 'boolean') return String(e.v);
      if (typeof e.v === 'number')
        return e.float ? fail('a float literal (Python prints 2.0, Handlebars 2)') : String(e.v);
      if (typeof e.v === 'string') return quoted(e.v) ?? fail('a string with backslashes, a newline or both quotes');
      return fail('this literal');
    }
    case 'name':
    case 'get':
      return pathOf(e) ?? fail('a subscript with a computed or unusual key (x[y], x["a b"])');
    case 'list':
      return `(list${e.items.map((i) => ` ${toHandlebars(i)}`).join('')})`;
    case 'and':
    case 'or':
      return `(${e.k} ${toHandlebars(e.l)} ${toHandlebars(e.r)})`;
    case 'not':
      return `(not ${toHandlebars(e.e)})`;
    case 'in':
      return `(in ${toHandlebars(e.left)} ${toHandlebars(e.right)})`;
    case 'cmp': {
      if (e.ops.length !== 1) return fail('a chained comparison (a < b < c)');
      const helper = COMPARE[e.ops[0]!.op];
      if (!helper) return fail(`the comparison ${e.ops[0]!.op}`);
      return `(${helper} ${toHandlebars(e.first)} ${toHandlebars(e.ops[0]!.e)})`;
    }
    case 'test': {
      if (e.args.length || Object.keys(e.kwargs).length) return fail(`the test '${e.name}' with arguments`);
      if (e.name === 'defined' || e.name === 'undefined') {
        const p = pathOf(e.target) ?? fail(`'is ${e.name}' of something other than a variable`);
        return `(${e.name} ${p})`;
      }
      return fail(`the test '${e.name}' (no helper of that name)`);
    }
    case 'filter':
      return filter(e, fail);
    default:
      return fail(`${e.k === 'bin' ? `the operator ${e.op}` : `a ${e.k} expression`} (no Handlebars helper)`);
  }
}

function filter(e: Expr & { k: 'filter' }, fail: (why: string) => never): string {
  if (Object.keys(e.kwargs).length) return fail(`the filter '${e.name}' with keyword arguments`);
  if (!SAME_FILTERS.has(e.name) && e.name !== 'default' && e.name !== 'd')
    return fail(`the filter '${e.name}' (no helper with the same meaning)`);
  const args = (): string => [e.target, ...e.args].map(toHandlebars).join(' ');
  if (e.name === 'default' || e.name === 'd') {
    if (e.args.length === 0) return fail("default() without a fallback (Jinja2's is an empty string)");
    const fallback = e.args[0]!;
    if (fallback.k === 'name' && fallback.name === 'omit') return fail('default(omit): Handlebars has no omit');
    return `(default ${args()})`;
  }
  return `(${e.name} ${args()})`;
}

/** A helper call as the whole mustache needs no parentheses: `{{ default x "a" }}`. */
function mustache(h: string): string {
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
function printsAlike(e: Expr): boolean {
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
