/**
 * The variables a Jinja2 text reads, for `undefined-var`: every name of its
 * expressions that no statement of the text binds (a `for` target, `set`,
 * a macro or its parameters, an import), with its position. A name the text
 * also tests with `is defined` / `is undefined` or passes through `default`
 * (or `d`, `mandatory`) may be undefined on purpose and is marked optional.
 * Binding is judged over the whole text (a name set anywhere counts as
 * bound everywhere): a linter must not report what runs.
 */
import type { SourcePos } from '../errors.js';
import type { Expr, Loc, Part } from '../template/jinja/parse.js';

/** A variable read by Jinja2 text. */
export interface JinjaUse {
  name: string;
  written: string;
  loc: Loc;
  optional: boolean;
}

/** Names every Jinja2 text has without defining them (Jinja2's and Ansible's globals, statement variables). */
const GLOBALS = new Set([
  'range',
  'dict',
  'lipsum',
  'cycler',
  'joiner',
  'namespace',
  'lookup',
  'query',
  'q',
  'now',
  'undef',
  'loop',
  'varargs',
  'kwargs',
  'caller',
  'self',
  'omit',
]);

const OPTIONAL_FILTERS = new Set(['default', 'd', 'mandatory']);
const OPTIONAL_TESTS = new Set(['defined', 'undefined']);

function isNode(x: unknown): x is { k: string } {
  return typeof x === 'object' && x !== null && typeof (x as { k?: unknown }).k === 'string';
}

/** The root name of a path (`x` of `x.y['z']`), if the expression is one. */
function rootName(e: Expr): string | undefined {
  let cur: Expr = e;
  while (cur.k === 'get') cur = cur.obj;
  return cur.k === 'name' ? cur.name : undefined;
}

/** A path as written, for messages. */
function writtenPath(e: Expr): string {
  if (e.k === 'name') return e.name;
  if (e.k === 'get' && e.key.k === 'lit') return `${writtenPath(e.obj)}.${String(e.key.v)}`;
  if (e.k === 'get') return `${writtenPath(e.obj)}[...]`;
  return '(expression)';
}

/** Every name bound anywhere in the parts (for targets, set, macros and their parameters, imports). */
function boundNames(parts: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(parts)) {
    for (const p of parts) boundNames(p, out);
    return out;
  }
  if (typeof parts !== 'object' || parts === null) return out;
  const node = parts as Record<string, unknown>;
  switch (node['k']) {
    case 'for':
      for (const t of node['targets'] as string[]) out.add(t);
      break;
    case 'set':
      for (const t of node['targets'] as Array<{ name: string }>) out.add(t.name);
      break;
    case 'macro':
      out.add(node['name'] as string);
      for (const p of node['params'] as Array<{ name: string }>) out.add(p.name);
      break;
    case 'caller':
      for (const p of node['params'] as Array<{ name: string }>) out.add(p.name);
      break;
    case 'import':
      out.add(node['as'] as string);
      break;
    case 'from':
      for (const [, alias] of node['names'] as Array<[string, string]>) out.add(alias);
      break;
  }
  for (const v of Object.values(node)) if (typeof v === 'object' && v !== null) boundNames(v, out);
  return out;
}

/** The variables `parts` read that they do not bind. */
export function jinjaUses(parts: Part[]): JinjaUse[] {
  const bound = boundNames(parts, new Set());
  const uses: JinjaUse[] = [];
  const optional = new Set<string>();
  const visit = (x: unknown): void => {
    if (Array.isArray(x)) {
      x.forEach(visit);
      return;
    }
    if (typeof x !== 'object' || x === null) return;
    if (!isNode(x)) {
      for (const v of Object.values(x)) visit(v);
      return;
    }
    const e = x as Expr;
    switch (e.k) {
      case 'name':
        if (!bound.has(e.name) && !GLOBALS.has(e.name))
          uses.push({ name: e.name, written: e.name, loc: e, optional: false });
        return;
      case 'get': {
        const root = rootName(e);
        if (root !== undefined) {
          if (!bound.has(root) && !GLOBALS.has(root))
            uses.push({ name: root, written: writtenPath(e), loc: e, optional: false });
          // Keys computed from variables (`hostvars[inventory_hostname]`) are reads too.
          let cur: Expr = e;
          while (cur.k === 'get') {
            if (cur.key.k !== 'lit') visit(cur.key);
            cur = cur.obj;
          }
          return;
        }
        break;
      }
      case 'filter':
        if (OPTIONAL_FILTERS.has(e.name)) {
          const root = rootName(e.target);
          if (root) optional.add(root);
        }
        break;
      case 'test':
        if (OPTIONAL_TESTS.has(e.name)) {
          const root = rootName(e.target);
          if (root) optional.add(root);
        }
        break;
      case 'call':
        // A function or macro called by name is no variable read; its arguments are.
        if (e.callee.k === 'name') {
          visit(e.args);
          visit(e.kwargs);
          return;
        }
        break;
    }
    for (const v of Object.values(e)) if (typeof v === 'object' && v !== null) visit(v);
  };
  visit(parts);
  return uses.map((u) => ({ ...u, optional: optional.has(u.name) }));
}

/** Position helper type for callers. */
export type PosOf = (loc: Loc) => SourcePos | undefined;
