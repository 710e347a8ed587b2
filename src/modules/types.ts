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

/** What `apply` reports after acting. */
export interface ApplyResult {
  /** Fields for `register` (rc, stdout, dest, ...). Merged over the decision's data. */
  data?: Record<string, unknown>;
  /** The action ran but failed (a command's non-zero exit, for example). */
  failed?: boolean;
  msg?: string;
  /** Override of the decision's `changed` (command modules always change; others rarely override). */
  changed?: boolean;
}

/** The outcome of `decide`: the module's truthful prediction. */
export interface Decision {
  /** Something would change (and `apply` does it). */
  changed: boolean;
  msg?: string;
  diff?: FileDiff[];
  /** Fields for `register`, known already at decision time (stat results, paths). */
  data?: Record<string, unknown>;
  /** The module decided the task fails (assert, a missing src, ...). */
  failed?: boolean;
  /** The module decided the task does not apply (command with `creates` that exists is `ok`, not this). */
  skipped?: boolean;
  /** Performs the change. Present when `changed` is true; never run in check mode. */
  apply?: () => Promise<ApplyResult>;
  /**
   * In check mode the module cannot predict (command without creates/removes):
   * the task is reported `skipped` with this message, as Ansible does.
   */
  unpredictable?: string;
}

/** Everything a module may use while deciding and acting on one host. */
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
  /** Render a template file's text with the host's variables; errors point into `file`. */
  renderTemplate(text: string, file: string): string;
  /** Evaluate a condition expression without braces (assert `that`). */
  evaluate(expr: string): unknown;
  /** Truthiness rules shared by `when`, `assert` and the rest. */
  isTruthy(value: unknown): boolean;
  /** Report progress of a long step (a download's bytes); the executor throttles it into `progress` events. */
  progress?(p: { current: number; total?: number; unit: 'bytes' | 'items'; message?: string }): void;
  /** The run's -v level (debug's `verbosity`); absent means 0. */
  verbosity?: number;
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
  /** Arguments the executor must not render as templates (assert `that`: they are expressions). */
  rawArgs?: string[];
  /** 'full': decide is exact in check mode; 'partial': some inputs make it `unpredictable`. */
  checkMode: 'full' | 'partial';
  /** Read the current state and decide. Must not change the target. */
  decide(ctx: ModuleContext, args: A): Promise<Decision>;
}

/** Declare a module (identity function that fixes the types). */
export function defineModule<A>(def: ModuleDef<A>): ModuleDef<A> {
  return def;
}
