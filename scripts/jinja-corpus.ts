/**
 * `npm run corpus -- DIR...`: how much of a corpus of Ansible roles bosun's
 * template engine reads as written. Every `.j2` file under the folders is
 * parsed as a template file, every string with `{{` or `{%` in the YAML files
 * of tasks/, handlers/, defaults/, vars/ and meta/ as a value, and every
 * when/changed_when/failed_when/until/assert that as a condition. Prints the
 * share read, and the first error of each kind with a file:line:col, so a
 * difference can be found and fixed. Reads only; renders nothing.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, parseAllDocuments, type Node } from 'yaml';
import { BosunError } from '../src/errors.js';
import { createTemplateEngine } from '../src/template/index.js';

const CONDITION_KEYS = new Set(['when', 'changed_when', 'failed_when', 'until', 'that']);
const YAML_FOLDERS = new Set(['tasks', 'handlers', 'defaults', 'vars', 'meta']);

const engine = createTemplateEngine();
const counts = { templates: [0, 0], values: [0, 0], conditions: [0, 0] };
const errors = new Map<string, { n: number; first: string }>();

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.')) continue;
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) walk(file, out);
    else out.push(file);
  }
}

function record(kind: keyof typeof counts, run: () => void, where: string): void {
  counts[kind][1]! += 1;
  try {
    run();
    counts[kind][0]! += 1;
  } catch (err) {
    if (!(err instanceof BosunError)) throw err;
    const key = `${kind}: ${/^unknown (filter|test)/.test(err.message) ? err.message : err.message.replace(/'[^']*'/g, "'…'")}`;
    const pos = err.source ? `${err.source.file}:${err.source.line}:${err.source.col}` : where;
    const seen = errors.get(key);
    if (seen) seen.n += 1;
    else errors.set(key, { n: 1, first: pos });
  }
}

function yamlStrings(node: Node | null | undefined, file: string, lines: number[], key?: string): void {
  if (!node) return;
  if (isScalar(node)) {
    if (typeof node.value !== 'string') return;
    const text = node.value;
    const line = lineOf(lines, node.range?.[0] ?? 0);
    const source = { file, line, col: 1 };
    if (key && CONDITION_KEYS.has(key))
      record('conditions', () => engine.checkExpression(text, source), `${file}:${line}`);
    else if (text.includes('{{') || text.includes('{%'))
      record('values', () => engine.check(text, source), `${file}:${line}`);
    return;
  }
  if (isSeq(node)) for (const item of node.items) yamlStrings(item as Node, file, lines, key);
  else if (isMap(node))
    for (const pair of node.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : undefined;
      yamlStrings(pair.value as Node, file, lines, k);
    }
}

function lineOf(lines: number[], offset: number): number {
  let lo = 0;
  let hi = lines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lines[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

const dirs = process.argv.slice(1).filter((a) => a !== '--' && !a.startsWith('-'));
if (dirs.length === 0) {
  process.stderr.write('usage: npm run corpus -- DIR...\n');
  process.exit(2);
}
const files: string[] = [];
for (const dir of dirs) walk(dir, files);
for (const file of files) {
  if (file.endsWith('.j2')) {
    const text = readFileSync(file, 'utf8');
    record('templates', () => engine.checkFile(text, file), file);
  } else if (/\.ya?ml$/.test(file) && file.split(path.sep).some((p) => YAML_FOLDERS.has(p))) {
    const text = readFileSync(file, 'utf8');
    const lines = [0];
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') lines.push(i + 1);
    for (const doc of parseAllDocuments(text, { uniqueKeys: false }))
      if ('contents' in doc) yamlStrings(doc.contents, file, lines);
  }
}
const pct = ([ok = 0, all = 0]: number[]): string => (all ? `${ok}/${all} (${((100 * ok) / all).toFixed(1)}%)` : '0/0');
process.stdout.write(
  `templates ${pct(counts.templates)}, values ${pct(counts.values)}, conditions ${pct(counts.conditions)}\n`,
);
for (const [key, { n, first }] of [...errors].sort((a, b) => b[1].n - a[1].n))
  process.stdout.write(`${String(n).padStart(5)}  ${key}\n       first at ${first}\n`);
