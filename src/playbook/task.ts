/**
 * Turns raw task mappings into typed nodes: tasks (module, merged
 * arguments, keywords), blocks with rescue/always, static imports (expanded
 * here) and dynamic includes (resolved per host at run time). Everything
 * that can be checked before a host is touched is checked here: module
 * names, argument names, template and condition syntax.
 */
import { extendVars, isUnsafeContainer, isUnsafeKey } from '../util/unsafe.js';
import { suggestName } from '../util/suggest.js';
import { BosunError, type SourcePos } from '../errors.js';
import { getModule, moduleRegistry } from '../modules/index.js';
import type { TemplateEngine } from '../template/index.js';
import { hasTemplate, isHandlebars } from '../template/index.js';
import { validateOrThrow } from '../util/schema.js';
import type { ValuePath, YamlFile } from '../util/yaml.js';
import { parseArgString, parseKeyValues } from '../util/arg-string.js';
import { conditions, inherit, keyPositions, positiveInt, scalarText, toBoolKeyword, varsOf } from './inherit.js';
import { findLibraryModule, isCollectionModuleName, unknownModuleText } from './library-modules.js';
import { expandLookupLoop, LOOP_LOOKUPS, type LoopLookup, type LoopSpec } from './loop-lookups.js';
import { BLOCK_KEYS, INCLUDE_KEYS, LOOP_KEYS, TASK_KEYWORDS, includeKeyOf } from './schema.js';
import type { Block, Include, Inherited, LoopControl, Task, TaskContext, TaskNode } from './types.js';

const KEYWORDS: ReadonlySet<string> = new Set(TASK_KEYWORDS);
const LOOPS: readonly string[] = LOOP_KEYS;
const BLOCK_ALLOWED: ReadonlySet<string> = new Set(
  [...KEYWORDS, ...BLOCK_KEYS].filter(
    (k) =>
      !LOOPS.includes(k) &&
      ![
        'register',
        'loop_control',
        'args',
        'changed_when',
        'failed_when',
        'until',
        'retries',
        'delay',
        'async',
        'poll',
        'listen',
        'action',
        'local_action',
      ].includes(k),
  ),
);

/** What parsing needs from the playbook loader (imports load files and roles). */
export interface NodeLoader {
  engine: TemplateEngine;
  nextId(): number;
  /** The `library/` folders of the playbooks loaded so far (custom modules, see library-modules.ts). */
  libraryDirs(): readonly string[];
  /** import_tasks: the tasks of a file, parsed with what the import passes down. */
  importTasks(
    file: string,
    from: SourcePos,
    ctx: TaskContext,
    inherited: Inherited,
    handlers?: boolean,
  ): Promise<TaskNode[]>;
  /** import_role: a role's tasks, parsed with what the import passes down. */
  importRole(ref: RoleImport, from: SourcePos, ctx: TaskContext, inherited: Inherited): Promise<TaskNode[]>;
}

/** What import_role / include_role name. */
export interface RoleImport {
  name: string;
  tasksFrom?: string;
  varsFrom?: string;
  defaultsFrom?: string;
  handlersFrom?: string;
  params: Record<string, unknown>;
  /** For a dependency: the folder holding the role that depends on it, searched too (Ansible's role_basedir). */
  basedir?: string;
}

/** Where a task list sits. */
export interface ListSource {
  yaml: YamlFile;
  path: ValuePath;
  context: TaskContext;
  loader: NodeLoader;
  /** Parsing handlers: `listen` allowed. */
  handlers?: boolean;
}

/** Parse a list of task mappings. */
export async function parseNodes(list: unknown[], src: ListSource, inherited: Inherited): Promise<TaskNode[]> {
  const out: TaskNode[] = [];
  for (let i = 0; i < list.length; i++) {
    const raw = list[i];
    const path = [...src.path, i];
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new BosunError('SCHEMA', 'a task must be a mapping', { source: src.yaml.posOf(path) });
    }
    const node = raw as Record<string, unknown>;
    if (BLOCK_KEYS.some((k) => k in node)) out.push(await parseBlock(node, { ...src, path }, inherited));
    else if (includeKeyOf(node)) out.push(...(await parseInclude(node, { ...src, path }, inherited)));
    else out.push(parseTask(node, { ...src, path }, inherited));
  }
  return out;
}

async function parseBlock(raw: Record<string, unknown>, src: ListSource, inherited: Inherited): Promise<Block> {
  const { yaml, path } = src;
  for (const key of Object.keys(raw)) {
    if (!BLOCK_ALLOWED.has(key)) {
      throw new BosunError(
        'SCHEMA',
        `'${key}' is not allowed on a block (blocks take when, vars, tags, become, environment, ignore_errors, ...)`,
        { source: yaml.keyPosOf([...path, key]) },
      );
    }
  }
  if (!Array.isArray(raw['block']))
    throw new BosunError('SCHEMA', "a block needs a 'block:' list of tasks", { source: yaml.posOf(path) });
  const source = yaml.posOf(path);
  const inner = inherit(inherited, {
    raw,
    yaml,
    path,
    engine: src.loader.engine,
    varsLevel: 'block_vars',
    label: `${yaml.file}:${source.line} block vars`,
  });
  const part = async (key: string): Promise<TaskNode[]> =>
    Array.isArray(raw[key]) ? parseNodes(raw[key] as unknown[], { ...src, path: [...path, key] }, inner) : [];
  return {
    kind: 'block',
    id: src.loader.nextId(),
    name: typeof raw['name'] === 'string' ? raw['name'] : undefined,
    block: await part('block'),
    rescue: await part('rescue'),
    always: await part('always'),
    source,
  };
}

async function parseInclude(raw: Record<string, unknown>, src: ListSource, inherited: Inherited): Promise<TaskNode[]> {
  const { yaml, path, loader } = src;
  const { key, written } = includeKeyOf(raw)!;
  const source = yaml.posOf(path);
  for (const k of Object.keys(raw)) {
    if (k !== written && !KEYWORDS.has(k))
      throw new BosunError('SCHEMA', `'${k}' is not allowed beside ${written}`, {
        source: yaml.keyPosOf([...path, k]),
      });
  }
  // Ansible: "'notify' is not a valid attribute for a TaskInclude" (and IncludeRole); the imports pass it down.
  if (raw['notify'] !== undefined && key.startsWith('include_')) {
    throw new BosunError('SCHEMA', `'notify' is not allowed on ${key}`, {
      source: yaml.keyPosOf([...path, 'notify']),
      hint: `notify from the included tasks, or use ${key.replace('include_', 'import_')}`,
    });
  }
  const spec = includeSpec(key, raw[written], yaml, [...path, written]);
  const target = scalarText((key.endsWith('role') ? (spec['name'] ?? spec['role']) : spec['file']) ?? '');
  if (!target)
    throw new BosunError('SCHEMA', `${key} needs ${key.endsWith('role') ? 'a role name' : 'a file'}`, {
      source: yaml.posOf([...path, written]),
    });
  const includeVars = varsOf(raw['vars'], yaml, [...path, 'vars']);
  const params = includeVars.values;
  const own = inherit(inherited, {
    raw: { ...raw, vars: undefined },
    yaml,
    path,
    engine: loader.engine,
    varsLevel: 'task_vars',
    label: '',
  });
  if (key.startsWith('import_')) {
    if (hasTemplate(target))
      throw new BosunError(
        'SCHEMA',
        `${key} is static: its ${key.endsWith('role') ? 'name' : 'file'} cannot use variables; use ${key.replace('import_', 'include_')}`,
        { source: yaml.posOf([...path, written]) },
      );
    const loops = LOOPS.find((k) => raw[k] !== undefined);
    if (loops)
      throw new BosunError('SCHEMA', `${key} cannot loop; use ${key.replace('import_', 'include_')}`, {
        source: yaml.keyPosOf([...path, loops]),
      });
    const passDown = Object.keys(params).length
      ? {
          ...own,
          varLayers: [
            ...own.varLayers,
            {
              level: 'include_params' as const,
              source: `${key} ${target} vars`,
              values: params,
              positions: includeVars.positions,
            },
          ],
        }
      : own;
    if (key === 'import_tasks') return loader.importTasks(target, source, src.context, passDown, src.handlers === true);
    return loader.importRole(roleImport(target, spec, {}), source, src.context, passDown);
  }
  const loop = loopSpec(raw, src);
  const include: Include = {
    ...own,
    kind: 'include',
    id: loader.nextId(),
    name: typeof raw['name'] === 'string' ? raw['name'] : undefined,
    ...(written !== key ? { action: written } : {}),
    what: key === 'include_tasks' ? 'tasks' : 'role',
    listen: raw['listen'] === undefined ? [] : [raw['listen']].flat().map(String),
    target,
    from: {
      tasks: spec['tasks_from'] as string | undefined,
      vars: spec['vars_from'] as string | undefined,
      defaults: spec['defaults_from'] as string | undefined,
      handlers: spec['handlers_from'] as string | undefined,
    },
    params: Object.keys(params).length
      ? { level: 'include_params', source: `${key} ${target} vars`, values: params, positions: includeVars.positions }
      : undefined,
    loop,
    loopControl: loopControl(raw, yaml, path),
    childInherited:
      spec['apply'] && typeof spec['apply'] === 'object'
        ? inherit(inherited, {
            raw: spec['apply'] as Record<string, unknown>,
            yaml,
            path: [...path, written, 'apply'],
            engine: loader.engine,
            varsLevel: 'block_vars',
            label: `${key} apply vars`,
          })
        : inherited,
    source,
    context: src.context,
  };
  if (hasTemplate(target)) loader.engine.check(target, yaml.posOf([...path, written]));
  return [include];
}

/** The options includes and imports accept (Ansible's valid options of each). */
const INCLUDE_OPTIONS: Record<(typeof INCLUDE_KEYS)[number], readonly string[]> = {
  include_tasks: ['file', 'apply'],
  import_tasks: ['file'],
  include_role: [
    'name',
    'role',
    'tasks_from',
    'vars_from',
    'defaults_from',
    'handlers_from',
    'apply',
    'public',
    'allow_duplicates',
    'rolespec_validate',
  ],
  import_role: [
    'name',
    'role',
    'tasks_from',
    'vars_from',
    'defaults_from',
    'handlers_from',
    'allow_duplicates',
    'rolespec_validate',
  ],
};

/**
 * The mapping of an include or import: written as a mapping, as a bare file
 * or role name, or as `key=value` words (`import_role: name=r tasks_from=x`,
 * `include_tasks: file=x.yml`) parsed as Ansible's parse_kv does.
 */
function includeSpec(
  key: (typeof INCLUDE_KEYS)[number],
  value: unknown,
  yaml: YamlFile,
  at: ValuePath,
): Record<string, unknown> {
  const main = key.endsWith('role') ? 'name' : 'file';
  let spec: Record<string, unknown>;
  if (typeof value === 'string') {
    const { values, rest } = parseKeyValues(value, yaml.posOf(at));
    // Words that are not key=value are the file (Ansible's _raw_params, which wins over file=); bosun also takes a bare role name.
    spec = rest.length ? { ...values, [main]: rest.join(' ') } : values;
  } else if (value === null || value === undefined) spec = {};
  else if (typeof value === 'object' && !Array.isArray(value)) spec = value as Record<string, unknown>;
  else
    throw new BosunError('SCHEMA', `${key} needs a ${main === 'name' ? 'role name' : 'file'} or a mapping`, {
      source: yaml.posOf(at),
    });
  const allowed = INCLUDE_OPTIONS[key];
  for (const k of Object.keys(spec)) {
    if (!allowed.includes(k)) {
      throw new BosunError('SCHEMA', `Invalid options for ${key}: ${k}`, {
        source: typeof value === 'string' ? yaml.posOf(at) : yaml.keyPosOf([...at, k]),
        hint: `${key} takes ${allowed.join(', ')}; pass variables with vars:`,
      });
    }
  }
  return spec;
}

function roleImport(name: string, spec: Record<string, unknown>, params: Record<string, unknown>): RoleImport {
  return {
    name,
    ...(spec['tasks_from'] ? { tasksFrom: scalarText(spec['tasks_from']) } : {}),
    ...(spec['vars_from'] ? { varsFrom: scalarText(spec['vars_from']) } : {}),
    ...(spec['defaults_from'] ? { defaultsFrom: scalarText(spec['defaults_from']) } : {}),
    ...(spec['handlers_from'] ? { handlersFrom: scalarText(spec['handlers_from']) } : {}),
    params,
  };
}

/** Parse and check one task. */
export function parseTask(raw: Record<string, unknown>, src: ListSource, inherited: Inherited): Task {
  const { yaml, path, loader } = src;
  const engine = loader.engine;
  const source = yaml.posOf(path);
  if (raw['listen'] !== undefined && !src.handlers)
    throw new BosunError('SCHEMA', "'listen' is only for handlers", { source: yaml.keyPosOf([...path, 'listen']) });
  const found = findModule(raw, src);
  const { argsPath } = found;
  let { module, args } = found;
  let def = getModule(module);
  // A module of a collection bosun does not have (ansible.posix.synchronize): Ansible would load it from the
  // collection, so the role still loads here, and the task fails only if it runs (docs/ansible-differences.md).
  if (!def && isCollectionModuleName(module)) {
    def = getModule('fail')!;
    args = {
      msg: `module '${module}' is not in bosun (Ansible takes it from its collection): this task cannot run here; \
use a module bosun has (bosun doc --list), or command/shell`,
    };
  }
  // A custom module of the playbook's or the role's library/ (kubespray's library/kube.py): Ansible runs it with
  // the target's Python, which bosun never does; the task fails only if it runs.
  const library = def ? undefined : findLibraryModule(module, src.context, loader.libraryDirs());
  if (library) {
    def = getModule('fail')!;
    args = {
      msg: `module '${module}' is a custom module (${library}) that Ansible runs with Python on the target; bosun \
runs no Python there: this task cannot run here; use a module bosun has (bosun doc --list), or command/shell`,
    };
  }
  if (!def) {
    const { message, hint } = unknownModuleText(module, [...moduleRegistry.keys(), ...KEYWORDS]);
    throw new BosunError('UNKNOWN_MODULE', message, { source: yaml.keyPosOf(argsPath), hint });
  }
  module = def.name;
  // Asked for every templated argument on every host (renderDeep, the schema check): walk the YAML once per path.
  const argPositions = new Map<string, SourcePos>();
  const argPos = (p: ValuePath): SourcePos => {
    const key = JSON.stringify(p);
    let pos = argPositions.get(key);
    if (!pos) argPositions.set(key, (pos = yaml.posOf([...argsPath, ...p])));
    return pos;
  };
  if (typeof args === 'string')
    args = parseArgString(args, def.freeForm, argPos([]), def.freeFormOptions && new Set(def.freeFormOptions));
  args ??= {};
  if (typeof args !== 'object' || Array.isArray(args)) {
    throw new BosunError('MODULE_ARGS', `arguments of module '${module}' must be a mapping or a 'key=value' string`, {
      source: argPos([]),
    });
  }
  // extendVars keeps the `!unsafe` marks of both.
  const merged = extendVars(
    (raw['args'] as Record<string, unknown> | undefined) ?? {},
    args as Record<string, unknown>,
    false,
  );
  checkArgs(
    merged,
    def.schema,
    def.rawArgs ?? [],
    module,
    argPos,
    engine,
    typeof args === 'object' ? yaml : undefined,
    argsPath,
  );

  const name = typeof raw['name'] === 'string' ? raw['name'] : undefined;
  if (name && hasTemplate(name)) engine.check(name, yaml.posOf([...path, 'name']));
  const loop = loopSpec(raw, src);
  const own = inherit(inherited, {
    raw,
    yaml,
    path,
    engine,
    varsLevel: 'task_vars',
    label: `${yaml.file}:${source.line} task vars`,
  });
  const local = raw['local_action'] !== undefined;
  const optional = (key: string) =>
    raw[key] === undefined ? undefined : conditions(raw[key], [...path, key], yaml, engine);
  return {
    ...own,
    ...(local ? { delegateTo: 'localhost' } : {}),
    kind: 'task',
    id: loader.nextId(),
    name,
    module,
    ...(found.module !== module ? { action: found.module } : {}),
    args: merged,
    argPos,
    register: raw['register'] as string | undefined,
    loop,
    loopControl: loopControl(raw, yaml, path),
    changedWhen: optional('changed_when'),
    failedWhen: optional('failed_when'),
    until: optional('until'),
    retries:
      raw['retries'] === undefined
        ? 3
        : hasTemplate(raw['retries'])
          ? scalarText(raw['retries'])
          : positiveIntOrZero(raw['retries'], yaml.posOf([...path, 'retries'])),
    delaySeconds:
      raw['delay'] === undefined
        ? 5
        : hasTemplate(raw['delay'])
          ? scalarText(raw['delay'])
          : nonNegative(raw['delay'], yaml.posOf([...path, 'delay'])),
    ...asyncKeywords(raw, src, def.background === true),
    notify: own.notify ?? [],
    listen: raw['listen'] === undefined ? [] : [raw['listen']].flat().map(String),
    source,
    context: src.context,
  };
}

/**
 * The loop of a task or include: `loop`, `with_items` (flattened), `with_list`,
 * `with_dict` (as dict2items), or a `with_<lookup>` that a lookup expands
 * after rendering. Templates are checked now; a `with_sequence` without
 * templates is expanded once now, so its mistakes are found before any host.
 */
function loopSpec(raw: Record<string, unknown>, src: ListSource): LoopSpec | undefined {
  const { yaml, path, loader, context } = src;
  const [key, second] = LOOPS.filter((k) => raw[k] !== undefined);
  if (key === undefined) return undefined;
  if (second !== undefined)
    throw new BosunError('SCHEMA', `a task takes one loop, found '${key}' and '${second}'`, {
      source: yaml.keyPosOf([...path, second]),
    });
  const source = yaml.posOf([...path, key]);
  let value = raw[key];
  const templated = checkTemplates(value, [key], (s, p) => {
    loader.engine.check(s, yaml.posOf([...path, ...p]));
  });
  if (key === 'with_dict') {
    const inner = typeof value === 'string' ? value.replace(/^\s*\{\{-?\s*|\s*-?\}\}\s*$/g, '') : '';
    value =
      typeof value === 'string'
        ? isHandlebars(value)
          ? `{{ dict2items ${inner} }}`
          : `{{ (${inner}) | dict2items }}`
        : Object.entries(value as Record<string, unknown>).map(([k, v]) => ({ key: k, value: v }));
  }
  if (!key.startsWith('with_') || ['with_items', 'with_list', 'with_dict'].includes(key))
    return { value, source, flatten: key === 'with_items' };
  const name = key.slice('with_'.length);
  if (!(LOOP_LOOKUPS as readonly string[]).includes(name)) return { value, source, flatten: false, query: name };
  const lookup = name as LoopLookup;
  const searchDirs = [...new Set([...(context.role ? [context.role.dir] : []), context.fileDir, context.playbookDir])];
  const searches = lookup === 'fileglob' || lookup === 'first_found';
  const spec: LoopSpec = { value, source, flatten: false, lookup, ...(searches ? { searchDirs } : {}) };
  // Ansible's task executor: first_found looks under the folder the task's action names.
  if (lookup === 'first_found') {
    const action = Object.keys(raw).find((k) => !KEYWORDS.has(k)) ?? '';
    spec.subdir = ['template', 'var', 'file'].find((d) => action.includes(d)) ?? 'file';
    spec.subdir += 's';
  }
  if (lookup === 'sequence' && !templated) expandLookupLoop(lookup, value, { source, searchDirs });
  return spec;
}

/**
 * `async` / `poll` (Ansible's defaults: not async, poll every 15 s): numbers, or templates rendered per host. A
 * module that cannot run in the background is refused here (Ansible fails the task when it runs).
 */
function asyncKeywords(
  raw: Record<string, unknown>,
  src: ListSource,
  background: boolean,
): Pick<Task, 'asyncSeconds' | 'pollSeconds'> {
  const { yaml, path, loader } = src;
  const value = (key: 'async' | 'poll', fallback: number): number | string => {
    const v = raw[key];
    if (v === undefined) return fallback;
    const pos = yaml.posOf([...path, key]);
    if (hasTemplate(v)) {
      loader.engine.check(scalarText(v), pos);
      return scalarText(v);
    }
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0)
      throw new BosunError('SCHEMA', `${key} must be a whole number of seconds (0 or more), got '${scalarText(v)}'`, {
        source: pos,
      });
    return n;
  };
  const asyncSeconds = value('async', 0);
  if (asyncSeconds !== 0 && !background) {
    const module = Object.keys(raw).find((k) => !KEYWORDS.has(k)) ?? 'this module';
    throw new BosunError(
      'UNSUPPORTED',
      `async is not supported for this task: '${module}' does not run as one remote command (async works with command, shell and script)`,
      { source: yaml.keyPosOf([...path, 'async']), hint: 'remove async/poll, or run the work with command or shell' },
    );
  }
  return { asyncSeconds, pollSeconds: value('poll', 15) };
}

function nonNegative(value: unknown, source: SourcePos): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new BosunError('SCHEMA', `delay must be a number of seconds, got '${String(value)}'`, { source });
  return n;
}

function positiveIntOrZero(value: unknown, source: SourcePos): number {
  return Number(value) === 0 ? 0 : positiveInt(value, source, 'retries');
}

function loopControl(raw: Record<string, unknown>, yaml: YamlFile, path: ValuePath): LoopControl | undefined {
  const lc = raw['loop_control'] as Record<string, unknown> | undefined;
  if (!lc) return undefined;
  return {
    loopVar: (lc['loop_var'] as string | undefined) ?? 'item',
    indexVar: lc['index_var'] as string | undefined,
    label: lc['label'] as string | undefined,
    pauseSeconds: lc['pause'] === undefined ? 0 : Number(lc['pause']),
    extended:
      lc['extended'] === undefined
        ? false
        : toBoolKeyword(lc['extended'], yaml.posOf([...path, 'loop_control', 'extended'])),
  };
}

/** The module key of a task (or `action:`/`local_action:`), its raw arguments and where they are. */
function findModule(
  raw: Record<string, unknown>,
  src: ListSource,
): { module: string; args: unknown; argsPath: ValuePath } {
  const { yaml, path } = src;
  const candidates = Object.keys(raw).filter((k) => !KEYWORDS.has(k));
  const actionKey =
    raw['action'] !== undefined ? 'action' : raw['local_action'] !== undefined ? 'local_action' : undefined;
  if (actionKey) {
    const [other] = candidates;
    if (other !== undefined)
      throw new BosunError('SCHEMA', `task has both '${actionKey}' and module '${other}'`, {
        source: yaml.keyPosOf([...path, other]),
      });
    const action = raw[actionKey];
    const argsPath = [...path, actionKey];
    if (typeof action === 'string') {
      // The module is the first word; the rest keeps its spacing (quoted values may hold runs of spaces).
      const m = /^\s*(\S*)\s*([\s\S]*)$/.exec(action)!;
      return { module: m[1]!, args: m[2]!, argsPath };
    }
    const { module, ...args } = action as Record<string, unknown>;
    if (typeof module !== 'string')
      throw new BosunError('SCHEMA', `'${actionKey}' as a mapping needs a 'module' key`, {
        source: yaml.posOf(argsPath),
      });
    return { module, args, argsPath };
  }
  if (candidates.length === 0) {
    throw new BosunError('SCHEMA', 'task has no module: expected one key naming a module (copy, command, file, ...)', {
      source: yaml.posOf(path),
    });
  }
  if (candidates.length > 1) {
    const unknown = candidates.find((k) => !getModule(k)) ?? candidates[1]!;
    const suggestion = suggestName(unknown, [...KEYWORDS, ...moduleRegistry.keys()]);
    throw new BosunError(
      'SCHEMA',
      `task has more than one module or an unknown keyword: ${candidates.map((c) => `'${c}'`).join(', ')}`,
      {
        source: yaml.keyPosOf([...path, unknown]),
        ...(suggestion ? { hint: `did you mean '${suggestion}'?` } : {}),
      },
    );
  }
  const module = candidates[0]!;
  return { module, args: raw[module], argsPath: [...path, module] };
}

/** Check argument names (always) and the whole schema (when nothing is templated) at load time. */
function checkArgs(
  args: Record<string, unknown>,
  schema: Record<string, unknown>,
  rawArgs: string[],
  module: string,
  argPos: (p: ValuePath) => SourcePos,
  engine: TemplateEngine,
  yaml: YamlFile | undefined,
  argsPath: ValuePath,
): void {
  const what = `arguments of module '${module}'`;
  // `not: {required: [a, b]}` (lib/schema.ts notBoth): say which two, not ajv's "must NOT be valid".
  const exclusive = (schema['not'] as { required?: string[] } | undefined)?.required;
  if (exclusive?.length === 2 && exclusive.every((k) => args[k] !== undefined)) {
    const [a, b] = exclusive as [string, string];
    throw new BosunError('MODULE_ARGS', `module '${module}' takes '${a}' or '${b}', not both`, {
      source: yaml ? yaml.keyPosOf([...argsPath, b]) : argPos([]),
      hint:
        a === 'cmd' && b === 'argv'
          ? 'give the command as a string (the free form or cmd:) or as a list (argv:); Ansible: "only command or argv can be given, not both"'
          : `remove '${a}' or '${b}'`,
    });
  }
  let templated = false;
  for (const [key, value] of Object.entries(args)) {
    if (isUnsafeKey(args, key)) continue;
    if (rawArgs.includes(key)) {
      if (Array.isArray(value))
        value.forEach((expr, i) => {
          if (typeof expr === 'string') engine.checkExpression(expr, argPos([key, i]));
        });
      else if (typeof value === 'string') engine.checkExpression(value, argPos([key]));
      continue;
    }
    const templates = checkTemplates(value, [key], (s, p) => {
      engine.check(s, argPos(p));
    });
    if (templates) templated = true;
  }
  if (!templated) {
    validateOrThrow(schema, args, yaml ? { yaml, basePath: argsPath, what } : { source: argPos([]), what });
    return;
  }
  const props = schema['properties'] as Record<string, unknown> | undefined;
  if (props && schema['additionalProperties'] === false) {
    for (const key of Object.keys(args)) {
      if (!(key in props)) {
        const suggestion = suggestName(key, Object.keys(props));
        throw new BosunError('MODULE_ARGS', `unknown argument '${key}' for module '${module}'`, {
          source: yaml ? yaml.keyPosOf([...argsPath, key]) : argPos([]),
          hint: suggestion ? `did you mean '${suggestion}'?` : `expected one of: ${Object.keys(props).join(', ')}`,
        });
      }
    }
  }
}

/** Check each string in `value` that holds a template (`check` gets it and its path); true when there was one. */
function checkTemplates(
  value: unknown,
  path: Array<string | number>,
  check: (s: string, p: Array<string | number>) => void,
): boolean {
  let found = false;
  walkStrings(value, path, (s, p) => {
    if (hasTemplate(s)) {
      found = true;
      check(s, p);
    }
  });
  return found;
}

function walkStrings(
  value: unknown,
  path: Array<string | number>,
  fn: (s: string, p: Array<string | number>) => void,
): void {
  // `!unsafe` texts are never templates: not checked, not rendered.
  if (typeof value === 'string') fn(value, path);
  else if (isUnsafeContainer(value)) return;
  else if (Array.isArray(value))
    value.forEach((v: unknown, i) => {
      if (!isUnsafeKey(value, i)) walkStrings(v, [...path, i], fn);
    });
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) if (!isUnsafeKey(value, k)) walkStrings(v, [...path, k], fn);
}

export { parseArgString, toBoolKeyword, keyPositions };
