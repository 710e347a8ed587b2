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
  );

/** A piece of a template: literal text, an expression, or an `{% if %}`. */
export type Part =
  | { k: 'text'; text: string }
  | { k: 'expr'; e: Expr }
  | { k: 'ifs'; branches: Array<{ cond: Expr; body: Part[] }>; else?: Part[] };

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

const KEYWORDS = new Set(['and', 'or', 'if', 'else', 'not', 'in', 'is']);

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '\n': '',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '0': '\0',
};

/** A string literal's body with Python's escapes (an unknown escape such as `\d` keeps its backslash). */
export function decodePythonString(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\' || i + 1 >= body.length) {
      out += ch;
      continue;
    }
    const next = body[i + 1]!;
    const hex = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    if (hex && /^[0-9a-fA-F]+$/.test(body.slice(i + 2, i + 2 + hex)) && body.length >= i + 2 + hex) {
      out += String.fromCodePoint(Number.parseInt(body.slice(i + 2, i + 2 + hex), 16));
      i += 1 + hex;
    } else if (next in ESCAPES) {
      out += ESCAPES[next]!;
      i += 1;
    } else out += ch;
  }
  return out;
}

interface Prepared {
  text: string;
  inserted: Map<number, number[]>;
  /** Decoded string literals by `line:col` (0-based, as nunjucks counts) of their opening quote. */
  strings: Map<string, string>;
  /** Positions (`line:col`, 0-based) of the digits after a `[` that was written as `.` (`item.0`). */
  dotDigits: Set<string>;
}

/**
 * Read the text once: decode string literals, rewrite `a.0` -> `a[0]` and `is test arg` -> `is test(arg)` inside tags,
 * outside strings.
 */
function prepare(text: string, verbatim: boolean): Prepared {
  const inserted = new Map<number, number[]>();
  const strings = new Map<string, string>();
  const quotedAt = new Set<string>(); // dotDigits
  let out = '';
  let line = 0;
  let col = 0;
  const emit = (s: string): void => {
    for (const ch of s) {
      out += ch;
      if (ch === '\n') {
        line += 1;
        col = 0;
      } else col += 1;
    }
  };
  const insert = (s: string): void => {
    for (const ch of s) {
      const cols = inserted.get(line + 1) ?? [];
      cols.push(col);
      inserted.set(line + 1, cols);
      emit(ch);
    }
  };
  let close = '';
  // Open `{` of dict literals inside a tag: their `}}` is no end of the tag (`{{ {'a': {'b': 1}} }}`).
  let braces = 0;
  // `x[a:b:c]` -> `x[__slice__(a,b,c)]` (nunjucks has no slices): the colons and the closing bracket to rewrite.
  const sliceColons = new Set<number>();
  const sliceCloses = new Set<number>();
  const emptyPartAt = (j: number): boolean => /^\s*[:\]]/.test(text.slice(j));
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (!close) {
      const two = text.slice(i, i + 2);
      if (two === '{{' || two === '{%' || two === '{#') {
        close = two === '{{' ? '}}' : two === '{%' ? '%}' : '#}';
        emit(two);
        i += 1;
        continue;
      }
      emit(ch);
      continue;
    }
    if (close === '#}') {
      if (text.startsWith('#}', i)) {
        close = '';
        emit('#}');
        i += 1;
      } else emit(ch);
      continue;
    }
    if (ch === '{') braces++;
    if (ch === '}' && braces > 0) {
      braces--;
      emit('}');
      if (text[i + 1] === '}') insert(' ');
      continue;
    }
    if (text.startsWith(close, i) || (text[i] === '-' && text.startsWith(close, i + 1))) {
      braces = 0;
      const end = text[i] === '-' ? `-${close}` : close;
      close = '';
      emit(end);
      i += end.length - 1;
      continue;
    }
    if (ch === '"' || ch === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== ch) j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) {
        emit(text.slice(i));
        throw new PrepareError('Jinja2 syntax error: a string is not closed (a missing quote?)', line + 1, col);
      }
      const body = text.slice(i + 1, j);
      // Ansible doubles the backslashes of strings inside {{ }} of a YAML value (_escape_backslashes): they stay as
      // written, so '\d' and '\1' need no second backslash; a backslash cannot escape the quote there.
      const asWritten = verbatim && close === '}}';
      if (asWritten && body.includes(`\\${ch}`)) {
        throw new PrepareError(
          `Jinja2 syntax error: inside {{ }} a backslash keeps its meaning as written and cannot escape ${ch} (use the other quote)`,
          line + 1,
          col,
        );
      }
      strings.set(`${line}:${col}`, asWritten ? body : decodePythonString(body));
      emit(text.slice(i, j + 1));
      i = j;
      continue;
    }
    if (ch === '[' && /[\w\])'"]/.test(text[i - 1] ?? '')) {
      const slice = sliceParts(text, i);
      if (slice) {
        emit('[');
        insert(`${SLICE}(`);
        if (emptyPartAt(i + 1)) insert('none');
        for (const c of slice.colons) sliceColons.add(c);
        sliceCloses.add(slice.close);
        continue;
      }
    }
    if (sliceColons.has(i)) {
      emit(',');
      if (emptyPartAt(i + 1)) insert('none');
      continue;
    }
    if (sliceCloses.has(i)) {
      insert(')');
      emit(']');
      continue;
    }
    // `item.0` -> `item[0]`, unless the dot is in a number (`1.5`).
    if (ch === '.' && /[\w\])]/.test(text[i - 1] ?? '') && /\d/.test(text[i + 1] ?? '')) {
      const token = /[\w]*$/.exec(text.slice(0, i))![0];
      if (!/^\d/.test(token) || text[i - 1] === ']' || text[i - 1] === ')') {
        const digits = /^\d+/.exec(text.slice(i + 1))![0];
        quotedAt.add(`${line}:${col + 1}`);
        emit('[');
        emit(digits);
        insert(']');
        i += digits.length;
        continue;
      }
    }
    // `x is sameas false` -> `x is sameas(false)`: one argument without parentheses.
    if (ch === 'i' && text.startsWith('is', i) && !/\w/.test(text[i - 1] ?? '')) {
      const m = /^is(\s+not)?\s+(?!not\b)([A-Za-z_]\w*)(\s+)(?=(["'\w[({-]))/.exec(text.slice(i));
      if (m) {
        const word = /^[A-Za-z_]\w*/.exec(text.slice(i + m[0].length))?.[0];
        if (!word || !KEYWORDS.has(word)) {
          const arg = argumentEnd(text, i + m[0].length);
          if (arg > i + m[0].length) {
            emit(m[0].slice(0, -1));
            emit('(');
            // The argument is copied as is; a string inside it is recorded by the loop, so only simple ones here.
            const argText = text.slice(i + m[0].length, arg);
            if (/^["']/.test(argText)) {
              const body = argText.slice(1, -1);
              strings.set(`${line}:${col}`, verbatim && close === '}}' ? body : decodePythonString(body));
            }
            emit(argText);
            insert(')');
            i = arg - 1;
            continue;
          }
        }
      }
    }
    emit(ch);
  }
  if (close) throw new PrepareError(`Jinja2 syntax error: the expression is not closed with ${close}`, line + 1, col);
  return { text: out, inserted, strings, dotDigits: quotedAt };
}

/** The function name a slice is rewritten to before nunjucks parses it. */
const SLICE = '__slice__';

/** The `:` of a subscript opened at `open` and its closing `]` (undefined when it has no colon: no slice). */
function sliceParts(text: string, open: number): { colons: number[]; close: number } | undefined {
  const colons: number[] = [];
  let depth = 0;
  for (let j = open + 1; j < text.length; j++) {
    const c = text[j]!;
    if (c === '"' || c === "'") {
      j++;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === '}' || (c === ']' && depth > 0)) depth--;
    else if (c === ']') return colons.length && colons.length <= 2 ? { colons, close: j } : undefined;
    else if (c === ':' && depth === 0) colons.push(j);
    if (depth < 0) return undefined;
  }
  return undefined;
}

/** A problem found before parsing, at the end of the text read so far (1-based line, 0-based column). */
class PrepareError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly col: number,
    readonly inserted: Insertions = new Map(),
  ) {
    super(message);
  }
}

/** End of one simple argument (a string, a number, a dotted name, a negative number) at `start`. */
function argumentEnd(text: string, start: number): number {
  const rest = text.slice(start);
  const m = /^(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|-?\d+(?:\.\d+)?|[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)/.exec(rest);
  return m ? start + m[0].length : start;
}

/** nunjucks' error sentences, as a person would say them. */
const SYNTAX_MESSAGES: ReadonlyArray<[RegExp, string]> = [
  [/expected variable end/, 'unexpected text here: the expression should end (a missing operator, quote or bracket?)'],
  [/expected block end/, 'unexpected text here: the statement should end with %}'],
  [/unexpected token: }}/, 'the expression ends too early (a missing value after an operator?)'],
  [/unexpected token/, 'unexpected character in the expression'],
  [/expected comma after expression/, 'a comma or closing bracket is missing here'],
  [/expected name as lookup value/, "a name must follow '.'"],
  [/unknown block tag/, 'unknown statement'],
  [/expected elif, else, or endif/, '{% if %} without {% endif %}'],
  [/unterminated/, 'an unclosed string or tag'],
  [/expected (?:expression|name)/, 'a value is missing here'],
];

function syntaxMessage(raw: string): string {
  const msg = raw.split('\n').pop()!.trim();
  for (const [re, said] of SYNTAX_MESSAGES) if (re.test(msg)) return `Jinja2 syntax error: ${said}`;
  return 'Jinja2 syntax error: this expression cannot be read';
}

interface NParser {
  parseOr(): NNode;
  skipSymbol(name: string): boolean;
  parseInlineIf(): NNode;
}
const nunjucksParser = nunjucks as unknown as {
  parser: { parse(src: string): NNode; Parser: { prototype: NParser } };
  nodes: { InlineIf: new (line: number, col: number) => NNode };
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

const cache = new Map<string, JinjaTemplate>();
const MAX_CACHED = 20_000;

/**
 * Parse Jinja2 text once per run (cached by text); a syntax error is TEMPLATE_SYNTAX at `ctx`'s position. `verbatim`:
 * strings inside `{{ }}` keep their backslashes as written (a YAML value, as Ansible templates one); otherwise (a
 * condition, `{% %}`) Python's escapes apply.
 */
export function parseJinja(text: string, ctx: PosContext, verbatim = false): JinjaTemplate {
  const key = verbatim ? `v\0${text}` : text;
  const hit = cache.get(key);
  if (hit) return hit;
  let prep: Prepared;
  try {
    prep = prepare(text, verbatim);
  } catch (err) {
    if (!(err instanceof PrepareError)) throw err;
    throw new BosunError('TEMPLATE_SYNTAX', err.message, { source: toSourcePos(err.line, err.col, ctx) });
  }
  const posCtx: PosContext = { ...ctx, inserted: prep.inserted };
  let root: NNode;
  try {
    root = nunjucksParser.parser.parse(prep.text);
  } catch (err) {
    const e = err as { message?: string; lineno?: number; colno?: number };
    throw new BosunError('TEMPLATE_SYNTAX', syntaxMessage(String(e.message ?? err)), {
      source: toSourcePos(e.lineno ?? 1, Math.max(0, (e.colno ?? 1) - 1), posCtx),
      hint: 'Jinja2 expressions: {{ x | default("a") }}, {{ a if c else b }}, x is defined and x.y == "b"; see docs/templates.md',
    });
  }
  const conv = new Converter(prep, posCtx);
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
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, tpl);
  return tpl;
}

class Converter {
  constructor(
    private readonly prep: Prepared,
    private readonly ctx: PosContext,
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
      if (node.typename === 'Output') {
        for (const child of node.children ?? []) {
          if (child.typename === 'TemplateData') out.push({ k: 'text', text: String(child.value) });
          else out.push({ k: 'expr', e: this.expr(child) });
        }
      } else if (node.typename === 'If' || node.typename === 'IfAsync') {
        out.push(this.ifs(node));
      } else {
        this.fail(
          node,
          `Jinja2 statement {% ${node.typename.toLowerCase()} %} in a YAML value is not supported yet (only {% if %})`,
        );
      }
    }
    return out;
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
          name: String((node['name'] as NNode).value),
          target: this.expr(first),
          args,
          kwargs,
        };
      }
      case 'Is': {
        const right = node['right'] as NNode;
        const target = sub('left');
        if (right.typename === 'Symbol')
          return { ...at, k: 'test', name: String(right.value), target, args: [], kwargs: {} };
        if (right.typename === 'Literal' && right.value === null)
          return { ...at, k: 'test', name: 'none', target, args: [], kwargs: {} };
        if (right.typename === 'Literal' && typeof right.value === 'boolean')
          return { ...at, k: 'test', name: String(right.value), target, args: [], kwargs: {} };
        if (right.typename === 'FunCall') {
          const name = right['name'] as NNode;
          if (name.typename === 'Symbol') {
            const { args, kwargs } = this.args(right['args'] as NNode, 0);
            return { ...at, k: 'test', name: String(name.value), target, args, kwargs };
          }
        }
        // `x is in [1]` reads as the name `in` looked up with [1].
        if (right.typename === 'LookupVal' && (right['target'] as NNode).typename === 'Symbol') {
          const name = String((right['target'] as NNode).value);
          return { ...at, k: 'test', name, target, args: [this.expr(right['val'] as NNode)], kwargs: {} };
        }
        return this.fail(node, "Jinja2 syntax error: a test name must follow 'is'");
      }
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
      default:
        return this.fail(node, `Jinja2 syntax error: ${node.typename} is not supported in an expression`);
    }
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
