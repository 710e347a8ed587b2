/**
 * `bosun doc role NAME`: a role's variables from `meta/argument_specs.yml`
 * (type, required, default, choices, description; nested options indented
 * under their variable) and `defaults/main.yml` (value and the comment above
 * it), for the built-in roles and the playbook's own; `--markdown` prints
 * the README's variables section instead, and `--write` puts it into the
 * role's README.md.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BosunError } from '../errors.js';
import { replaceVarsSection, roleVarDocs, roleVarsMarkdown } from '../playbook/role-docs.js';
import { BUILTIN_ROLES_DIR, findRoleDir } from '../playbook/roles.js';

/** Where a role is: the playbook folder's roles/ (and rolesPath), then the built-in roles. */
interface RoleLookup {
  rolesPath?: string[];
  cwd?: string;
}

function roleDir(name: string, opts: RoleLookup): string {
  const cwd = opts.cwd ?? process.cwd();
  const dir = findRoleDir(name, cwd, [...(opts.rolesPath ?? []), BUILTIN_ROLES_DIR]);
  if (!dir)
    throw new BosunError('ROLE_NOT_FOUND', `role '${name}' not found`, {
      hint: `looked in ${path.join(cwd, 'roles')} and ${BUILTIN_ROLES_DIR}`,
    });
  return dir;
}

/** The README variables section of a role (`bosun doc role NAME --markdown`), from its argument specs and defaults. */
export function renderRoleMarkdown(name: string, opts: RoleLookup = {}): string {
  return roleVarsMarkdown(roleVarDocs(roleDir(name, opts)));
}

/** `--markdown --write`: put the variables section into the role's README.md (replacing the one there); its path. */
export function writeRoleReadme(name: string, opts: RoleLookup = {}): string {
  const dir = roleDir(name, opts);
  const readme = path.join(dir, 'README.md');
  const section = roleVarsMarkdown(roleVarDocs(dir));
  const before = existsSync(readme) ? readFileSync(readme, 'utf8') : `# ${path.basename(dir)}\n`;
  writeFileSync(readme, replaceVarsSection(before, section));
  return readme;
}

/** Render a role's documentation as plain text. */
export function renderRoleDoc(name: string, opts: RoleLookup = {}): string {
  const dir = roleDir(name, opts);
  const { summary, vars } = roleVarDocs(dir);
  const lines = [`ROLE ${path.basename(dir)}  (${dir})`, ''];
  if (summary) lines.push(summary, '');
  const readme = path.join(dir, 'README.md');
  if (!summary && existsSync(readme)) {
    const first = readFileSync(readme, 'utf8')
      .split('\n')
      .find((l) => l.trim() && !l.startsWith('#'));
    if (first) lines.push(first.trim(), '');
  }
  lines.push(vars.length ? 'VARIABLES:' : 'This role declares no variables.');
  for (const v of vars) {
    // A nested option is indented under its variable.
    const pad = '    '.repeat(v.depth);
    const facts = [
      v.type,
      v.required ? 'required' : undefined,
      v.default !== undefined ? `default: ${JSON.stringify(v.default)}` : undefined,
      v.choices ? `choices: ${v.choices.map((c) => JSON.stringify(c)).join(', ')}` : undefined,
    ].filter(Boolean);
    lines.push(`${pad}  ${v.name}${facts.length ? `  (${facts.join('; ')})` : ''}`);
    if (v.description) lines.push(`${pad}      ${v.description}`);
  }
  return `${lines.join('\n')}\n`;
}
