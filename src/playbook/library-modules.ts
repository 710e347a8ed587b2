/**
 * Custom modules shipped beside a playbook or in a role (`library/kube.py`),
 * which Ansible loads and runs on the target with Python. bosun runs no Python
 * on targets: such a task still loads (so the role or playbook does), and
 * fails with a clear message only if it runs (docs/ansible-differences.md).
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { expandHome } from '../connection/spec.js';
import type { TaskContext } from './types.js';

/**
 * Folders Ansible takes modules from for a task: its role's `library/`, the `library/` of every playbook loaded
 * (`playbooks`), then `ANSIBLE_LIBRARY`.
 */
export function libraryDirs(context: TaskContext, playbooks: readonly string[]): string[] {
  const fromEnv = (process.env['ANSIBLE_LIBRARY'] ?? '').split(':').filter(Boolean);
  return [...(context.role ? [path.join(context.role.dir, 'library')] : []), ...playbooks, ...fromEnv.map(expandHome)];
}

/** The file of a library module named `name` (`name`, `name.py`, `name.sh`, ...), or undefined. */
export function findLibraryModule(
  name: string,
  context: TaskContext,
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
