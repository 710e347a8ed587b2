/**
 * The typed playbook model the executor runs: plays, tasks and the roles
 * they came from, each with its source position.
 */
import type { SourcePos } from '../errors.js';
import type { VarLayer } from '../vars/scope.js';
import type { YamlFile } from '../util/yaml.js';

/** A role as loaded from its folder. */
export interface Role {
  name: string;
  dir: string;
  /** `defaults/main.yml` (level role_defaults). */
  defaults: VarLayer;
  /** `vars/main.yml` (level role_vars). */
  vars: VarLayer;
}

/** Where a task's files and templates are looked up, and what role it belongs to. */
export interface TaskContext {
  role?: Role;
  /** Parameters given where the role is applied (`roles: [{role: x, foo: 1}]`), level include_params. */
  params?: VarLayer;
  /** Folder of the playbook (for `files/`, `templates/` and relative paths). */
  playbookDir: string;
}

/** One task, ready to run: which module with which raw (untemplated) arguments. */
export interface Task {
  /** The `name:` as written (may contain templates), or undefined. */
  name: string | undefined;
  module: string;
  /** Module arguments before templating (free-form and `args:` merged). */
  args: Record<string, unknown>;
  /** Position of an argument's value, for errors (path relative to the args). */
  argPos: (path: ReadonlyArray<string | number>) => SourcePos;
  /** Conditions, all must hold (`when:` as a string or list). */
  when: Array<{ expr: string; source: SourcePos }>;
  register: string | undefined;
  /** The `loop:` value (a list, or a template that renders to one). */
  loop: { value: unknown; source: SourcePos } | undefined;
  vars: VarLayer | undefined;
  changedWhen: Array<{ expr: string; source: SourcePos }> | undefined;
  failedWhen: Array<{ expr: string; source: SourcePos }> | undefined;
  ignoreErrors: boolean;
  noLog: boolean;
  /** `become:` of the task; undefined inherits the play's. */
  become: boolean | undefined;
  becomeUser: string | undefined;
  tags: string[];
  source: SourcePos;
  context: TaskContext;
}

/** One play. */
export interface Play {
  name: string;
  /** Host pattern(s), joined with ':' when a list was given. */
  hosts: string;
  hostsSource: SourcePos;
  vars: VarLayer;
  varsFiles: VarLayer[];
  gatherFacts: boolean;
  become: boolean;
  becomeUser: string | undefined;
  /** pre_tasks, role tasks, tasks, post_tasks, in order. */
  tasks: Task[];
  roles: Role[];
  source: SourcePos;
}

/** A loaded, validated playbook file. */
export interface Playbook {
  file: string;
  dir: string;
  plays: Play[];
  yaml: YamlFile;
}
