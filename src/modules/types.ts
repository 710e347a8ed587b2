/**
 * The shape of a module: an ajv schema for its arguments and a `decide`
 * function that reads the target's current state and returns either "no
 * change" (with a reason) or a plan: the diff and an `apply` step. The
 * executor runs `apply` unless in check mode, so check mode is the same path
 * minus the apply step and cannot drift.
 */
import type { SourcePos } from '../errors.js';
import type { Connection } from '../connection/types.js';

/** A before/after pair shown with --diff (a file's content, or a state line such as `state: absent`). */
export interface FileDiff {
  /** What the diff is about, printed in the headers: usually the target path. */
  path: string;
  before: string;
  after: string;
  /** Optional header labels (default `before: PATH` / `after: PATH`). */
  beforeHeader?: string;
  afterHeader?: string;
}

/** Fields a module returns for `register` (stat, dest, cmd, rc, stdout, ...), besides the status keys the executor owns. */
export type ResultData = Record<string, unknown>;

/** What every decision and apply result may carry. */
interface Reported {
  msg?: string;
  /** Fields for `register`, known already at this step (stat results, paths, a command's rc and output). */
  data?: ResultData;
  /** Things the user should know although the task did not fail (registered as Ansible's `warnings`). */
  warnings?: string[];
  /** Variables the module sets on the host (`ansible_facts`: setup's facts, set_fact's variables). */
  facts?: ResultData;
}

/** `apply` made the change. */
export interface Applied extends Reported {
  kind: 'applied';
}

/** `apply` found nothing to change after all (a download whose content equals the file). */
export interface AppliedNoChange extends Reported {
  kind: 'unchanged';
}

/** `apply` failed (a command's non-zero exit, a refused write). */
export interface ApplyFailed extends Reported {
  kind: 'failed';
  msg: string;
  /** Something was changed before the failure (a command that ran and exited non-zero): Ansible registers `changed: true`. */
  changed?: true;
}

/** What `apply` reports after acting. */
export type ApplyResult = Applied | AppliedNoChange | ApplyFailed;

/** The step that performs a planned change; never run in check mode. */
export type Apply = () => Promise<ApplyResult>;

/** Nothing to change: the target is as asked (`msg` says why, e.g. "file is up to date"). */
export interface NoChange extends Reported {
  kind: 'ok';
}

/**
 * The remote command a plan's `apply` runs, in a form the task's `async:` can run in the background on the target
 * instead (src/modules/lib/async-job.ts): given by the modules whose apply is one remote command.
 */
export interface BackgroundCommand {
  /** The sh script that `apply` would run (it sees the task's environment). */
  script: string;
  /** Which builder turns the command's rc and output into the module's result (lib/async-job.ts `BUILDERS`). */
  builder: 'command';
  /** JSON values the builder needs besides the outcome; stored with the job on the target for async_status. */
  recipe: Record<string, unknown>;
  /** What must happen before the script can start (the script module's upload); a failure result stops the task. */
  prepare?: () => Promise<ApplyFailed | undefined>;
}

/** Something differs: `diff` shows what, `apply` does it. Check mode reports `changed` without calling `apply`. */
export interface Change extends Reported {
  kind: 'change';
  diff?: FileDiff[];
  apply: Apply;
  /** The same apply as one remote command, for `async:` (modules with `background: true`). */
  background?: BackgroundCommand;
}

/**
 * The module cannot know whether something would change without doing it (a
 * `command` without `creates`/`removes`): check mode reports the task
 * `skipped` with `reason`, as Ansible does; the real run calls `apply`, whose
 * result decides.
 */
export interface Unpredictable extends Reported {
  kind: 'unpredictable';
  /** Why check mode cannot predict ("Command would have run if not in check mode"). */
  reason: string;
  diff?: FileDiff[];
  apply: Apply;
  /** The same apply as one remote command, for `async:` (modules with `background: true`). */
  background?: BackgroundCommand;
}

/** The module decided the task fails (assert, a missing src, ...). */
export interface Fail extends Reported {
  kind: 'fail';
  msg: string;
}

/** The module decided the task does not apply (debug under its verbosity). A command whose `creates` exists is `ok`, not this. */
export interface Skip extends Reported {
  kind: 'skip';
  msg: string;
}

/** The outcome of `decide`: the module's truthful prediction, discriminated on `kind`. */
export type Decision = NoChange | Change | Unpredictable | Fail | Skip;

/** The decisions that carry an `apply` step. */
export type Plan = Change | Unpredictable;

/** Everything a module may use while deciding and acting on one host. */
/** The template module's settings for one file. */
export interface RenderFileOptions {
  trimBlocks?: boolean;
  lstripBlocks?: boolean;
  newline?: string;
  /** Variables only this rendering sees (template_path, ansible_managed, ...). */
  extra?: Record<string, unknown>;
}

export interface ModuleContext {
  /** Inventory name of the host. */
  host: string;
  conn: Connection;
  check: boolean;
  diff: boolean;
  /** The host's variables at this task (already merged by precedence). */
  vars: Readonly<Record<string, unknown>>;
  /** Where the task is written. */
  source: SourcePos;
  /** Find a controller-side file for `src:` (role `files/` or `templates/` first, then the playbook's, then as a path). */
  findFile(kind: 'files' | 'templates', name: string): Promise<string>;
  /**
   * Render a template file's text with the host's variables (and `extra`, the template module's own variables); errors
   * point into `file`. Jinja2 files take the template module's settings and find included templates on Ansible's
   * search path.
   */
  renderTemplate(text: string, file: string, options?: RenderFileOptions): string;
  /** Evaluate a condition expression without braces (assert `that`). */
  evaluate(expr: string): unknown;
  /** Truthiness rules shared by `when`, `assert` and the rest. */
  isTruthy(value: unknown): boolean;
  /** Report progress of a long step (a download's bytes); the executor throttles it into `progress` events. */
  progress?(p: { current: number; total?: number; unit: 'bytes' | 'items'; message?: string }): void;
  /** The run's -v level (debug's `verbosity`); absent means 0. */
  verbosity?: number;
  /** Where the task is written, for modules that read controller files by Ansible's search rules (include_vars). */
  searchPaths?: SearchPaths;
  /** The run's in-memory inventory, for the modules that change it (add_host, group_by); the executor's. */
  inventory?: RunInventory;
}

/** Changes to the run's inventory, in Ansible's terms; each says whether anything changed. */
export interface RunInventory {
  /** add_host: add the host or combine `vars` into its own, and put it into `groups`. */
  addHost(name: string, groups: string[], vars: Record<string, unknown>): Promise<boolean>;
  /** group_by: put the task's host into `group`, a child of each of `parents`. */
  addToGroup(group: string, parents: string[]): Promise<boolean>;
}

/** The controller folders a task's relative file names are looked up in. */
export interface SearchPaths {
  /** The folder of the task's role, when it is in one. */
  roleDir?: string;
  /** The folder of the file the task is written in. */
  fileDir: string;
  /** The playbook's folder. */
  playbookDir: string;
}

/** A module definition: one file under src/modules/, listed in the registry. */
export interface ModuleDef<A = Record<string, unknown>> {
  /** Ansible's name for the module (equal to the file name). */
  name: string;
  /** One line of documentation (what it does), plus optional details. */
  docs: { short: string; description?: string };
  /** JSON Schema (ajv, strict) for the arguments after templating. */
  schema: Record<string, unknown>;
  /**
   * Name of the argument that takes the "free form" string (`command: ls -l`
   * -> `{ cmd: 'ls -l' }`). Without it, a string value is parsed as k=v pairs.
   */
  freeForm?: string;
  /** The `key=value` words a free-form string may carry besides the free text (default: command's, `chdir=` ...). */
  freeFormOptions?: readonly string[];
  /** Arguments the executor must not render as templates (assert `that`: they are expressions). */
  rawArgs?: string[];
  /** 'full': decide is exact in check mode; 'partial': some inputs make it `unpredictable`. */
  checkMode: 'full' | 'partial';
  /** Its plans carry a `background` command, so a task may run it with `async:` (checked when the playbook loads). */
  background?: true;
  /** Read the current state and decide. Must not change the target. */
  decide(ctx: ModuleContext, args: A): Promise<Decision>;
}

/** Declare a module (identity function that fixes the types). */
export function defineModule<A>(def: ModuleDef<A>): ModuleDef<A> {
  return def;
}
