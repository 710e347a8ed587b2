/**
 * Runs one task on one host: conditions, loop, argument templating and
 * validation, the module's decide/apply, changed_when/failed_when, and the
 * registered value. Every outcome becomes a TaskResult of one shape.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Connection } from '../connection/types.js';
import { BosunError } from '../errors.js';
import { getModule } from '../modules/index.js';
import type { Decision, ModuleContext, ModuleDef } from '../modules/types.js';
import type { Task } from '../playbook/types.js';
import type { TemplateEngine } from '../template/index.js';
import { validateOrThrow } from '../util/schema.js';
import { shq } from '../util/shell.js';
import { becomeEnabledFromVars, becomeOptionsFromVars } from '../connection/become-options.js';
import type { TaskResult, TaskStatus } from './events.js';
import { blankResult, errorResult as sharedErrorResult, type ResultTarget } from './results.js';

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
  /** When the task must be done (task `timeout`, or the run's --run-timeout); commands are cut off then. */
  deadline?: number;
  /** Progress of a long step, already throttled by the caller. */
  onProgress?: (p: { current: number; total?: number; unit: 'bytes' | 'items'; message?: string }) => void;
  /** Told before each `until` retry. */
  onRetry?: (retriesLeft: number, result: TaskResult) => void;
}

/** Run the task (all loop items) on one host. Never throws: failures are results. */
export async function runTask(run: TaskRun): Promise<TaskResult> {
  const started = Date.now();
  if (run.task.timeout !== undefined) run.deadline = Math.min(run.deadline ?? Infinity, started + run.task.timeout * 1000);
  const { task } = run;
  try {
    if (!task.loop) {
      const r = await runOnce(run, run.vars, started);
      return r;
    }
    const items = loopItems(task.loop, run.vars, run.engine);
    const lc = task.loopControl;
    const loopVar = lc?.loopVar ?? 'item';
    const results: TaskResult[] = [];
    // set_fact in a loop sees the facts of the items before it, as in Ansible.
    let loopBase = run.vars;
    for (let i = 0; i < items.length; i++) {
      if (i > 0 && lc && lc.pauseSeconds > 0) await sleep(lc.pauseSeconds * 1000);
      const item = items[i];
      const itemVars: Record<string, unknown> = { ...loopBase, [loopVar]: item, ansible_loop_var: loopVar };
      if (lc?.indexVar) itemVars[lc.indexVar] = i;
      if (lc?.extended) itemVars['ansible_loop'] = loopInfo(items, i);
      const r = await runOnce(run, itemVars, Date.now());
      r.item = item;
      if (lc?.label !== undefined) {
        try {
          r.label = String(run.engine.renderString(lc.label, itemVars, task.source));
        } catch {
          r.label = lc.label;
        }
      }
      r.data[loopVar] = item;
      r.data['ansible_loop_var'] = loopVar;
      if (lc?.indexVar) r.data[lc.indexVar] = i;
      results.push(r);
      const facts = r.data['ansible_facts'];
      if (task.module === 'set_fact' && r.status !== 'failed' && facts && typeof facts === 'object') loopBase = { ...loopBase, ...(facts as Record<string, unknown>) };
      if (r.status === 'unreachable') break;
    }
    return loopResult(run, results, started);
  } catch (e) {
    return errorResult(run, e, started);
  }
}

/** The list a loop runs over (with_items flattens one level, as Ansible does). */
function loopItems(loop: NonNullable<Task['loop']>, vars: Record<string, unknown>, engine: TemplateEngine): unknown[] {
  const items = engine.renderDeep(loop.value, vars, () => loop.source);
  if (!Array.isArray(items)) {
    throw new BosunError('SCHEMA', `loop expects a list, got ${items === null ? 'null' : typeof items}`, { source: loop.source });
  }
  return loop.flatten ? items.flat(1) : items;
}

/** `ansible_loop` of loop_control.extended. */
function loopInfo(items: unknown[], i: number): Record<string, unknown> {
  const n = items.length;
  return {
    allitems: items, index: i + 1, index0: i, revindex: n - i, revindex0: n - i - 1, first: i === 0, last: i === n - 1, length: n,
    ...(i > 0 ? { previtem: items[i - 1] } : {}), ...(i < n - 1 ? { nextitem: items[i + 1] } : {}),
  };
}

/** Wait (loop pause, until delay). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function loopResult(run: TaskRun, results: TaskResult[], started: number): TaskResult {
  const any = (s: TaskStatus): boolean => results.some((r) => r.status === s);
  const status: TaskStatus = any('unreachable') ? 'unreachable'
    : any('failed') ? 'failed'
    : results.length > 0 && results.every((r) => r.status === 'skipped') ? 'skipped'
    : any('changed') ? 'changed' : 'ok';
  const data: Record<string, unknown> = {
    results: results.map((r) => r.data),
    changed: results.some((r) => r.data['changed'] === true),
    msg: status === 'failed' ? 'One or more items failed' : 'All items completed',
  };
  if (status === 'skipped' || results.length === 0) {
    data['skipped'] = true;
    if (results.length === 0) data['skipped_reason'] = 'No items in the list';
  }
  if (status === 'failed') data['failed'] = true;
  return {
    ...baseResult(run, started),
    status: results.length === 0 ? 'skipped' : status,
    ignored: status === 'failed' && run.task.ignoreErrors === true,
    msg: data['msg'] as string,
    items: results,
    diff: results.flatMap((r) => r.diff),
    data,
  };
}

/** Which task on which host `run` is, for the shared result builders. */
function targetOf(run: TaskRun): ResultTarget {
  const t = run.task;
  return { host: run.host, task: run.title, module: t.module, noLog: t.noLog === true, ignoreErrors: t.ignoreErrors === true, ignoreUnreachable: t.ignoreUnreachable === true };
}

function baseResult(run: TaskRun, started: number): TaskResult {
  return blankResult(targetOf(run), started);
}

function errorResult(run: TaskRun, e: unknown, started: number): TaskResult {
  return sharedErrorResult(targetOf(run), e, started);
}

/** One run of the module (for one loop item), repeated while `until` does not hold. */
async function runOnce(run: TaskRun, vars: Record<string, unknown>, started: number): Promise<TaskResult> {
  const { task, engine } = run;
  if (!task.until) return attempt(run, vars, started);
  const number = (v: number | string, what: string): number => {
    const n = typeof v === 'number' ? v : Number(engine.renderString(v, vars, task.source));
    if (!Number.isFinite(n) || n < 0) throw new BosunError('SCHEMA', `${what} must be a number, got '${String(v)}'`, { source: task.source });
    return n;
  };
  let retries: number;
  let delay: number;
  try {
    retries = Math.floor(number(task.retries, 'retries'));
    delay = number(task.delaySeconds, 'delay');
  } catch (e) {
    return errorResult(run, e, started);
  }
  const max = retries + 1;
  let result: TaskResult | undefined;
  for (let n = 1; n <= max; n++) {
    result = await attempt(run, vars, started);
    if (result.status === 'unreachable' || result.status === 'skipped') return result;
    const scope = task.register ? { ...vars, [task.register]: result.data } : { ...vars, ...result.data };
    let done: boolean;
    try {
      done = task.until.every((c) => engine.isTruthy(engine.evaluate(c.expr, scope, c.source)));
    } catch (e) {
      return errorResult(run, e, started);
    }
    result.attempts = n;
    result.data['attempts'] = n;
    if (done) return result;
    if (n < max) {
      run.onRetry?.(max - n, result);
      await sleep(delay * 1000);
    }
  }
  const last = result!;
  if (last.status !== 'failed') {
    last.status = 'failed';
    last.ignored = task.ignoreErrors === true;
    last.data['failed'] = true;
    last.msg ??= `the 'until' condition was not met after ${max} attempts`;
  }
  return last;
}

async function attempt(run: TaskRun, vars: Record<string, unknown>, started: number): Promise<TaskResult> {
  const { task, engine } = run;
  try {
    for (const cond of task.when) {
      if (!engine.isTruthy(engine.evaluate(cond.expr, vars, cond.source))) {
        return {
          ...baseResult(run, started), status: 'skipped',
          data: { changed: false, skipped: true, skip_reason: 'Conditional result was False', false_condition: cond.expr },
        };
      }
    }
    const def = getModule(task.module)!;
    const args = renderArgs(def, task, vars, engine);
    validateOrThrow(def.schema, args, { source: task.argPos([]), what: `arguments of module '${def.name}'` });
    const ctx = moduleContext(run, vars);
    const decision: Decision = await def.decide(ctx, args);
    return await finish(run, vars, decision, started);
  } catch (e) {
    return errorResult(run, e, started);
  }
}

function renderArgs(def: ModuleDef<any>, task: Task, vars: Record<string, unknown>, engine: TemplateEngine): Record<string, unknown> {
  const raw = new Set(def.rawArgs ?? []);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(task.args)) {
    out[key] = raw.has(key) ? value : engine.renderDeep(value, vars, (p) => task.argPos([key, ...p]));
  }
  return out;
}

async function finish(run: TaskRun, vars: Record<string, unknown>, decision: Decision, started: number): Promise<TaskResult> {
  const { task, engine } = run;
  let changed = decision.changed;
  let failed = decision.failed === true;
  let skipped = decision.skipped === true;
  let msg = decision.msg;
  let data: Record<string, unknown> = { ...decision.data };
  if (!failed && !skipped && run.check && decision.unpredictable) {
    skipped = true;
    changed = false;
    msg = decision.unpredictable;
  } else if (!failed && decision.changed && decision.apply && !run.check) {
    const applied = await decision.apply();
    data = { ...data, ...applied.data };
    if (applied.failed) failed = true;
    if (applied.msg !== undefined) msg = applied.msg;
    if (applied.changed !== undefined) changed = applied.changed;
  }
  data['changed'] = changed;
  if (msg !== undefined) data['msg'] = msg;
  if (failed) data['failed'] = true;
  if (skipped) data['skipped'] = true;

  if (!skipped && (task.changedWhen || task.failedWhen)) {
    const scope = task.register ? { ...vars, [task.register]: data } : { ...vars, ...data };
    if (task.changedWhen) {
      changed = task.changedWhen.every((c) => engine.isTruthy(engine.evaluate(c.expr, scope, c.source)));
      data['changed'] = changed;
    }
    if (task.failedWhen) {
      failed = task.failedWhen.every((c) => engine.isTruthy(engine.evaluate(c.expr, scope, c.source)));
      data['failed'] = failed;
      data['failed_when_result'] = failed;
    }
  }
  const status: TaskStatus = failed ? 'failed' : skipped ? 'skipped' : changed ? 'changed' : 'ok';
  return {
    ...baseResult(run, started),
    status,
    ignored: failed && task.ignoreErrors === true,
    msg,
    rc: typeof data['rc'] === 'number' ? data['rc'] : undefined,
    stdout: typeof data['stdout'] === 'string' ? data['stdout'] : undefined,
    stderr: typeof data['stderr'] === 'string' ? data['stderr'] : undefined,
    diff: run.diff && decision.changed ? decision.diff ?? [] : [],
    data,
  };
}

function moduleContext(run: TaskRun, vars: Record<string, unknown>): ModuleContext {
  const { task, engine } = run;
  let conn: Connection | undefined;
  const open = async (): Promise<Connection> => {
    if (conn) return conn;
    const c = await run.connection();
    if (!(run.become ?? becomeEnabledFromVars(vars) ?? false)) return (conn = c);
    // One persistent privileged shell per host and user, opened on first use (src/connection/become.ts).
    const base = becomeOptionsFromVars(vars, run.becomePassword === undefined ? {} : { askBecomePass: run.becomePassword });
    const user = run.becomeUser === undefined ? base.user : String(engine.renderString(run.becomeUser, vars, task.source));
    const method = run.becomeMethod === undefined ? base.method : String(engine.renderString(run.becomeMethod, vars, task.source));
    if (method !== 'sudo' && method !== 'su') throw new BosunError('BAD_OPTION', `become_method '${method}' is not supported (sudo or su)`, { source: task.source });
    if (user === c.spec.user) return (conn = c);
    if (!c.become) throw new BosunError('UNSUPPORTED', `this connection cannot become '${user}'`, { source: task.source });
    return (conn = await c.become({ ...base, user, method }));
  };
  const envPrefix = Object.entries(run.environment).map(([k, v]) => `export ${k}=${shq(v)}\n`).join('');
  const lazy: Connection = {
    get spec() { return conn!.spec; },
    connect: async () => { await open(); },
    exec: async (script, callerOpts) => {
      const c = await open();
      // The task's `environment:` is exported before the script: only a subshell keeps it from later tasks.
      const opts = envPrefix && callerOpts?.readOnly ? { ...callerOpts, readOnly: false } : callerOpts;
      if (run.deadline === undefined) return c.exec(envPrefix + script, opts);
      const left = run.deadline - Date.now();
      if (left <= 0) throw timedOut(run);
      try {
        return await c.exec(envPrefix + script, { ...opts, timeoutMs: Math.min(left, opts?.timeoutMs ?? left) });
      } catch (e) {
        // The shell session gave up on the command; the next task reconnects.
        if (Date.now() >= run.deadline - 20) throw timedOut(run);
        throw e;
      }
    },
    writeFile: async (p, data, mode) => (await open()).writeFile(p, data, mode),
    readFile: async (p) => (await open()).readFile(p),
    close: async () => {},
  };
  return {
    host: run.host,
    conn: lazy,
    check: run.check,
    diff: run.diff,
    vars,
    source: task.source,
    findFile: async (kind, name) => findControllerFile(task, kind, name),
    renderTemplate: (text, file) => engine.renderText(text, vars, file),
    evaluate: (expr) => engine.evaluate(expr, vars, task.source),
    isTruthy: (v) => engine.isTruthy(v),
    verbosity: run.verbosity,
    ...(run.onProgress ? { progress: run.onProgress } : {}),
  };
}

function timedOut(run: TaskRun): BosunError {
  const seconds = run.task.timeout;
  return new BosunError('TIMEOUT', seconds !== undefined
    ? `the task timed out after ${seconds} s (timeout: ${seconds}); its command was cut off`
    : 'the run timed out (--run-timeout); the command was cut off', { source: run.task.source });
}

/** Look up `src:` on the controller as Ansible does: the role's folder first, then the playbook's. */
export function findControllerFile(task: Task, kind: 'files' | 'templates', name: string): string {
  if (path.isAbsolute(name)) {
    if (existsSync(name)) return name;
    throw new BosunError('FILE_NOT_FOUND', `file not found on the controller: ${name}`, { source: task.argPos(['src']) });
  }
  const bases: string[] = [];
  const role = task.context.role;
  if (role) bases.push(path.join(role.dir, kind), role.dir, path.join(role.dir, 'tasks'));
  bases.push(path.join(task.context.playbookDir, kind), task.context.playbookDir);
  for (const base of bases) {
    const candidate = path.join(base, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new BosunError('FILE_NOT_FOUND', `could not find '${name}' on the controller`, {
    source: task.argPos(['src']),
    hint: `looked in ${bases.join(', ')}`,
  });
}
