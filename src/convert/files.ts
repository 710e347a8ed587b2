/**
 * `bosun convert`: a role's or playbook's YAML values and conditions written
 * in Jinja2, rewritten in bosun's Handlebars dialect (comments and layout kept
 * by the yaml Document API); what cannot be converted stays Jinja2 and is
 * listed with its file:line:col and reason.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isScalar, isPair, LineCounter, parseDocument, visit, type Scalar } from 'yaml';
import { BosunError } from '../errors.js';
import type { Loc } from '../template/jinja/parse.js';
import { convertCondition, convertValue, NotConvertible } from './expression.js';

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
  templatesLeft: number;
}

/** Convert one YAML file's text; the new text and what was left. */
export function convertYaml(text: string, file: string, result: ConvertResult): string {
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

/** Convert a role folder or a playbook (with the roles beside it) into `out`. */
export function convertTree(src: string, out: string): ConvertResult {
  const result: ConvertResult = { converted: 0, left: [], checks: [], files: 0, templatesLeft: 0 };
  const st = statSync(src);
  const walk = (from: string, to: string, rel: string): void => {
    const s = statSync(from);
    if (s.isDirectory()) {
      mkdirSync(to, { recursive: true });
      for (const name of readdirSync(from).sort()) {
        if (name === '.git' || name === 'node_modules') continue;
        walk(path.join(from, name), path.join(to, name), path.join(rel, name));
      }
      return;
    }
    if (/\.ya?ml$/.test(from)) {
      result.files++;
      writeFileSync(to, convertYaml(readFileSync(from, 'utf8'), rel, result));
      return;
    }
    if (from.endsWith('.j2')) {
      result.templatesLeft++;
      result.left.push({
        where: `${rel}:1:1`,
        reason: 'a Jinja2 template file: kept as Jinja2 (bosun renders it as Ansible does)',
      });
    }
    copyFileSync(from, to);
  };
  if (st.isDirectory()) walk(src, out, path.basename(src));
  else {
    mkdirSync(out, { recursive: true });
    walk(src, path.join(out, path.basename(src)), path.basename(src));
  }
  return result;
}
