/**
 * A Jinja2 template file -> its bosun-Handlebars form (`bosun convert`), when
 * every construct in it has a Handlebars form that renders the same bytes on
 * bosun's engine: text, printed expressions, `{% if/elif/else %}`,
 * `{% for %}` (lists, `d.items()`, loop.index/index0/first/last/length,
 * `{% else %}`), `{% set x = ... %}`, `{% raw %}`, comments and whitespace
 * control. The whitespace Jinja2 drops (trim_blocks, `-`) is dropped while the
 * file is read; the text left is written as it is, and an empty comment `{{!}}`
 * is put beside a block tag where Handlebars' standalone-line rule would
 * otherwise drop a newline. Anything else leaves the file as Jinja2, with the
 * place and the reason of each construct that stopped it.
 */
import Handlebars from 'handlebars';
import { BosunError } from '../errors.js';
import { BUILTIN_HELPERS, HELPER_NAMES } from '../template/helpers.js';
import { createTemplateEngine } from '../template/index.js';
import type { Expr, Loc, Part } from '../template/jinja/parse.js';
import { checkJinjaFile, type FileOptions } from '../template/jinja/render.js';
import { conditionOf, mustache, NotConvertible, printsAlike, toHandlebars, type NameScope } from './expression.js';

/** A construct found at a place of the file (1-based line and column). */
export interface TemplateNote {
  line: number;
  col: number;
  reason: string;
}

/** What converting one template gave: the Handlebars text, or the reasons it stays Jinja2. */
export type TemplateConversion =
  { ok: true; text: string; checks: TemplateNote[] } | { ok: false; left: TemplateNote[] };

/** The values a role's defaults and vars give (for telling a text or a list from anything else). */
export type Hints = ReadonlyMap<string, unknown>;

const COMMENT_MARK = '__bosun_comment_';

/**
 * Jinja2 comments as `{% set __bosun_comment_N = 0 %}` (a statement gets the same whitespace rules as a comment), so
 * that the parsed template still has them; the line count stays.
 */
function markComments(text: string): { text: string; comments: string[] } {
  const comments: string[] = [];
  let out = '';
  let i = 0;
  while (i < text.length) {
    const raw = /^\{%[-+]?\s*raw\s*[-+]?%\}/.exec(text.slice(i, i + 40));
    if (raw) {
      const end = /\{%[-+]?\s*endraw\s*[-+]?%\}/g;
      end.lastIndex = i;
      const m = end.exec(text);
      const stop = m ? m.index + m[0].length : text.length;
      out += text.slice(i, stop);
      i = stop;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '{{' || two === '{%') {
      const close = text.indexOf(two === '{{' ? '}}' : '%}', i + 2);
      const stop = close < 0 ? text.length : close + 2;
      out += text.slice(i, stop);
      i = stop;
      continue;
    }
    if (two === '{#') {
      const close = text.indexOf('#}', i + 2);
      if (close < 0) {
        out += text.slice(i);
        break;
      }
      let body = text.slice(i + 2, close);
      let open = '{%';
      let shut = '%}';
      if (/^[-+]/.test(body)) {
        open += body[0]!;
        body = body.slice(1);
      }
      if (/[-+]$/.test(body)) {
        shut = body[body.length - 1]! + shut;
        body = body.slice(0, -1);
      }
      const newlines = '\n'.repeat(body.split('\n').length - 1);
      out += `${open} set ${COMMENT_MARK}${comments.length} = 0 ${newlines}${shut}`;
      comments.push(body.trim());
      i = close + 2;
      continue;
    }
    out += text[i]!;
    i++;
  }
  return { text: out, comments };
}

type Binding = { hbs: string; expr: Expr } | 'conditional';

/** Names where a part is converted: loop targets (block parameters) and `{% set %}` bindings, innermost first. */
class Scope implements NameScope {
  readonly params = new Map<string, string>();
  /** Loop variables known to hold texts or whole numbers (a mapping's keys; values the defaults show are texts). */
  readonly textParams = new Set<string>();
  /** The values the defaults show a loop variable taking (the items of a list they give). */
  readonly paramHints = new Map<string, unknown[]>();
  readonly sets = new Map<string, Binding>();
  /** While a `{% set %}` value is converted: names are read through @root, and `loop` is refused. */
  forSet = false;
  readonly concat = true;
  /** Inside a branch (of an if, an inline if, a loop's else): a read may be of something only that branch has. */
  branch = false;
  /** Paths a condition around here tested with `is defined`. */
  readonly guards: string[][] = [];
  /** Where a read in a branch is reported. */
  onBranchRead?: (parts: string[], at: Loc) => void;

  read(parts: string[], at: Loc): void {
    if (!this.branch) return;
    for (const s of this.lineage())
      if (s.guards.some((g) => g.length <= parts.length && g.every((x, i) => parts[i] === x))) return;
    this.root().onBranchRead?.(parts, at);
  }

  private root(): Scope {
    return this.lineage().at(-1)!;
  }

  /** This scope and those around it, innermost first. */
  lineage(): Scope[] {
    return [this, ...(this.parent?.lineage() ?? [])];
  }

  constructor(
    readonly parent: Scope | undefined,
    readonly loop: { iter: Expr } | undefined,
    private readonly loopDepth: number,
  ) {}

  get inLoop(): boolean {
    return this.forSet || this.loopDepth > 0;
  }

  child(loop?: { iter: Expr }, branch = this.branch): Scope {
    const s = new Scope(this, loop, this.loopDepth + (loop ? 1 : 0));
    s.forSet = this.forSet;
    s.branch = branch;
    return s;
  }

  binding(name: string): Binding | undefined {
    for (const s of this.lineage()) {
      const b = s.sets.get(name);
      if (b !== undefined) return b;
      if (s.params.has(name)) return undefined;
    }
    return undefined;
  }

  paramHint(name: string): unknown[] | undefined {
    for (const s of this.lineage()) {
      if (s.sets.has(name)) return undefined;
      if (s.params.has(name)) return s.paramHints.get(name);
    }
    return undefined;
  }

  textParam(name: string): boolean {
    for (const s of this.lineage()) {
      if (s.sets.has(name)) return false;
      if (s.params.has(name)) return s.textParams.has(name);
    }
    return false;
  }

  bound(name: string): boolean {
    for (const s of this.lineage()) if (s.sets.has(name) || s.params.has(name)) return true;
    return false;
  }

  resolve(name: string, at: Loc): string | undefined {
    for (const s of this.lineage()) {
      const b = s.sets.get(name);
      if (b === 'conditional')
        throw new NotConvertible(`'${name}' is set inside an {% if %} and read after it (no Handlebars form)`, at);
      if (b !== undefined) return b.hbs;
      const p = s.params.get(name);
      if (p !== undefined) return p;
    }
    return undefined;
  }

  loopAttr(attr: string, at: Loc): string {
    if (this.forSet) throw new NotConvertible('a {% set %} of a loop attribute', at);
    const s = this.lineage().find((x) => x.loop);
    if (!s?.loop) throw new NotConvertible(`loop.${attr} outside a loop`, at);
    switch (attr) {
      case 'index0':
        return '@index';
      case 'index':
        return '(add @index 1)';
      case 'first':
        return '@first';
      case 'last':
        return '@last';
      case 'length':
        return `(length ${toHandlebars(s.loop.iter, this)})`;
      default:
        throw new NotConvertible(`loop.${attr} (Handlebars has @index, @first and @last)`, at);
    }
  }
}

/** Variables that are always texts: Ansible's and the template module's own. */
const TEXT_VARIABLES: ReadonlySet<string> = new Set([
  'inventory_hostname',
  'inventory_hostname_short',
  'ansible_managed',
  'role_name',
  'playbook_dir',
  'role_path',
  'template_path',
  'template_fullpath',
  'template_destpath',
  'template_host',
  'template_run_date',
]);

/** A value that prints the same in both dialects: a text that is no template, or a whole number. */
function isText(v: unknown): boolean {
  return (typeof v === 'string' && !/\{\{|\{%/.test(v)) || (typeof v === 'number' && Number.isInteger(v));
}

type Segment = { t: 'text'; s: string } | { t: 'tag'; s: string };

/** Trailing newlines of what parts print: a count, and whether it is sure (a printed value may end with one). */
type Tail = { n: number; exact: boolean } | undefined;

class TemplateConverter {
  readonly segments: Segment[] = [];
  readonly left: TemplateNote[] = [];
  readonly checks: TemplateNote[] = [];

  constructor(
    private readonly comments: string[],
    private readonly lineShift: number,
    private readonly hints: Hints,
  ) {}

  /** A variable read in a branch: Handlebars checks it before rendering, also when the branch does not run. */
  branchRead(parts: string[], at: Loc, scope: Scope): void {
    if (parts.length === 1 && (this.hints.has(parts[0]!) || TEXT_VARIABLES.has(parts[0]!))) return;
    const known = this.hintedAll({ ...at, k: 'name', name: parts[0]! }, scope);
    if (known && parts.length > 1) {
      const below = known.map((v) =>
        parts
          .slice(1)
          .reduce<unknown>(
            (x, k) => (typeof x === 'object' && x !== null ? (x as Record<string, unknown>)[k] : undefined),
            v,
          ),
      );
      if (below.every((v) => v !== undefined)) return;
    }
    this.note(
      this.checks,
      at,
      `'${parts.join('.')}' is read in a branch: Handlebars needs it to exist also when the branch does not run (Jinja2 reads it only when it runs)`,
    );
  }

  private note(list: TemplateNote[], at: Loc, reason: string): void {
    list.push({ line: at.line + this.lineShift, col: at.col + 1, reason });
  }

  private text(s: string): void {
    if (s === '') return;
    const last = this.segments[this.segments.length - 1];
    if (last?.t === 'text') last.s += s;
    else this.segments.push({ t: 'text', s });
  }

  private tag(s: string): void {
    this.segments.push({ t: 'tag', s });
  }

  /** Convert, or record why not and go on (so that every reason in the file is listed). */
  private attempt(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (!(err instanceof NotConvertible)) throw err;
      this.note(this.left, err.loc, err.message);
    }
  }

  parts(parts: Part[], scope: Scope): void {
    for (const part of parts) this.attempt(() => this.part(part, scope));
  }

  private part(part: Part, scope: Scope): void {
    switch (part.k) {
      case 'text':
        this.text(part.text);
        return;
      case 'expr':
        this.print(part.e, scope);
        return;
      case 'ifs': {
        const set = new Set<string>();
        part.branches.forEach((b, i) => {
          this.tag(i === 0 ? `{{#if ${conditionOf(b.cond, scope)}}}` : `{{else if ${conditionOf(b.cond, scope)}}}`);
          const inner = scope.child(undefined, true);
          inner.guards.push(...definedIn(b.cond));
          this.parts(b.body, inner);
          for (const name of inner.sets.keys()) set.add(name);
        });
        if (part.else) {
          this.tag('{{else}}');
          const inner = scope.child(undefined, true);
          this.parts(part.else, inner);
          for (const name of inner.sets.keys()) set.add(name);
        }
        this.tag('{{/if}}');
        // A name set in a branch has that value after the if only when the branch ran.
        for (const name of set) if (!name.startsWith(COMMENT_MARK)) scope.sets.set(name, 'conditional');
        return;
      }
      case 'for':
        this.forLoop(part, scope);
        return;
      case 'set': {
        const target = part.targets[0]!;
        if (target.name.startsWith(COMMENT_MARK)) {
          const body = this.comments[Number(target.name.slice(COMMENT_MARK.length))] ?? '';
          this.tag(`{{!-- ${body.replace(/--\}\}/g, '- -}}')} --}}`);
          return;
        }
        if (part.targets.length !== 1 || target.attr !== undefined)
          throw new NotConvertible('a {% set %} of several names or of a namespace attribute', part);
        if (part.value.k === 'capture') throw new NotConvertible('a block {% set %}...{% endset %}', part);
        const saved = scope.forSet;
        scope.forSet = true;
        try {
          const hbs = toHandlebars(part.value, scope);
          scope.sets.set(target.name, { hbs, expr: part.value });
        } finally {
          scope.forSet = saved;
        }
        return;
      }
      default:
        throw new NotConvertible(
          `the statement {% ${part.k} %} (Handlebars has no macros, includes, imports, blocks or with)`,
          part,
        );
    }
  }

  /** A printed expression: `a ~ b` as two mustaches, `a if c else b` as an #if block, a literal text as text. */
  private print(e: Expr, scope: Scope): void {
    if (e.k === 'bin' && e.op === '~') {
      this.print(e.l, scope);
      this.print(e.r, scope);
      return;
    }
    if (e.k === 'lit' && typeof e.v === 'string' && !scope.forSet) {
      this.text(e.v);
      return;
    }
    if (e.k === 'if') {
      this.tag(`{{#if ${conditionOf(e.cond, scope)}}}`);
      const then = scope.child(undefined, true);
      then.guards.push(...definedIn(e.cond));
      this.print(e.then, then);
      if (e.else) {
        this.tag('{{else}}');
        this.print(e.else, scope.child(undefined, true));
      }
      this.tag('{{/if}}');
      return;
    }
    const hbs = toHandlebars(e, scope);
    this.tag(`{{ ${mustache(hbs)} }}`);
    if (!this.printsText(e, scope))
      this.note(
        this.checks,
        e,
        'printed: if its value is a boolean, a list or a mapping, Jinja2 prints True/[...] where Handlebars prints true/JSON',
      );
  }

  /** Whether a printed expression surely prints the same in both: text or a whole number, by its form or the defaults. */
  private printsText(e: Expr, scope: Scope): boolean {
    if (printsAlike(e)) return true;
    if (e.k === 'bin' && e.op === '~') return this.printsText(e.l, scope) && this.printsText(e.r, scope);
    if (e.k === 'name') {
      if (scope.textParam(e.name)) return true;
      if (!scope.bound(e.name) && TEXT_VARIABLES.has(e.name)) return true;
      const b = scope.binding(e.name);
      if (b && b !== 'conditional') return this.printsText(b.expr, scope);
    }
    if (e.k === 'get' && e.obj.k === 'name' && e.obj.name === 'loop' && !scope.bound('loop'))
      return ['index', 'index0', 'length'].includes(String(e.key.k === 'lit' ? e.key.v : ''));
    const all = this.hintedAll(e, scope);
    return all !== undefined && all.length > 0 && all.every(isText);
  }

  /** The defaults' value of a variable path (not of a set name), or undefined. */
  private hinted(e: Expr, scope: Scope): unknown {
    const all = this.hintedAll(e, scope);
    return all?.length === 1 ? all[0] : undefined;
  }

  /** Every value the defaults show a path taking (a loop variable: one per item), or undefined. */
  hintedAll(e: Expr, scope: Scope): unknown[] | undefined {
    const keys: string[] = [];
    let cur = e;
    while (cur.k === 'get' && cur.key.k === 'lit') {
      keys.unshift(String(cur.key.v));
      cur = cur.obj;
    }
    if (cur.k !== 'name') return undefined;
    let values: unknown[];
    if (scope.bound(cur.name)) {
      const items = scope.paramHint(cur.name);
      if (!items) return undefined;
      values = items;
    } else if (this.hints.has(cur.name)) values = [this.hints.get(cur.name)];
    else return undefined;
    const below = (v: unknown): unknown =>
      keys.reduce<unknown>(
        (x, k) => (typeof x === 'object' && x !== null ? (x as Record<string, unknown>)[k] : undefined),
        v,
      );
    return values.map(below);
  }

  private forLoop(part: Part & { k: 'for' }, scope: Scope): void {
    if (part.recursive) throw new NotConvertible('a recursive loop', part);
    if (part.cond)
      throw new NotConvertible('a loop filter (for x in xs if c): loop.index counts only the items kept', part);
    for (const t of part.targets) {
      if (scope.bound(t) || t === 'loop')
        throw new NotConvertible(`the loop variable '${t}' hides a name bound around the loop`, part);
      if (!/^[A-Za-z_]\w*$/.test(t) || /^(?:this|true|false|null|undefined)$/.test(t) || isHelperName(t))
        throw new NotConvertible(`the loop variable '${t}' (a helper's name in Handlebars)`, part);
    }
    let iter = part.iter;
    let params: string;
    let sure: boolean;
    const texts: string[] = [];
    const method =
      iter.k === 'call' && iter.callee.k === 'get' && iter.callee.key.k === 'lit' && iter.args.length === 0
        ? String(iter.callee.key.v)
        : undefined;
    if (method === 'items' && part.targets.length === 2 && iter.k === 'call' && iter.callee.k === 'get') {
      iter = iter.callee.obj;
      params = `${part.targets[1]!} ${part.targets[0]!}`;
      sure = true;
      texts.push(part.targets[0]!);
      const values = this.hinted(iter, scope);
      if (typeof values === 'object' && values !== null && Object.values(values).every(isText))
        texts.push(part.targets[1]!);
    } else if (method === 'values' && part.targets.length === 1 && iter.k === 'call' && iter.callee.k === 'get') {
      iter = iter.callee.obj;
      params = part.targets[0]!;
      sure = true;
    } else if (part.targets.length === 1) {
      params = part.targets[0]!;
      sure =
        iter.k === 'list' ||
        (iter.k === 'call' && iter.callee.k === 'name' && iter.callee.name === 'range') ||
        (iter.k === 'filter' && ['dict2items', 'split'].includes(iter.name)) ||
        Array.isArray(this.hinted(iter, scope));
    } else throw new NotConvertible('a loop that unpacks items (for a, b in pairs)', part);
    const head = toHandlebars(iter, scope);
    if (!sure)
      this.note(
        this.checks,
        part,
        'a loop over a list is the same; over a mapping Jinja2 gives its keys and Handlebars its values',
      );
    this.tag(`{{#each ${head} as |${params}|}}`);
    const body = scope.child({ iter });
    for (const t of part.targets) body.params.set(t, t);
    for (const t of texts) body.textParams.add(t);
    const items = part.targets.length === 1 ? this.hinted(iter, scope) : undefined;
    if (Array.isArray(items) && items.length > 0) body.paramHints.set(part.targets[0]!, items);
    this.parts(part.body, body);
    if (part.else) {
      this.tag('{{else}}');
      this.parts(part.else, scope.child(undefined, true));
    }
    this.tag('{{/each}}');
  }
}

function isHelperName(name: string): boolean {
  return HELPER_NAMES.has(name) || BUILTIN_HELPERS.has(name) || name === 'raw';
}

/** The variable paths a condition, when true, says are defined (`x is defined`, and those of `and`). */
function definedIn(e: Expr): string[][] {
  if (e.k === 'and') return [...definedIn(e.l), ...definedIn(e.r)];
  if (e.k !== 'test' || e.name !== 'defined') return [];
  const parts: string[] = [];
  let cur = e.target;
  while (cur.k === 'get' && cur.key.k === 'lit') {
    parts.unshift(String(cur.key.v));
    cur = cur.obj;
  }
  return cur.k === 'name' ? [[cur.name, ...parts]] : [];
}

/** The trailing newlines `parts` print after `prev`; undefined when they differ between paths. */
function tailOf(parts: Part[], prev: Tail): Tail {
  let cur = prev;
  for (const p of parts) {
    // A text with more than newlines ends the output the same way on every path before it.
    if (p.k === 'text' && p.text.replace(/\n+$/, '') !== '') {
      cur = { n: p.text.length - p.text.replace(/\n+$/, '').length, exact: true };
      continue;
    }
    if (!cur) continue;
    switch (p.k) {
      case 'text':
        cur = { n: cur.n + p.text.length, exact: cur.exact };
        break;
      case 'expr':
        cur =
          p.e.k === 'lit' && typeof p.e.v === 'string'
            ? tailOf([{ k: 'text', text: p.e.v }], cur)
            : { n: 0, exact: false };
        break;
      case 'ifs': {
        const ends = [...p.branches.map((b) => tailOf(b.body, cur)), tailOf(p.else ?? [], cur)];
        cur = same(ends);
        break;
      }
      case 'for': {
        const once = tailOf(p.body, cur);
        cur = same([tailOf(p.else ?? [], cur), once, tailOf(p.body, once)]);
        break;
      }
      default:
        break;
    }
  }
  return cur;
}

/**
 * Ansible adds newlines after rendering until the output ends with as many as the file did: the parts with that text
 * written in, at the end of each path the output can take (a branch of the last if, the else of the last loop).
 */
function padTail(parts: Part[], prev: Tail, wanted: number, check: (reason: string) => void): Part[] {
  if (wanted === 0) return parts;
  const tail = tailOf(parts, prev);
  if (tail) {
    if (tail.n >= wanted) return parts;
    if (!tail.exact)
      check("the file's last newline: Ansible adds it only when the last value printed does not end with one");
    return [...parts, { k: 'text', text: '\n'.repeat(wanted - tail.n) }];
  }
  const last = parts[parts.length - 1];
  const before = parts.slice(0, -1);
  const at = tailOf(before, prev);
  const fail = (): never => {
    throw new NotConvertible(
      "the output's last newlines depend on a loop's body (Ansible adds the file's trailing newlines only where the output lacks them)",
      { line: 1, col: 0 },
    );
  };
  if (!at || !last) return fail();
  if (last.k === 'ifs') {
    const branches = last.branches.map((b) => ({ cond: b.cond, body: padTail(b.body, at, wanted, check) }));
    return [...before, { k: 'ifs', branches, else: padTail(last.else ?? [], at, wanted, check) }];
  }
  if (last.k === 'for') {
    const once = tailOf(last.body, at);
    const again = tailOf(last.body, once);
    if (once?.n === undefined || again?.n !== once.n || once.n < wanted) return fail();
    return [...before, { ...last, else: padTail(last.else ?? [], at, wanted, check) }];
  }
  return fail();
}

function same(ends: Tail[]): Tail {
  const first = ends[0];
  if (!first) return undefined;
  if (!ends.every((t) => t?.n === first.n)) return undefined;
  return { n: first.n, exact: ends.every((t) => t!.exact) };
}

/** The segments as Handlebars text: literal braces escaped, a backslash before a tag doubled. */
function serialize(segments: Segment[]): string {
  let out = '';
  segments.forEach((seg, i) => {
    if (seg.t === 'tag') {
      out += seg.s;
      return;
    }
    if (seg.s.includes('\\{{'))
      throw new NotConvertible('a backslash before literal braces {{ in the text', { line: 1, col: 0 });
    let s = seg.s.replace(/\{\{/g, '\\{{');
    // Handlebars reads `\{{` as an escape: a text's own trailing backslash before a tag is written twice.
    if (segments[i + 1]?.t === 'tag' && s.endsWith('\\')) s += '\\';
    out += s;
  });
  return out;
}

interface Node {
  type: string;
  [k: string]: unknown;
}

/** The first text Handlebars' whitespace rules would change, and at which end. */
function firstStripped(text: string): { offset: number } | undefined {
  let ast: Node;
  try {
    ast = Handlebars.parse(text) as unknown as Node;
  } catch (err) {
    throw new NotConvertible(`the Handlebars form does not parse: ${(err as Error).message.split('\n')[0] ?? ''}`, {
      line: 1,
      col: 0,
    });
  }
  const lines = text.split('\n');
  const offsetOf = (line: number, column: number): number => {
    let o = 0;
    for (let i = 0; i < line - 1; i++) o += lines[i]!.length + 1;
    return o + column;
  };
  let found: { offset: number } | undefined;
  const walk = (node: unknown): void => {
    if (found || typeof node !== 'object' || node === null) return;
    const n = node as Node;
    if (n.type === 'ContentStatement' && n['value'] !== n['original']) {
      const value = String(n['value']);
      const original = String(n['original']);
      const loc = n['loc'] as { start: { line: number; column: number }; end: { line: number; column: number } };
      // The start lost: a standalone tag before it; the end lost: one after it.
      // (A tag after it strips only spaces and tabs; one before it strips up to a newline.)
      found =
        original.startsWith(value) && !original.slice(value.length).includes('\n')
          ? { offset: offsetOf(loc.end.line, loc.end.column) }
          : { offset: offsetOf(loc.start.line, loc.start.column) };
      return;
    }
    for (const v of Object.values(n)) {
      if (Array.isArray(v)) v.forEach(walk);
      else if (typeof v === 'object' && v !== null && 'type' in v) walk(v);
    }
  };
  walk(ast);
  return found;
}

/** Handlebars text whose standalone-line rule changes no text: an empty comment beside each tag that would drop some. */
function keepWhitespace(text: string): string {
  let out = text;
  for (let i = 0; i < 1000; i++) {
    const hit = firstStripped(out);
    if (!hit) return out;
    out = `${out.slice(0, hit.offset)}{{!}}${out.slice(hit.offset)}`;
  }
  throw new NotConvertible("whitespace Handlebars' standalone-line rule would drop", { line: 1, col: 0 });
}

/** Ansible's _count_newlines_from_end. */
function trailingNewlines(s: string): number {
  let n = 0;
  while (n < s.length && s[s.length - 1 - n] === '\n') n++;
  return n;
}

const checker = createTemplateEngine();

/** Convert one Jinja2 template file (its text; `file` for positions) with the template task's options. */
export function convertTemplate(
  source: string,
  file: string,
  hints: Hints = new Map(),
  options: FileOptions = {},
): TemplateConversion {
  const marked = markComments(source);
  let parsed: ReturnType<typeof checkJinjaFile>;
  try {
    parsed = checkJinjaFile(
      marked.text,
      { source: { file, line: 1, col: 1 }, inserted: new Map(), colShift: 0 },
      options,
    );
  } catch (err) {
    if (!(err instanceof BosunError)) throw err;
    return { ok: false, left: [{ line: err.source?.line ?? 1, col: err.source?.col ?? 1, reason: err.message }] };
  }
  const { tpl, settings } = parsed;
  const lineShift = source.startsWith('#jinja2:') ? 1 : 0;
  if (Object.keys(settings.delimiters).length)
    return { ok: false, left: [{ line: 1, col: 1, reason: 'other delimiters than {{ }} and {% %}' }] };
  if (settings.newline !== '\n')
    return { ok: false, left: [{ line: 1, col: 1, reason: 'a newline_sequence other than \\n' }] };
  const conv = new TemplateConverter(marked.comments, lineShift, hints);
  const wanted = trailingNewlines(source);
  const end = { line: source.split('\n').length, col: 0 };
  let parts = tpl.parts;
  try {
    parts = padTail(tpl.parts, { n: 0, exact: true }, wanted, (reason) => conv.checks.push({ ...end, col: 1, reason }));
  } catch (err) {
    if (!(err instanceof NotConvertible)) throw err;
    conv.left.push({ ...end, col: 1, reason: err.message });
  }
  const top = new Scope(undefined, undefined, 0);
  top.onBranchRead = (path, at) => conv.branchRead(path, at, top);
  conv.parts(parts, top);
  if (conv.left.length) return { ok: false, left: conv.left };
  let text: string;
  try {
    text = keepWhitespace(serialize(mergeTexts(conv.segments)));
    checker.checkFile(text, file.replace(/\.j2$/, '.hbs'));
  } catch (err) {
    if (err instanceof NotConvertible) return { ok: false, left: [{ line: 1, col: 1, reason: err.message }] };
    if (err instanceof BosunError)
      return { ok: false, left: [{ line: 1, col: 1, reason: `the Handlebars form does not load: ${err.message}` }] };
    throw err;
  }
  return { ok: true, text, checks: conv.checks };
}

function mergeTexts(segments: Segment[]): Segment[] {
  const out: Segment[] = [];
  for (const s of segments) {
    const last = out[out.length - 1];
    if (s.t === 'text' && last?.t === 'text') last.s += s.s;
    else if (s.t !== 'text' || s.s !== '') out.push({ ...s });
  }
  return out;
}
