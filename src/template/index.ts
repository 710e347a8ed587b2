/**
 * The template layer: Handlebars rendering of YAML values and template files,
 * and evaluation of conditions, with bosun's rules (undefined variables are
 * errors with a position, lazy variables, native types). See docs/templates.md.
 */
import { jinjaHint } from './jinja-hints.js';
import Handlebars from 'handlebars';
import { BosunError, type SourcePos } from '../errors.js';
import {
  analyzeProgram,
  AnalysisError,
  captureProgram,
  INTERNAL,
  singleMustache,
  textProgram,
  type Mustache,
  type VarRef,
} from './analyze.js';
import { HELPERS } from './helpers.js';
import { rewriteTemplate, toSourcePos, VALUE_HELPER, type Insertions, type PosContext } from './positions.js';
import { missingDetail, newSession, Resolver, type RenderSession } from './resolve.js';
import { hasTemplate, isTemplateText, isTruthy, toText } from './values.js';
import { isUnsafeContainer, isUnsafeKey } from '../util/unsafe.js';
import { isHandlebars } from './dialect.js';
import { templateCounters } from './counters.js';
import { checkJinja, checkJinjaFile, OMIT, renderJinja, renderJinjaFile, type FileOptions } from './jinja/render.js';
import { fileLoader } from './jinja/loader.js';
import { DEFAULT_DELIMITERS } from './jinja/prepare.js';
import path from 'node:path';
import { lookupHost, type ControllerHooks } from './jinja/lookup-host.js';
import { runLookup } from './lookups/index.js';
import { refuseInSpeculation } from '../util/speculation-flag.js';

export { hasTemplate, isTruthy } from './values.js';
export { isHandlebars } from './dialect.js';
export { OMIT } from './jinja/render.js';
export { HELPERS, type HelperDef } from './helpers.js';
export type { SourcePos } from '../errors.js';

/** Renders templates and evaluates conditions; one per run, shared by all hosts. */
export interface TemplateEngine {
  /**
   * Render a YAML string value. A value that is exactly one `{{ expr }}` (surrounding whitespace allowed) keeps the
   * expression's native type (list, number, boolean, object); anything else renders to a string. Strings without `{{`
   * are returned unchanged (fast path).
   */
  renderString(text: string, vars: Record<string, unknown>, source?: SourcePos): unknown;
  /**
   * Render every string inside a structure (objects, arrays), keys untouched; `posOf(path)` gives the position of the
   * value at a path for errors.
   */
  renderDeep(
    value: unknown,
    vars: Record<string, unknown>,
    posOf?: (path: ReadonlyArray<string | number>) => SourcePos,
  ): unknown;
  /**
   * Render a template file's text (the `template` module); always a string. A file is Jinja2 unless it is named
   * `.hbs`/`.handlebars` or has no `{%`/`{#` and uses Handlebars-only syntax (docs/templates.md).
   */
  renderText(text: string, vars: Record<string, unknown>, file: string, options?: TemplateFileOptions): string;
  /**
   * Evaluate a condition expression written WITHOUT braces: `st.stat.exists`, `(eq a "b")`, `(not x)`, `eq a "b"` (a
   * bare helper call), `true`, `3`. Returns the native value.
   */
  evaluate(expr: string, vars: Record<string, unknown>, source?: SourcePos): unknown;
  /**
   * Truthiness shared by when/changed_when/failed_when/assert: false, null/undefined, 0, '', empty list are false;
   * strings 'false'/'no'/'off'/'0' (case-insensitive) are false too, since YAML 1.2 keeps yes/no as strings; everything
   * else true.
   */
  isTruthy(value: unknown): boolean;
  /**
   * Parse (not render) a template at load time: TEMPLATE_SYNTAX error with position for bad syntax; unknown helpers are
   * an error too.
   */
  check(text: string, source?: SourcePos): void;
  /** Check a condition expression's syntax at load time. */
  checkExpression(expr: string, source?: SourcePos): void;
  /** Parse a template file (either dialect, chosen as renderText chooses) without rendering it: TEMPLATE_SYNTAX on bad syntax. */
  checkFile(text: string, file: string, options?: TemplateFileOptions): void;
  /** Give lookups what a run has: the inventory's host patterns (inventory_hostnames) and a warning outlet. */
  useRun(run: EngineRun): void;
  /** `query(name, *terms)` with a task's variables: a `with_<lookup>` loop's items. */
  query(name: string, terms: unknown[], vars: Record<string, unknown>): unknown[];
}

/** What a run lends the engine's lookups. */
export interface EngineRun {
  /** The inventory hosts a pattern selects. */
  hostPattern?(pattern: string): string[];
  /** Print a warning (a lookup with errors='warn'). */
  warn?(message: string): void;
}

/** The template module's settings for a Jinja2 file, and where `{% include %}` looks. */
export interface TemplateFileOptions extends FileOptions {
  /** Folders searched, in order, for included and imported templates. */
  searchPath?: string[];
}

/** True when the template module was given other delimiters than Jinja2's (the file is Jinja2 then). */
function hasDelimiters(options: TemplateFileOptions): boolean {
  return Object.keys(options.delimiters ?? {}).length > 0;
}

/** True when a template file is read as Handlebars (docs/templates.md, "Which dialect"). */
export function isHandlebarsFile(text: string, file: string): boolean {
  if (/\.(hbs|handlebars)$/i.test(file)) return true;
  // `{%` or a comment `{#` (not Handlebars' `{{#each`) is Jinja2's, and so is a `#jinja2:` first line.
  if (text.includes('{%') || /(?<!\{)\{#/.test(text) || text.startsWith('#jinja2:')) return false;
  return isHandlebars(text);
}

/** A new engine with its own Handlebars environment and template cache. */
export function createTemplateEngine(): TemplateEngine {
  return new Engine();
}

type Program = hbs.AST.Program;
type Delegate = Handlebars.TemplateDelegate;

/** A parsed and analysed template; the compiled functions are made on first use. */
interface Compiled {
  ast: Program;
  refs: VarRef[];
  inserted: Insertions;
  single: Mustache | undefined;
  text?: Delegate;
  native?: Delegate;
}

/** An error thrown inside a helper, carrying the helper's location. */
class HelperFailure extends Error {
  constructor(
    readonly helper: string,
    readonly loc: hbs.AST.SourceLocation | undefined,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

const COMPILE_OPTIONS = { noEscape: true, strict: true } as const;
const MAX_CACHED = 20_000;

/**
 * How long one rendering may run (a value with the lazy variables it reads, or a template file). Rendering is
 * synchronous: while it runs no other host moves and no signal is handled, so a loop too large is stopped.
 */
export const RENDER_BUDGET_MS = 5_000;
/** The clock is read once per this many loop iterations and helper calls. */
const TICKS_PER_CLOCK_READ = 1024;

interface Box {
  value: unknown;
}

/** Parser token names, as a person would say them. */
const TOKEN_NAMES: Record<string, string> = {
  EOF: 'end of template (an unclosed {{ or block?)',
  CLOSE: "'}}'",
  OPEN: "'{{'",
  OPEN_SEXPR: "'('",
  CLOSE_SEXPR: "')'",
  EQUALS: "'='",
  OPEN_ENDBLOCK: "'{{/'",
  OPEN_BLOCK: "'{{#'",
  STRING: 'string',
  NUMBER: 'number',
  ID: 'name',
  SEP: "'.'",
  OPEN_BLOCK_PARAMS: "'as |' (block parameters: {{#each xs as |x|}})",
  CLOSE_BLOCK_PARAMS: "'|' (Handlebars has no filters; '|' only closes block parameters: {{#each xs as |x|}})",
  OPEN_INVERSE: "'{{^'",
  OPEN_INVERSE_CHAIN: "'{{else ...}}'",
  INVERSE: "'{{else}}'",
  OPEN_UNESCAPED: "'{{{'",
  CLOSE_UNESCAPED: "'}}}'",
  OPEN_PARTIAL: "'{{>' (partials are not supported)",
  OPEN_PARTIAL_BLOCK: "'{{#>' (partials are not supported)",
  OPEN_RAW_BLOCK: "'{{{{'",
  CLOSE_RAW_BLOCK: "'}}}}'",
  END_RAW_BLOCK: "'{{{{/'",
  BOOLEAN: 'true/false',
  UNDEFINED: "'undefined'",
  NULL: "'null'",
  DATA: "'@' variable (@index, @root, ...)",
  CONTENT: 'text',
  COMMENT: 'comment',
};

/** What the parser expected, in words: token kinds grouped as a person says them, in the parser's order. */
const EXPECTED_WORDS: Record<string, string> = {
  ID: 'a name',
  STRING: 'a value',
  NUMBER: 'a value',
  BOOLEAN: 'a value',
  UNDEFINED: 'a value',
  NULL: 'a value',
  DATA: 'a value',
  OPEN_SEXPR: "'(' (a helper call)",
  CLOSE: "'}}'",
  CLOSE_SEXPR: "')'",
  CLOSE_UNESCAPED: "'}}}'",
  CLOSE_BLOCK_PARAMS: "'|' (to close block parameters: as |x|)",
  OPEN_BLOCK_PARAMS: "'as |x|'",
  SEP: "'.' or '/'",
  EQUALS: "'='",
  OPEN_ENDBLOCK: "the block's {{/...}}",
  INVERSE: '{{else}}',
  OPEN_INVERSE_CHAIN: '{{else}}',
  EOF: 'text or a new {{ expression }}',
  CONTENT: 'text or a new {{ expression }}',
  OPEN: 'text or a new {{ expression }}',
};

/** The `Expecting 'A', 'B', got 'C'` list of a Handlebars parse error, said in words (`a name or '}}'`). */
function expectedWords(tokens: string[]): string | undefined {
  const words: string[] = [];
  for (const t of tokens) {
    const w = EXPECTED_WORDS[t];
    if (w !== undefined && !words.includes(w)) words.push(w);
  }
  if (words.length === 0) return undefined;
  // A name is a value too: said once.
  const value = words.indexOf('a value');
  if (value >= 0 && words.includes('a name')) {
    words.splice(words.indexOf('a name'), 1);
    words[words.indexOf('a value')] = 'a value (a name, a string or a number)';
  }
  return words.length === 1 ? words[0] : `${words.slice(0, -1).join(', ')} or ${words.at(-1)!}`;
}

/** A parser token in words; a token without a name here is still said in a plain sentence first. */
function tokenWords(token: string): string {
  return TOKEN_NAMES[token] ?? `symbol here (the parser expected something else; its name for what it found: ${token})`;
}

const HANDLEBARS_HINT =
  'expressions are Handlebars: {{ name }}, {{ helper arg "text" }}, {{#if (eq a "b")}}...{{/if}}; see docs/templates.md';

class Engine implements TemplateEngine {
  private readonly hb = Handlebars.create();
  private readonly cache = new Map<string, Compiled>();
  /** Nesting of renderValue (lazy variables render inside the value that reads them): the budget is the outermost's. */
  private depth = 0;
  private deadline = Infinity;
  private ticks = 0;
  private run: EngineRun = {};
  /** What Jinja2 lookups use on the controller. */
  private readonly controller: ControllerHooks = {
    renderFile: (text, file, vars) => this.renderText(text, vars, file),
    untimed: (fn) => {
      const started = Date.now();
      try {
        return fn();
      } finally {
        // Waiting for a command or a download is no runaway loop: it does not count against the budget.
        this.deadline += Date.now() - started;
      }
    },
    hostPattern: (pattern) => {
      if (!this.run.hostPattern) throw new Error('there is no inventory here');
      return this.run.hostPattern(pattern);
    },
    warn: (message) => {
      refuseInSpeculation('a warning');
      this.run.warn?.(message);
    },
  };

  constructor() {
    this.hb.unregisterHelper('log');
    this.timeEach();
    for (const helper of HELPERS) {
      this.register(helper.name, (args, options) => helper.fn(args, options.hash as Record<string, unknown>));
    }
    this.register(VALUE_HELPER, ([v]) => v);
    // Text made from a null value would write an empty string into a config file: refuse instead.
    this.register(INTERNAL.str, ([v]) => {
      if (v === null || v === undefined) {
        throw new BosunError('TEMPLATE_RENDER', 'this expression is empty (null) and would render as an empty string', {
          hint: 'give the variable a value, or say what empty means: {{ default x "" }}',
        });
      }
      return toText(v);
    });
    this.register(INTERNAL.capture, ([v], options) => {
      (options.data as { bosunBox: Box }).bosunBox.value = v;
      return '';
    });
    this.register(INTERNAL.get, ([name, base, ...parts]) => this.lookup(String(name), base, parts as string[], false));
    this.register(INTERNAL.opt, ([name, base, ...parts]) => this.lookup(String(name), base, parts as string[], true));
    this.hb.registerHelper('raw', (options: Handlebars.HelperOptions) => options.fn(undefined));
  }

  /** Register a helper that gets its arguments without Handlebars' trailing options. */
  private register(name: string, fn: (args: unknown[], options: Handlebars.HelperOptions) => unknown): void {
    this.hb.registerHelper(name, (...all: unknown[]) => {
      const options = all.pop() as Handlebars.HelperOptions;
      try {
        this.tick();
        return fn(all, options);
      } catch (err) {
        // A failure inside a block helper's body already names its own helper.
        if (err instanceof HelperFailure) throw err;
        throw new HelperFailure(name, (options as unknown as { loc?: hbs.AST.SourceLocation }).loc, err);
      }
    });
  }

  /** Count one step of a rendering; past its budget, stop it (RENDER_BUDGET_MS). */
  private tick(): void {
    if (++this.ticks % TICKS_PER_CLOCK_READ !== 0 || Date.now() <= this.deadline) return;
    throw new BosunError('TEMPLATE_RENDER', `rendering stopped: it ran longer than ${RENDER_BUDGET_MS / 1000} s`, {
      hint: 'a loop too large (nested #each, a big range)? loop over less, or do the work on the target',
    });
  }

  /** The built-in `#each`, counting every iteration against the budget. */
  private timeEach(): void {
    const each = this.hb.helpers['each'] as (
      this: unknown,
      context: unknown,
      options: Handlebars.HelperOptions,
    ) => unknown;
    const tick = (): void => {
      this.tick();
    };
    this.hb.registerHelper('each', function (this: unknown, context: unknown, options: Handlebars.HelperOptions) {
      const loc = (options as unknown as { loc?: hbs.AST.SourceLocation }).loc;
      const body = options.fn;
      const timed = Object.assign((ctx: unknown, opts?: Handlebars.RuntimeOptions): string => {
        try {
          tick();
        } catch (err) {
          throw new HelperFailure('each', loc, err);
        }
        return body(ctx, opts);
      }, body);
      return each.call(this, context, { ...options, fn: timed });
    });
  }

  /** A path below a value known only at run time (`#each` over a helper result). */
  private lookup(name: string, base: unknown, parts: string[], optional: boolean): unknown {
    const detail = missingDetail(base, parts, 'this');
    if (detail !== null) {
      if (optional) return undefined;
      throw new BosunError('UNDEFINED_VAR', `undefined variable '${name}'${detail ? ` (${detail})` : ''}`);
    }
    let cur = base;
    for (const part of parts) cur = (cur as Record<string, unknown>)[part];
    return cur;
  }

  renderString(text: string, vars: Record<string, unknown>, source?: SourcePos): unknown {
    if (typeof text !== 'string' || !isTemplateText(text)) return text;
    return this.renderValue(text, vars, { source, inserted: new Map(), colShift: 0 }, newSession(), 'value');
  }

  renderDeep(
    value: unknown,
    vars: Record<string, unknown>,
    posOf?: (path: ReadonlyArray<string | number>) => SourcePos,
  ): unknown {
    if (!hasTemplate(value)) return value;
    const session = newSession();
    const walk = (v: unknown, path: Array<string | number>): unknown => {
      if (typeof v === 'string') {
        if (!isTemplateText(v)) return v;
        return this.renderValue(v, vars, { source: posOf?.(path), inserted: new Map(), colShift: 0 }, session, 'value');
      }
      if (isUnsafeContainer(v)) return v;
      if (Array.isArray(v)) {
        const items = v.map((item: unknown, i) => (isUnsafeKey(v, i) ? item : walk(item, [...path, i])));
        // Ansible's omit: an item or argument given `omit` is left out.
        return items.includes(OMIT) ? items.filter((item) => item !== OMIT) : items;
      }
      if (typeof v === 'object' && v !== null) {
        const out: Record<string, unknown> = {};
        for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
          const rendered = isUnsafeKey(v, k) ? item : walk(item, [...path, k]);
          if (rendered !== OMIT) out[k] = rendered;
        }
        return out;
      }
      return v;
    };
    return walk(value, []);
  }

  renderText(text: string, vars: Record<string, unknown>, file: string, options: TemplateFileOptions = {}): string {
    const ctx: PosContext = { source: { file, line: 1, col: 1 }, inserted: new Map(), colShift: 0 };
    if (isHandlebarsFile(text, file) && !hasDelimiters(options)) {
      if (!text.includes('{{')) return text;
      return this.renderValue(text, vars, ctx, newSession(), 'text') as string;
    }
    const session = newSession();
    const resolver = new Resolver(vars, session, (lazyText) =>
      this.renderValue(lazyText, vars, { source: undefined, inserted: new Map(), colShift: 0 }, session, 'value'),
    );
    const how = {
      trimBlocks: options.trimBlocks ?? true,
      lstripBlocks: options.lstripBlocks ?? false,
      newline: options.newline ?? '\n',
      ...(options.delimiters ? { delimiters: { ...DEFAULT_DELIMITERS, ...options.delimiters } } : {}),
    };
    const loader = fileLoader(options.searchPath ?? [path.dirname(file)], how);
    if (this.depth === 0) this.deadline = Date.now() + RENDER_BUDGET_MS;
    this.depth++;
    try {
      return renderJinjaFile(
        text,
        ctx,
        { resolver, tick: () => this.tick(), loader, controller: this.controller },
        options,
      );
    } finally {
      this.depth--;
    }
  }

  evaluate(expr: string, vars: Record<string, unknown>, source?: SourcePos): unknown {
    if (typeof expr !== 'string') return expr;
    const { text, colShift } = this.expressionText(expr, source);
    return this.renderValue(text, vars, { source, inserted: new Map(), colShift }, newSession(), 'expression');
  }

  isTruthy(value: unknown): boolean {
    return isTruthy(value);
  }

  useRun(run: EngineRun): void {
    this.run = run;
  }

  query(name: string, terms: unknown[], vars: Record<string, unknown>): unknown[] {
    const session = newSession();
    const resolver = new Resolver(vars, session, (lazyText) =>
      this.renderValue(lazyText, vars, { source: undefined, inserted: new Map(), colShift: 0 }, session, 'value'),
    );
    const host = lookupHost(resolver, this.controller);
    return runLookup(name, terms, {}, host, {
      query: true,
      warn: (m) => {
        refuseInSpeculation('a warning');
        this.run.warn?.(m);
      },
    }) as unknown[];
  }

  check(text: string, source?: SourcePos): void {
    if (typeof text !== 'string' || !isTemplateText(text)) return;
    if (!isHandlebars(text)) {
      checkJinja(text, { source, inserted: new Map(), colShift: 0 }, 'value');
      return;
    }
    this.compile(text, { source, inserted: new Map(), colShift: 0 });
  }

  checkFile(text: string, file: string, options: TemplateFileOptions = {}): void {
    const ctx: PosContext = { source: { file, line: 1, col: 1 }, inserted: new Map(), colShift: 0 };
    if (!isHandlebarsFile(text, file) || hasDelimiters(options)) {
      checkJinjaFile(text, ctx, options);
      return;
    }
    if (text.includes('{{')) this.compile(text, ctx);
  }

  checkExpression(expr: string, source?: SourcePos): void {
    if (typeof expr !== 'string') return;
    const { text, colShift } = this.expressionText(expr, source);
    const ctx: PosContext = { source, inserted: new Map(), colShift };
    if (!isHandlebars(text)) {
      checkJinja(text, ctx, 'expression');
      return;
    }
    this.single(this.compile(text, ctx), ctx);
  }

  /** A condition as template text: braces added unless the user wrote them. */
  private expressionText(expr: string, source: SourcePos | undefined): { text: string; colShift: number } {
    const trimmed = expr.trim();
    if (trimmed === '') throw new BosunError('TEMPLATE_SYNTAX', 'empty condition', { source });
    if (trimmed.startsWith('{{') && trimmed.endsWith('}}')) return { text: expr, colShift: 0 };
    return { text: `{{${expr}}}`, colShift: 2 };
  }

  private single(compiled: Compiled, ctx: PosContext): Mustache {
    if (compiled.single) return compiled.single;
    throw new BosunError(
      'TEMPLATE_SYNTAX',
      'a condition must be one expression, such as `x`, `(eq a "b")` or `eq a "b"`',
      {
        source: toSourcePos(1, ctx.colShift, ctx),
      },
    );
  }

  /** Parse and analyse a template, or take it from the cache. */
  private compile(text: string, ctx: PosContext): Compiled {
    const cached = this.cache.get(text);
    if (cached) return cached;
    const fixed = rewriteTemplate(text);
    const posCtx: PosContext = { ...ctx, inserted: fixed.inserted };
    let ast: Program;
    templateCounters.handlebarsParses++;
    try {
      ast = this.hb.parseWithoutProcessing(fixed.text);
    } catch (err) {
      throw this.syntaxError(err, posCtx, text);
    }
    let refs: VarRef[];
    try {
      refs = analyzeProgram(ast);
    } catch (err) {
      if (err instanceof AnalysisError) {
        const hint = jinjaHint(text);
        throw new BosunError('TEMPLATE_SYNTAX', err.message, {
          source: toSourcePos(err.line, err.column, posCtx),
          ...(hint ? { hint } : {}),
        });
      }
      throw err;
    }
    const compiled: Compiled = { ast, refs, inserted: fixed.inserted, single: singleMustache(ast) };
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(text, compiled);
    return compiled;
  }

  private hbCompile(program: Program): Delegate {
    templateCounters.handlebarsCompiles++;
    return this.hb.compile(program, COMPILE_OPTIONS);
  }

  private syntaxError(err: unknown, ctx: PosContext, text: string): BosunError {
    const e = err as { message?: string; lineNumber?: number; column?: number };
    let line = e.lineNumber;
    let column = e.column;
    if (line === undefined) {
      const yylloc = (
        Handlebars as unknown as { Parser?: { lexer?: { yylloc?: { first_line: number; first_column: number } } } }
      ).Parser?.lexer?.yylloc;
      line = yylloc?.first_line ?? 1;
      column = yylloc?.first_column ?? 0;
    }
    const lines = String(e.message ?? err).split('\n');
    const expecting = lines.find((l) => l.startsWith('Expecting')) ?? '';
    const got = /got '(\w+)'/.exec(expecting)?.[1];
    const unexpected = got === 'INVALID' ? 'character (an unclosed string?)' : got && tokenWords(got);
    const expected = expectedWords([...expecting.replace(/, got .*$/, '').matchAll(/'(\w+)'/g)].map((m) => m[1]!));
    const first = lines[0]!.replace(/ - \d+:\d+$/, '');
    const mismatch = /^(\S+) doesn't match (\S+)$/.exec(first);
    const message = unexpected
      ? `template syntax error: unexpected ${unexpected}${expected ? `; expected ${expected} here` : ''}`
      : mismatch
        ? `template syntax error: {{/${mismatch[2]!}}} closes the block {{#${mismatch[1]!}}} opened: blocks close in the order they open`
        : `template syntax error: ${first}`;
    return new BosunError('TEMPLATE_SYNTAX', message, {
      source: toSourcePos(line, column ?? 0, ctx),
      hint: jinjaHint(text) ?? HANDLEBARS_HINT,
      cause: err,
    });
  }

  /** Check the variables, then render: natively (one expression) or as text. */
  private renderValue(
    text: string,
    vars: Record<string, unknown>,
    ctx: PosContext,
    session: RenderSession,
    mode: 'value' | 'text' | 'expression',
  ): unknown {
    if (this.depth === 0) this.deadline = Date.now() + RENDER_BUDGET_MS;
    this.depth++;
    try {
      return this.renderTimed(text, vars, ctx, session, mode);
    } finally {
      this.depth--;
    }
  }

  private renderTimed(
    text: string,
    vars: Record<string, unknown>,
    ctx: PosContext,
    session: RenderSession,
    mode: 'value' | 'text' | 'expression',
  ): unknown {
    // Template files (renderText) stay Handlebars until Jinja2 statements are there (docs/templates.md).
    if (mode !== 'text' && !isHandlebars(text)) {
      const resolver = new Resolver(vars, session, (lazyText) =>
        this.renderValue(lazyText, vars, { source: undefined, inserted: new Map(), colShift: 0 }, session, 'value'),
      );
      return renderJinja(text, ctx, mode, { resolver, tick: () => this.tick(), controller: this.controller });
    }
    const compiled = this.compile(text, ctx);
    const posCtx: PosContext = { ...ctx, inserted: compiled.inserted };
    const single =
      mode === 'expression' ? this.single(compiled, posCtx) : mode === 'value' ? compiled.single : undefined;
    const resolver = new Resolver(vars, session, (lazyText) =>
      this.renderValue(lazyText, vars, { source: undefined, inserted: new Map(), colShift: 0 }, session, 'value'),
    );
    const position = (ref: VarRef): SourcePos | undefined => toSourcePos(ref.line, ref.column, posCtx);
    for (const ref of compiled.refs) {
      if (ref.optional) resolver.checkGuarded(ref, position);
      else resolver.check(ref, position);
    }
    try {
      if (single) {
        compiled.native ??= this.hbCompile(captureProgram(compiled.ast, single));
        const box: Box = { value: undefined };
        compiled.native(resolver.root, { data: { bosunBox: box } });
        // A scalar keeps the text around it, as in Ansible: `content: "{{ version }}\n"` ends with its newline
        // (also for a number: "{{ r.attempts }}\n" is "3\n"); a list or mapping stays one, as Ansible's literal_eval makes it.
        const structured = typeof box.value === 'object' && box.value !== null;
        if (structured || mode === 'expression' || compiled.ast.body.length === 1) return box.value;
      }
      compiled.text ??= this.hbCompile(textProgram(compiled.ast));
      return compiled.text(resolver.root);
    } catch (err) {
      throw this.renderError(err, posCtx);
    }
  }

  private renderError(err: unknown, ctx: PosContext): unknown {
    if (err instanceof HelperFailure) {
      const source = err.loc ? toSourcePos(err.loc.start.line, err.loc.start.column, ctx) : ctx.source;
      if (err.cause instanceof BosunError) {
        if (err.helper.startsWith('__'))
          return new BosunError(err.cause.code, err.cause.message, { source, hint: err.cause.hint, cause: err.cause });
        return new BosunError(err.cause.code, `${err.helper}: ${err.cause.message}`, {
          source,
          hint: err.cause.hint,
          cause: err.cause,
        });
      }
      return new BosunError('TEMPLATE_RENDER', `${err.helper}: ${err.message}`, { source, cause: err.cause });
    }
    if (err instanceof BosunError) return err;
    const e = err as { message?: string; lineNumber?: number; column?: number };
    const source = e.lineNumber !== undefined ? toSourcePos(e.lineNumber, e.column ?? 0, ctx) : ctx.source;
    const message = String(e.message ?? err).replace(/ - \d+:\d+$/, '');
    const notDefined = /^"(.*)" not defined in/.exec(message);
    if (notDefined)
      return new BosunError('UNDEFINED_VAR', `undefined variable '${notDefined[1]!}'`, { source, cause: err });
    return new BosunError('TEMPLATE_RENDER', `cannot render template: ${message}`, { source, cause: err });
  }
}
