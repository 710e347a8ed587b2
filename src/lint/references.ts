/**
 * What a file refers to by name: roles (`roles:`, import_role/include_role,
 * meta dependencies), vars files, task files and imported playbooks. Only
 * static names are followed: a templated name is known at run time only.
 */
import type { LintFile } from './project.js';
import { taskSites } from './tasks.js';

/** The static references of one playbook or task file. */
export interface References {
  roles: string[];
  varsFiles: string[];
  taskFiles: string[];
  playbooks: string[];
}

const isStatic = (s: unknown): s is string => typeof s === 'string' && s !== '' && !s.includes('{{');

/** The name of a role reference (`name`, or `{role: name}` / `{name: name}`). */
export function roleRefName(ref: unknown): string | undefined {
  if (typeof ref === 'string') return ref;
  if (ref && typeof ref === 'object') {
    const r = ref as Record<string, unknown>;
    const name = r['role'] ?? r['name'];
    return typeof name === 'string' ? name : undefined;
  }
  return undefined;
}

/** Role names of `dependencies:` in a role's meta/main.yml. */
export function dependencyNames(meta: LintFile | undefined): string[] {
  const deps = (meta?.yaml?.value as { dependencies?: unknown } | null | undefined)?.dependencies;
  return Array.isArray(deps) ? deps.map(roleRefName).filter(isStatic) : [];
}

/** Collect what a playbook or task file refers to. */
export function roleReferences(file: LintFile): References {
  const refs: References = { roles: [], varsFiles: [], taskFiles: [], playbooks: [] };
  const value = file.yaml?.value;
  if (file.kind === 'playbook' && Array.isArray(value)) {
    for (const play of value) {
      if (!play || typeof play !== 'object') continue;
      const p = play as Record<string, unknown>;
      if (isStatic(p['import_playbook'])) refs.playbooks.push(p['import_playbook']);
      if (Array.isArray(p['roles'])) refs.roles.push(...p['roles'].map(roleRefName).filter(isStatic));
      const vf = p['vars_files'];
      refs.varsFiles.push(...(Array.isArray(vf) ? vf : [vf]).filter(isStatic));
    }
  }
  for (const site of taskSites(file)) {
    if (site.kind !== 'include') continue;
    const spec = site.args;
    if (site.module!.endsWith('_role')) {
      const name = typeof spec === 'string' ? spec : roleRefName(spec);
      if (isStatic(name)) refs.roles.push(name);
    } else {
      const target = typeof spec === 'string' ? spec : (spec as Record<string, unknown> | null)?.['file'];
      if (isStatic(target)) refs.taskFiles.push(target);
    }
  }
  return refs;
}
