/**
 * Loads a playbook file: YAML with positions, validated against the
 * playbook schema, import_playbook spliced in, roles (with their meta
 * dependencies, handlers and argument specs) resolved, and every task
 * parsed and checked before any host is touched. The same loader serves
 * include_tasks and include_role at run time.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { BosunError, type SourcePos } from '../errors.js';
import type { TemplateEngine } from '../template/index.js';
import { hasTemplate } from '../template/index.js';
import { validateOrThrow } from '../util/schema.js';
import { loadYamlFile, type ValuePath, type YamlFile } from '../util/yaml.js';
import type { VarLayer } from '../vars/scope.js';
import { enterLink, importLink } from './import-chain.js';
import { emptyInherited, inherit, keyPositions, scalarText, tagsOf, toBoolKeyword, varsOf } from './inherit.js';
import { checkNotifies, hasDynamicRole, indexHandlers } from './notify-check.js';
import { checkTemplateFiles } from './template-files.js';
import { BUILTIN_ROLES_DIR, findRoleDir, readRole, type RoleFiles } from './roles.js';
import { playbookSchema, ROLE_ENTRY_KEYWORDS, tasksFileSchema } from './schema.js';
import { parseNodes, type NodeLoader, type RoleImport } from './task.js';
import {
  allTasks,
  handlerNodes,
  plainTaskFields,
  type Handler,
  type ImportLink,
  type RoleArgumentSpec,
  type Inherited,
  type Play,
  type Playbook,
  type Role,
  type Task,
  type TaskContext,
  type TaskNode,
} from './types.js';

export { BUILTIN_ROLES_DIR, findRoleDir } from './roles.js';

/** What loading needs from the caller. */
export interface LoadOptions {
  engine: TemplateEngine;
  /** Extra vars, for templated `vars_files` paths. */
  extraVars?: Record<string, unknown>;
  /** Folders searched for roles after the playbook's own `roles/` (default: the built-in roles). */
  rolesPath?: string[];
}

/** What an include resolved at run time brings: its tasks, and handlers (include_role). */
export interface Included {
  nodes: TaskNode[];
  handlers: Handler[];
  roles: Role[];
}

/** Load, validate and type one playbook file (and the playbooks it imports). */
export async function loadPlaybook(file: string, opts: LoadOptions): Promise<Playbook> {
  const loader = new PlaybookLoader(opts);
  return loader.playbook(path.resolve(file), []);
}

/** Loads plays, task files and roles; one per run, so ids are unique and files are read once. */
export class PlaybookLoader implements NodeLoader {
  readonly engine: TemplateEngine;
  private id = 0;
  private readonly rolesPath: string[];
  private readonly roleCache = new Map<string, Promise<RoleFiles>>();
  /** The play being built (roles applied, handlers collected). */
  private play: { handlers: Handler[]; handlerNodes: TaskNode[]; roles: Role[]; applied: Set<string> } | undefined;
  private playbookDir = '';
  /** Every loaded playbook's `library/`, in load order: Ansible adds each playbook's plugin folders for the run. */
  private readonly libraries: string[] = [];

  constructor(private readonly opts: LoadOptions) {
    this.engine = opts.engine;
    this.rolesPath = opts.rolesPath ?? [BUILTIN_ROLES_DIR];
  }

  libraryDirs(): readonly string[] {
    return this.libraries;
  }

  nextId(): number {
    return ++this.id;
  }

  /** Load a playbook file; `chain` (the import_playbook entries that led here) guards against import cycles. */
  async playbook(file: string, chain: readonly ImportLink[], from?: SourcePos): Promise<Playbook> {
    const links = enterLink(chain, importLink(file, from, 'imports'), path.dirname(chain[0]?.file ?? file));
    const yaml = await loadYamlFile(file, from);
    const dir = path.dirname(file);
    const library = path.join(dir, 'library');
    if (!this.libraries.includes(library)) this.libraries.push(library);
    if (yaml.value === null || yaml.value === undefined) {
      throw new BosunError('SCHEMA', 'the playbook is empty: expected a list of plays', {
        source: { file, line: 1, col: 1 },
      });
    }
    // `ansible.builtin.import_playbook` (kubespray's cluster.yml) is import_playbook.
    if (Array.isArray(yaml.value)) {
      for (const entry of yaml.value as unknown[]) {
        if (typeof entry !== 'object' || entry === null) continue;
        const e = entry as Record<string, unknown>;
        const fq = ['ansible.builtin.import_playbook', 'ansible.legacy.import_playbook'].find((k) => k in e);
        if (fq !== undefined && e['import_playbook'] === undefined) {
          const { [fq]: target, ...rest } = e;
          for (const k of Object.keys(e)) Reflect.deleteProperty(e, k);
          Object.assign(e, { import_playbook: target }, rest);
        }
      }
    }
    validateOrThrow(playbookSchema, yaml.value, { yaml, what: 'playbook' });
    const raw = yaml.value as Array<Record<string, unknown>>;
    const plays: Play[] = [];
    for (let i = 0; i < raw.length; i++) {
      const entry = raw[i]!;
      if (entry['import_playbook'] !== undefined) {
        const [extra] = Object.keys(entry).filter(
          (k) => !['import_playbook', 'name', 'vars', 'when', 'tags'].includes(k),
        );
        if (extra !== undefined)
          throw new BosunError('SCHEMA', `'${extra}' is not allowed beside import_playbook`, {
            source: yaml.keyPosOf([i, extra]),
          });
        const target = path.resolve(dir, scalarText(entry['import_playbook']));
        const imported = await this.playbook(target, links, yaml.posOf([i, 'import_playbook']));
        plays.push(...imported.plays);
        continue;
      }
      if (entry['hosts'] === undefined) {
        throw new BosunError('SCHEMA', "play is missing the required key 'hosts'", { source: yaml.posOf([i]) });
      }
      this.playbookDir = dir;
      plays.push(await this.loadPlay(entry, i, yaml, dir, links));
    }
    return { file, dir, plays, yaml };
  }

  private async loadPlay(
    raw: Record<string, unknown>,
    index: number,
    yaml: YamlFile,
    dir: string,
    imports: readonly ImportLink[],
  ): Promise<Play> {
    const source = yaml.posOf([index]);
    const hosts = Array.isArray(raw['hosts']) ? (raw['hosts'] as string[]).join(':') : String(raw['hosts']);
    const name = typeof raw['name'] === 'string' ? raw['name'] : hosts;
    const { values: playVars, positions: playVarPositions } = varsOf(raw['vars'], yaml, [index, 'vars']);
    const vars: VarLayer = {
      level: 'play_vars',
      source: `play "${name}" vars`,
      values: playVars,
      positions: playVarPositions,
    };
    const varsFiles = await this.loadVarsFiles(raw['vars_files'], [index, 'vars_files'], playVars, yaml, dir);
    const context: TaskContext = { playbookDir: dir, fileDir: dir, imports };
    // Play-level keywords pass down to every task; play vars have their own layer.
    const inherited = inherit(emptyInherited(), {
      raw: { ...raw, vars: undefined },
      yaml,
      path: [index],
      engine: this.engine,
      varsLevel: 'play_vars',
      label: '',
    });
    this.play = { handlers: [], handlerNodes: [], roles: [], applied: new Set() };
    const list = async (key: string): Promise<TaskNode[]> =>
      Array.isArray(raw[key])
        ? parseNodes(raw[key] as unknown[], { yaml, path: [index, key], context, loader: this }, inherited)
        : [];
    const preTasks = await list('pre_tasks');
    const roleNodes: TaskNode[] = [];
    const refs = (raw['roles'] ?? []) as Array<string | Record<string, unknown>>;
    for (let ri = 0; ri < refs.length; ri++) {
      roleNodes.push(...(await this.applyRoleRef(refs[ri]!, yaml, [index, 'roles', ri], context, inherited)));
    }
    const tasks = await list('tasks');
    const postTasks = await list('post_tasks');
    const playHandlerNodes = Array.isArray(raw['handlers'])
      ? await parseNodes(
          raw['handlers'] as unknown[],
          { yaml, path: [index, 'handlers'], context, loader: this, handlers: true },
          inherited,
        )
      : [];
    const playHandlers = handlerNodes(playHandlerNodes);
    const everyHandlerNode = [...playHandlerNodes, ...this.play.handlerNodes];
    const allNodes = [...preTasks, ...roleNodes, ...tasks, ...postTasks];
    checkTemplateFiles(allTasks([...allNodes, ...everyHandlerNode]), this.engine);
    checkNotifies(
      allNodes,
      [...allTasks(everyHandlerNode)],
      indexHandlers(everyHandlerNode),
      hasDynamicRole([...allNodes, ...everyHandlerNode]),
    );
    const serial = raw['serial'] === undefined ? [] : ([raw['serial']].flat() as Array<number | string>);
    const bool = (key: string, dflt: boolean): boolean =>
      raw[key] === undefined ? dflt : toBoolKeyword(raw[key], yaml.posOf([index, key]));
    const maxFail = raw['max_fail_percentage'];
    const play: Play = {
      name,
      hosts,
      hostsSource: yaml.posOf([index, 'hosts']),
      vars,
      varsFiles,
      gatherFacts: raw['gather_facts'] === undefined ? undefined : bool('gather_facts', true),
      gatherSubset:
        raw['gather_subset'] === undefined
          ? undefined
          : [raw['gather_subset']]
              .flat()
              .flatMap((s) => scalarText(s).split(','))
              .map((s) => s.trim())
              .filter(Boolean),
      gatherTimeout: raw['gather_timeout'] as number | string | undefined,
      keywords: inherited,
      sections: { preTasks, roles: roleNodes, tasks, postTasks },
      handlers: [...playHandlers, ...this.play.handlers],
      roles: this.play.roles,
      serial,
      strategy: (raw['strategy'] as string | undefined) ?? 'linear',
      order: (raw['order'] as Play['order'] | undefined) ?? 'inventory',
      maxFailPercentage: maxFail === undefined ? undefined : Number(maxFail),
      // A template (`"{{ any_errors_fatal | default(true) }}"`, kubespray) is in keywords.keywordTemplates, rendered
      // when a failure is judged.
      anyErrorsFatal:
        typeof raw['any_errors_fatal'] === 'string' && raw['any_errors_fatal'].includes('{{')
          ? false
          : bool('any_errors_fatal', false),
      forceHandlers: raw['force_handlers'] === undefined ? undefined : bool('force_handlers', false),
      tags: tagsOf(raw['tags']),
      source,
    };
    this.play = undefined;
    return play;
  }

  /** One entry of `roles:` (or of a role's `dependencies:`): the role (after its dependencies), with what the entry passes down. */
  private async applyRoleRef(
    ref: string | Record<string, unknown>,
    yaml: YamlFile,
    at: ValuePath,
    context: TaskContext,
    inherited: Inherited,
    how: ImportLink['how'] = 'imports',
    basedir?: string,
  ): Promise<TaskNode[]> {
    const name = typeof ref === 'string' ? ref : scalarText(ref['role'] ?? ref['name'] ?? '');
    const spec = typeof ref === 'string' ? {} : ref;
    const { role: _r, name: _n, vars, ...rest } = spec;
    const keywordNames = ROLE_ENTRY_KEYWORDS;
    const roleVars = varsOf(vars, yaml, [...at, 'vars']);
    const params: Record<string, unknown> = {
      ...Object.fromEntries(Object.entries(rest).filter(([k]) => !keywordNames.has(k))),
      ...roleVars.values,
    };
    const keywords = Object.fromEntries(Object.entries(rest).filter(([k]) => keywordNames.has(k)));
    const passDown = inherit(inherited, {
      raw: keywords,
      yaml,
      path: at,
      engine: this.engine,
      varsLevel: 'block_vars',
      label: '',
    });
    return this.applyRole(
      { name, params, ...(basedir ? { basedir } : {}) },
      yaml.posOf(at),
      context,
      passDown,
      new Map([...keyPositions(params, yaml, at), ...roleVars.positions]),
      how,
    );
  }

  /** Apply a role in the current play: dependencies first, argument-spec check, tasks; handlers collected. */
  private async applyRole(
    ref: RoleImport,
    from: SourcePos,
    context: TaskContext,
    inherited: Inherited,
    positions?: Map<string, SourcePos>,
    how: ImportLink['how'] = 'imports',
  ): Promise<TaskNode[]> {
    const files = await this.readRoleCached(ref, from);
    // A role in a cycle (its tasks import it again, or dependencies in a circle) is an error before the once-per-play rule could hide it.
    const tasksFile = files.tasks?.file ?? path.join(files.role.dir, 'tasks', `${ref.tasksFrom ?? 'main'}.yml`);
    const imports = enterLink(
      context.imports ?? [],
      importLink(tasksFile, from, how, files.role.name),
      context.playbookDir,
    );
    const play = this.play;
    const key = `${files.role.dir}|${ref.tasksFrom ?? ''}|${JSON.stringify(ref.params)}`;
    if (play) {
      if (play.applied.has(key) && !files.meta.allowDuplicates) return [];
      play.applied.add(key);
    }
    const nodes: TaskNode[] = [];
    for (let d = 0; d < files.meta.dependencies.length; d++) {
      const dep = files.meta.dependencies[d] as string | Record<string, unknown>;
      nodes.push(
        ...(await this.applyRoleRef(
          dep,
          files.meta.yaml!,
          ['dependencies', d],
          { ...context, imports },
          inherited,
          'depends on',
          path.dirname(files.role.dir),
        )),
      );
    }
    const role = files.role;
    if (play && !play.roles.includes(role)) play.roles.push(role);
    const params: VarLayer = {
      level: 'include_params',
      source: `role ${role.name} parameters`,
      values: ref.params,
      ...(positions ? { positions } : {}),
    };
    const ctx: TaskContext = {
      role,
      params,
      playbookDir: context.playbookDir,
      fileDir: path.join(role.dir, 'tasks'),
      imports,
    };
    const spec = role.argumentSpecs.get(ref.tasksFrom ?? 'main');
    if (spec) nodes.push(this.argumentSpecTask(role, ref.tasksFrom ?? 'main', spec, ctx, inherited));
    if (files.tasks) {
      nodes.push(
        ...(await parseNodes(
          files.tasks.value as unknown[],
          { yaml: files.tasks, path: [], context: ctx, loader: this },
          inherited,
        )),
      );
    }
    if (files.handlers && play) {
      // An import_role's `notify` is for the role's tasks, not its handlers.
      const handlers = await parseNodes(
        files.handlers.value as unknown[],
        // A handler's import_tasks / include_tasks is found beside the handlers file first (kubespray's etcd role).
        {
          yaml: files.handlers,
          path: [],
          context: { ...ctx, fileDir: path.dirname(files.handlers.file) },
          loader: this,
          handlers: true,
        },
        { ...inherited, notify: undefined, notifySources: [] },
      );
      play.handlers.push(...handlerNodes(handlers));
      play.handlerNodes.push(...handlers);
    }
    return nodes;
  }

  /** The task that checks a role's variables against its argument spec before the role runs. */
  private argumentSpecTask(
    role: Role,
    entry: string,
    spec: RoleArgumentSpec,
    context: TaskContext,
    inherited: Inherited,
  ): Task {
    const { options, source } = spec;
    // Ansible's name for it: the entry point quoted, then the spec's short_description.
    const name = `Validating arguments against arg spec '${entry}'${spec.shortDescription !== undefined ? ` - ${spec.shortDescription}` : ''}`;
    return {
      ...inherited,
      kind: 'task',
      id: this.nextId(),
      name,
      module: 'validate_argument_spec',
      // provided_arguments are rendered like any argument, so templated role variables are checked by their values.
      args: {
        argument_spec: options,
        provided_arguments: Object.fromEntries(Object.keys(options).map((k) => [k, `{{ default ${k} null }}`])),
      },
      argPos: () => source,
      ...plainTaskFields(),
      source,
      context: { ...context, role },
      tags: [...new Set([...inherited.tags, 'always'])],
    };
  }

  private readRoleCached(ref: RoleImport, from: SourcePos): Promise<RoleFiles> {
    const pick = { tasks: ref.tasksFrom, vars: ref.varsFrom, defaults: ref.defaultsFrom, handlers: ref.handlersFrom };
    // By the folder found, so that a role reached by two names (a dependency found beside its parent) is one role.
    const dir = findRoleDir(ref.name, this.playbookDir, this.rolesPath, ref.basedir);
    const key = `${dir ?? ref.name}|${JSON.stringify(pick)}`;
    let p = this.roleCache.get(key);
    if (!p) {
      p = readRole(
        ref.name,
        from,
        this.playbookDir,
        this.rolesPath,
        Object.fromEntries(Object.entries(pick).filter(([, v]) => v !== undefined)),
        ref.basedir,
      );
      this.roleCache.set(key, p);
    }
    return p;
  }

  async importTasks(
    file: string,
    from: SourcePos,
    ctx: TaskContext,
    inherited: Inherited,
    handlers = false,
  ): Promise<TaskNode[]> {
    return this.taskFile(file, from, ctx, inherited, 'imports', handlers);
  }

  /** The tasks of a file, imported (at load time) or included (at run time). */
  private async taskFile(
    file: string,
    from: SourcePos,
    ctx: TaskContext,
    inherited: Inherited,
    how: ImportLink['how'],
    handlers = false,
  ): Promise<TaskNode[]> {
    const abs = this.taskFilePath(file, ctx);
    const imports = enterLink(ctx.imports ?? [], importLink(abs, from, how), ctx.playbookDir);
    const yaml = await loadYamlFile(abs, from);
    if (yaml.value === null || yaml.value === undefined) return [];
    validateOrThrow(tasksFileSchema, yaml.value, { yaml, what: 'task list' });
    return parseNodes(
      yaml.value as unknown[],
      // Tasks a handlers file imports are handlers (they may `listen`).
      {
        yaml,
        path: [],
        context: { ...ctx, fileDir: path.dirname(abs), imports },
        loader: this,
        ...(handlers ? { handlers } : {}),
      },
      inherited,
    );
  }

  async importRole(ref: RoleImport, from: SourcePos, ctx: TaskContext, inherited: Inherited): Promise<TaskNode[]> {
    return this.applyRole(ref, from, ctx, inherited);
  }

  /**
   * include_tasks / include_role at run time: the same parsing, outside any
   * play build. `ctx` is the including file's, with the chain that led to it:
   * includes nest at most MAX_INCLUDE_DEPTH deep.
   */
  async include(
    what: 'tasks' | 'role',
    target: string,
    from: SourcePos,
    ctx: TaskContext,
    inherited: Inherited,
    pick: Omit<RoleImport, 'name' | 'params'>,
    params: Record<string, unknown>,
  ): Promise<Included> {
    if (what === 'tasks') {
      const nodes = await this.taskFile(target, from, ctx, inherited, 'includes');
      // Before any of the included tasks runs, as for the play's own tasks.
      checkTemplateFiles(allTasks(nodes), this.engine);
      return { nodes, handlers: [], roles: [] };
    }
    const saved = this.play;
    this.play = { handlers: [], handlerNodes: [], roles: [], applied: new Set() };
    try {
      const nodes = await this.applyRole(
        { name: target, params, ...pick },
        from,
        ctx,
        inherited,
        undefined,
        'includes',
      );
      checkTemplateFiles(allTasks([...nodes, ...this.play.handlers]), this.engine);
      return { nodes, handlers: this.play.handlers, roles: this.play.roles };
    } finally {
      this.play = saved;
    }
  }

  /**
   * The include_tasks file as ansible-playbook names it on its `included:` line (IncludedFile's _filename): inside
   * a role, the role's tasks folder joined with the path as written, not normalised
   * (`ROLE/tasks/../../other/tasks/x.yml`, path_dwim_relative's first candidate) when that file exists; otherwise
   * (a playbook's include, an absolute path, a file found elsewhere) the normalised absolute path bosun loads.
   * Not followed: Ansible's unnormalised join for an include nested in another include outside a role.
   */
  includedName(file: string, ctx: TaskContext): string {
    if (ctx.role && !path.isAbsolute(file) && !file.startsWith('~')) {
      const joined = `${ctx.role.dir.replace(/\/+$/, '')}/tasks/${file}`;
      if (existsSyncSafe(joined)) return joined;
    }
    return path.resolve(this.taskFilePath(file, ctx));
  }

  /** A task file path: absolute, or relative to the including file's folder (a role's tasks/), then the playbook's. */
  private taskFilePath(file: string, ctx: TaskContext): string {
    if (path.isAbsolute(file)) return file;
    const candidates = [
      path.resolve(ctx.fileDir, file),
      ...(ctx.role ? [path.resolve(ctx.role.dir, 'tasks', file)] : []),
      path.resolve(ctx.playbookDir, file),
    ];
    return candidates.find((c) => existsSyncSafe(c)) ?? candidates[0]!;
  }

  private async loadVarsFiles(
    value: unknown,
    at: ValuePath,
    playVars: Record<string, unknown>,
    yaml: YamlFile,
    dir: string,
  ): Promise<VarLayer[]> {
    if (value === undefined) return [];
    const list = Array.isArray(value) ? (value as string[]) : [value as string];
    const layers: VarLayer[] = [];
    for (let i = 0; i < list.length; i++) {
      const pos = yaml.posOf(Array.isArray(value) ? [...at, i] : at);
      let rel = list[i]!;
      if (hasTemplate(rel)) rel = String(this.engine.renderString(rel, { ...playVars, ...this.opts.extraVars }, pos));
      const file = path.resolve(dir, rel);
      const y = await loadYamlFile(file, pos);
      if (y.value === null || y.value === undefined) continue;
      if (typeof y.value !== 'object' || Array.isArray(y.value)) {
        throw new BosunError('SCHEMA', 'a vars file must be a mapping of variable names to values', {
          source: y.posOf([]),
        });
      }
      const values = y.value as Record<string, unknown>;
      layers.push({ level: 'play_vars_files', source: file, values, positions: keyPositions(values, y, []) });
    }
    return layers;
  }
}

function existsSyncSafe(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
