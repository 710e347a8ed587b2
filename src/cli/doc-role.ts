/**
 * `bosun doc role NAME`: a role's variables from `meta/argument_specs.yml`
 * (type, required, default, choices, description) and `defaults/main.yml`
 * (value and the comment above it), for the built-in roles and the
 * playbook's own.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, parseDocument } from 'yaml';
import { BosunError } from '../errors.js';
import { BUILTIN_ROLES_DIR, findRoleDir } from '../playbook/roles.js';

interface VarDoc {
  name: string;
  type?: string;
  required?: boolean;
  default?: unknown;
  choices?: unknown[];
  description?: string;
}

/** An argument spec's description: a string or a list of paragraphs (as ansible-doc reads it). */
function descriptionText(description: unknown): string {
  const parts: unknown[] = Array.isArray(description) ? description : [description];
  return parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ');
}

/** Render a role's documentation as plain text. */
export function renderRoleDoc(name: string, opts: { rolesPath?: string[]; cwd?: string } = {}): string {
  const cwd = opts.cwd ?? process.cwd();
  const dir = findRoleDir(name, cwd, [...(opts.rolesPath ?? []), BUILTIN_ROLES_DIR]);
  if (!dir)
    throw new BosunError('ROLE_NOT_FOUND', `role '${name}' not found`, {
      hint: `looked in ${path.join(cwd, 'roles')} and ${BUILTIN_ROLES_DIR}`,
    });
  const vars = new Map<string, VarDoc>();
  let summary = '';
  const specFile = ['argument_specs.yml', 'argument_specs.yaml'].map((f) => path.join(dir, 'meta', f)).find(existsSync);
  if (specFile) {
    const spec = (parseDocument(readFileSync(specFile, 'utf8')).toJS() ?? {}) as {
      argument_specs?: Record<
        string,
        { short_description?: string; options?: Record<string, Record<string, unknown>> }
      >;
    };
    const main = spec.argument_specs?.['main'];
    summary = main?.short_description ?? '';
    for (const [k, o] of Object.entries(main?.options ?? {})) {
      vars.set(k, {
        name: k,
        ...(typeof o['type'] === 'string' ? { type: o['type'] } : {}),
        ...(o['required'] === true ? { required: true } : {}),
        ...(o['default'] !== undefined ? { default: o['default'] } : {}),
        ...(Array.isArray(o['choices']) ? { choices: o['choices'] as unknown[] } : {}),
        ...(o['description'] !== undefined ? { description: descriptionText(o['description']) } : {}),
      });
    }
  }
  const defaultsFile = ['main.yml', 'main.yaml'].map((f) => path.join(dir, 'defaults', f)).find(existsSync);
  if (defaultsFile) {
    const doc = parseDocument(readFileSync(defaultsFile, 'utf8'));
    if (isMap(doc.contents)) {
      for (const pair of doc.contents.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const comment = (isScalar(pair.key) ? pair.key.commentBefore : undefined)?.trim();
        const v = vars.get(key) ?? { name: key };
        if (v.default === undefined) v.default = (pair.value as { toJSON?: () => unknown } | null)?.toJSON?.() ?? null;
        if (!v.description && comment) v.description = comment.replace(/\s*\n\s*/g, ' ');
        vars.set(key, v);
      }
    }
  }
  const lines = [`ROLE ${path.basename(dir)}  (${dir})`, ''];
  if (summary) lines.push(summary, '');
  const readme = path.join(dir, 'README.md');
  if (!summary && existsSync(readme)) {
    const first = readFileSync(readme, 'utf8')
      .split('\n')
      .find((l) => l.trim() && !l.startsWith('#'));
    if (first) lines.push(first.trim(), '');
  }
  lines.push(vars.size ? 'VARIABLES:' : 'This role declares no variables.');
  for (const v of [...vars.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const facts = [
      v.type,
      v.required ? 'required' : undefined,
      v.default !== undefined ? `default: ${JSON.stringify(v.default)}` : undefined,
      v.choices ? `choices: ${v.choices.map((c) => JSON.stringify(c)).join(', ')}` : undefined,
    ].filter(Boolean);
    lines.push(`  ${v.name}${facts.length ? `  (${facts.join('; ')})` : ''}`);
    if (v.description) lines.push(`      ${v.description}`);
  }
  return `${lines.join('\n')}\n`;
}
