/**
 * A role's variables as its documentation states them: the options of
 * `meta/argument_specs.yml` (entry point `main`; nested `options` of dicts
 * and of lists of dicts as `parent.child` / `parent[].child`) and the
 * variables of `defaults/main.yml` (value and the comment above it). Read by
 * `bosun doc role` and by lint's README check, so both name them alike.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, parseDocument } from 'yaml';

/** One documented variable (or nested option). */
export interface RoleVarDoc {
  /** `web_port`, `web_vhosts[].name`, `web_tls.cert`. */
  name: string;
  /** 0 for a variable, 1 for an option of it, ... */
  depth: number;
  type?: string;
  required?: boolean;
  default?: unknown;
  choices?: unknown[];
  description?: string;
}

/** What `roleVarDocs` finds. */
export interface RoleDocs {
  /** The `main` entry point's short_description. */
  summary: string;
  /** True when the role has meta/argument_specs.yml. */
  hasSpec: boolean;
  /** Top-level variables sorted by name, each followed by its nested options. */
  vars: RoleVarDoc[];
}

type SpecOption = Record<string, unknown>;

/** An argument spec's description: a string or a list of paragraphs (as ansible-doc reads it). */
function descriptionText(description: unknown): string {
  const parts: unknown[] = Array.isArray(description) ? description : [description];
  return parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ');
}

function optionDoc(name: string, depth: number, o: SpecOption): RoleVarDoc {
  return {
    name,
    depth,
    ...(typeof o['type'] === 'string' ? { type: o['type'] } : {}),
    ...(o['required'] === true ? { required: true } : {}),
    ...(o['default'] !== undefined ? { default: o['default'] } : {}),
    ...(Array.isArray(o['choices']) ? { choices: o['choices'] as unknown[] } : {}),
    ...(o['description'] !== undefined ? { description: descriptionText(o['description']) } : {}),
  };
}

/** The nested options of an option, depth first, named from their parent. */
function nestedDocs(parent: string, depth: number, o: SpecOption): RoleVarDoc[] {
  const options = o['options'];
  if (!options || typeof options !== 'object') return [];
  const base = o['type'] === 'list' ? `${parent}[]` : parent;
  return Object.entries(options as Record<string, SpecOption | null>)
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([k, child]) => {
      const name = `${base}.${k}`;
      return [optionDoc(name, depth, child ?? {}), ...nestedDocs(name, depth + 1, child ?? {})];
    });
}

/** The documented variables of the role in `dir`. */
export function roleVarDocs(dir: string): RoleDocs {
  const top = new Map<string, { doc: RoleVarDoc; nested: RoleVarDoc[] }>();
  let summary = '';
  const specFile = ['argument_specs.yml', 'argument_specs.yaml'].map((f) => path.join(dir, 'meta', f)).find(existsSync);
  if (specFile) {
    const spec = (parseDocument(readFileSync(specFile, 'utf8')).toJS() ?? {}) as {
      argument_specs?: Record<string, { short_description?: string; options?: Record<string, SpecOption | null> }>;
    };
    const main = spec.argument_specs?.['main'];
    summary = main?.short_description ?? '';
    for (const [k, o] of Object.entries(main?.options ?? {}))
      top.set(k, { doc: optionDoc(k, 0, o ?? {}), nested: nestedDocs(k, 1, o ?? {}) });
  }
  const defaultsFile = ['main.yml', 'main.yaml'].map((f) => path.join(dir, 'defaults', f)).find(existsSync);
  if (defaultsFile) {
    const doc = parseDocument(readFileSync(defaultsFile, 'utf8'));
    if (isMap(doc.contents)) {
      for (const pair of doc.contents.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        // The comment right above the key: the first key's also holds the file's header comment, a paragraph apart.
        const comment = (isScalar(pair.key) ? pair.key.commentBefore : undefined)
          ?.split(/\n\s*\n/)
          .pop()
          ?.trim();
        const entry = top.get(key) ?? { doc: { name: key, depth: 0 }, nested: [] };
        const v = entry.doc;
        if (v.default === undefined) v.default = (pair.value as { toJSON?: () => unknown } | null)?.toJSON?.() ?? null;
        if (!v.description && comment) v.description = comment.replace(/\s*\n\s*/g, ' ');
        top.set(key, entry);
      }
    }
  }
  const vars = [...top.values()]
    .sort((a, b) => a.doc.name.localeCompare(b.doc.name))
    .flatMap((e) => [e.doc, ...e.nested]);
  return { summary, hasSpec: specFile !== undefined, vars };
}

/**
 * The README section `bosun doc role NAME --markdown` writes, in the shape
 * `bosun role init` gives a README: a `## Variables` table, one row per
 * variable and nested option.
 */
export function roleVarsMarkdown(docs: RoleDocs): string {
  const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const rows = docs.vars.map((v) => {
    const def = v.required ? 'required' : v.default !== undefined ? `\`${JSON.stringify(v.default)}\`` : '';
    const choices = v.choices ? ` One of: ${v.choices.map((c) => `\`${JSON.stringify(c)}\``).join(', ')}.` : '';
    return `| \`${v.name}\` | ${v.type ?? ''} | ${cell(def)} | ${cell(`${v.description ?? ''}${choices}`.trim())} |`;
  });
  return ['## Variables', '', '| name | type | default | description |', '|---|---|---|---|', ...rows, ''].join('\n');
}

/** The variable names a README's `## Variables` table lists, with their line numbers (1-based). */
export function readmeVarNames(text: string): Map<string, number> {
  const names = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  let inSection = false;
  lines.forEach((line, i) => {
    const heading = /^(#+)\s+(.*)$/.exec(line);
    if (heading) {
      inSection = /\bvariables\b/i.test(heading[2]!);
      return;
    }
    if (!inSection) return;
    // The first cell may name several: `a` / `b`, `a`, `b`.
    const cell = /^\|([^|]*)\|/.exec(line)?.[1] ?? '';
    for (const m of cell.matchAll(/`([^`\s]+)`/g)) if (!names.has(m[1]!)) names.set(m[1]!, i + 1);
  });
  return names;
}

/**
 * A README with its `## Variables` section (the heading up to the next heading of the same or a higher level) replaced
 * by `section`, or with `section` added at the end when it has none.
 */
export function replaceVarsSection(readme: string, section: string): string {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => /^##\s+variables\s*$/i.test(l));
  if (start < 0) return `${readme.replace(/\n*$/, '')}\n\n${section}`;
  let end = lines.findIndex((l, i) => i > start && /^#{1,2}\s/.test(l));
  if (end < 0) end = lines.length;
  const after = lines.slice(end).join('\n');
  return `${[...lines.slice(0, start), ...section.replace(/\n$/, '').split('\n')].join('\n')}\n${after ? `\n${after}` : ''}`;
}
