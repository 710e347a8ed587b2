/**
 * The Jinja2 front end of the engine: render a YAML value or evaluate a
 * condition written in Jinja2, with Ansible's rules for the result's type
 * (one expression keeps its native type; text that looks like a list, dict or
 * boolean is read as one, as ansible_eval_concat does).
 */
import { BosunError, type SourcePos } from '../../errors.js';
import { toSourcePos, type PosContext } from '../positions.js';
import type { Resolver } from '../resolve.js';
import { EvalFailure, Evaluator } from './eval.js';
import type { ControllerHooks } from './lookup-host.js';
import { FILTERS } from './filters.js';
import { parseJinja, type Expr, type JinjaTemplate, type Part } from './parse.js';
import { TESTS } from './tests.js';
import { literalEval, plain, PyFloat, pyText, use } from './values.js';

/** Ansible's `omit`: a module argument whose value is this is left out. */
export const OMIT = '__omit_place_holder__bosun';

export type Mode = 'value' | 'text' | 'expression';

/** Ansible's STRING_TYPE_FILTERS (its default list). */
const STRING_FILTERS: ReadonlySet<string> = new Set(['string', 'to_json', 'to_nice_json', 'to_yaml', 'to_nice_yaml']);

/** Parse and check (filters and tests known) at load time. */
export function checkJinja(text: string, ctx: PosContext, mode: Mode): JinjaTemplate {
  const tpl = parseJinja(text, ctx, mode !== 'expression');
  const posCtx: PosContext = { ...ctx, inserted: tpl.inserted };
  if (mode === 'expression' && singleExpr(tpl.parts) === undefined) {
    throw new BosunError('TEMPLATE_SYNTAX', 'a condition must be one expression, such as `x == "b" and y is defined`', {
      source: toSourcePos(1, ctx.colShift, posCtx),
    });
  }
  const walk = (e: Expr): void => {
    if (e.k === 'filter' && !FILTERS[e.name])
      throw new BosunError('TEMPLATE_SYNTAX', `unknown filter '${e.name}'`, {
        source: toSourcePos(e.line, e.col, posCtx),
        hint: 'see docs/templates.md (Jinja2) for the filters bosun has',
      });
    if (e.k === 'test' && !TESTS[e.name])
      throw new BosunError('TEMPLATE_SYNTAX', `unknown test '${e.name}'`, {
        source: toSourcePos(e.line, e.col, posCtx),
        hint: 'see docs/templates.md (Jinja2) for the tests bosun has',
      });
    for (const v of Object.values(e)) {
      if (Array.isArray(v)) for (const x of v) visit(x);
      else visit(v);
    }
  };
  const visit = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(visit);
    else if (typeof x === 'object' && x !== null && 'k' in x && 'line' in x) walk(x as Expr);
    else if (typeof x === 'object' && x !== null) for (const v of Object.values(x)) visit(v);
  };
  const walkParts = (parts: Part[]): void => {
    for (const p of parts) {
      if (p.k === 'expr') walk(p.e);
      else if (p.k === 'ifs') {
        for (const b of p.branches) {
          walk(b.cond);
          walkParts(b.body);
        }
        if (p.else) walkParts(p.else);
      }
    }
  };
  walkParts(tpl.parts);
  return tpl;
}

/** The one expression of a template whose other parts are only whitespace; undefined otherwise. */
function singleExpr(parts: Part[]): Expr | undefined {
  let found: Expr | undefined;
  for (const p of parts) {
    if (p.k === 'text' && p.text.trim() === '') continue;
    if (p.k !== 'expr' || found) return undefined;
    found = p.e;
  }
  return found;
}

/** Read rendered text as a Python literal (lists, dicts, strings, numbers, True/False/None, JSON's true/false/null). */
function parseLiteral(text: string): unknown {
  const tpl = parseJinja(`{{ ${text} }}`, { source: undefined, inserted: new Map(), colShift: 0 });
  const e = singleExpr(tpl.parts);
  if (!e) throw new Error('not a literal');
  const lit = (x: Expr): unknown => {
    switch (x.k) {
      case 'lit':
        return x.v;
      case 'list':
      case 'tuple':
        return x.items.map(lit);
      case 'dict': {
        const out: Record<string, unknown> = {};
        for (const [k, v] of x.pairs) out[String(lit(k))] = lit(v);
        return out;
      }
      case 'name':
        if (x.name === 'null') return null;
        throw new Error('not a literal');
      case 'neg': {
        const v = lit(x.e);
        if (typeof v !== 'number') throw new Error('not a literal');
        return -v;
      }
      default:
        throw new Error('not a literal');
    }
  };
  return lit(e);
}

/**
 * One output node as text. Ansible's finalize prints None as ''; bosun refuses instead (as in Handlebars), since an
 * empty string written into a config file from a null variable is almost always a mistake.
 */
function outputText(node: unknown, _index: number, _tpl: JinjaTemplate, ctx: PosContext): string {
  if (node === null || node === undefined) {
    throw new BosunError('TEMPLATE_RENDER', 'this expression is empty (null) and would render as an empty string', {
      source: ctx.source,
      hint: "give the variable a value, or say what empty means: {{ x | default('', true) }}",
    });
  }
  return pyText(node);
}

export interface JinjaRun {
  resolver: Resolver;
  tick(): void;
  /** What lookup() may use on the controller. */
  controller?: ControllerHooks;
}

/** Render or evaluate Jinja2 text; errors are BosunErrors with positions. */
export function renderJinja(text: string, ctx: PosContext, mode: Mode, run: JinjaRun): unknown {
  const tpl = checkJinja(text, ctx, mode);
  const posCtx: PosContext = { ...ctx, inserted: tpl.inserted };
  const pos = (loc: { line: number; col: number }): SourcePos | undefined => toSourcePos(loc.line, loc.col, posCtx);
  const ev = new Evaluator({
    resolver: run.resolver,
    pos,
    tick: () => run.tick(),
    omit: OMIT,
    ...(run.controller ? { controller: run.controller } : {}),
  });
  try {
    if (mode === 'expression') return plain(use(ev.eval(singleExpr(tpl.parts)!)));
    const single = mode === 'value' ? singleExpr(tpl.parts) : undefined;
    if (single) {
      const raw = use(ev.eval(single));
      // A whole-number float is its text, as Ansible renders it (`2.0`): a number would print as `2`.
      const value = raw instanceof PyFloat ? pyText(raw) : raw;
      const structured = typeof value === 'object' && value !== null;
      if (structured || tpl.parts.length === 1) {
        // Ansible's STRING_TYPE_FILTERS: their text is never read back as a literal.
        const keepText = single.k === 'filter' && STRING_FILTERS.has(single.name);
        return typeof value === 'string' && !keepText ? literalEval(value, parseLiteral) : value;
      }
    }
    const nodes: unknown[] = [];
    ev.parts(tpl.parts, nodes);
    const out = nodes.map((node, i) => outputText(node, i, tpl, posCtx)).join('');
    return mode === 'value' ? literalEval(out, parseLiteral) : out;
  } catch (err) {
    if (err instanceof EvalFailure)
      throw new BosunError('TEMPLATE_RENDER', err.message, { source: err.source ?? ctx.source, cause: err.cause });
    if (err instanceof BosunError) {
      if (err.source || !ctx.source) throw err;
      throw new BosunError(err.code, err.message, { source: ctx.source, hint: err.hint, cause: err });
    }
    throw new BosunError('TEMPLATE_RENDER', `cannot render: ${(err as Error).message}`, {
      source: ctx.source,
      cause: err,
    });
  }
}
