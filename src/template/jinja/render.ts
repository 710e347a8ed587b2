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
import { DEFAULT_DELIMITERS, type Delimiters } from './prepare.js';
import {
  parseJinja,
  parseJinjaUncached,
  type Expr,
  type JinjaTemplate,
  type ParseOptions,
  type Part,
} from './parse.js';
import type { TemplateLoader } from './runtime.js';
import { TESTS } from './tests.js';
import { templateCounters } from '../counters.js';
import { EmptyUndef, literalEval, plain, PyFloat, pyText, useDeep } from './values.js';

/** Ansible's `omit`: a module argument whose value is this is left out. */
export const OMIT = '__omit_place_holder__bosun';

export type Mode = 'value' | 'text' | 'expression';

/** Ansible's STRING_TYPE_FILTERS (its default list). */
const STRING_FILTERS: ReadonlySet<string> = new Set(['string', 'to_json', 'to_nice_json', 'to_yaml', 'to_nice_yaml']);

/** Parsed templates whose filter and test names were found known (the walk is done once per parsed text). */
const checked = new WeakSet<JinjaTemplate>();

/** Parse and check (filters and tests known) at load time. */
export function checkJinja(
  text: string,
  ctx: PosContext,
  mode: Mode,
  how: Partial<ParseOptions> = { verbatim: mode !== 'expression' },
): JinjaTemplate {
  const tpl = parseJinja(text, ctx, how);
  const posCtx: PosContext = { ...ctx, inserted: tpl.inserted };
  if (mode === 'expression' && singleExpr(tpl.parts) === undefined) {
    throw new BosunError('TEMPLATE_SYNTAX', 'a condition must be one expression, such as `x == "b" and y is defined`', {
      source: toSourcePos(1, ctx.colShift, posCtx),
    });
  }
  if (checked.has(tpl)) return tpl;
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
  visit(tpl.parts);
  templateCounters.jinjaChecks++;
  checked.add(tpl);
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

/** The words a Python literal may hold outside its strings (the others make literal_eval fail). */
const LITERAL_WORDS: ReadonlySet<string> = new Set(['True', 'False', 'None', 'true', 'false', 'none', 'null']);

/**
 * True when text cannot be a Python literal: outside its string literals it has a character no literal has or a word
 * other than True/False/None. Rendered config text that starts with `[` (`[Unit]`, an INI section) is rejected here
 * without a parse.
 */
function notLiteral(text: string): boolean {
  const rest = text.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, '""');
  if (/[^\s\w.,:+\-()[\]{}"]/.test(rest)) return true;
  for (const m of rest.matchAll(/\b[A-Za-z_]\w*/g)) if (!LITERAL_WORDS.has(m[0])) return true;
  return false;
}

/** Read rendered text as a Python literal (lists, dicts, strings, numbers, True/False/None, JSON's true/false/null). */
function parseLiteral(text: string): unknown {
  if (notLiteral(text)) throw new Error('not a literal');
  const tpl = parseJinjaUncached(`{{ ${text} }}`, { source: undefined, inserted: new Map(), colShift: 0 });
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
function outputText(node: unknown, ctx: PosContext): string {
  if (node === null || node === undefined) {
    throw new BosunError('TEMPLATE_RENDER', 'this expression is empty (null) and would render as an empty string', {
      source: ctx.source,
      hint: "give the variable a value, or say what empty means: {{ x | default('', true) }}",
    });
  }
  return pyText(useDeep(node));
}

export interface JinjaRun {
  resolver: Resolver;
  tick(): void;
  /** What lookup() may use on the controller. */
  controller?: ControllerHooks;
  /** Other templates for `{% include %}` / `{% import %}` (template files only). */
  loader?: TemplateLoader;
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
    text: (node) => outputText(node, posCtx),
    ...(run.controller ? { controller: run.controller } : {}),
  });
  try {
    const result = (e: Expr): unknown => {
      const value = ev.eval(e);
      return value instanceof EmptyUndef ? (mode === 'expression' ? false : '') : useDeep(value);
    };
    if (mode === 'expression') return plain(result(singleExpr(tpl.parts)!));
    const single = mode === 'value' ? singleExpr(tpl.parts) : undefined;
    if (single) {
      const raw = result(single);
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
    const out = nodes.map((node) => outputText(node, posCtx)).join('');
    return mode === 'value' ? literalEval(out, parseLiteral) : out;
  } catch (err) {
    throw renderFailure(err, ctx);
  }
}

/** A failure while rendering, as the BosunError the user sees (positioned where possible). */
function renderFailure(err: unknown, ctx: PosContext): BosunError {
  {
    if (err instanceof EvalFailure)
      return new BosunError('TEMPLATE_RENDER', err.message, { source: err.source ?? ctx.source, cause: err.cause });
    if (err instanceof BosunError) {
      if (err.source || !ctx.source) return err;
      return new BosunError(err.code, err.message, { source: ctx.source, hint: err.hint, cause: err });
    }
    return new BosunError('TEMPLATE_RENDER', `cannot render: ${(err as Error).message}`, {
      source: ctx.source,
      cause: err,
    });
  }
}

/** The template module's Jinja2 settings (its arguments, then a `#jinja2:` first line). */
export interface FileOptions {
  trimBlocks?: boolean;
  lstripBlocks?: boolean;
  /** newline_sequence: `\n`, `\r\n` or `\r`. */
  newline?: string;
  /** Other delimiters (block_start_string and the rest); the defaults for those not given. */
  delimiters?: Partial<Delimiters>;
}

/** The template module's (and the `#jinja2:` line's) names of the delimiters. */
export const DELIMITER_NAMES: Readonly<Record<string, keyof Delimiters>> = {
  block_start_string: 'blockStart',
  block_end_string: 'blockEnd',
  variable_start_string: 'variableStart',
  variable_end_string: 'variableEnd',
  comment_start_string: 'commentStart',
  comment_end_string: 'commentEnd',
};

/** The delimiters a template task's arguments give (`variable_start_string`, ...), by the engine's names. */
export function delimiterArgs(args: Readonly<Record<string, unknown>>): Partial<Delimiters> {
  const out: Partial<Delimiters> = {};
  for (const [name, field] of Object.entries(DELIMITER_NAMES)) {
    const value = args[name];
    if (typeof value === 'string') out[field] = value;
  }
  return out;
}

/** The delimiters in force, or undefined for the defaults; an empty delimiter is an error. */
export function delimitersOf(given: Partial<Delimiters> | undefined, ctx: PosContext): Delimiters | undefined {
  if (!given || Object.keys(given).length === 0) return undefined;
  const all = { ...DEFAULT_DELIMITERS, ...given };
  for (const [name, field] of Object.entries(DELIMITER_NAMES)) {
    if (all[field] === '') throw new BosunError('TEMPLATE_SYNTAX', `${name} cannot be empty`, { source: ctx.source });
  }
  return Object.entries(all).every(([k, v]) => DEFAULT_DELIMITERS[k as keyof Delimiters] === v) ? undefined : all;
}

const HEADER = '#jinja2:';
const HEADER_KEYS: Record<string, keyof FileOptions | keyof Delimiters> = {
  trim_blocks: 'trimBlocks',
  lstrip_blocks: 'lstripBlocks',
  newline_sequence: 'newline',
  ...DELIMITER_NAMES,
};

/** The `#jinja2: trim_blocks: False, lstrip_blocks: True` first line, read as Ansible reads it (Python literals). */
function readHeader(line: string, ctx: PosContext): FileOptions {
  const out: FileOptions = {};
  for (const pair of line.split(',')) {
    const colon = pair.indexOf(':');
    const fail = (what: string): never => {
      throw new BosunError('TEMPLATE_SYNTAX', `the #jinja2: line: ${what}`, {
        source: toSourcePos(1, 0, ctx),
        hint: 'write it as #jinja2: trim_blocks: False, lstrip_blocks: True',
      });
    };
    if (colon < 0) fail(`'${pair.trim()}' has no ':' between name and value`);
    const key = pair.slice(0, colon).trim();
    const field = HEADER_KEYS[key];
    if (!field)
      fail(
        `'${key}' is not a setting bosun knows (trim_blocks, lstrip_blocks, newline_sequence, ${Object.keys(DELIMITER_NAMES).join(', ')})`,
      );
    let value: unknown;
    try {
      value = parseLiteral(pair.slice(colon + 1).trim());
    } catch {
      fail(`the value of ${key} is not a Python literal (True, False, '\\n')`);
    }
    if (field === 'newline') {
      if (value !== '\n' && value !== '\r\n' && value !== '\r')
        fail(`newline_sequence must be '\\n', '\\r\\n' or '\\r'`);
      out.newline = value as string;
    } else if (key in DELIMITER_NAMES) {
      if (typeof value !== 'string' || value === '') fail(`${key} must be a non-empty string ('[%')`);
      out.delimiters = { ...out.delimiters, [field!]: value as string };
    } else {
      if (typeof value !== 'boolean') fail(`${key} must be True or False`);
      out[field as 'trimBlocks' | 'lstripBlocks'] = value as boolean;
    }
  }
  return out;
}

/** Trailing `\n` characters (Ansible's _count_newlines_from_end). */
function trailingNewlines(s: string): number {
  let n = 0;
  while (n < s.length && s[s.length - 1 - n] === '\n') n++;
  return n;
}

/** Parse a Jinja2 template file (its `#jinja2:` line, its settings) and check it, as rendering it would. */
export function checkJinjaFile(
  text: string,
  ctx: PosContext,
  options: FileOptions = {},
): { tpl: JinjaTemplate; settings: Required<FileOptions>; bodyCtx: PosContext } {
  let settings: Required<FileOptions> = {
    trimBlocks: true,
    lstripBlocks: false,
    newline: '\n',
    ...options,
    delimiters: options.delimiters ?? {},
  };
  let body = text;
  let bodyCtx = ctx;
  if (text.startsWith(HEADER)) {
    const eol = text.indexOf('\n');
    const header = readHeader(text.slice(HEADER.length, eol < 0 ? text.length : eol), ctx);
    settings = { ...settings, ...header, delimiters: { ...settings.delimiters, ...header.delimiters } };
    body = eol < 0 ? '' : text.slice(eol + 1);
    if (ctx.source) bodyCtx = { ...ctx, source: { ...ctx.source, line: ctx.source.line + 1 } };
  }
  // Jinja2 drops one newline at the end of the template (Ansible adds the file's own back after rendering).
  body = body.replace(/(\r\n|\r|\n)$/, '');
  const delimiters = delimitersOf(settings.delimiters, ctx);
  const how: Partial<ParseOptions> = {
    verbatim: false,
    trimBlocks: settings.trimBlocks,
    lstripBlocks: settings.lstripBlocks,
    newline: settings.newline,
    ...(delimiters ? { delimiters } : {}),
  };
  return { tpl: checkJinja(body, bodyCtx, 'text', how), settings, bodyCtx };
}

/**
 * Render a template file written in Jinja2 as Ansible's template module renders it: its settings (trim_blocks on by
 * default, a `#jinja2:` first line overriding them), one trailing newline dropped by Jinja2 and then as many newlines
 * added back as the file ended with (newline_sequence), text output (no native types).
 */
export function renderJinjaFile(text: string, ctx: PosContext, run: JinjaRun, options: FileOptions = {}): string {
  const wanted = trailingNewlines(text);
  const { tpl, settings, bodyCtx } = checkJinjaFile(text, ctx, options);
  const posCtx: PosContext = { ...bodyCtx, inserted: tpl.inserted };
  const ev = new Evaluator({
    resolver: run.resolver,
    pos: (loc) => toSourcePos(loc.line, loc.col, posCtx),
    tick: () => run.tick(),
    omit: OMIT,
    text: (node) => outputText(node, posCtx),
    ...(run.loader ? { loader: run.loader } : {}),
    ...(run.controller ? { controller: run.controller } : {}),
  });
  let out: string;
  try {
    const nodes: unknown[] = [];
    ev.template(tpl.parts, nodes);
    out = nodes.map((node) => outputText(node, posCtx)).join('');
  } catch (err) {
    throw renderFailure(err, bodyCtx);
  }
  const have = trailingNewlines(out);
  return wanted > have ? out + settings.newline.repeat(wanted - have) : out;
}
