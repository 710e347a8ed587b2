/**
 * Jinja2 text (a YAML value or a condition) -> bosun's own small expression
 * AST. nunjucks' parser does the grammar; two things are fixed around it
 * before it runs (see docs/architecture.md, src/template/jinja/):
 * - its string lexer drops backslashes (`'\d'` -> `'d'`): string literals are
 *   read here with Python's rules and put back into the AST by position;
 * - it cannot read `item.0` or a test's argument without parentheses
 *   (`x is sameas false`): the text is rewritten to `item[0]` and
 *   `x is sameas(false)`, and the inserted characters are mapped back out of
 *   error positions (Insertions, as the Handlebars path does).
 */
import nunjucks from 'nunjucks';
import { BosunError, type SourcePos } from '../../errors.js';
import { toSourcePos, type Insertions, type PosContext } from '../positions.js';
import { escapeRe, prepare, PrepareError, SLICE, type Prepared, type PrepareOptions } from './prepare.js';
import { templateCounters } from '../counters.js';

export { decodePythonString } from './prepare.js';

/** A place in the (rewritten) text: 1-based line, 0-based column. */
export interface Loc {
  line: number;
  col: number;
}

export type Expr = Loc &
  /** `float`: a number written as a float (`2.0`, `1e3`), which Python prints as one. */
  (
    | { k: 'lit'; v: unknown; float?: boolean }
    | { k: 'list' | 'tuple'; items: Expr[] }
    | { k: 'dict'; pairs: Array<[Expr, Expr]> }
    | { k: 'name'; name: string }
    /** `x.y` (dot) or `x['y']` / `x[0]` (subscript). */
    | { k: 'get'; obj: Expr; key: Expr; dot: boolean }
    | { k: 'filter'; name: string; target: Expr; args: Expr[]; kwargs: Record<string, Expr> }
    | { k: 'test'; name: string; target: Expr; args: Expr[]; kwargs: Record<string, Expr> }
    | { k: 'in'; left: Expr; right: Expr }
    | { k: 'not'; e: Expr }
    | { k: 'and' | 'or'; l: Expr; r: Expr }
    | { k: 'cmp'; first: Expr; ops: Array<{ op: string; e: Expr }> }
    | { k: 'bin'; op: string; l: Expr; r: Expr }
    | { k: 'neg' | 'pos'; e: Expr }
    | { k: 'if'; cond: Expr; then: Expr; else?: Expr }
    | { k: 'call'; callee: Expr; args: Expr[]; kwargs: Record<string, Expr> }
    /** `x[start:stop:step]` (each part may be left out). */
    | { k: 'slice'; obj: Expr; start?: Expr; stop?: Expr; step?: Expr }
    /** The body of a `{% call %}` block, passed to the macro as `caller`. */
    | { k: 'caller'; params: Param[]; body: Part[] }
    /** Text rendered from template parts (the body of `{% filter %}` and of a block `{% set %}`). */
    | { k: 'capture'; body: Part[] }
  );

/** A macro's parameter, with its default. */
export interface Param {
  name: string;
  default?: Expr;
}

/** Where a `{% set %}` or `{% for %}` puts a value: a name, or a namespace's attribute (`ns.count`). */
export interface Target {
  name: string;
  attr?: string;
}

/** A piece of a template: literal text, an expression, or a statement. */
export type Part =
  | { k: 'text'; text: string }
  | { k: 'expr'; e: Expr }
  | { k: 'ifs'; branches: Array<{ cond: Expr; body: Part[] }>; else?: Part[] }
  | (Loc & {
      k: 'for';
      targets: string[];
      iter: Expr;
      cond?: Expr;
      body: Part[];
      else?: Part[];
      /** `{% for x in xs recursive %}`: the body may call `loop(children)`. */
      recursive?: boolean;
    })
  | (Loc & { k: 'extends'; template: Expr })
  /** `scoped`: the block sees the names bound around it (a loop variable); otherwise only the template's own. */
  | (Loc & { k: 'block'; name: string; body: Part[]; scoped: boolean })
  | (Loc & { k: 'with'; targets: string[]; values: Expr[]; body: Part[] })
  | (Loc & { k: 'set'; targets: Target[]; value: Expr })
  | (Loc & { k: 'macro'; name: string; params: Param[]; body: Part[] })
  | (Loc & { k: 'include'; template: Expr; ignoreMissing: boolean; withContext: boolean })
  | (Loc & { k: 'import'; template: Expr; as: string; withContext: boolean })
  | (Loc & { k: 'from'; template: Expr; names: Array<[string, string]>; withContext: boolean });

/** How Jinja2 text is read (Ansible's environment: trim_blocks on, lstrip_blocks off, `\n`). */
export interface ParseOptions extends PrepareOptions {
  /** What every newline of the template's own text becomes (newline_sequence). */
  newline: string;
}

const DEFAULT_OPTIONS: ParseOptions = { verbatim: false, trimBlocks: true, lstripBlocks: false, newline: '\n' };

export interface JinjaTemplate {
  parts: Part[];
  inserted: Insertions;
}

interface NNode {
  typename: string;
  lineno: number;
  colno: number;
  value?: unknown;
  children?: NNode[];
  [field: string]: unknown;
}

const CONSTANTS: Record<string, unknown> = {
  true: true,
  True: true,
  false: false,
  False: false,
  none: null,
  None: null,
};

/** nunjucks' error sentences, as a person would say them. */
const SYNTAX_MESSAGES: ReadonlyArray<[RegExp, string]> = [
  [/expected variable end/, 'unexpected text here: the expression should end (a missing operator, quote or bracket?)'],
  [/expected block end/, 'unexpected text here: the statement should end with %}'],
  [/unexpected token: }}/, 'the expression ends too early (a missing value after an operator?)'],
  [/unexpected token: %}/, 'the statement ends too early: a value or a name is expected before %}'],
  [/unexpected token: \S/, "unexpected '$1' here: a value was expected"],
  [/unexpected token/, 'unexpected character in the expression'],
  [/expected symbol, got/, "a name is expected here (a filter's name after '|', a test's after 'is')"],
  [/expected comma after expression/, 'a comma or closing bracket is missing here'],
  [/expected name as lookup value/, "a name must follow '.'"],
  [/unknown block tag/, 'unknown statement'],
  [/expected elif, else, or endif/, '{% if %} without {% endif %}'],
  [/unterminated/, 'an unclosed string or tag'],
  [/expected (?:expression|name)/, 'a value is missing here'],
];

function syntaxMessage(raw: string): string {
  const msg = raw.split('\n').pop()!.trim();
  const token = /unexpected token: (\S+)/.exec(msg)?.[1] ?? '';
  for (const [re, said] of SYNTAX_MESSAGES)
    if (re.test(msg)) return `Jinja2 syntax error: ${said.replace('$1', token)}`;
  return 'Jinja2 syntax error: this expression cannot be read';
}

interface NParser {
  parseOr(): NNode;
  skipSymbol(name: string): boolean;
  parseInlineIf(): NNode;
  parseInclude(): NNode;
  parseWithContext(): boolean | null;
  peekToken(): { type: string; value: string; lineno: number; colno: number };
}
const nunjucksParser = nunjucks as unknown as {
  parser: { parse(src: string, extensions?: unknown[], opts?: object): NNode; Parser: { prototype: NParser } };
  nodes: { InlineIf: new (line: number, col: number) => NNode };
};

/**
 * Jinja2 reads `a, b` as a tuple where a statement takes an expression (`{% set a, b = 1, 2 %}`,
 * `{% for x in 1, 2 %}`); nunjucks reads one expression. While `set` or `for` is parsed, its outermost expression
 * (the value, the iterable) may go on after a comma, and becomes a list (bosun's tuples are lists).
 */
type Method = (this: NParser & Record<string, unknown>, ...args: unknown[]) => NNode;
const proto = nunjucksParser.parser.Parser.prototype as unknown as Record<string, Method>;
const parseExpression = proto['parseExpression']!;
for (const name of ['parseSet', 'parseFor']) {
  const original = proto[name]!;
  proto[name] = function implicitTuples(this: NParser & Record<string, unknown>, ...args: unknown[]): NNode {
    let depth = 0;
    let used = false;
    this['parseExpression'] = (...a: unknown[]): NNode => {
      depth++;
      const outermost = depth === 1 && !used;
      try {
        const first = parseExpression.apply(this, a);
        if (!outermost) return first;
        used = true;
        if (!(this['skip'] as (t: string) => boolean).call(this, 'comma')) return first;
        const items = [first];
        do items.push(parseExpression.apply(this, a));
        while ((this['skip'] as (t: string) => boolean).call(this, 'comma'));
        const list = new (nunjucks as unknown as { nodes: { Array: new (l: number, c: number) => NNode } }).nodes.Array(
          first.lineno,
          first.colno,
        );
        list.children = items;
        return list;
      } finally {
        depth--;
      }
    };
    try {
      return original.apply(this, args);
    } finally {
      delete this['parseExpression'];
    }
  };
}

/**
 * nunjucks' include takes no `with context` / `without context` (Jinja2's does): read it after the name and
 * `ignore missing`, before the end of the tag.
 */
const parseInclude = proto['parseInclude']!;
nunjucksParser.parser.Parser.prototype.parseInclude = function withContext(
  this: NParser & Record<string, unknown>,
): NNode {
  const advance = this['advanceAfterBlockEnd'] as (name?: string) => unknown;
  let context = null as boolean | null;
  this['advanceAfterBlockEnd'] = (name?: string): unknown => {
    context = this.parseWithContext();
    this['advanceAfterBlockEnd'] = advance;
    return advance.call(this, name);
  };
  try {
    const node = parseInclude.call(this);
    if (context !== null) node['withContext'] = context;
    return node;
  } finally {
    this['advanceAfterBlockEnd'] = advance;
  }
};

/**
 * nunjucks reads `a if c else b if d else e` as an error: its else branch is an `or` expression, where Jinja2's is
 * another conditional expression. The one change to its parser: the else branch may be an inline if again.
 */
nunjucksParser.parser.Parser.prototype.parseInlineIf = function parseInlineIf(this: NParser): NNode {
  let node = this.parseOr();
  if (this.skipSymbol('if')) {
    const cond = this.parseOr();
    const body = node;
    node = new nunjucksParser.nodes.InlineIf(body.lineno, body.colno);
    node['body'] = body;
    node['cond'] = cond;
    node['else_'] = this.skipSymbol('else') ? this.parseInlineIf() : null;
  }
  return node;
};

/**
 * `{% for x in xs recursive %}`: nunjucks has no `recursive`; it is read after the loop's iterable (and its `if`).
 */
const parseFor = proto['parseFor']!;
proto['parseFor'] = function recursiveFor(this: NParser & Record<string, unknown>, ...args: unknown[]): NNode {
  const advance = this['advanceAfterBlockEnd'] as (name?: string) => unknown;
  const read = { recursive: false };
  this['advanceAfterBlockEnd'] = (name?: string): unknown => {
    this['advanceAfterBlockEnd'] = advance;
    const tok = this.peekToken();
    if (tok.type === 'symbol' && tok.value === 'recursive') {
      (this['nextToken'] as () => unknown).call(this);
      read.recursive = true;
    }
    return advance.call(this, name);
  };
  try {
    const node = parseFor.apply(this, args);
    if (read.recursive) node['recursive'] = true;
    return node;
  } finally {
    this['advanceAfterBlockEnd'] = advance;
  }
};

type Parser = NParser & {
  nextToken(): { type: string; value: string; lineno: number; colno: number };
  parsePrimary(): NNode;
  parseExpression(): NNode;
  parseUntilBlocks(...names: string[]): NNode;
  advanceAfterBlockEnd(name?: string): unknown;
  skip(type: string): boolean;
  skipValue(type: string, value: string): boolean;
  fail(message: string, line?: number, col?: number): never;
  tokens: { tags: Record<string, string>; _extractRegex(re: RegExp): unknown };
};

/** `{% block name [scoped] [required] %}...{% endblock [name] %}` (nunjucks reads no modifiers). */
proto['parseBlock'] = function parseBlock(this: NParser & Record<string, unknown>): NNode {
  const p = this as unknown as Parser;
  const tag = p.nextToken();
  const name = p.parsePrimary();
  if (name.typename !== 'Symbol') p.fail('a block name is expected', tag.lineno, tag.colno);
  const node: NNode = { typename: 'Block', lineno: tag.lineno, colno: tag.colno, name, scoped: false };
  for (;;) {
    const tok = p.peekToken();
    if (tok.type !== 'symbol' || (tok.value !== 'scoped' && tok.value !== 'required')) break;
    p.nextToken();
    if (tok.value === 'scoped') node['scoped'] = true;
  }
  p.advanceAfterBlockEnd(tag.value);
  node['body'] = p.parseUntilBlocks('endblock');
  p.skipSymbol('endblock');
  p.skipSymbol(String(name.value));
  p.advanceAfterBlockEnd('endblock');
  return node;
};

/** `{% filter upper | replace('A', 'B') %}`: nunjucks reads one filter; the rest of the chain is read after it. */
const parseFilterStatement = proto['parseFilterStatement']!;
proto['parseFilterStatement'] = function filterChain(this: NParser & Record<string, unknown>): NNode {
  const advance = this['advanceAfterBlockEnd'] as (name?: string) => unknown;
  const hole: NNode = { typename: 'Symbol', lineno: 0, colno: 0, value: '' };
  const read: { chain?: NNode } = {};
  this['advanceAfterBlockEnd'] = (name?: string): unknown => {
    this['advanceAfterBlockEnd'] = advance;
    if (this.peekToken().type === 'pipe') read.chain = (this['parseFilter'] as (n: NNode) => NNode).call(this, hole);
    return advance.call(this, name);
  };
  try {
    const output = parseFilterStatement.call(this);
    const chain = read.chain;
    if (!chain) return output;
    // The chain was read on a placeholder: the first filter (with the block's body) goes in its place.
    let inner = chain;
    while ((inner['args'] as NNode).children![0] !== hole) inner = (inner['args'] as NNode).children![0]!;
    (inner['args'] as NNode).children![0] = output.children![0]!;
    output.children![0] = chain;
    return output;
  } finally {
    this['advanceAfterBlockEnd'] = advance;
  }
};

/** With other delimiters, nunjucks' raw reader still looks for `{% endraw %}`: it is given the ones in use. */
const parseRaw = proto['parseRaw']!;
proto['parseRaw'] = function parseRawDelimited(this: NParser & Record<string, unknown>, ...args: unknown[]): NNode {
  const tokens = (this as unknown as Parser).tokens;
  const start = tokens.tags['BLOCK_START']!;
  const end = tokens.tags['BLOCK_END']!;
  if (start === '{%' && end === '%}') return parseRaw.apply(this, args);
  const original = tokens._extractRegex.bind(tokens);
  tokens._extractRegex = (re: RegExp): unknown =>
    original(
      new RegExp(
        re.source.replace('{%', escapeRe(start)).replace('(?=%})%}', `(?=${escapeRe(end)})${escapeRe(end)}`),
        re.flags,
      ),
    );
  try {
    return parseRaw.apply(this, args);
  } finally {
    // The tokenizer's own method (on its prototype) is in force again.
    delete (tokens as { _extractRegex?: unknown })._extractRegex;
  }
};

/** Jinja2's `{% with a = 1, b = x %}...{% endwith %}`, which nunjucks does not have: read as an extension tag. */
/** What nunjucks throws: its position is 1-based, and missing at the end of the input. */
interface NunjucksError {
  message?: string;
  lineno?: number;
  colno?: number;
  /** The statement left open when the input ended (set by closesAt below). */
  unclosed?: string;
  /** The innermost statement still open when an `{% endX %}` of another closed (set by closesAt below). */
  open?: { name: string; line: number; col: number };
}

/**
 * A statement left open at the end of the input is reported by nunjucks without a position (so at 1:1) and, but for
 * `if` and `block`, as "unexpected end of file". The block statements' parsers are wrapped so that such an error
 * points at the innermost statement still open and names it (`{% for %} without {% endfor %}`).
 */
function closesAt(name: string, parse: Method): Method {
  return function openedHere(this: NParser & Record<string, unknown>, ...args: unknown[]): NNode {
    const tag = this.peekToken();
    try {
      return parse.apply(this, args);
    } catch (err) {
      // An elif is parsed as an if of its own: the error is the opening if's.
      if (!(err instanceof Error) || tag.value === 'elif' || tag.value === 'elseif') throw err;
      const e = err as Error & NunjucksError;
      if (e.lineno === undefined && e.unclosed === undefined) {
        e.lineno = tag.lineno + 1;
        e.colno = tag.colno + 1;
        e.unclosed = name;
      }
      const closing = /unknown block tag: end(\w+)/.exec(e.message);
      if (closing && closing[1] !== name && !e.open) e.open = { name, line: tag.lineno + 1, col: tag.colno + 1 };
      throw err;
    }
  };
}
for (const [method, name] of [
  ['parseIf', 'if'],
  ['parseFor', 'for'],
  ['parseMacro', 'macro'],
  ['parseCall', 'call'],
  ['parseBlock', 'block'],
  ['parseFilterStatement', 'filter'],
  ['parseSet', 'set'],
  ['parseRaw', 'raw'],
] as const) {
  proto[method] = closesAt(name, proto[method]!);
}

const WITH_EXTENSION = {
  tags: ['with'],
  parse(parser: unknown): NNode {
    const p = parser as Parser;
    const tag = p.nextToken();
    const node: NNode = { typename: 'With', lineno: tag.lineno, colno: tag.colno, targets: [], values: [] };
    const targets = node['targets'] as NNode[];
    const values = node['values'] as NNode[];
    while (p.peekToken().type !== 'block-end') {
      if (targets.length && !p.skip('comma')) p.fail('expected a comma between the assignments of {% with %}');
      targets.push(p.parsePrimary());
      if (!p.skipValue('operator', '=')) p.fail("expected '=' in {% with %}");
      values.push(p.parseExpression());
    }
    p.advanceAfterBlockEnd(tag.value);
    try {
      node['body'] = p.parseUntilBlocks('endwith');
      p.advanceAfterBlockEnd();
    } catch (err) {
      const e = err as Error & NunjucksError;
      if (err instanceof Error && e.lineno === undefined && e.unclosed === undefined) {
        e.lineno = tag.lineno + 1;
        e.colno = tag.colno + 1;
        e.unclosed = 'with';
      }
      throw err;
    }
    return node;
  },
};

const cache = new Map<string, JinjaTemplate>();
const MAX_CACHED = 20_000;

/**
 * Parse Jinja2 text once per run (cached by text); a syntax error is TEMPLATE_SYNTAX at `ctx`'s position. `verbatim`:
 * strings inside `{{ }}` keep their backslashes as written (a YAML value, as Ansible templates one); otherwise (a
 * condition, `{% %}`) Python's escapes apply.
 */
export function parseJinja(text: string, ctx: PosContext, how: boolean | Partial<ParseOptions> = false): JinjaTemplate {
  const opts: ParseOptions = { ...DEFAULT_OPTIONS, ...(typeof how === 'boolean' ? { verbatim: how } : how) };
  const tags = opts.delimiters ? Object.values(opts.delimiters).join('\0') : '';
  const key = `${opts.verbatim ? 'v' : ''}${opts.trimBlocks ? 't' : ''}${opts.lstripBlocks ? 'l' : ''}${opts.newline}\0${tags}\0${text}`;
  const hit = cache.get(key);
  if (hit) return hit;
  templateCounters.jinjaParses++;
  const tpl = parseText(text, ctx, opts);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, tpl);
  return tpl;
}

/**
 * Parse Jinja2 text without the cache: for text that is data rather than a template (rendered output read back as a
 * Python literal), which would otherwise fill the cache with one entry per host and push the templates out.
 */
export function parseJinjaUncached(text: string, ctx: PosContext, how: Partial<ParseOptions> = {}): JinjaTemplate {
  templateCounters.literalParses++;
  return parseText(text, ctx, { ...DEFAULT_OPTIONS, ...how });
}

function parseText(text: string, ctx: PosContext, opts: ParseOptions): JinjaTemplate {
  let prep: Prepared;
  try {
    prep = prepare(text, opts);
  } catch (err) {
    if (!(err instanceof PrepareError)) throw err;
    throw new BosunError('TEMPLATE_SYNTAX', err.message, { source: toSourcePos(err.line, err.col, ctx) });
  }
  const posCtx: PosContext = { ...ctx, inserted: prep.inserted };
  let root: NNode;
  try {
    root = nunjucksParser.parser.parse(prep.text, [WITH_EXTENSION], opts.delimiters ? { tags: opts.delimiters } : {});
  } catch (err) {
    const e = err as NunjucksError;
    const closing = /unknown block tag: (end\w+)/.exec(String(e.message))?.[1];
    const message = e.unclosed
      ? `Jinja2 syntax error: {% ${e.unclosed} %} without {% end${e.unclosed} %}`
      : e.open && closing
        ? `Jinja2 syntax error: {% ${closing} %} while the {% ${e.open.name} %} of line \
${toSourcePos(e.open.line, e.open.col - 1, posCtx)?.line ?? e.open.line} is still open: statements close in the order they open`
        : syntaxMessage(String(e.message ?? err));
    throw new BosunError('TEMPLATE_SYNTAX', message, {
      source: toSourcePos(e.lineno ?? 1, Math.max(0, (e.colno ?? 1) - 1), posCtx),
      hint: 'Jinja2 expressions: {{ x | default("a") }}, {{ a if c else b }}, x is defined and x.y == "b"; see docs/templates.md',
    });
  }
  const conv = new Converter(prep, posCtx, opts.newline);
  let tpl: JinjaTemplate;
  try {
    tpl = { parts: conv.parts(root.children ?? []), inserted: prep.inserted };
  } catch (err) {
    if (err instanceof BosunError) throw err;
    throw new BosunError('TEMPLATE_SYNTAX', 'Jinja2 syntax error: this expression cannot be read', {
      source: ctx.source,
      cause: err,
    });
  }
  return tpl;
}

class Converter {
  constructor(
    private readonly prep: Prepared,
    private readonly ctx: PosContext,
    private readonly newline: string,
  ) {}

  private fail(node: NNode, message: string): never {
    throw new BosunError('TEMPLATE_SYNTAX', message, { source: this.pos(node) });
  }

  private pos(node: NNode): SourcePos | undefined {
    return toSourcePos(node.lineno + 1, node.colno, this.ctx);
  }

  parts(nodes: NNode[]): Part[] {
    const out: Part[] = [];
    for (const node of nodes) {
      switch (node.typename) {
        case 'Output':
          for (const child of node.children ?? []) {
            if (child.typename === 'TemplateData') {
              const text = String(child.value);
              // Jinja2 reads the template's lines and joins them with newline_sequence.
              out.push({ k: 'text', text: text.replace(/\r\n|\r|\n/g, this.newline) });
            } else out.push({ k: 'expr', e: this.expr(child) });
          }
          break;
        case 'If':
        case 'IfAsync':
          out.push(this.ifs(node));
          break;
        default:
          out.push(this.statement(node));
      }
    }
    return out;
  }

  /** A statement other than `{% if %}`. */
  private statement(node: NNode): Part {
    const at = this.loc(node);
    switch (node.typename) {
      case 'For': {
        const name = node['name'] as NNode;
        const targets = (name.typename === 'Array' ? (name.children ?? []) : [name]).map((t) => this.targetName(t));
        const body = this.parts((node['body'] as NNode).children ?? []);
        const elseNode = node['else_'] as NNode | null | undefined;
        let iter = node['arr'] as NNode;
        let cond: Expr | undefined;
        // `for x in xs if c`: Jinja2's loop filter (nunjucks reads it as an inline if without else).
        if (iter.typename === 'InlineIf' && !iter['else_']) {
          cond = this.expr(iter['cond'] as NNode);
          iter = iter['body'] as NNode;
        }
        const part: Part = { ...at, k: 'for', targets, iter: this.expr(iter), body };
        if (cond) part.cond = cond;
        if (elseNode) part.else = this.parts(elseNode.children ?? []);
        if (node['recursive'] === true) part.recursive = true;
        return part;
      }
      case 'Extends':
        return { ...at, k: 'extends', template: this.expr(node['template'] as NNode) };
      case 'Block':
        return {
          ...at,
          k: 'block',
          name: this.targetName(node['name'] as NNode),
          body: this.parts((node['body'] as NNode).children ?? []),
          scoped: node['scoped'] === true,
        };
      case 'With':
        return {
          ...at,
          k: 'with',
          targets: (node['targets'] as NNode[]).map((t) => this.targetName(t)),
          values: (node['values'] as NNode[]).map((v) => this.expr(v)),
          body: this.parts((node['body'] as NNode).children ?? []),
        };
      case 'Set': {
        const targets = (node['targets'] as NNode[]).map((t) => this.target(t));
        const value = node.value as NNode | null;
        if (value) return { ...at, k: 'set', targets, value: this.expr(value) };
        const capture = node['body'] as NNode;
        return { ...at, k: 'set', targets, value: this.capture(capture) };
      }
      case 'Macro': {
        const { params } = this.signature(node['args'] as NNode);
        return {
          ...at,
          k: 'macro',
          name: this.targetName(node['name'] as NNode),
          params,
          body: this.parts((node['body'] as NNode).children ?? []),
        };
      }
      case 'Include':
        return {
          ...at,
          k: 'include',
          template: this.expr(node['template'] as NNode),
          ignoreMissing: node['ignoreMissing'] === true,
          withContext: node['withContext'] !== false,
        };
      case 'Import':
        return {
          ...at,
          k: 'import',
          template: this.expr(node['template'] as NNode),
          as: this.targetName(node['target'] as NNode),
          withContext: node['withContext'] === true,
        };
      case 'FromImport': {
        const names = ((node['names'] as NNode).children ?? []).map((n): [string, string] =>
          n.typename === 'Pair'
            ? [this.targetName(n['key'] as NNode), this.targetName(n.value as NNode)]
            : [this.targetName(n), this.targetName(n)],
        );
        return {
          ...at,
          k: 'from',
          template: this.expr(node['template'] as NNode),
          names,
          withContext: node['withContext'] === true,
        };
      }
      default: {
        const tag = STATEMENT_NAMES[node.typename] ?? node.typename.toLowerCase();
        return this.fail(node, `Jinja2 statement {% ${tag} %} is not supported (see docs/templates.md)`);
      }
    }
  }

  /** A plain name (a loop variable, a macro's name). */
  private targetName(node: NNode): string {
    if (node.typename !== 'Symbol') this.fail(node, 'Jinja2 syntax error: a name is expected here');
    return String(node.value);
  }

  /** Where `{% set %}` assigns: `x` or `ns.attr`. */
  private target(node: NNode): Target {
    if (node.typename === 'Symbol') return { name: String(node.value) };
    if (node.typename === 'LookupVal') {
      const obj = node['target'] as NNode;
      const val = node['val'] as NNode;
      if (obj.typename === 'Symbol' && val.typename === 'Literal' && typeof val.value === 'string')
        return { name: String(obj.value), attr: val.value };
    }
    return this.fail(node, 'Jinja2 syntax error: {% set %} assigns to a name or to a namespace attribute (ns.x)');
  }

  /** A macro's or a call block's parameters. */
  private signature(list: NNode | null | undefined): { params: Param[] } {
    const params: Param[] = [];
    for (const child of list?.children ?? []) {
      if (child.typename === 'KeywordArgs') {
        for (const pair of child.children ?? [])
          params.push({ name: this.targetName(pair['key'] as NNode), default: this.expr(pair.value as NNode) });
      } else params.push({ name: this.targetName(child) });
    }
    return { params };
  }

  private capture(node: NNode): Expr {
    const body = node['body'] as NNode | undefined;
    return { ...this.loc(node), k: 'capture', body: this.parts(body?.children ?? []) };
  }

  private ifs(node: NNode): Part {
    const branches: Array<{ cond: Expr; body: Part[] }> = [];
    let cur: NNode | undefined = node;
    let elseParts: Part[] | undefined;
    while (cur) {
      branches.push({ cond: this.expr(cur['cond'] as NNode), body: this.parts((cur['body'] as NNode).children ?? []) });
      const next = cur['else_'] as NNode | null | undefined;
      if (next && (next.typename === 'If' || next.typename === 'IfAsync')) cur = next;
      else {
        if (next) elseParts = this.parts(next.children ?? []);
        cur = undefined;
      }
    }
    return elseParts ? { k: 'ifs', branches, else: elseParts } : { k: 'ifs', branches };
  }

  private loc(node: NNode): Loc {
    return { line: node.lineno + 1, col: node.colno };
  }

  private args(list: NNode | undefined, skip: number): { args: Expr[]; kwargs: Record<string, Expr> } {
    const args: Expr[] = [];
    const kwargs: Record<string, Expr> = {};
    const children = list?.children ?? [];
    for (const child of children.slice(skip)) {
      if (child.typename === 'KeywordArgs') {
        for (const pair of child.children ?? []) {
          kwargs[String((pair['key'] as NNode).value)] = this.expr(pair.value as NNode);
        }
      } else args.push(this.expr(child));
    }
    return { args, kwargs };
  }

  expr(node: NNode | null | undefined): Expr {
    if (!node)
      throw new BosunError('TEMPLATE_SYNTAX', 'Jinja2 syntax error: a value is missing', { source: this.ctx.source });
    const at = this.loc(node);
    const sub = (field: string): Expr => this.expr(node[field] as NNode);
    switch (node.typename) {
      case 'Literal': {
        const key = `${node.lineno}:${node.colno}`;
        if (typeof node.value === 'string' && this.prep.strings.has(key)) {
          return { ...at, k: 'lit', v: this.prep.strings.get(key) };
        }
        if (typeof node.value === 'number' && Number.isInteger(node.value) && this.writtenAsFloat(node))
          return { ...at, k: 'lit', v: node.value, float: true };
        return { ...at, k: 'lit', v: node.value };
      }
      case 'Symbol': {
        const name = String(node.value);
        if (name in CONSTANTS) return { ...at, k: 'lit', v: CONSTANTS[name] };
        // nunjucks reads `1e3` as a name; Jinja2 reads a float.
        if (/^[0-9]+[eE][0-9]+$/.test(name)) return { ...at, k: 'lit', v: Number(name), float: true };
        return { ...at, k: 'name', name };
      }
      case 'Group': {
        const items = (node.children ?? []).map((c) => this.expr(c));
        // `(x)` is x; `()` and `(a, b)` are tuples.
        if (items.length === 1) return this.groupOrTuple(node, items[0]!);
        return { ...at, k: 'tuple', items };
      }
      case 'Array':
        return { ...at, k: 'list', items: (node.children ?? []).map((c) => this.expr(c)) };
      case 'Dict':
        return {
          ...at,
          k: 'dict',
          pairs: (node.children ?? []).map((p) => {
            const key = p['key'] as NNode;
            // `{a: 1}`: in Jinja2 a bare name as a key is a variable.
            return [this.expr(key), this.expr(p.value as NNode)] as [Expr, Expr];
          }),
        };
      case 'LookupVal': {
        const val = node['val'] as NNode;
        const fn = val.typename === 'FunCall' ? (val['name'] as NNode) : undefined;
        if (fn?.typename === 'Symbol' && fn.value === SLICE) {
          const [start, stop, step] = this.args(val['args'] as NNode, 0).args.map((x) =>
            x.k === 'lit' && x.v === null ? undefined : x,
          );
          return {
            ...at,
            k: 'slice',
            obj: sub('target'),
            ...(start ? { start } : {}),
            ...(stop ? { stop } : {}),
            ...(step ? { step } : {}),
          };
        }
        const dot = val.typename === 'Literal' && this.isDot(val);
        return { ...at, k: 'get', obj: sub('target'), key: this.expr(val), dot };
      }
      case 'Filter': {
        const list = node['args'] as NNode;
        const first = list.children?.[0];
        if (!first) this.fail(node, 'a filter needs a value');
        const { args, kwargs } = this.args(list, 1);
        return {
          ...at,
          k: 'filter',
          name: shortName(String((node['name'] as NNode).value)),
          target: this.expr(first),
          args,
          kwargs,
        };
      }
      case 'Is':
        return this.isTest(node, node['right'] as NNode, sub('left'));
      case 'In':
        return { ...at, k: 'in', left: sub('left'), right: sub('right') };
      case 'Not':
        return { ...at, k: 'not', e: sub('target') };
      case 'And':
        return { ...at, k: 'and', l: sub('left'), r: sub('right') };
      case 'Or':
        return { ...at, k: 'or', l: sub('left'), r: sub('right') };
      case 'Compare':
        return {
          ...at,
          k: 'cmp',
          first: sub('expr'),
          ops: (node['ops'] as NNode[]).map((o) => ({ op: String(o['type']), e: this.expr(o['expr'] as NNode) })),
        };
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div':
      case 'FloorDiv':
      case 'Mod':
      case 'Pow':
      case 'Concat':
        return { ...at, k: 'bin', op: BIN_OPS[node.typename]!, l: sub('left'), r: sub('right') };
      case 'Neg':
        return { ...at, k: 'neg', e: sub('target') };
      case 'Pos':
        return { ...at, k: 'pos', e: sub('target') };
      case 'InlineIf': {
        const els = node['else_'] as NNode | null;
        return els
          ? { ...at, k: 'if', cond: sub('cond'), then: sub('body'), else: this.expr(els) }
          : { ...at, k: 'if', cond: sub('cond'), then: sub('body') };
      }
      case 'FunCall': {
        const { args, kwargs } = this.args(node['args'] as NNode, 0);
        return { ...at, k: 'call', callee: sub('name'), args, kwargs };
      }
      case 'Caller': {
        const { params } = this.signature(node['args'] as NNode);
        return { ...at, k: 'caller', params, body: this.parts((node['body'] as NNode).children ?? []) };
      }
      case 'Capture':
        return this.capture(node);
      default:
        return this.fail(node, `Jinja2 syntax error: ${node.typename} is not supported in an expression`);
    }
  }

  /** `x is name`, `x is name(args)`, `x is name arg` (rewritten), `x is ansible.builtin.name`, `x is name | f`. */
  private isTest(node: NNode, right: NNode, target: Expr): Expr {
    const at = this.loc(node);
    // `x is string | ternary(a, b)`: Jinja2 applies the filter to the test's result.
    if (right.typename === 'Filter') {
      const list = right['args'] as NNode;
      const first = list.children?.[0];
      if (!first) this.fail(node, 'a filter needs a value');
      const { args, kwargs } = this.args(list, 1);
      const inner = this.isTest(node, first, target);
      return {
        ...at,
        k: 'filter',
        name: shortName(String((right['name'] as NNode).value)),
        target: inner,
        args,
        kwargs,
      };
    }
    if (right.typename === 'Literal' && right.value === null)
      return { ...at, k: 'test', name: 'none', target, args: [], kwargs: {} };
    if (right.typename === 'Literal' && typeof right.value === 'boolean')
      return { ...at, k: 'test', name: String(right.value), target, args: [], kwargs: {} };
    const plain = this.dottedName(right);
    if (plain) return { ...at, k: 'test', name: shortName(plain), target, args: [], kwargs: {} };
    if (right.typename === 'FunCall') {
      const name = this.dottedName(right['name'] as NNode);
      if (name) {
        const { args, kwargs } = this.args(right['args'] as NNode, 0);
        return { ...at, k: 'test', name: shortName(name), target, args, kwargs };
      }
    }
    // `x is in [1]` reads as the name `in` looked up with [1].
    if (right.typename === 'LookupVal' && (right['target'] as NNode).typename === 'Symbol') {
      const name = String((right['target'] as NNode).value);
      return { ...at, k: 'test', name, target, args: [this.expr(right['val'] as NNode)], kwargs: {} };
    }
    return this.fail(node, "Jinja2 syntax error: a test name must follow 'is'");
  }

  /** `name` or `a.b.name` written with dots, as text; undefined for anything else. */
  private dottedName(node: NNode): string | undefined {
    if (node.typename === 'Symbol') return String(node.value);
    if (node.typename !== 'LookupVal') return undefined;
    const val = node['val'] as NNode;
    if (val.typename !== 'Literal' || typeof val.value !== 'string' || !this.isDot(val)) return undefined;
    const base = this.dottedName(node['target'] as NNode);
    return base === undefined ? undefined : `${base}.${val.value}`;
  }

  /** `(x)` or `(x,)`: a tuple when a comma follows the single item. */
  private groupOrTuple(node: NNode, item: Expr): Expr {
    const lines = this.prep.text.split('\n');
    const from = lines[node.lineno]!.slice(node.colno + 1);
    let depth = 0;
    let quote = '';
    for (const ch of from) {
      if (quote) {
        if (ch === quote) quote = '';
        continue;
      }
      if (ch === '"' || ch === "'") quote = ch;
      else if (ch === '(' || ch === '[' || ch === '{') depth++;
      else if (ch === ')' || ch === ']' || ch === '}') {
        if (depth === 0) return item;
        depth--;
      } else if (ch === ',' && depth === 0)
        return { line: node.lineno + 1, col: node.colno, k: 'tuple', items: [item] };
    }
    return item;
  }

  /** True when a number literal was written with a fraction or an exponent (`2.0`, `1e3`). */
  private writtenAsFloat(node: NNode): boolean {
    const token = /^[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?/.exec(
      this.prep.text.split('\n')[node.lineno]?.slice(node.colno) ?? '',
    );
    return token !== null && (token[1] !== undefined || token[2] !== undefined);
  }

  /** True when the lookup `x.y` was written with a dot (the literal is not a quoted or bracketed key). */
  private isDot(val: NNode): boolean {
    if (this.prep.dotDigits.has(`${val.lineno}:${val.colno}`)) return true;
    const lines = this.prep.text.split('\n');
    const before = lines[val.lineno]?.slice(0, val.colno).trimEnd();
    return before?.endsWith('.') ?? false;
  }
}

/** Collections whose filters and tests bosun has under their short names (`ansible.builtin.bool` is `bool`). */
const COLLECTION =
  /^(?:ansible\.(?:builtin|legacy|utils|netcommon|posix)|community\.(?:general|crypto))\.([A-Za-z_]\w*)$/;

/** A filter's or test's name without its collection (an unknown short name is still refused at load). */
export function shortName(name: string): string {
  return COLLECTION.exec(name)?.[1] ?? name;
}

/** nunjucks' node names of statements bosun does not run, as written in a template. */
const STATEMENT_NAMES: Record<string, string> = {
  Switch: 'switch',
  AsyncEach: 'asyncEach',
  AsyncAll: 'asyncAll',
};

const BIN_OPS: Record<string, string> = {
  Add: '+',
  Sub: '-',
  Mul: '*',
  Div: '/',
  FloorDiv: '//',
  Mod: '%',
  Pow: '**',
  Concat: '~',
};
