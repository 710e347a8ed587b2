/**
 * Runs one task on one host: conditions, loop, argument templating and
 * validation, the module's decide/apply, changed_when/failed_when, and the
 * registered value. Every outcome becomes a TaskResult of one shape.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Connection, ExecOptions, ExecResult, TransferOptions } from '../connection/types.js';
import { batcherOf, mutating, type Participant } from './probe-batch.js';
import { asSpeculation, SpeculationAbort } from '../util/speculation-flag.js';
import { extendVars, isUnsafeKey } from '../util/unsafe.js';
import { BosunError, InterruptedError, OutputLimitError } from '../errors.js';
import { getModule } from '../modules/index.js';
import { controllerFileCandidates } from '../playbook/template-files.js';
import type { Decision, ModuleContext, ModuleDef, RunInventory } from '../modules/types.js';
import { expandLoopItems } from '../playbook/loop-lookups.js';
import type { Task } from '../playbook/types.js';
import { OMIT, type TemplateEngine } from '../template/index.js';
import { loopPosition } from '../util/loop-position.js';
import { validateOrThrow } from '../util/schema.js';
import { shq } from '../util/shell.js';
import { becomeEnabledFromVars, becomeOptionsFromVars } from '../connection/become-options.js';
import type { TaskResult, TaskStatus } from './events.js';
import {
  errorResult as sharedErrorResult,
  errorVerdict,
  taskResult,
  type ResultPlace,
  type ResultTarget,
  type Verdict,
} from './results.js';
import { settle } from './settle.js';
import { ASYNC_CHECK_MODE_MSG, asyncDecision, type AsyncSettings } from './async-task.js';

/** What running a task on a host needs. */
export interface TaskRun {
  task: Task;
  title: string;
  host: string;
  vars: Record<string, unknown>;
  engine: TemplateEngine;
  /** Opens (once) and returns the host's connection; throws ConnectionError. */
  connection: () => Promise<Connection>;
  check: boolean;
  diff: boolean;
  verbosity: number;
  /** `become` of the task (inherited from its play/block); undefined: the host's `ansible_become` decides. */
  become: boolean | undefined;
  /** `become_user` / `become_method` of the task (templates allowed); the host's ansible_become_* otherwise. */
  becomeUser: string | undefined;
  becomeMethod: string | undefined;
  /** --ask-become-pass. */
  becomePassword: string | undefined;
  /** Environment variables for the task's commands (already rendered). */
  environment: Record<string, string>;
  /** The run's inventory, for add_host and group_by. */
  inventory?: RunInventory;
  /** When the task must be done (task `timeout`, or the run's --run-timeout); commands are cut off then. */
  deadline?: number;
  /** Progress of a long step, already throttled by the caller. */
  onProgress?: (p: { current: number; total?: number; unit: 'bytes' | 'items'; message?: string }) => void;
  /** Told before each `until` retry. */
  onRetry?: (retriesLeft: number, result: TaskResult) => void;
  /**
   * A probe of this task is about to take a round trip on `shell`: the speculative decisions of the tasks after it
   * may go with it (src/executor/speculation.ts).
   */
  speculate?: (shell: Connection, run: TaskRun) => void;
  /** The variables of this task's loop items after the one running (speculated with it), made when asked for. */
  itemsAhead?: () => Array<Record<string, unknown>>;
}

/** Run the task (all loop items) on one host. Never throws: failures are results. */
export async function runTask(run: TaskRun): Promise<TaskResult> {
  const started = Date.now();
  if (run.task.timeout !== undefined)
    run.deadline = Math.min(run.deadline ?? Infinity, started + run.task.timeout * 1000);
  const { task } = run;
  try {
    if (!task.loop) return await runOnce(run, run.vars, started, {});
    let items: unknown[];
    try {
      items = expandLoopItems(
        task.loop,
        run.engine.renderDeep(task.loop.value, run.vars, () => task.loop!.source),
        (name, terms) => run.engine.query(name, terms, run.vars),
      );
    } catch (e) {
      // As Ansible: a loop over an undefined variable is an error only when the task's `when` holds.
      const unmet = e instanceof BosunError && e.code === 'UNDEFINED_VAR' ? unmetCondition(run) : undefined;
      if (unmet)
        return taskResult(targetOf(run), { status: 'skipped', skip: { by: 'when', condition: unmet } }, started);
      throw e;
    }
    const lc = task.loopControl;
    const { loopVar, indexVar } = loopVariableNames(lc, run.vars, run.engine, task.source);
    const results: TaskResult[] = [];
    // set_fact in a loop sees the facts of the items before it, as in Ansible.
    let loopBase = run.vars;
    for (let i = 0; i < items.length; i++) {
      if (i > 0 && lc && lc.pauseSeconds > 0) await sleep(lc.pauseSeconds * 1000);
      const item = items[i];
      const itemVars = itemVarsOf(loopBase, items, i, lc, loopVar, indexVar);
      if (run.speculate) {
        const base = loopBase;
        // Made only when a speculation takes them (once per task): building them for every item was quadratic.
        run.itemsAhead = () =>
          items.slice(i + 1).map((_, k) => itemVarsOf(base, items, i + 1 + k, lc, loopVar, indexVar));
      }
      const place: ResultPlace = { item, loop: { loopVar, index: i, ...(indexVar ? { indexVar } : {}) } };
      if (lc?.label !== undefined) {
        try {
          place.label = String(run.engine.renderString(lc.label, itemVars, task.source));
        } catch {
          place.label = lc.label;
        }
      }
      const r = await runOnce(run, itemVars, Date.now(), place);
      results.push(r);
      if (task.module === 'set_fact' && r.status !== 'failed' && r.facts)
        loopBase = extendVars(loopBase, r.facts, true);
      // The items after one whose host is gone, or whose command the run's stop killed, are not run.
      if (r.status === 'unreachable' || (r.status === 'failed' && r.error instanceof InterruptedError)) break;
    }
    return loopResult(run, results, started);
  } catch (e) {
    return errorResult(run, e, started);
  }
}

/** The variables of loop item `i`. */
export function itemVarsOf(
  base: Record<string, unknown>,
  items: unknown[],
  i: number,
  lc: Task['loopControl'],
  loopVar: string,
  indexVar: string | undefined,
): Record<string, unknown> {
  // The items are rendered values (or a target's text): data, as every value stored at run time.
  const loopValues: Record<string, unknown> = { [loopVar]: items[i], ansible_loop_var: loopVar };
  if (indexVar) loopValues[indexVar] = i;
  if (lc?.extended) loopValues['ansible_loop'] = loopInfo(items, i);
  return extendVars(base, loopValues, true);
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `loop_control.loop_var` / `index_var`, rendered for the host when they are templates (as Ansible does). */
export function loopVariableNames(
  lc: Task['loopControl'],
  vars: Record<string, unknown>,
  engine: TemplateEngine,
  source: Task['source'],
): { loopVar: string; indexVar: string | undefined } {
  const name = (value: string | undefined, key: string): string | undefined => {
    if (value === undefined || VARIABLE_NAME.test(value)) return value;
    const rendered = String(engine.renderString(value, vars, source));
    if (!VARIABLE_NAME.test(rendered)) {
      throw new BosunError(
        'SCHEMA',
        `loop_control.${key} must be a variable name, got '${rendered}' (from '${value}')`,
        { source },
      );
    }
    return rendered;
  };
  return { loopVar: name(lc?.loopVar, 'loop_var') ?? 'item', indexVar: name(lc?.indexVar, 'index_var') };
}

/** The first `when` condition that is false without the loop variables; undefined when all hold or one cannot be evaluated. */
function unmetCondition(run: TaskRun): string | undefined {
  try {
    return run.task.when.find((c) => !run.engine.isTruthy(run.engine.evaluate(c.expr, run.vars, c.source)))?.expr;
  } catch {
    // The loop's own error is the one to report (Ansible: "loop error takes precedence").
    return undefined;
  }
}

/** `ansible_loop` of loop_control.extended. */
function loopInfo(items: unknown[], i: number): Record<string, unknown> {
  return { allitems: items, ...loopPosition(items, i) };
}

/** Wait (loop pause, until delay). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The result of a whole loop: the worst item status wins (unreachable, failed), then all-skipped, then changed. */
function loopResult(run: TaskRun, results: TaskResult[], started: number): TaskResult {
  const any = (s: TaskStatus): boolean => results.some((r) => r.status === s);
  const changed = results.some((r) => r.changed);
  const diff = results.flatMap((r) => r.diff);
  const place: ResultPlace = { items: results };
  let verdict: Verdict;
  if (results.length === 0) verdict = { status: 'skipped', skip: { by: 'empty_loop' }, msg: 'No items in the list' };
  else if (any('unreachable'))
    verdict = { status: 'unreachable', msg: results.find((r) => r.status === 'unreachable')!.msg };
  else if (any('failed')) {
    // An item killed because the run stopped makes the loop's failure one too (not hidden by ignore_errors).
    const stopped = results.find((r) => r.status === 'failed' && r.error instanceof InterruptedError)?.error;
    verdict = { status: 'failed', changed, msg: 'One or more items failed', ...(stopped ? { error: stopped } : {}) };
  } else if (results.every((r) => r.status === 'skipped'))
    verdict = { status: 'skipped', skip: { by: 'items' }, msg: 'All items skipped' };
  else verdict = { status: changed ? 'changed' : 'ok', msg: 'All items completed' };
  return taskResult(targetOf(run), { ...verdict, diff }, started, place);
}

/** Which task on which host `run` is, for the shared result builders. */
function targetOf(run: TaskRun): ResultTarget {
  const t = run.task;
  return {
    host: run.host,
    task: run.title,
    module: t.module,
    noLog: t.noLog === true,
    ignoreErrors: t.ignoreErrors === true,
    ignoreUnreachable: t.ignoreUnreachable === true,
  };
}

function errorResult(run: TaskRun, e: unknown, started: number, place: ResultPlace = {}): TaskResult {
  return sharedErrorResult(targetOf(run), e, started, place);
}

/**
 * One run of the module (for one loop item), repeated while `until` does not
 * hold. As in Ansible: `retries: N` allows N + 1 attempts (`retries: 0`, one
 * attempt and no until check); each attempt registers `attempts`, visible to
 * changed_when / failed_when and to `until`; when every attempt failed the
 * task fails with `attempts` registered as N.
 */
async function runOnce(
  run: TaskRun,
  vars: Record<string, unknown>,
  started: number,
  place: ResultPlace,
): Promise<TaskResult> {
  const { task, engine } = run;
  const target = targetOf(run);
  if (!task.until) return taskResult(target, await attempt(run, vars, undefined), started, place);
  const number = (v: number | string, what: string): number => {
    const n = typeof v === 'number' ? v : Number(engine.renderString(v, vars, task.source));
    if (!Number.isFinite(n) || n < 0)
      throw new BosunError('SCHEMA', `${what} must be a number, got '${String(v)}'`, { source: task.source });
    return n;
  };
  let retries: number;
  let delay: number;
  try {
    retries = Math.floor(number(task.retries, 'retries'));
    delay = number(task.delaySeconds, 'delay');
  } catch (e) {
    return errorResult(run, e, started, place);
  }
  const max = retries + 1;
  let last: Verdict | undefined;
  for (let n = 1; n <= max; n++) {
    const v = await attempt(run, vars, n);
    if (v.status === 'unreachable' || v.status === 'skipped') return taskResult(target, v, started, place);
    // The run was stopped: no more attempts.
    if (v.status === 'failed' && v.error instanceof InterruptedError)
      return taskResult(target, v, started, { ...place, attempts: n });
    const result = taskResult(target, v, started, { ...place, attempts: n });
    if (retries === 0) return result;
    const scope = extendVars(vars, task.register ? { [task.register]: result.data } : result.data, true);
    let done: boolean;
    try {
      done = task.until.every((c) => engine.isTruthy(engine.evaluate(c.expr, scope, c.source)));
    } catch (e) {
      return errorResult(run, e, started, { ...place, attempts: n });
    }
    if (done) return result;
    last = v;
    if (n < max) {
      run.onRetry?.(max - n, result);
      await sleep(delay * 1000);
    }
  }
  const v = last!;
  const changed = v.status === 'changed' || (v.status === 'failed' && v.changed);
  const { status: _status, ...rest } = v as Verdict & { skip?: unknown };
  delete rest.skip;
  const msg = v.msg ?? `the 'until' condition was not met after ${max} attempts`;
  const exhausted: Verdict = { ...rest, status: 'failed', changed, msg };
  return taskResult(target, exhausted, started, { ...place, attempts: retries });
}

/** One attempt: `when`, the arguments, the module's decision, settled. Errors become verdicts. */
async function attempt(run: TaskRun, vars: Record<string, unknown>, attempts: number | undefined): Promise<Verdict> {
  const { task, engine } = run;
  try {
    for (const cond of task.when) {
      const holds = engine.isTruthy(engine.evaluate(cond.expr, vars, cond.source));
      if (!holds) return { status: 'skipped', skip: { by: 'when', condition: cond.expr } };
    }
    const def = getModule(task.module)!;
    const args = renderArgs(def, task, vars, engine);
    validateOrThrow(def.schema, args, { source: task.argPos([]), what: `arguments of module '${def.name}'` });
    const ctx = moduleContext(run, vars);
    const settings = asyncSettings(run, vars);
    if (settings && run.check) return { status: 'failed', changed: false, msg: ASYNC_CHECK_MODE_MSG };
    const decided: Decision = await def.decide(ctx, args);
    const decision = settings ? asyncDecision(decided, ctx.conn, settings, sleep) : decided;
    return await finish(run, vars, decision, attempts);
  } catch (e) {
    return errorVerdict(e);
  }
}

/** The task's `async` / `poll` on this host (templates rendered); undefined when it is not async. */
function asyncSettings(run: TaskRun, vars: Record<string, unknown>): AsyncSettings | undefined {
  const { task, engine } = run;
  const number = (v: number | string, what: string): number => {
    const n = typeof v === 'number' ? v : Number(engine.renderString(v, vars, task.source));
    if (!Number.isInteger(n) || n < 0)
      throw new BosunError('SCHEMA', `${what} must be a whole number of seconds, got '${String(v)}'`, {
        source: task.source,
      });
    return n;
  };
  const seconds = number(task.asyncSeconds, 'async');
  return seconds === 0 ? undefined : { seconds, poll: number(task.pollSeconds, 'poll') };
}

function renderArgs(
  def: Pick<ModuleDef<unknown>, 'rawArgs'>,
  task: Task,
  vars: Record<string, unknown>,
  engine: TemplateEngine,
): Record<string, unknown> {
  const raw = new Set(def.rawArgs ?? []);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(task.args)) {
    // An `!unsafe` argument reaches the module as written.
    const rendered =
      raw.has(key) || isUnsafeKey(task.args, key)
        ? value
        : engine.renderDeep(value, vars, (p) => task.argPos([key, ...p]));
    // Ansible's omit: an argument given `omit` is left out (as at any depth below, see renderDeep).
    if (rendered !== OMIT) out[key] = rendered;
  }
  return out;
}

/** Settle the decision with the task's check mode, --diff, changed_when and failed_when. */
function finish(
  run: TaskRun,
  vars: Record<string, unknown>,
  decision: Decision,
  attempts: number | undefined,
): Promise<Verdict> {
  const { task, engine } = run;
  const holds =
    (conds: NonNullable<Task['changedWhen']>) =>
    (registered: Record<string, unknown>): boolean => {
      const scope = extendVars(vars, task.register ? { [task.register]: registered } : registered, true);
      return conds.every((c) => engine.isTruthy(engine.evaluate(c.expr, scope, c.source)));
    };
  return settle(decision, {
    check: run.check,
    diff: run.diff,
    ...(task.changedWhen ? { changedWhen: holds(task.changedWhen) } : {}),
    ...(task.failedWhen ? { failedWhen: holds(task.failedWhen) } : {}),
    ...(attempts !== undefined ? { attempts } : {}),
  });
}

function moduleContext(run: TaskRun, vars: Record<string, unknown>): ModuleContext {
  const { task, engine } = run;
  let conn: Connection | undefined;
  const open = async (): Promise<Connection> => {
    if (conn) return conn;
    const c = await run.connection();
    if (!(run.become ?? becomeEnabledFromVars(vars) ?? false)) return (conn = c);
    // One persistent privileged shell per host and user, opened on first use (src/connection/become.ts).
    const base = becomeOptionsFromVars(
      vars,
      run.becomePassword === undefined ? {} : { askBecomePass: run.becomePassword },
    );
    const user =
      run.becomeUser === undefined ? base.user : String(engine.renderString(run.becomeUser, vars, task.source));
    const method =
      run.becomeMethod === undefined ? base.method : String(engine.renderString(run.becomeMethod, vars, task.source));
    if (method !== 'sudo' && method !== 'su')
      throw new BosunError('BAD_OPTION', `become_method '${method}' is not supported (sudo or su)`, {
        source: task.source,
      });
    if (user === c.spec.user) return (conn = c);
    if (!c.become)
      throw new BosunError('UNSUPPORTED', `this connection cannot become '${user}'`, { source: task.source });
    return (conn = await c.become({ ...base, user, method }));
  };
  const envPrefix = Object.entries(run.environment)
    .map(([k, v]) => `export ${k}=${shq(v)}\n`)
    .join('');
  const withinDeadline = async <T>(op: (c: Connection, opts?: TransferOptions) => Promise<T>): Promise<T> => {
    const c = await open();
    if (run.deadline === undefined) return op(c);
    const left = run.deadline - Date.now();
    if (left <= 0) throw timedOut(run);
    try {
      return await op(c, { timeoutMs: left });
    } catch (e) {
      if (Date.now() >= run.deadline - 20) throw timedOut(run);
      throw e;
    }
  };
  const lazy: Connection = {
    get spec() {
      return conn!.spec;
    },
    connect: async () => {
      await open();
    },
    exec: async (script, callerOpts) => {
      const c = await open();
      // The task's `environment:` is exported before the script: only a subshell keeps it from later tasks.
      const opts = envPrefix && callerOpts?.readOnly ? { ...callerOpts, readOnly: false, probe: true } : callerOpts;
      const text = envPrefix + script;
      // A probe goes through the shell's batcher (with the speculated probes of later tasks); anything else may
      // change a target, and voids every answer kept so far.
      const send = (o: ExecOptions | undefined): Promise<ExecResult> => {
        if (!(o?.readOnly || o?.probe)) return mutating(() => c.exec(text, o));
        const batcher = batcherOf(c);
        if (run.speculate && !batcher.hasKept(text, o)) run.speculate(c, run);
        return batcher.exec(text, o);
      };
      try {
        if (run.deadline === undefined) return await send(opts);
        const left = run.deadline - Date.now();
        if (left <= 0) throw timedOut(run);
        try {
          return await send({ ...opts, timeoutMs: Math.min(left, opts?.timeoutMs ?? left) });
        } catch (e) {
          // The shell session gave up on the command; the next task reconnects.
          if (Date.now() >= run.deadline - 20) throw timedOut(run);
          throw e;
        }
      } catch (e) {
        // Too much output is the task's doing: the error points at it.
        throw e instanceof OutputLimitError ? e.at(task.source) : e;
      }
    },
    // Transfers end at the deadline too (given up, the partial file removed), as commands do.
    writeFile: (p, data, mode) => mutating(() => withinDeadline((c, opts) => c.writeFile(p, data, mode, opts))),
    readFile: (p) => withinDeadline((c, opts) => c.readFile(p, opts)),
    close: async () => {},
    // The next command opens the host's connection (and a privileged shell) again.
    reset: async () => {
      await mutating(() => Promise.resolve());
      conn = undefined;
      // A host that could not be reached has nothing to drop: the next command tries to connect.
      const base = await run.connection().catch(() => undefined);
      await base?.reset?.();
    },
  };
  return {
    host: run.host,
    conn: lazy,
    check: run.check,
    diff: run.diff,
    vars,
    source: task.source,
    // A file that is not found rejects the promise, as from an async function.
    findFile: (kind, name) =>
      new Promise((resolve) => {
        resolve(findControllerFile(task, kind, name));
      }),
    renderTemplate: (text, file, options = {}) => {
      const { extra, ...settings } = options;
      const merged = extra ? { ...vars, ...extra } : vars;
      return engine.renderText(text, merged, file, { ...settings, searchPath: templateSearchPath(task, file) });
    },
    evaluate: (expr) => engine.evaluate(expr, vars, task.source),
    isTruthy: (v) => engine.isTruthy(v),
    verbosity: run.verbosity,
    ...(run.inventory ? { inventory: run.inventory } : {}),
    searchPaths: {
      ...(task.context.role ? { roleDir: task.context.role.dir } : {}),
      fileDir: task.context.fileDir,
      playbookDir: task.context.playbookDir,
    },
    ...(run.onProgress ? { progress: run.onProgress } : {}),
  };
}

function timedOut(run: TaskRun): BosunError {
  const seconds = run.task.timeout;
  return new BosunError(
    'TIMEOUT',
    seconds !== undefined
      ? `the task timed out after ${seconds} s (timeout: ${seconds}); its command was cut off`
      : 'the run timed out (--run-timeout); the command was cut off',
    { source: run.task.source },
  );
}

/**
 * Where a template's `{% include %}` and `{% import %}` look, as Ansible's template action builds it: the role's
 * folder, the playbook's, then the template's own folder, each with its `templates/` first.
 */
export function templateSearchPath(task: Task, file: string): string[] {
  const bases: string[] = [];
  if (task.context.role) bases.push(task.context.role.dir);
  bases.push(task.context.playbookDir, path.dirname(file));
  const out: string[] = [];
  for (const base of bases)
    for (const dir of [path.join(base, 'templates'), base]) if (!out.includes(dir)) out.push(dir);
  return out;
}

/**
 * Look up `src:` on the controller as Ansible does (the role's folders, the task file's, then the playbook's); when
 * it is nowhere, Ansible's message: the name, every path tried one a line, and the remote_src advice.
 */
export function findControllerFile(task: Task, kind: 'files' | 'templates', name: string): string {
  const candidates = controllerFileCandidates(task.context, kind, name);
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found !== undefined) return found;
  const relative = !path.isAbsolute(name) && !name.startsWith('~');
  const searched = relative ? `\nSearched in:\n\t${candidates.join('\n\t')}` : '';
  throw new BosunError(
    'FILE_NOT_FOUND',
    `Could not find or access '${name}'${searched} on the Ansible Controller.\nIf you are using a module and expect the file to exist on the remote, see the remote_src option`,
    {
      source: task.argPos(['src']),
      hint: relative ? `put '${name}' in ${path.dirname(candidates[0]!)}, or give its path` : 'check the path',
    },
  );
}

/**
 * Decide `run.task` for the variables `vars` ahead of its turn, only to send its probes on `shell` (through the
 * shell's batcher, as `who`): the decision itself is dropped, and so is any error. Nothing else may happen: a
 * render that would look something up or warn, a command that is not a probe, a file transfer, all end it
 * (SpeculationAbort), and the module sees no progress or inventory hooks.
 */
export async function speculateDecide(
  run: TaskRun,
  vars: Record<string, unknown>,
  shell: Connection,
  who: Participant,
): Promise<void> {
  const { task, engine } = run;
  const batcher = batcherOf(shell);
  batcher.join(who);
  try {
    const def = getModule(task.module);
    if (!def) return;
    const args = asSpeculation(() => {
      for (const cond of task.when) if (!engine.isTruthy(engine.evaluate(cond.expr, vars, cond.source))) return;
      const rendered = renderArgs(def, task, vars, engine);
      validateOrThrow(def.schema, rendered, { source: task.argPos([]), what: `arguments of module '${def.name}'` });
      return rendered;
    });
    if (!args) return;
    const refuse = (what: string) => (): Promise<never> => Promise.reject(new SpeculationAbort(what));
    const conn: Connection = {
      spec: shell.spec,
      connect: async () => {},
      exec: (script, opts) =>
        opts?.readOnly || opts?.probe
          ? batcher.exec(script, opts, who)
          : Promise.reject(new SpeculationAbort('a command that is not a probe')),
      writeFile: refuse('a file transfer'),
      readFile: refuse('a file transfer'),
      close: async () => {},
    };
    const live = moduleContext(run, vars);
    const ctx: ModuleContext = {
      ...live,
      conn,
      renderTemplate: (text, file, options) => asSpeculation(() => live.renderTemplate(text, file, options)),
      evaluate: (expr) => asSpeculation(() => live.evaluate(expr)),
    };
    delete ctx.progress;
    delete ctx.inventory;
    await def.decide(ctx, args);
  } catch {
    // A speculation that cannot go on is only a round trip not saved.
  } finally {
    batcher.leave(who);
  }
}

/** The variables of each loop item of `run.task` for `vars`, rendered as a speculation (none when that cannot be). */
export function speculativeItems(run: TaskRun, vars: Record<string, unknown>): Array<Record<string, unknown>> {
  const { task, engine } = run;
  if (!task.loop) return [];
  try {
    return asSpeculation(() => {
      const items = expandLoopItems(
        task.loop!,
        engine.renderDeep(task.loop!.value, vars, () => task.loop!.source),
        (name, terms) => engine.query(name, terms, vars),
      );
      const lc = task.loopControl;
      const { loopVar, indexVar } = loopVariableNames(lc, vars, engine, task.source);
      return items.map((_, i) => itemVarsOf(vars, items, i, lc, loopVar, indexVar));
    });
  } catch {
    return [];
  }
}
