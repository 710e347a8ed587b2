/**
 * Host patterns, with Ansible's semantics: names, groups, shell wildcards,
 * `~regex`, `,`/`:` separators, `&` intersection and `!` exclusion (all
 * unions first, then intersections, then exclusions), subscripts `g[0]`,
 * `g[1:3]`, `g[-1]`, and the implicit localhost.
 */
import { isIP } from 'node:net';
import picomatch from 'picomatch';
import { BosunError, type SourcePos } from '../errors.js';
import { hostsUnder, stateOf, type Inventory } from './model.js';

/** One term of a pattern: an operator, the expression and an optional subscript. */
export interface PatternTerm {
  op: 'union' | 'intersection' | 'exclusion';
  expr: string;
  subscript?: { start: number; end?: number } | { index: number };
}

const LOCALHOST_NAMES = new Set(['localhost', '127.0.0.1', '::1']);
const SUBSCRIPT = /^(.+)\[(?:(-?[0-9]+)|([0-9]*)\s*:\s*([0-9]*))\]$/;

/** Split a pattern into terms; a malformed pattern is a HOST_PATTERN error. */
export function parseHostPattern(pattern: string, source?: SourcePos): PatternTerm[] {
  const fail = (message: string): BosunError =>
    new BosunError('HOST_PATTERN', `invalid host pattern '${pattern}': ${message}`, {
      ...(source ? { source } : {}),
      hint: "separate terms with ',' or ':'; prefix '&' to intersect, '!' to exclude",
    });
  if (pattern.trim() === '') throw fail('it is empty');
  const terms: PatternTerm[] = [];
  for (const part of splitOutsideBrackets(pattern, ',', fail)) {
    const trimmed = part.trim();
    const pieces = isIP(trimmed.replace(/^[&!]/, '')) === 6 ? [trimmed] : splitOutsideBrackets(trimmed, ':', fail);
    for (const piece of pieces.map((p) => p.trim())) {
      if (piece === '') continue;
      terms.push(parseTerm(piece, fail));
    }
  }
  if (terms.length === 0) throw fail('it names no hosts or groups');
  return terms;
}

function splitOutsideBrackets(text: string, sep: string, fail: (m: string) => BosunError): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    // A regex term may use brackets freely; it ends at the next separator.
    if (ch === '~' && /^\s*[&!]?\s*$/.test(text.slice(start, i))) {
      const next = text.indexOf(sep, i);
      i = (next < 0 ? text.length : next) - 1;
      continue;
    }
    if (ch === '[') depth++;
    else if (ch === ']') {
      depth--;
      if (depth < 0) throw fail(`a "]" without its "["`);
    } else if (ch === sep && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth > 0) throw fail('a "[" without its "]"');
  out.push(text.slice(start));
  return out;
}

function parseTerm(piece: string, fail: (m: string) => BosunError): PatternTerm {
  const op = piece.startsWith('&') ? 'intersection' : piece.startsWith('!') ? 'exclusion' : 'union';
  const expr = op === 'union' ? piece : piece.slice(1).trim();
  if (expr === '' || /^[&!]/.test(expr)) throw fail(`'${piece}' needs a host or group name after '${piece.charAt(0)}'`);
  if (/\s/.test(expr)) throw fail(`'${expr}' contains a space (spaces do not separate terms)`);
  if (expr.startsWith('~')) {
    if (expr.length === 1) throw fail("'~' needs a regular expression after it");
    try {
      new RegExp(expr.slice(1));
    } catch (e) {
      throw fail(`bad regular expression '${expr.slice(1)}': ${(e as Error).message}`);
    }
    return { op, expr };
  }
  const m = SUBSCRIPT.exec(expr);
  if (!m) return { op, expr };
  if (m[2] !== undefined) return { op, expr: m[1]!, subscript: { index: Number(m[2]) } };
  const start = m[3] === '' ? 0 : Number(m[3]);
  return m[4] === ''
    ? { op, expr: m[1]!, subscript: { start } }
    : { op, expr: m[1]!, subscript: { start, end: Number(m[4]) } };
}

/**
 * The inventory hosts a pattern selects, in inventory order without
 * duplicates; [] when nothing matches. `localhost`/`127.0.0.1` absent from the
 * inventory select an implicit local host (added to `inv.hosts`, in no group).
 */
export function selectHosts(inv: Inventory, pattern: string, source?: SourcePos): string[] {
  const terms = parseHostPattern(pattern, source);
  const unions = terms.filter((t) => t.op === 'union');
  const selected = new Set<string>();
  for (const term of unions.length > 0 ? unions : [{ op: 'union', expr: 'all' } as PatternTerm]) {
    for (const h of matchTerm(inv, term)) selected.add(h);
  }
  for (const term of terms.filter((t) => t.op === 'intersection')) {
    const keep = new Set(matchTerm(inv, term));
    for (const h of [...selected]) if (!keep.has(h)) selected.delete(h);
  }
  for (const term of terms.filter((t) => t.op === 'exclusion')) {
    for (const h of matchTerm(inv, term)) selected.delete(h);
  }
  return [...inv.hosts.keys()].filter((h) => selected.has(h));
}

/** The hosts of one term, in inventory order, after its subscript. */
function matchTerm(inv: Inventory, term: PatternTerm): string[] {
  const implicit = stateOf(inv).implicit;
  const { expr } = term;
  let hosts: Set<string>;
  if (!term.subscript && inv.hosts.has(expr) && !implicit.has(expr)) {
    hosts = new Set([expr]);
  } else {
    hosts = enumerate(inv, expr);
  }
  if (hosts.size === 0 && LOCALHOST_NAMES.has(expr)) hosts = new Set([implicitLocalhost(inv, expr)]);
  const ordered = [...inv.hosts.keys()].filter((h) => hosts.has(h));
  return term.subscript ? applySubscript(ordered, term.subscript) : ordered;
}

/** Ansible's rule: groups that match; hosts too when no group matched or the expression is a wildcard or regex. */
function enumerate(inv: Inventory, expr: string): Set<string> {
  const test = matcher(expr);
  const out = new Set<string>();
  let anyGroup = false;
  for (const name of inv.groups.keys()) {
    if (!test(name)) continue;
    anyGroup = true;
    for (const h of hostsUnder(inv, name)) out.add(h);
  }
  if (!anyGroup || expr.startsWith('~') || /[.?*[]/.test(expr)) {
    const implicit = stateOf(inv).implicit;
    for (const name of inv.hosts.keys()) if (!implicit.has(name) && test(name)) out.add(name);
  }
  return out;
}

function matcher(expr: string): (name: string) => boolean {
  if (expr.startsWith('~')) {
    // Python's re.match: anchored at the start only.
    const re = new RegExp(`^(?:${expr.slice(1)})`);
    return (name) => re.test(name);
  }
  if (!/[*?[]/.test(expr)) return (name) => name === expr;
  return picomatch(expr, { dot: true, nobrace: true, noextglob: true, nonegate: true, noglobstar: true });
}

function applySubscript(hosts: string[], sub: NonNullable<PatternTerm['subscript']>): string[] {
  if ('index' in sub) {
    const i = sub.index < 0 ? hosts.length + sub.index : sub.index;
    const h = hosts[i];
    return h === undefined ? [] : [h];
  }
  // Ansible's ranges include their end: web[0:2] is three hosts.
  return hosts.slice(sub.start, sub.end === undefined ? undefined : sub.end + 1);
}

/** Ensure the implicit local host exists: `ansible_connection: local`, in no group (so not in `all`). */
function implicitLocalhost(inv: Inventory, name: string): string {
  const state = stateOf(inv);
  if (!inv.hosts.has(name)) {
    const source: SourcePos = { file: '<implicit localhost>', line: 1, col: 1 };
    inv.hosts.set(name, { name, vars: { ansible_connection: 'local' }, positions: new Map(), groups: [], source });
    state.implicit.add(name);
  }
  return name;
}
