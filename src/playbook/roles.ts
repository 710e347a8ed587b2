/**
 * Role folders: finding them on the roles path, reading defaults, vars,
 * tasks, handlers and meta (dependencies, argument specs), each file once.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BosunError, type SourcePos } from '../errors.js';
import { validateOrThrow } from '../util/schema.js';
import { loadYamlFile, type YamlFile } from '../util/yaml.js';
import type { VarLayer } from '../vars/scope.js';
import { keyPositions, scalarText, toBoolKeyword } from './inherit.js';
import { argumentSpecsSchema, roleMetaSchema, tasksFileSchema } from './schema.js';
import type { Role, RoleArgumentSpec } from './types.js';

/** The roles shipped with bosun (`roles/` at the package root). */
export const BUILTIN_ROLES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../roles');

/** A role's files as read from disk (tasks and handlers still raw: the loader parses them in context). */
export interface RoleFiles {
  role: Role;
  tasks: YamlFile | undefined;
  handlers: YamlFile | undefined;
  meta: { dependencies: unknown[]; allowDuplicates: boolean; yaml: YamlFile | undefined };
}

/**
 * Find a role folder as Ansible does: the name (`web`, or a path below a search folder such as
 * `container-engine/containerd`) in the playbook's `roles/`, the roles path (built-in roles last), the playbook's
 * folder; then the name as a path of its own. `name` is what the role is called: the name as written, or the
 * folder's base name when it was found as a path of its own.
 */
export function findRole(
  name: string,
  playbookDir: string,
  rolesPath: string[],
  roleBasedir?: string,
): { dir: string; name: string } | undefined {
  const isDir = (c: string): boolean => existsSync(c) && statSync(c).isDirectory();
  // A name written as a relative path (`../..`, `./x`) is a path from the playbook, never searched.
  if (!path.isAbsolute(name) && !/^\.\.?(\/|$)/.test(name)) {
    // A dependency is also looked up beside the role that depends on it (Ansible's role_basedir: the folder holding
    // that role), after the roles path and before the playbook's folder.
    const searched = [
      path.join(playbookDir, 'roles'),
      ...rolesPath,
      ...(roleBasedir ? [roleBasedir] : []),
      playbookDir,
    ].map((d) => path.join(d, name));
    const hit = searched.find(isDir);
    if (hit) return { dir: hit, name };
  }
  const direct = path.resolve(playbookDir, name);
  return isDir(direct) ? { dir: direct, name: path.basename(direct) } : undefined;
}

/** The folder of a role (see findRole). */
export function findRoleDir(
  name: string,
  playbookDir: string,
  rolesPath: string[],
  roleBasedir?: string,
): string | undefined {
  return findRole(name, playbookDir, rolesPath, roleBasedir)?.dir;
}

/** The file `sub/<base>.yml|.yaml|<base>` of a role, if it exists. */
function roleFile(dir: string, sub: string, base: string): string | undefined {
  return [`${base}.yml`, `${base}.yaml`, base]
    .map((f) => path.join(dir, sub, f))
    .find((f) => existsSync(f) && statSync(f).isFile());
}

/** The variables files of a folder as Ansible reads a role's `vars/main/`: sorted, recursive, no hidden files. */
function varsFilesIn(folder: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(folder).sort()) {
    if (entry.startsWith('.')) continue;
    const full = path.join(folder, entry);
    if (statSync(full).isDirectory()) out.push(...varsFilesIn(full));
    else if (/(\.ya?ml|\.json)$|^[^.]+$/.test(entry)) out.push(full);
  }
  return out;
}

/** Which files of a role to read (include_role's tasks_from and friends). */
export interface RoleFrom {
  tasks?: string;
  vars?: string;
  defaults?: string;
  handlers?: string;
}

/** Read a role's files. `from` picks other files than main (tasks_from, vars_from, ...). */
export async function readRole(
  name: string,
  from: SourcePos,
  playbookDir: string,
  rolesPath: string[],
  pick: RoleFrom = {},
  roleBasedir?: string,
): Promise<RoleFiles> {
  const found = findRole(name, playbookDir, rolesPath, roleBasedir);
  if (!found) {
    throw new BosunError('ROLE_NOT_FOUND', `role '${name}' not found`, {
      source: from,
      hint: `looked in ${[path.join(playbookDir, 'roles'), ...rolesPath, ...(roleBasedir ? [roleBasedir] : []), playbookDir].join(', ')}`,
    });
  }
  const { dir, name: roleName } = found;
  const mapping = async (
    sub: string,
    base: string | undefined,
    level: 'role_defaults' | 'role_vars',
  ): Promise<VarLayer> => {
    const f = roleFile(dir, sub, base ?? 'main');
    const folder = path.join(dir, sub, base ?? 'main');
    // `defaults/main/` (or vars/main/) as a folder: every file in it, in name order, later ones winning (Ansible).
    const files = f ? [f] : existsSync(folder) && statSync(folder).isDirectory() ? varsFilesIn(folder) : [];
    if (files.length === 0) {
      if (base)
        throw new BosunError('FILE_NOT_FOUND', `role '${roleName}' has no ${sub}/${base}.yml`, { source: from });
      return { level, source: `role ${roleName} ${sub}`, values: {} };
    }
    const values: Record<string, unknown> = {};
    const positions = new Map<string, SourcePos>();
    for (const file of files) {
      const y = await loadYamlFile(file);
      if (y.value === null || y.value === undefined) continue;
      if (typeof y.value !== 'object' || Array.isArray(y.value))
        throw new BosunError('SCHEMA', `${path.relative(dir, file)} must be a mapping of variable names to values`, {
          source: y.posOf([]),
        });
      const own = y.value as Record<string, unknown>;
      Object.assign(values, own);
      for (const [k, p] of keyPositions(own, y, [])) positions.set(k, p);
    }
    return { level, source: files.length === 1 ? files[0]! : folder, values, positions };
  };
  const taskFile = async (sub: string, base: string | undefined, what: string): Promise<YamlFile | undefined> => {
    const f = roleFile(dir, sub, base ?? 'main');
    if (!f) {
      if (base)
        throw new BosunError('FILE_NOT_FOUND', `role '${roleName}' has no ${sub}/${base}.yml`, { source: from });
      return undefined;
    }
    const y = await loadYamlFile(f);
    if (y.value === null || y.value === undefined) return undefined;
    validateOrThrow(tasksFileSchema, y.value, { yaml: y, what: `${what} of role '${roleName}'` });
    return y;
  };
  const metaFile = roleFile(dir, 'meta', 'main');
  const metaYaml = metaFile ? await loadYamlFile(metaFile) : undefined;
  if (metaYaml)
    validateOrThrow(roleMetaSchema, metaYaml.value ?? {}, {
      yaml: metaYaml,
      what: `meta/main.yml of role '${roleName}'`,
    });
  const meta = (metaYaml?.value ?? {}) as Record<string, unknown>;
  return {
    role: {
      name: roleName,
      dir,
      defaults: await mapping('defaults', pick.defaults, 'role_defaults'),
      vars: await mapping('vars', pick.vars, 'role_vars'),
      argumentSpecs: await readArgumentSpecs(dir, roleName),
    },
    tasks: await taskFile('tasks', pick.tasks, 'task list'),
    handlers: await taskFile('handlers', pick.handlers, 'handlers'),
    meta: {
      dependencies: (meta['dependencies'] as unknown[] | undefined) ?? [],
      allowDuplicates:
        meta['allow_duplicates'] === undefined
          ? false
          : toBoolKeyword(meta['allow_duplicates'], metaYaml!.posOf(['allow_duplicates'])),
      yaml: metaYaml,
    },
  };
}

/** `meta/argument_specs.yml` (or `argument_specs:` in meta/main.yml) as JSON schemas per entry point. */
async function readArgumentSpecs(dir: string, roleName: string): Promise<Map<string, RoleArgumentSpec>> {
  const specs = new Map<string, RoleArgumentSpec>();
  const file = roleFile(dir, 'meta', 'argument_specs');
  if (!file) return specs;
  const y = await loadYamlFile(file);
  validateOrThrow(argumentSpecsSchema, y.value, { yaml: y, what: `meta/argument_specs.yml of role '${roleName}'` });
  const entries = (
    y.value as { argument_specs: Record<string, { options?: Record<string, unknown>; short_description?: unknown }> }
  ).argument_specs;
  for (const [entry, spec] of Object.entries(entries)) {
    const short = spec.short_description;
    specs.set(entry, {
      options: spec.options ?? {},
      source: y.posOf(['argument_specs', entry]),
      ...(short !== undefined && short !== null ? { shortDescription: scalarText(short) } : {}),
    });
  }
  return specs;
}
