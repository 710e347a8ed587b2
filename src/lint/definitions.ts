/**
 * Where variables come from, as lint sees them: every name a project
 * defines anywhere (role defaults, vars and argument specs, play vars,
 * vars files, group_vars/host_vars, inventories, scenario vars, register,
 * set_fact, loop variables, block/task/include vars, role parameters), plus
 * magic variables and facts. "Visible" is deliberately the whole project:
 * lint must not guess which play a role ends up in.
 */
import { parseArgString } from '../util/arg-string.js';
import { LOOP_KEYS, ROLE_ENTRY_KEYWORDS } from '../playbook/schema.js';
import type { LintProject, LintRole } from './project.js';
import { taskSites, type TaskSite } from './tasks.js';

/** Variables the executor always provides (besides facts: `ansible_*`, `bosun_*`). */
export const MAGIC_VARS: ReadonlySet<string> = new Set([
  'inventory_hostname',
  'inventory_hostname_short',
  'group_names',
  'groups',
  'hostvars',
  'inventory_file',
  'inventory_dir',
  'playbook_dir',
  'role_name',
  'role_path',
  'play_hosts',
]);

/** True for a magic variable or a fact. */
export function isMagic(name: string): boolean {
  return MAGIC_VARS.has(name) || name.startsWith('ansible_') || name.startsWith('bosun_');
}

/** Variable names of a `vars:` value: a mapping, or a list of mappings (Ansible merges them). */
export function varNames(value: unknown): string[] {
  const parts: unknown[] = Array.isArray(value) ? value : [value];
  return parts.flatMap((v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : []));
}

/** Keys of a `roles:` entry that are not role parameters. */
const ROLE_KEYWORDS = new Set(['role', 'name', 'vars', ...ROLE_ENTRY_KEYWORDS]);

/** Names a task site defines (register, set_fact, include_vars' name, loop variables, its vars, include and role parameters). */
export function siteDefinitions(site: TaskSite): string[] {
  const raw = site.raw;
  const out: string[] = [];
  const keysOf = (v: unknown): string[] => (v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : []);
  if (typeof raw['register'] === 'string') out.push(raw['register']);
  out.push(...varNames(raw['vars']));
  if (LOOP_KEYS.some((k) => raw[k] !== undefined)) {
    const lc = (raw['loop_control'] ?? {}) as Record<string, unknown>;
    out.push(typeof lc['loop_var'] === 'string' ? lc['loop_var'] : 'item');
    if (typeof lc['index_var'] === 'string') out.push(lc['index_var']);
  }
  if (site.known === 'set_fact') {
    const args = typeof site.args === 'string' ? safeArgString(site.args) : site.args;
    out.push(...keysOf(args).filter((k) => k !== 'cacheable'));
  }
  // include_vars with `name` puts what it loads under that one variable.
  if (site.known === 'include_vars') {
    const args = typeof site.args === 'string' ? safeArgString(site.args) : site.args;
    const name = (args as Record<string, unknown> | undefined)?.['name'];
    if (typeof name === 'string') out.push(name);
  }
  if (site.kind === 'include' && site.module!.endsWith('_role'))
    out.push(
      ...keysOf(site.args).filter(
        (k) =>
          ![
            'name',
            'tasks_from',
            'vars_from',
            'defaults_from',
            'handlers_from',
            'apply',
            'public',
            'allow_duplicates',
          ].includes(k),
      ),
    );
  return out;
}

function safeArgString(text: string): Record<string, unknown> {
  try {
    return parseArgString(text, undefined, { file: '', line: 1, col: 1 });
  } catch {
    return {};
  }
}

/** Everything the project defines, by name. */
export function projectDefinitions(project: LintProject): Set<string> {
  const names = new Set(project.definedElsewhere);
  for (const role of project.roles) for (const n of roleOwnNames(role)) names.add(n);
  for (const file of project.files) {
    for (const site of taskSites(file)) for (const n of siteDefinitions(site)) names.add(n);
    const value = file.yaml?.value;
    if (file.kind !== 'playbook' || !Array.isArray(value)) continue;
    for (const play of value) {
      if (!play || typeof play !== 'object') continue;
      const p = play as Record<string, unknown>;
      for (const k of varNames(p['vars'])) names.add(k);
      for (const ref of Array.isArray(p['roles']) ? p['roles'] : []) for (const k of roleParams(ref)) names.add(k);
    }
  }
  for (const role of project.roles) {
    const deps = (role.files.find((f) => f.kind === 'role-meta')?.yaml?.value as { dependencies?: unknown } | null)
      ?.dependencies;
    for (const ref of Array.isArray(deps) ? deps : []) for (const k of roleParams(ref)) names.add(k);
  }
  return names;
}

/** Parameter names a role reference passes (`{role: x, a: 1, vars: {b: 2}}` -> a, b). */
export function roleParams(ref: unknown): string[] {
  if (!ref || typeof ref !== 'object') return [];
  const r = ref as Record<string, unknown>;
  return [...Object.keys(r).filter((k) => !ROLE_KEYWORDS.has(k)), ...varNames(r['vars'])];
}

/** What a role defines for itself: defaults, vars and argument spec options. */
export function roleOwnNames(role: LintRole): string[] {
  return [...role.defaults.keys(), ...role.vars.keys(), ...role.spec.keys()];
}

/** Names a role defines within itself and its dependencies (declared variables and what its tasks set). */
export function roleInternalNames(role: LintRole, seen = new Set<LintRole>()): Set<string> {
  const names = new Set<string>();
  if (seen.has(role)) return names;
  seen.add(role);
  for (const n of roleOwnNames(role)) names.add(n);
  for (const file of role.files) {
    if (file.kind !== 'tasks' && file.kind !== 'handlers') continue;
    for (const site of taskSites(file)) for (const n of siteDefinitions(site)) names.add(n);
  }
  for (const dep of role.dependencies) for (const n of roleInternalNames(dep, seen)) names.add(n);
  return names;
}
