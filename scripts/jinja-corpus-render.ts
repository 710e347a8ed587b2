/**
 * `npm run corpus:render -- OUT.json DIR...`: the rendering half of the corpus measurement (scripts/jinja-corpus.ts
 * is the parsing half). For every role under the folders (a folder with tasks/), its Jinja2 values, conditions and
 * .j2 templates are rendered by bosun with the role's defaults (and vars/main.yml) as variables, plus a few fixed
 * facts; OUT.json gets each case with bosun's outcome. scripts/jinja-corpus-compare.py then renders the same cases
 * with ansible-core and prints the share that agree. A case with a lookup or query is counted but not rendered (a
 * public role's `pipe` lookup would run its command here). Reads the corpus only; writes only OUT.json.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, parse, parseAllDocuments, type Node } from 'yaml';
import { BosunError } from '../src/errors.js';
import { createTemplateEngine, isHandlebars, isHandlebarsFile } from '../src/template/index.js';
import { pyText } from '../src/template/jinja/values.js';

const CONDITION_KEYS = new Set(['when', 'changed_when', 'failed_when', 'until', 'that']);
const YAML_FOLDERS = new Set(['tasks', 'handlers', 'defaults', 'vars', 'meta']);
/** Facts and magic variables both sides get: a Debian 12 host, so that the usual conditions can be decided. */
const FACTS: Record<string, unknown> = {
  inventory_hostname: 'node1',
  inventory_hostname_short: 'node1',
  ansible_hostname: 'node1',
  ansible_fqdn: 'node1.example.com',
  ansible_os_family: 'Debian',
  ansible_distribution: 'Debian',
  ansible_distribution_release: 'bookworm',
  ansible_distribution_version: '12.5',
  ansible_distribution_major_version: '12',
  ansible_architecture: 'x86_64',
  ansible_system: 'Linux',
  ansible_kernel: '6.1.0-18-amd64',
  ansible_pkg_mgr: 'apt',
  ansible_service_mgr: 'systemd',
  ansible_processor_vcpus: 2,
  ansible_memtotal_mb: 4096,
  ansible_python: { version: { major: 3, minor: 11 } },
  ansible_default_ipv4: { address: '10.0.0.5', interface: 'eth0' },
  ansible_env: { HOME: '/root', PATH: '/usr/bin:/bin' },
  ansible_check_mode: false,
  group_names: ['all_nodes', 'kube_control_plane', 'kube_node', 'etcd', 'k8s_cluster'],
  groups: {
    all: ['node1'],
    all_nodes: ['node1'],
    kube_control_plane: ['node1'],
    kube_node: ['node1'],
    etcd: ['node1'],
    k8s_cluster: ['node1'],
  },
  play_hosts: ['node1'],
  ansible_play_hosts: ['node1'],
};
// The host's own hostvars entry (its facts), for `hostvars[inventory_hostname]` and `map('extract', hostvars)`.
FACTS['hostvars'] = { node1: { ...FACTS } };
// The same facts under ansible_facts, without their prefix.
FACTS['ansible_facts'] = Object.fromEntries(
  Object.entries(FACTS)
    .filter(([k]) => k.startsWith('ansible_'))
    .map(([k, v]) => [k.slice('ansible_'.length), v]),
);

interface Case {
  /** The role's folder: a key of the output's `vars`. */
  role: string;
  kind: 'value' | 'condition' | 'template';
  where: string;
  text: string;
  bosun: { value?: unknown; text?: string; error?: string; message?: string; skipped?: string };
  /** A template's search path for include and import. */
  searchPath?: string[];
}

const engine = createTemplateEngine();

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.')) continue;
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) walk(file, out);
    else out.push(file);
  }
}

/** The folders holding a role: those with a tasks/ folder. */
function roles(dir: string, out: string[]): void {
  if (existsSync(path.join(dir, 'tasks')) && statSync(path.join(dir, 'tasks')).isDirectory()) out.push(dir);
  for (const name of readdirSync(dir)) {
    const sub = path.join(dir, name);
    if (!name.startsWith('.') && statSync(sub).isDirectory() && !YAML_FOLDERS.has(name)) roles(sub, out);
  }
}

/**
 * A role's defaults and vars/main.yml (defaults/main/*.yml too), and the vars file a role includes for the facts'
 * host (vars/Debian.yml, vars/Debian-12.yml), merged, later files first-level over earlier.
 */
function roleVars(role: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const folder of ['defaults', 'vars']) {
    const files = [`${folder}/main.yml`, `${folder}/main.yaml`];
    if (folder === 'vars')
      for (const os of ['Debian', 'debian', 'Debian-12', 'Debian-bookworm']) files.push(`vars/${os}.yml`);
    const sub = path.join(role, folder, 'main');
    if (existsSync(sub) && statSync(sub).isDirectory())
      for (const f of readdirSync(sub).sort()) if (/\.ya?ml$/.test(f)) files.push(`${folder}/main/${f}`);
    for (const f of files) {
      const file = path.join(role, f);
      if (!existsSync(file)) continue;
      try {
        const data = parse(readFileSync(file, 'utf8'), { uniqueKeys: false }) as unknown;
        if (typeof data === 'object' && data !== null && !Array.isArray(data)) Object.assign(out, data);
      } catch {
        /* a file YAML cannot read is left out */
      }
    }
  }
  return out;
}

function outcome(run: () => unknown): Case['bosun'] {
  try {
    const value = run();
    return typeof value === 'string'
      ? { value }
      : { value: JSON.parse(JSON.stringify(value ?? null)), text: pyText(value) };
  } catch (err) {
    if (!(err instanceof BosunError)) return { error: 'crash', message: String(err).slice(0, 200) };
    return { error: err.code === 'UNDEFINED_VAR' ? 'undefined' : 'error', message: err.message.slice(0, 200) };
  }
}

const LOOKUP = /\b(lookup|query|q)\s*\(/;
/** Unseeded randomness and the clock differ from run to run, on either side. */
const UNSTABLE = /\b(random|shuffle|now)\b|\bpassword_hash\b/;

function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') n++;
  return n;
}

function collect(role: string, vars: Record<string, unknown>, cases: Case[]): void {
  const files: string[] = [];
  walk(role, files);
  const add = (kind: Case['kind'], text: string, where: string, run: () => unknown, searchPath?: string[]): void => {
    const c: Case = { role, kind, where, text, bosun: {}, ...(searchPath ? { searchPath } : {}) };
    c.bosun = LOOKUP.test(text) ? { skipped: 'lookup' } : UNSTABLE.test(text) ? { skipped: 'random' } : outcome(run);
    cases.push(c);
  };
  for (const file of files) {
    const rel = path.relative(path.dirname(role), file);
    if (file.endsWith('.j2')) {
      const text = readFileSync(file, 'utf8');
      if (isHandlebarsFile(text, file)) continue;
      const searchPath = [path.join(role, 'templates'), path.dirname(file)];
      add('template', text, rel, () => engine.renderText(text, vars, file, { searchPath }), searchPath);
    } else if (
      /\.ya?ml$/.test(file) &&
      path
        .relative(role, file)
        .split(path.sep)
        .some((p) => YAML_FOLDERS.has(p))
    ) {
      const text = readFileSync(file, 'utf8');
      const strings: Array<{ key: string | undefined; text: string; line: number }> = [];
      const visit = (node: Node | null | undefined, key?: string): void => {
        if (!node) return;
        if (isScalar(node)) {
          if (typeof node.value === 'string')
            strings.push({ key, text: node.value, line: lineOf(text, node.range?.[0] ?? 0) });
        } else if (isSeq(node)) for (const item of node.items) visit(item as Node, key);
        else if (isMap(node))
          for (const pair of node.items)
            visit(pair.value as Node, isScalar(pair.key) ? String(pair.key.value) : undefined);
      };
      for (const doc of parseAllDocuments(text, { uniqueKeys: false })) if ('contents' in doc) visit(doc.contents);
      for (const s of strings) {
        const where = `${rel}:${s.line}`;
        const source = { file, line: s.line, col: 1 };
        if (s.key && CONDITION_KEYS.has(s.key)) {
          if (isHandlebars(s.text.includes('{{') ? s.text : `{{${s.text}}}`)) continue;
          add('condition', s.text, where, () => engine.isTruthy(engine.evaluate(s.text, vars, source)));
        } else if ((s.text.includes('{{') || s.text.includes('{%')) && !isHandlebars(s.text)) {
          add('value', s.text, where, () => engine.renderString(s.text, vars, source));
        }
      }
    }
  }
}

const args = process.argv.slice(1).filter((a) => a !== '--' && !a.startsWith('-'));
const [out, ...dirs] = args;
if (!out || dirs.length === 0) {
  process.stderr.write('usage: npm run corpus:render -- OUT.json DIR...\n');
  process.exit(2);
}
const cases: Case[] = [];
const measured: Array<{ dir: string; roles: string[] }> = [];
const varsOf: Record<string, Record<string, unknown>> = {};
for (const dir of dirs) {
  const found: string[] = [];
  roles(dir, found);
  // A repository's shared defaults role (kubespray's kubespray_defaults) is under every role of it.
  const shared = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /(^|\/)[\w-]*[-_]defaults$/.test(f) && existsSync(path.join(dir, f, 'defaults')))
    .map((f) => roleVars(path.join(dir, f)));
  for (const role of found) {
    const vars = Object.assign({}, ...shared, roleVars(role), FACTS) as Record<string, unknown>;
    varsOf[role] = vars;
    collect(role, vars, cases);
  }
  measured.push({ dir, roles: found.map((r) => path.relative(dir, r) || '.') });
}
writeFileSync(out, `${JSON.stringify({ measured, vars: varsOf, cases })}\n`);
process.stdout.write(`${cases.length} cases from ${measured.reduce((n, m) => n + m.roles.length, 0)} roles: ${out}\n`);
