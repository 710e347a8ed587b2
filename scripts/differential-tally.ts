/**
 * How much of each module the differential tests compare with Ansible: reads every
 * test/integration/differential-*.test.ts, finds the cases it runs (`suite.case(title, dir, opts)` and
 * `suite.differential(dir, opts)`), walks each case's playbooks, task files and roles, and counts the tasks
 * that call each module. A case marked `gap` (skipped until bosun matches Ansible) counts as compared but
 * not equal; every other case passes in CI, so its tasks are equal in what the case compares (files,
 * changed/failed counts, the registered keys it names).
 *
 *     npm run --silent tally            # markdown table on stdout
 *     npm run --silent tally -- --json  # one object per module
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { parse } from 'yaml';
import { getModule } from '../src/modules/index.js';
import { BLOCK_KEYS, INCLUDE_KEYS, TASK_KEYWORDS } from '../src/playbook/schema.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const TESTS = path.join(ROOT, 'test/integration');
const CASES = path.join(ROOT, 'test/fixtures/differential');
const KEYWORDS: ReadonlySet<string> = new Set<string>([...TASK_KEYWORDS, ...BLOCK_KEYS]);
const TASK_LISTS = ['tasks', 'pre_tasks', 'post_tasks', 'handlers', ...BLOCK_KEYS];

interface CaseRef {
  file: string;
  dir: string;
  gap: Gap;
}

type Gap = 'none' | 'always' | 'conditional';

/** Every case folder (one holding a playbook.yml) under CASES, relative to it. */
function caseFolders(dir = CASES): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const p = path.join(dir, entry.name);
    if (existsSync(path.join(p, 'playbook.yml'))) out.push(path.relative(CASES, p));
    out.push(...caseFolders(p));
  }
  return out;
}
const FOLDERS = caseFolders();

/**
 * The case folder a literal names: as written, or, for a helper that adds the group itself
 * (`getUrlCase(title, 'get_url-exact', ...)`), the one folder of that name.
 */
function caseDir(v: string | undefined): string | undefined {
  if (v === undefined || v === '') return undefined;
  if (FOLDERS.includes(v)) return v;
  const named = FOLDERS.filter((f) => path.basename(f) === v);
  return named.length === 1 ? named[0] : undefined;
}

/** The cases a test file runs, with the folder given as a literal or as a const naming one. */
function casesOf(file: string): CaseRef[] {
  const text = readFileSync(file, 'utf8');
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const consts = new Map<string, string>();
  const cases: CaseRef[] = [];
  const literal = (n: ts.Node | undefined): string | undefined => {
    if (!n) return undefined;
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) return n.text;
    if (ts.isIdentifier(n)) return consts.get(n.text);
    return undefined;
  };
  // `gap: '...'` marks the case as differing; `...(cond ? { gap } : {})` only where the machine lacks something.
  const gapOf = (n: ts.Node | undefined): Gap => {
    if (!n || !ts.isObjectLiteralExpression(n)) return 'none';
    for (const p of n.properties) {
      if (ts.isPropertyAssignment(p) && p.name.getText(src) === 'gap') return 'always';
      if (ts.isSpreadAssignment(p) && /\bgap\b/.test(p.expression.getText(src))) return 'conditional';
    }
    return 'none';
  };
  const visit = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer) {
      const v = literal(n.initializer);
      if (v !== undefined) consts.set(n.name.text, v);
    }
    // Any call naming a case folder: suite.case(title, dir, opts), suite.differential(dir, opts), and the
    // wrappers tests bind them to (`iptablesCase(title, dir, opts)`).
    if (ts.isCallExpression(n)) {
      for (const at of [0, 1]) {
        const dir = caseDir(literal(n.arguments[at]));
        if (dir === undefined) continue;
        cases.push({ file: path.relative(ROOT, file), dir, gap: gapOf(n.arguments[at + 1]) });
        break;
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(src);
  return cases;
}

/** Every YAML file under a case's folder. */
function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    // Links are not followed: fixtures hold dangling links and loops on purpose.
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...yamlFiles(p));
    else if (entry.isFile() && /\.ya?ml$/.test(entry.name)) out.push(p);
  }
  return out;
}

/** The module each task calls, through blocks and plays; includes and imports are not modules. */
function modulesIn(node: unknown, out: string[]): void {
  if (Array.isArray(node)) {
    for (const item of node) modulesIn(item, out);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  for (const key of TASK_LISTS) if (key in obj) modulesIn(obj[key], out);
  if ('hosts' in obj || 'import_playbook' in obj) return;
  for (const key of Object.keys(obj)) {
    if (KEYWORDS.has(key) || TASK_LISTS.includes(key)) continue;
    const short = key.replace(/^ansible\.(builtin|legacy)\./, '');
    if ((INCLUDE_KEYS as readonly string[]).includes(short)) continue;
    const mod = getModule(key);
    if (mod) {
      out.push(mod.name);
      return;
    }
  }
}

interface Row {
  module: string;
  tasks: number;
  equal: number;
  cases: Set<string>;
}

const rows = new Map<string, Row>();
const seen = new Set<string>();
let conditional = 0;
for (const name of readdirSync(TESTS).filter((f) => /^differential-.*\.test\.ts$/.test(f))) {
  for (const c of casesOf(path.join(TESTS, name))) {
    if (seen.has(c.dir)) continue;
    seen.add(c.dir);
    if (c.gap === 'conditional') conditional++;
    const mods: string[] = [];
    for (const f of yamlFiles(path.join(CASES, c.dir))) {
      try {
        modulesIn(parse(readFileSync(f, 'utf8'), { logLevel: 'error' }), mods);
      } catch {
        // a file the case means to be invalid YAML
      }
    }
    for (const m of mods) {
      const row = rows.get(m) ?? { module: m, tasks: 0, equal: 0, cases: new Set<string>() };
      row.tasks++;
      if (c.gap !== 'always') row.equal++;
      row.cases.add(c.dir);
      rows.set(m, row);
    }
  }
}

const sorted = [...rows.values()].sort((a, b) => a.module.localeCompare(b.module));
if (process.argv.includes('--json')) {
  const json = sorted.map((r) => ({ module: r.module, tasks: r.tasks, equal: r.equal, cases: r.cases.size }));
  process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
} else {
  const lines = ['| module | tasks compared | equal | cases |', '|---|---:|---:|---:|'];
  for (const r of sorted) lines.push(`| ${r.module} | ${r.tasks} | ${r.equal} | ${r.cases.size} |`);
  lines.push(
    '',
    `${seen.size} cases in test/integration/differential-*.test.ts; ${conditional} of them compare only where the ` +
      'machine has what they need (e.g. a Debian mirror) and count as equal.',
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}
