/**
 * Custom modules shipped beside a playbook or in a role (`library/kube.py`),
 * which Ansible loads and runs on the target with Python. bosun runs no Python
 * on targets: such a task still loads (so the role or playbook does), and
 * fails with a clear message only if it runs (docs/ansible-differences.md).
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { expandHome } from '../connection/spec.js';
import { suggestName } from '../util/suggest.js';

/**
 * Folders Ansible takes modules from for a task: its role's `library/`, the `library/` of every playbook loaded
 * (`playbooks`), then `ANSIBLE_LIBRARY`.
 */
export function libraryDirs(
  context: { readonly role?: { readonly dir: string } | undefined },
  playbooks: readonly string[],
): string[] {
  const fromEnv = (process.env['ANSIBLE_LIBRARY'] ?? '').split(':').filter(Boolean);
  return [...(context.role ? [path.join(context.role.dir, 'library')] : []), ...playbooks, ...fromEnv.map(expandHome)];
}

/** The file of a library module named `name` (`name`, `name.py`, `name.sh`, ...), or undefined. */
export function findLibraryModule(
  name: string,
  context: { readonly role?: { readonly dir: string } | undefined },
  playbooks: readonly string[],
): string | undefined {
  if (!/^[\w-]+$/.test(name)) return undefined;
  for (const dir of libraryDirs(context, playbooks)) {
    // Asked at load time, only for a name bosun has no module of: read afresh.
    const files = existsSync(dir) ? readdirSync(dir) : [];
    const file = files.find((f) => f === name || (f.startsWith(`${name}.`) && !f.slice(name.length + 1).includes('.')));
    if (file) return path.join(dir, file);
  }
  return undefined;
}

/** True for a module named by its collection (`community.general.x`) other than ansible.builtin/legacy. */
export function isCollectionModuleName(name: string): boolean {
  return /^[a-z_]\w*\.[a-z_]\w*\.[a-z_]\w*$/i.test(name) && !/^ansible\.(builtin|legacy)\./.test(name);
}

/**
 * What to say of a module name bosun has no module of (neither a collection's module nor a custom one of
 * library/): "did you mean" when `candidates` has one a typo away, else that it does not exist and what to do.
 */
export function unknownModuleText(name: string, candidates: Iterable<string>): { message: string; hint: string } {
  const near = suggestName(name, candidates);
  if (near !== undefined) return { message: `unknown module '${name}'`, hint: `did you mean '${near}'?` };
  return {
    message: `module '${name}' does not exist in bosun`,
    hint:
      '`bosun doc --list` lists the modules bosun has; for what none does, use command or shell. A custom module ' +
      "goes in library/ (beside the playbook, or in the role), a collection's module is named with its collection " +
      '(namespace.collection.module): either loads, and fails only if it runs, since bosun runs no Python on targets ' +
      '(docs/ansible-differences.md)',
  };
}
