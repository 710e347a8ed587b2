/**
 * Task sites: every task, block and include of a parsed file (plays'
 * pre_tasks/tasks/post_tasks/handlers, task files, handler files), with its
 * raw mapping, the module it calls and where its arguments are.
 */
import { TASK_KEYWORDS, BLOCK_KEYS, includeKeyOf } from '../playbook/schema.js';
import { getModule } from '../modules/index.js';
import type { ValuePath } from '../util/yaml.js';
import type { LintFile } from './project.js';

const KEYWORDS: ReadonlySet<string> = new Set(TASK_KEYWORDS);
const PLAY_LISTS = ['pre_tasks', 'tasks', 'post_tasks', 'handlers'] as const;

/** One task (or block, or include) as written. */
export interface TaskSite {
  file: LintFile;
  /** Path of the task mapping in the file. */
  path: ValuePath;
  raw: Record<string, unknown>;
  kind: 'task' | 'block' | 'include';
  /** Module name as written (tasks), or the include key (includes). */
  module: string | undefined;
  /** The module's short name when it is a known module. */
  known: string | undefined;
  /** Module arguments as written (a mapping, a string, or null), merged with `args:` when both are mappings. */
  args: unknown;
  /** Path of the arguments in the file. */
  argsPath: ValuePath;
  /** Keys that are neither keywords nor the module (two modules, or a typo). */
  extraKeys: string[];
  /** Defined under `handlers:` or in a handlers file. */
  handler: boolean;
}

const memo = new WeakMap<LintFile, TaskSite[]>();

/** Every task site of a file, depth first (block, rescue, always opened); computed once per file. */
export function taskSites(file: LintFile): TaskSite[] {
  let sites = memo.get(file);
  if (!sites) {
    sites = collectSites(file);
    memo.set(file, sites);
  }
  return sites;
}

function collectSites(file: LintFile): TaskSite[] {
  const value = file.yaml?.value;
  const out: TaskSite[] = [];
  if (!Array.isArray(value)) return out;
  if (file.kind === 'playbook') {
    value.forEach((play, i) => {
      if (!play || typeof play !== 'object') return;
      for (const key of PLAY_LISTS) {
        const list = (play as Record<string, unknown>)[key];
        if (Array.isArray(list)) walkList(file, list, [i, key], key === 'handlers', out);
      }
    });
  } else if (file.kind === 'tasks' || file.kind === 'handlers') {
    walkList(file, value, [], file.kind === 'handlers', out);
  }
  return out;
}

function walkList(file: LintFile, list: unknown[], at: ValuePath, handler: boolean, out: TaskSite[]): void {
  list.forEach((item, i) => {
    if (!item || typeof item !== 'object' || Array.isArray(item)) return;
    const raw = item as Record<string, unknown>;
    const path = [...at, i];
    if (BLOCK_KEYS.some((k) => k in raw)) {
      out.push({
        file,
        path,
        raw,
        kind: 'block',
        module: undefined,
        known: undefined,
        args: undefined,
        argsPath: path,
        extraKeys: [],
        handler,
      });
      for (const k of BLOCK_KEYS)
        if (Array.isArray(raw[k])) walkList(file, raw[k] as unknown[], [...path, k], handler, out);
      return;
    }
    const include = includeKeyOf(raw);
    if (include) {
      out.push({
        file,
        path,
        raw,
        kind: 'include',
        module: include.key,
        known: undefined,
        args: raw[include.written],
        argsPath: [...path, include.written],
        extraKeys: [],
        handler,
      });
      return;
    }
    out.push(taskSite(file, raw, path, handler));
  });
}

function taskSite(file: LintFile, raw: Record<string, unknown>, path: ValuePath, handler: boolean): TaskSite {
  const candidates = Object.keys(raw).filter((k) => !KEYWORDS.has(k));
  const actionKey =
    raw['action'] !== undefined ? 'action' : raw['local_action'] !== undefined ? 'local_action' : undefined;
  let module: string | undefined;
  let args: unknown;
  let argsPath: ValuePath = path;
  let extraKeys = candidates;
  if (actionKey) {
    const action = raw[actionKey];
    argsPath = [...path, actionKey];
    if (typeof action === 'string') {
      const [first, ...rest] = action.trim().split(/\s+/);
      module = first;
      args = rest.join(' ');
    } else if (action && typeof action === 'object') {
      const { module: m, ...rest } = action as Record<string, unknown>;
      module = typeof m === 'string' ? m : undefined;
      args = rest;
    }
  } else if (candidates.length > 0) {
    module = candidates.find((c) => getModule(c)) ?? candidates[0];
    extraKeys = candidates.filter((c) => c !== module);
    args = raw[module!];
    argsPath = [...path, module!];
  }
  const extra = raw['args'];
  if (
    extra &&
    typeof extra === 'object' &&
    (args === null || args === undefined || (typeof args === 'object' && !Array.isArray(args)))
  ) {
    args = { ...(extra as Record<string, unknown>), ...((args ?? {}) as Record<string, unknown>) };
  }
  return {
    file,
    path,
    raw,
    kind: 'task',
    module,
    known: module ? getModule(module)?.name : undefined,
    args,
    argsPath,
    extraKeys,
    handler,
  };
}

/** The arguments of a task as a mapping (a free-form string gives only what `args:` adds). */
export function argsOf(site: TaskSite): Record<string, unknown> {
  if (site.args && typeof site.args === 'object' && !Array.isArray(site.args))
    return site.args as Record<string, unknown>;
  const extra = site.raw['args'];
  return extra && typeof extra === 'object' && !Array.isArray(extra) ? (extra as Record<string, unknown>) : {};
}

/** Where an argument's value is (or the arguments', when it is not a mapping key). */
export function argPath(site: TaskSite, name: string): ValuePath {
  const own = site.raw[site.module ?? ''];
  if (own && typeof own === 'object' && name in own) return [...site.argsPath, name];
  const extra = site.raw['args'];
  if (extra && typeof extra === 'object' && name in extra) return [...site.path, 'args', name];
  return site.argsPath;
}

/** A task's display name for messages: its name, else its module. */
export function siteLabel(site: TaskSite): string {
  return typeof site.raw['name'] === 'string' ? `'${site.raw['name']}'` : `${site.module ?? site.kind} task`;
}
