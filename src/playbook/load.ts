/**
 * Loads a playbook file: YAML with positions, validated against the
 * playbook schema, roles resolved and their files read, every task parsed
 * and checked before any host is touched.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BosunError, type SourcePos } from '../errors.js';
import type { TemplateEngine } from '../template/index.js';
import { hasTemplate } from '../template/index.js';
import { validateOrThrow } from '../util/schema.js';
import { loadYamlFile, type ValuePath, type YamlFile } from '../util/yaml.js';
import type { VarLayer } from '../vars/scope.js';
import { playbookSchema, tasksFileSchema } from './schema.js';
import { keyPositions, parseTask, toBoolKeyword } from './task.js';
import type { Play, Playbook, Role, Task, TaskContext } from './types.js';

/** The roles shipped with bosun (`roles/` at the package root). */
export const BUILTIN_ROLES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../roles');

/** Play keywords of Ansible that bosun does not support yet. */
const UNSUPPORTED_PLAY_KEYWORDS: ReadonlyMap<string, string> = new Map([
  ['handlers', 'handlers are not supported yet'],
  ['serial', 'serial batches are not supported yet'],
  ['strategy', 'only the linear strategy is supported yet'],
  ['import_playbook', 'import_playbook is not supported yet'],
]);

/** What loading needs from the caller. */
export interface LoadOptions {
  engine: TemplateEngine;
  /** Extra vars, for templated `vars_files` paths. */
  extraVars?: Record<string, unknown>;
  /** Folders searched for roles after the playbook's own `roles/` (default: the built-in roles). */
  rolesPath?: string[];
}

/** Load, validate and type one playbook file. */
export async function loadPlaybook(file: string, opts: LoadOptions): Promise<Playbook> {
  const abs = path.resolve(file);
  const yaml = await loadYamlFile(abs);
  const dir = path.dirname(abs);
  if (yaml.value === null || yaml.value === undefined) {
    throw new BosunError('SCHEMA', 'the playbook is empty: expected a list of plays', { source: { file: abs, line: 1, col: 1 } });
  }
  if (Array.isArray(yaml.value)) {
    yaml.value.forEach((play, i) => {
      if (play && typeof play === 'object') {
        for (const key of Object.keys(play)) {
          const why = UNSUPPORTED_PLAY_KEYWORDS.get(key);
          if (why) throw new BosunError('SCHEMA', `play keyword '${key}' is not supported: ${why}`, { source: yaml.keyPosOf([i, key]) });
        }
      }
    });
  }
  validateOrThrow(playbookSchema, yaml.value, { yaml, what: 'playbook' });
  const raw = yaml.value as Array<Record<string, unknown>>;
  const roleCache = new Map<string, Promise<LoadedRole>>();
  const plays: Play[] = [];
  for (let i = 0; i < raw.length; i++) plays.push(await loadPlay(raw[i]!, i, { yaml, dir, opts, roleCache }));
  return { file: abs, dir, plays, yaml };
}

interface LoadState {
  yaml: YamlFile;
  dir: string;
  opts: LoadOptions;
  roleCache: Map<string, Promise<LoadedRole>>;
}

interface LoadedRole {
  role: Role;
  tasksYaml: YamlFile | undefined;
}

async function loadPlay(raw: Record<string, unknown>, index: number, st: LoadState): Promise<Play> {
  const { yaml, dir, opts } = st;
  const source = yaml.posOf([index]);
  const hosts = Array.isArray(raw['hosts']) ? (raw['hosts'] as string[]).join(':') : String(raw['hosts']);
  const name = typeof raw['name'] === 'string' ? raw['name'] : hosts;
  const playVars = (raw['vars'] ?? {}) as Record<string, unknown>;
  const vars: VarLayer = { level: 'play_vars', source: `play "${name}" vars`, values: playVars, positions: keyPositions(playVars, yaml, [index, 'vars']) };
  const varsFiles = await loadVarsFiles(raw['vars_files'], [index, 'vars_files'], playVars, st);
  const context: TaskContext = { playbookDir: dir };
  const parseList = (key: string, ctx: TaskContext): Task[] =>
    ((raw[key] ?? []) as Array<Record<string, unknown>>).map((t, ti) => parseTask(t, { yaml, path: [index, key, ti], context: ctx, engine: opts.engine }));

  const tasks: Task[] = [...parseList('pre_tasks', context)];
  const roles: Role[] = [];
  const roleRefs = (raw['roles'] ?? []) as Array<string | Record<string, unknown>>;
  for (let ri = 0; ri < roleRefs.length; ri++) {
    const ref = roleRefs[ri]!;
    const refPath: ValuePath = [index, 'roles', ri];
    const roleName = typeof ref === 'string' ? ref : String(ref['role'] ?? ref['name'] ?? '');
    const loaded = await loadRoleCached(roleName, yaml.posOf(refPath), st);
    roles.push(loaded.role);
    const params = typeof ref === 'string' ? {} : paramsOf(ref);
    const paramLayer: VarLayer = { level: 'include_params', source: `role ${roleName} parameters`, values: params, positions: keyPositions(params, yaml, typeof ref === 'object' && ref['vars'] ? [...refPath, 'vars'] : refPath) };
    const ctx: TaskContext = { role: loaded.role, params: paramLayer, playbookDir: dir };
    const roleTasks = loaded.tasksYaml
      ? (loaded.tasksYaml.value as Array<Record<string, unknown>>).map((t, ti) =>
          parseTask(t, { yaml: loaded.tasksYaml!, path: [ti], context: ctx, engine: opts.engine }))
      : [];
    const roleWhen = typeof ref === 'object' ? ref['when'] : undefined;
    if (roleWhen !== undefined) {
      const list = Array.isArray(roleWhen) ? roleWhen : [roleWhen];
      const conds = list.map((w, wi) => {
        const pos = yaml.posOf(Array.isArray(roleWhen) ? [...refPath, 'when', wi] : [...refPath, 'when']);
        opts.engine.checkExpression(String(w), pos);
        return { expr: String(w), source: pos };
      });
      for (const t of roleTasks) t.when.unshift(...conds);
    }
    tasks.push(...roleTasks);
  }
  tasks.push(...parseList('tasks', context), ...parseList('post_tasks', context));
  return {
    name,
    hosts,
    hostsSource: yaml.posOf([index, 'hosts']),
    vars,
    varsFiles,
    gatherFacts: raw['gather_facts'] === undefined ? true : toBoolKeyword(raw['gather_facts'], yaml.posOf([index, 'gather_facts'])),
    become: raw['become'] === undefined ? false : toBoolKeyword(raw['become'], yaml.posOf([index, 'become'])),
    becomeUser: raw['become_user'] as string | undefined,
    tasks,
    roles,
    source,
  };
}

/** Role parameters: `vars:` plus any other keys except the reserved ones. */
function paramsOf(ref: Record<string, unknown>): Record<string, unknown> {
  const { role: _r, name: _n, when: _w, vars, ...rest } = ref;
  return { ...rest, ...(vars as Record<string, unknown> | undefined) };
}

async function loadVarsFiles(value: unknown, at: ValuePath, playVars: Record<string, unknown>, st: LoadState): Promise<VarLayer[]> {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? (value as string[]) : [value as string];
  const layers: VarLayer[] = [];
  for (let i = 0; i < list.length; i++) {
    const pos = st.yaml.posOf(Array.isArray(value) ? [...at, i] : at);
    let rel = list[i]!;
    if (hasTemplate(rel)) rel = String(st.opts.engine.renderString(rel, { ...playVars, ...st.opts.extraVars }, pos));
    const file = path.resolve(st.dir, rel);
    const y = await loadYamlFile(file, pos);
    if (y.value === null || y.value === undefined) continue;
    if (typeof y.value !== 'object' || Array.isArray(y.value)) {
      throw new BosunError('SCHEMA', 'a vars file must be a mapping of variable names to values', { source: y.posOf([]) });
    }
    const values = y.value as Record<string, unknown>;
    layers.push({ level: 'play_vars_files', source: file, values, positions: keyPositions(values, y, []) });
  }
  return layers;
}

function loadRoleCached(name: string, from: SourcePos, st: LoadState): Promise<LoadedRole> {
  let p = st.roleCache.get(name);
  if (!p) {
    p = loadRole(name, from, st);
    st.roleCache.set(name, p);
  }
  return p;
}

/** Find a role folder: a path, the playbook's `roles/`, then the roles path (built-in roles last). */
export function findRoleDir(name: string, playbookDir: string, rolesPath: string[] = [BUILTIN_ROLES_DIR]): string | undefined {
  const candidates = name.includes('/') ? [path.resolve(playbookDir, name)] : [path.join(playbookDir, 'roles', name), path.join(playbookDir, name), ...rolesPath.map((d) => path.join(d, name))];
  return candidates.find((c) => existsSync(c) && statSync(c).isDirectory());
}

async function loadRole(name: string, from: SourcePos, st: LoadState): Promise<LoadedRole> {
  const rolesPath = st.opts.rolesPath ?? [BUILTIN_ROLES_DIR];
  const dir = findRoleDir(name, st.dir, rolesPath);
  if (!dir) {
    throw new BosunError('ROLE_NOT_FOUND', `role '${name}' not found`, {
      source: from,
      hint: `looked in ${[path.join(st.dir, 'roles'), ...rolesPath].join(', ')}`,
    });
  }
  const mainFile = (sub: string): string | undefined => ['main.yml', 'main.yaml', 'main'].map((f) => path.join(dir, sub, f)).find((f) => existsSync(f));
  const mapping = async (sub: string, level: 'role_defaults' | 'role_vars'): Promise<VarLayer> => {
    const f = mainFile(sub);
    if (!f) return { level, source: `role ${name} ${sub}`, values: {} };
    const y = await loadYamlFile(f);
    if (y.value === null || y.value === undefined) return { level, source: f, values: {} };
    if (typeof y.value !== 'object' || Array.isArray(y.value)) throw new BosunError('SCHEMA', `${sub}/main.yml must be a mapping of variable names to values`, { source: y.posOf([]) });
    const values = y.value as Record<string, unknown>;
    return { level, source: f, values, positions: keyPositions(values, y, []) };
  };
  const defaults = await mapping('defaults', 'role_defaults');
  const vars = await mapping('vars', 'role_vars');
  const tasksFile = mainFile('tasks');
  let tasksYaml: YamlFile | undefined;
  if (tasksFile) {
    tasksYaml = await loadYamlFile(tasksFile);
    if (tasksYaml.value === null || tasksYaml.value === undefined) tasksYaml = undefined;
    else validateOrThrow(tasksFileSchema, tasksYaml.value, { yaml: tasksYaml, what: `task list of role '${name}'` });
  }
  return { role: { name, dir, defaults, vars }, tasksYaml };
}
