/**
 * `bosun convert`: a role's or playbook's YAML values and conditions written
 * in Jinja2, rewritten in bosun's Handlebars dialect (comments and layout kept
 * by the yaml Document API); what cannot be converted stays Jinja2 and is
 * listed with its file:line:col and reason.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isPair, LineCounter, parseDocument, visit, type Scalar } from 'yaml';
import { BosunError } from '../errors.js';
import type { Loc } from '../template/jinja/parse.js';
import { convertCondition, convertValue, NotConvertible } from './expression.js';
import { convertTemplate } from './template.js';

const CONDITIONS = new Set(['when', 'changed_when', 'failed_when', 'until', 'that']);

export interface LeftItem {
  where: string;
  reason: string;
}

export interface ConvertResult {
  converted: number;
  left: LeftItem[];
  /** Converted, but the same only if a value is text (printed inside a text). */
  checks: LeftItem[];
  files: number;
  /** Template files written as .hbs, and those kept as Jinja2. */
  templatesConverted: number;
  templatesLeft: number;
}

/** Convert one YAML file's text; the new text and what was left. */
export function convertYaml(
  text: string,
  file: string,
  result: ConvertResult,
  renames: ReadonlyMap<string, string> = new Map(),
): string {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, keepSourceTokens: true });
  if (doc.errors.length) {
    result.left.push({ where: file, reason: `not valid YAML (${doc.errors[0]!.message.split('\n')[0] ?? ''})` });
    return text;
  }
  const state = { changed: false };
  visit(doc, {
    Scalar(_key, node: Scalar, ancestors) {
      if (typeof node.value !== 'string' || node.tag === '!unsafe') return;
      const parent = ancestors[ancestors.length - 1];
      const grand = ancestors[ancestors.length - 2];
      if (isPair(parent) && parent.key === node) return;
      const keyOf = (p: unknown): string | undefined =>
        isPair(p) && isScalar(p.key) ? String(p.key.value) : undefined;
      const key = keyOf(parent) ?? keyOf(ancestors[ancestors.length - 3]);
      const condition = key !== undefined && CONDITIONS.has(key) && (isPair(parent) || grand !== undefined);
      const value = node.value;
      // A template task's src: the converted template's new name.
      const task = ancestors[ancestors.length - 3];
      if (
        isPair(parent) &&
        keyOf(parent) === 'src' &&
        isPair(task) &&
        TEMPLATE_KEYS.has(keyOf(task) ?? '') &&
        renames.has(value)
      ) {
        node.value = renames.get(value)!;
        state.changed = true;
        return;
      }
      if (!condition && !value.includes('{{') && !value.includes('{%')) return;
      try {
        const checks: Array<{ reason: string; loc: Loc }> = [];
        const out = condition && !value.trim().startsWith('{{') ? convertCondition(value) : convertValue(value, checks);
        const start = lines.linePos(node.range?.[0] ?? 0);
        for (const c of checks)
          result.checks.push({ where: `${file}:${start.line + c.loc.line - 1}:${start.col}`, reason: c.reason });
        if (out !== value) {
          node.value = out;
          state.changed = true;
        }
        result.converted++;
      } catch (err) {
        if (!(err instanceof NotConvertible) && !(err instanceof BosunError)) throw err;
        const start = lines.linePos(node.range?.[0] ?? 0);
        const line = start.line + (err instanceof NotConvertible ? err.loc.line - 1 : 0);
        result.left.push({ where: `${file}:${line}:${start.col}`, reason: err.message });
      }
    },
  });
  return state.changed ? doc.toString({ lineWidth: 0 }) : text;
}

const TEMPLATE_KEYS = new Set(['template', 'ansible.builtin.template', 'ansible.legacy.template']);
/** Template task options that a Handlebars file does not take. */
const JINJA_OPTIONS = [
  'trim_blocks',
  'lstrip_blocks',
  'newline_sequence',
  'block_start_string',
  'block_end_string',
  'variable_start_string',
  'variable_end_string',
  'comment_start_string',
  'comment_end_string',
];

/** A template task's `src:` written as a plain text. */
interface TemplateRef {
  src: string;
  options: string[];
}

/** The template tasks' plain `src:` values of a YAML text (with the Jinja2-only options each task sets). */
function templateRefs(text: string): TemplateRef[] {
  const refs: TemplateRef[] = [];
  const doc = parseDocument(text);
  if (doc.errors.length) return refs;
  visit(doc, {
    Pair(_key, pair) {
      if (!isScalar(pair.key) || !TEMPLATE_KEYS.has(String(pair.key.value)) || !isMap(pair.value)) return;
      const src = pair.value.get('src');
      if (typeof src !== 'string' || src.includes('{{')) return;
      const options = JINJA_OPTIONS.filter((o) => pair.value !== null && isMap(pair.value) && pair.value.has(o));
      refs.push({ src, options });
    },
  });
  return refs;
}

/** The nearest folder at or above `dir` (inside `top`) that is a role (has tasks/ or templates/), else `top`. */
function roleRoot(dir: string, top: string): string {
  for (let d = dir; d.startsWith(top); d = path.dirname(d)) {
    if (existsSync(path.join(d, 'tasks')) || existsSync(path.join(d, 'templates'))) return d;
    if (d === top) break;
  }
  return top;
}

/** The top-level values of a role's defaults/main.yml and vars/main.yml. */
function roleHints(root: string): Map<string, unknown> {
  const hints = new Map<string, unknown>();
  for (const f of ['defaults/main.yml', 'defaults/main.yaml', 'vars/main.yml', 'vars/main.yaml']) {
    const file = path.join(root, f);
    if (!existsSync(file)) continue;
    try {
      const v: unknown = parseDocument(readFileSync(file, 'utf8')).toJS();
      if (typeof v === 'object' && v !== null && !Array.isArray(v))
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) hints.set(k, x);
    } catch {
      // A file that does not parse gives no hints (its own conversion lists it).
    }
  }
  return hints;
}

/** A result with nothing converted yet. */
export function emptyResult(): ConvertResult {
  return { converted: 0, left: [], checks: [], files: 0, templatesConverted: 0, templatesLeft: 0 };
}

/** Convert a role folder or a playbook (with the roles beside it) into `out`. */
export function convertTree(src: string, out: string): ConvertResult {
  const result = emptyResult();
  const st = statSync(src);
  const top = path.resolve(st.isDirectory() ? src : path.dirname(src));
  const prefix = path.basename(src);
  // Every file to copy: its path, its place in `out`, and its name as reported.
  const files: Array<{ from: string; to: string; rel: string }> = [];
  const walk = (from: string, to: string, rel: string): void => {
    if (statSync(from).isDirectory()) {
      for (const name of readdirSync(from).sort()) {
        if (name === '.git' || name === 'node_modules') continue;
        walk(path.join(from, name), path.join(to, name), path.join(rel, name));
      }
      return;
    }
    files.push({ from, to, rel });
  };
  if (st.isDirectory()) walk(path.resolve(src), out, prefix);
  else files.push({ from: path.resolve(src), to: path.join(out, prefix), rel: prefix });
  // A playbook converts with the files beside it only for its template tasks' names.
  const texts = new Map<string, string>();
  for (const f of files) {
    const stat = statSync(f.from);
    if (stat.size < 1_000_000) texts.set(f.from, readFileSync(f.from, 'latin1'));
  }
  // Template tasks' src by role folder.
  const refs = new Map<string, TemplateRef[]>();
  for (const f of files) {
    if (!/\.ya?ml$/.test(f.from)) continue;
    const root = roleRoot(path.dirname(f.from), top);
    const list = refs.get(root) ?? [];
    list.push(...templateRefs(texts.get(f.from) ?? ''));
    refs.set(root, list);
  }
  const renames = new Map<string, Map<string, string>>();
  const hints = new Map<string, Map<string, unknown>>();
  const converted = new Set<string>();
  for (const f of files) {
    if (!f.from.endsWith('.j2')) continue;
    const root = roleRoot(path.dirname(f.from), top);
    const templates = path.join(root, 'templates') + path.sep;
    const leave = (line: number, col: number, reason: string): void => {
      result.left.push({ where: `${f.rel}:${line}:${col}`, reason });
    };
    result.templatesLeft++;
    if (!f.from.startsWith(templates)) {
      leave(1, 1, 'a .j2 file outside a templates/ folder: kept as Jinja2');
      continue;
    }
    const name = f.from.slice(templates.length).split(path.sep).join('/');
    const base = path.basename(name);
    const mine = (refs.get(root) ?? []).filter((r) => r.src === name || r.src === `templates/${name}`);
    let named = 0;
    for (const text of texts.values()) named += text.split(base).length - 1;
    if (mine.length === 0) {
      leave(1, 1, 'no template task names it in a plain src: (a loop, a lookup or an include may): kept as Jinja2');
      continue;
    }
    if (named !== mine.length) {
      leave(
        1,
        1,
        `its name is written ${named - mine.length} more time(s) than in template tasks' src: (a lookup, an include, a list): kept as Jinja2 so those still find it`,
      );
      continue;
    }
    const options = [...new Set(mine.flatMap((r) => r.options))];
    if (options.length) {
      leave(1, 1, `a template task sets ${options.join(', ')}, which only Jinja2 takes`);
      continue;
    }
    const hbsName = name.replace(/\.j2$/, '.hbs');
    if (existsSync(path.join(templates, hbsName))) {
      leave(1, 1, `${hbsName} exists already`);
      continue;
    }
    if (!hints.has(root)) hints.set(root, roleHints(root));
    const r = convertTemplate(readFileSync(f.from, 'utf8'), f.rel, hints.get(root));
    if (!r.ok) {
      for (const n of r.left) leave(n.line, n.col, n.reason);
      continue;
    }
    result.templatesLeft--;
    result.templatesConverted++;
    for (const n of r.checks) result.checks.push({ where: `${f.rel}:${n.line}:${n.col}`, reason: n.reason });
    mkdirSync(path.dirname(f.to), { recursive: true });
    writeFileSync(f.to.replace(/\.j2$/, '.hbs'), r.text);
    converted.add(f.from);
    const map = renames.get(root) ?? new Map<string, string>();
    for (const ref of mine) map.set(ref.src, ref.src.replace(/\.j2$/, '.hbs'));
    renames.set(root, map);
  }
  for (const f of files) {
    if (converted.has(f.from)) continue;
    mkdirSync(path.dirname(f.to), { recursive: true });
    if (/\.ya?ml$/.test(f.from)) {
      result.files++;
      const root = roleRoot(path.dirname(f.from), top);
      writeFileSync(f.to, convertYaml(readFileSync(f.from, 'utf8'), f.rel, result, renames.get(root)));
    } else copyFileSync(f.from, f.to);
  }
  return result;
}
