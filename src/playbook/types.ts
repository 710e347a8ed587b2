/**
 * The typed playbook model the executor runs: plays made of task trees
 * (tasks, blocks with rescue/always, dynamic includes), roles and handlers,
 * each node with its source position. Keywords that blocks, roles and
 * imports pass down (when, tags, vars, become, environment, ...) are already
 * merged into each task at load time.
 */
import type { SourcePos } from '../errors.js';
import type { VarLayer } from '../vars/scope.js';
import type { YamlFile } from '../util/yaml.js';
import type { LoopSpec } from './loop-lookups.js';

/** A role as loaded from its folder. */
export interface Role {
  name: string;
  dir: string;
  /** `defaults/main.yml` (level role_defaults). */
  defaults: VarLayer;
  /** `vars/main.yml` (level role_vars). */
  vars: VarLayer;
  /** `meta/argument_specs.yml` entry points (main, or a tasks_from name) -> their options, in Ansible's format. */
  argumentSpecs: Map<string, RoleArgumentSpec>;
}

/** One entry point of a role's `meta/argument_specs.yml`. */
export interface RoleArgumentSpec {
  options: Record<string, unknown>;
  /** `short_description`: it ends the validation task's name, as in Ansible. */
  shortDescription?: string;
  source: SourcePos;
}

/** Where a task's files and templates are looked up, and what role it belongs to. */
export interface TaskContext {
  role?: Role;
  /** Parameters given where the role is applied (`roles: [{role: x, foo: 1}]`), level include_params. */
  params?: VarLayer;
  /** Folder of the playbook (for `files/`, `templates/` and relative paths). */
  playbookDir: string;
  /** Folder of the file the task was written in (for include_tasks relative paths). */
  fileDir: string;
  /** The chain of imports and includes that led to that file, outermost first (cycles and include depth are checked on it). */
  imports?: readonly ImportLink[];
}

/** One step of a chain of imports: a file (or a role's task file) and the import, include or dependency that read it. */
export interface ImportLink {
  /** The file's real path: the same file reached by two paths is one step. */
  key: string;
  /** The file as given (absolute), for messages. */
  file: string;
  /** The role whose task file it is. */
  role?: string;
  /** Where the import or include is; undefined for the playbook the run started from. */
  from: SourcePos | undefined;
  /** How it was read: statically ('imports', 'depends on') or at run time ('includes'). */
  how: 'imports' | 'includes' | 'depends on';
}

/** A condition as written, with its position. */
export interface Condition {
  expr: string;
  source: SourcePos;
}

/** `loop_control`. */
export interface LoopControl {
  loopVar: string;
  indexVar: string | undefined;
  label: string | undefined;
  pauseSeconds: number;
  extended: boolean;
}

/** The keywords that may be templates, rendered per host, by their field name (booleans, and timeout). */
export type TemplatedKeyword =
  | 'become'
  | 'ignoreErrors'
  | 'ignoreUnreachable'
  | 'checkMode'
  | 'diff'
  | 'noLog'
  | 'anyErrorsFatal'
  | 'timeout'
  | 'throttle';

/** Keywords every task node carries (inherited from blocks, roles, imports and the play). */
export interface Inherited {
  /** Conditions, all must hold (inherited ones first). */
  when: Condition[];
  /** Variables layers from enclosing blocks and the task itself (block_vars / task_vars). */
  varLayers: VarLayer[];
  tags: string[];
  become: boolean | undefined;
  becomeUser: string | undefined;
  becomeMethod: string | undefined;
  /** `remote_user`: the login user where no `ansible_user` variable names one. */
  remoteUser: string | undefined;
  /** `connection`: the connection type (`ssh`, `local`) where no `ansible_connection` variable names one. */
  connection: string | undefined;
  /** Environment for commands (later keys win), values may be templates. */
  environment: Record<string, unknown>;
  ignoreErrors: boolean | undefined;
  ignoreUnreachable: boolean | undefined;
  checkMode: boolean | undefined;
  diff: boolean | undefined;
  noLog: boolean | undefined;
  anyErrorsFatal: boolean | undefined;
  delegateTo: string | undefined;
  /** `delegate_facts`: facts a delegated task returns go to the delegate, not the host it ran for. */
  delegateFacts: boolean | undefined;
  /** `run_once`: a boolean, or a template rendered when the task starts. */
  runOnce: boolean | string;
  /**
   * Boolean keywords written as templates (`no_log: "{{ not show_logs }}"`, `become: "{{ use_sudo }}"`), rendered with
   * each host's variables when the task runs there; their boolean field is undefined until then.
   */
  keywordTemplates: Partial<Record<TemplatedKeyword, string>>;
  throttle: number | undefined;
  /** `timeout`: seconds the task may take on a host before it fails. */
  timeout: number | undefined;
  /** `notify` of the innermost block or import that sets it (a task's own `notify` replaces it, as in Ansible). */
  notify: string[] | undefined;
  /** Where each `notify` entry was written (parallel to `notify`), for the load-time handler check. */
  notifySources: SourcePos[];
}

/** One task, ready to run: which module with which raw (untemplated) arguments. */
export interface Task extends Inherited {
  kind: 'task';
  /** Unique in the run: handlers, --start-at-task and events refer to it. */
  id: number;
  /** The `name:` as written (may contain templates), or undefined. */
  name: string | undefined;
  module: string;
  /** The module or include key as written when it is a longer name (`ansible.builtin.copy`): an unnamed task's title, as in Ansible. */
  action?: string;
  /** Module arguments before templating (free-form and `args:` merged). */
  args: Record<string, unknown>;
  /** Position of an argument's value, for errors (path relative to the args). */
  argPos: (path: ReadonlyArray<string | number>) => SourcePos;
  register: string | undefined;
  /** The `loop:`/`with_*:` value and how it becomes items (`expandLoopItems` after rendering). */
  loop: LoopSpec | undefined;
  loopControl: LoopControl | undefined;
  changedWhen: Condition[] | undefined;
  failedWhen: Condition[] | undefined;
  until: Condition[] | undefined;
  /** `retries` / `delay`: numbers, or templates rendered per host when the task runs. */
  retries: number | string;
  delaySeconds: number | string;
  /** `async`: seconds the module may run in the background on the target (0: not async); a template is rendered per host. */
  asyncSeconds: number | string;
  /** `poll`: seconds between looks at an async job (0: fire and forget); a template is rendered per host. */
  pollSeconds: number | string;
  /** Handlers to notify when the task changes: its own `notify`, else the enclosing block's or import's. */
  notify: string[];
  /** Handler topics (`listen:`); only on handlers. */
  listen: string[];
  source: SourcePos;
  context: TaskContext;
}

/** `block` with `rescue` and `always`. */
export interface Block {
  kind: 'block';
  id: number;
  name: string | undefined;
  block: TaskNode[];
  rescue: TaskNode[];
  always: TaskNode[];
  source: SourcePos;
}

/** `include_tasks` / `include_role`: resolved per host at run time. */
export interface Include extends Inherited {
  kind: 'include';
  id: number;
  name: string | undefined;
  /** The module or include key as written when it is a longer name (`ansible.builtin.copy`): an unnamed task's title, as in Ansible. */
  action?: string;
  what: 'tasks' | 'role';
  /** The file (include_tasks) or role name (include_role), may be a template. */
  target: string;
  /** include_role: `tasks_from`, `vars_from`, `defaults_from`, `handlers_from`. */
  from: { tasks?: string; vars?: string; defaults?: string; handlers?: string };
  /** Variables passed to the included tasks (include_params). */
  params: VarLayer | undefined;
  loop: Task['loop'];
  loopControl: LoopControl | undefined;
  /** Handler topics (`listen:`), when the include is a handler. */
  listen: string[];
  /** What the included tasks inherit: the enclosing keywords (plus `apply:`), not the include's own. */
  childInherited: Inherited;
  source: SourcePos;
  context: TaskContext;
}

/** A handler: a task, or an include whose tasks run when it is notified. */
export type Handler = Task | Include;

/** Any node of a task list. */
export type TaskNode = Task | Block | Include;

/** One play. */
export interface Play {
  name: string;
  /** Host pattern(s), joined with ':' when a list was given. */
  hosts: string;
  hostsSource: SourcePos;
  vars: VarLayer;
  varsFiles: VarLayer[];
  /** `gather_facts`; undefined when the play does not say (then ansible.cfg's `gathering` decides; gathered by default). */
  gatherFacts: boolean | undefined;
  /** `gather_subset` / `gather_timeout` of the implicit fact gathering. */
  gatherSubset: string[] | undefined;
  gatherTimeout: number | string | undefined;
  /** The play's own keywords (become, environment, remote_user, ...), for the implicit fact gathering. */
  keywords: Inherited;
  /** Four sections, run in order; handlers are flushed after each. */
  sections: { preTasks: TaskNode[]; roles: TaskNode[]; tasks: TaskNode[]; postTasks: TaskNode[] };
  /** Play handlers then role handlers, in definition order (a handler may be an include_tasks). */
  handlers: Handler[];
  roles: Role[];
  /** `serial`: batch sizes (numbers or "N%"), the last one repeats; empty = all hosts at once. */
  serial: Array<number | string>;
  /** `linear` or `free`, or a template rendered when the play starts. */
  strategy: string;
  order: 'inventory' | 'reverse_inventory' | 'sorted' | 'reverse_sorted' | 'shuffle';
  maxFailPercentage: number | undefined;
  anyErrorsFatal: boolean;
  /** `force_handlers` of the play; undefined: --force-handlers decides. */
  forceHandlers: boolean | undefined;
  tags: string[];
  source: SourcePos;
}

/** A loaded, validated playbook file (import_playbook already spliced in). */
export interface Playbook {
  file: string;
  dir: string;
  plays: Play[];
  yaml: YamlFile;
}

/** The handlers of a handler list: tasks and includes, blocks opened. */
export function handlerNodes(nodes: readonly TaskNode[]): Handler[] {
  return nodes.flatMap((n) => (n.kind === 'block' ? handlerNodes([...n.block, ...n.rescue, ...n.always]) : [n]));
}

/** Every Task in a node list, depth first (blocks opened, includes not followed). */
export function* allTasks(nodes: readonly TaskNode[]): Generator<Task> {
  for (const n of nodes) {
    if (n.kind === 'task') yield n;
    else if (n.kind === 'block') {
      yield* allTasks(n.block);
      yield* allTasks(n.rescue);
      yield* allTasks(n.always);
    }
  }
}

/** The fields of a task that a task bosun adds itself (fact gathering, the argument-spec check) leaves at their defaults. */
export function plainTaskFields(): Pick<
  Task,
  | 'register'
  | 'loop'
  | 'loopControl'
  | 'changedWhen'
  | 'failedWhen'
  | 'until'
  | 'retries'
  | 'delaySeconds'
  | 'asyncSeconds'
  | 'pollSeconds'
  | 'notify'
  | 'listen'
> {
  return {
    register: undefined,
    loop: undefined,
    loopControl: undefined,
    changedWhen: undefined,
    failedWhen: undefined,
    until: undefined,
    retries: 0,
    delaySeconds: 0,
    asyncSeconds: 0,
    pollSeconds: 15,
    notify: [],
    listen: [],
  };
}
