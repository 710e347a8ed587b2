/**
 * One task on one host, as the play runs it: the task's variables, its
 * rendered `environment:` and `delegate_to`, how to reach the host
 * (src/executor/reach.ts) and become, handed to the task runner.
 */
import { BosunError } from '../errors.js';
import { isUnsafeKey } from '../util/unsafe.js';
import type { Task, TemplatedKeyword } from '../playbook/types.js';
import { positiveInt } from '../playbook/inherit.js';
import type { TaskResult } from './events.js';
import type { PlayRun, Walk } from './play.js';
import { errorResult } from './results.js';
import { runTask } from './task-runner.js';
import { runInventory } from './dynamic-inventory.js';
import { mutating } from './probe-batch.js';
import { endsWindow } from './speculation.js';

/** The task with its templated boolean keywords (`no_log: "{{ x }}"`) rendered with this host's variables. */
function withKeywords(task: Task, vars: Record<string, unknown>, play: PlayRun): Task {
  const entries = Object.entries(task.keywordTemplates);
  if (entries.length === 0) return task;
  const { engine } = play.run;
  const out: Task = { ...task };
  for (const [field, text] of entries) {
    const value = engine.renderString(text, vars, task.source);
    if (field === 'timeout') out.timeout = positiveInt(value, task.source, 'timeout');
    else if (field === 'throttle')
      continue; // rendered once for the task (play.ts)
    else out[field as Exclude<TemplatedKeyword, 'timeout' | 'throttle'>] = engine.isTruthy(value);
  }
  return out;
}

/** Run `task` on `host` (never throws: failures are results). */
export async function runOnHost(
  play: PlayRun,
  written: Task,
  title: string,
  host: string,
  walk: Walk,
  playCheck: boolean,
  ahead: () => Task[] = () => [],
): Promise<TaskResult> {
  const { run } = play;
  const vars = play.varsFor(host, written.context, walk.layers, written.varLayers);
  let task = written;
  let check = playCheck;
  let environment: Record<string, string>;
  let delegate: string | undefined;
  try {
    task = withKeywords(written, vars, play);
    if (written.keywordTemplates.checkMode !== undefined) check = task.checkMode ?? run.settings.check;
    environment = taskEnvironment(play, task, vars);
    delegate =
      task.delegateTo === undefined ? undefined : String(run.engine.renderString(task.delegateTo, vars, task.source));
  } catch (e) {
    return errorResult(play.target(task, host, title), e, Date.now());
  }
  const keywords = {
    remoteUser:
      task.remoteUser === undefined ? undefined : String(run.engine.renderString(task.remoteUser, vars, task.source)),
    connection:
      task.connection === undefined ? undefined : String(run.engine.renderString(task.connection, vars, task.source)),
  };
  const scope = play.scopes.get(host);
  // A task that may change something outside its own connection's commands (fetch writes to the controller, a
  // module acting on the controller) counts as a change for its whole run: no answer kept before it survives.
  const guard = endsWindow(task) ? mutating : <T>(op: () => Promise<T>): Promise<T> => op();
  const result = await guard(() =>
    runTask({
      task,
      title,
      host,
      vars,
      engine: run.engine,
      check,
      diff: task.diff ?? run.settings.diff,
      verbosity: run.settings.verbosity,
      become: task.become ?? (run.settings.become?.enabled ? true : undefined),
      becomeUser: task.becomeUser ?? run.settings.become?.user,
      becomeMethod: task.becomeMethod ?? run.settings.become?.method,
      becomePassword: run.settings.becomePassword,
      environment,
      inventory: runInventory(play, task, host),
      connection: async () => {
        if (delegate === undefined)
          return run.reach.connect(host, vars, keywords, (name) => scope?.lookup(name)?.origin.pos);
        return run.reach.connect(delegate, await run.hosts.connectionVars(delegate, play.playbook.dir), keywords);
      },
      onProgress: throttled(250, (p) => run.sink({ type: 'progress', host, task: title, ...p })),
      onRetry: (left, r) =>
        run.sink({ type: 'retry', host, task: title, retriesLeft: left, msg: task.noLog ? undefined : r.msg }),
      ...(run.settings.runDeadline !== undefined ? { deadline: run.settings.runDeadline } : {}),
      ...speculating(play, written, host, walk, delegate, ahead),
    }),
  );
  if (delegate !== undefined) {
    result.delegatedTo = delegate;
    const address = await delegateAddress(play, delegate, task);
    if (address !== undefined && address !== delegate) result.delegatedAddress = address;
  }
  return result;
}

/** The speculation hook of a live task (none for a delegated one: its shell is another host's). */
function speculating(
  play: PlayRun,
  task: Task,
  host: string,
  walk: Walk,
  delegate: string | undefined,
  ahead: () => Task[],
): Pick<Parameters<typeof runTask>[0], 'speculate'> {
  if (delegate !== undefined || !play.speculation.enabled) return {};
  let hook: Parameters<typeof runTask>[0]['speculate'] | null = null;
  return {
    speculate: (shell, run) => {
      try {
        if (hook === null) hook = play.speculation.hook(host, task, walk, ahead());
        hook?.(shell, run);
      } catch {
        // Speculation only saves round trips: the live task goes on as without it.
      }
    },
  };
}

/** The delegate's `ansible_host` (templated with the delegate's variables), or undefined where it has none. */
async function delegateAddress(play: PlayRun, delegate: string, task: Task): Promise<string | undefined> {
  try {
    const delegateVars = await play.run.hosts.connectionVars(delegate, play.playbook.dir);
    const address = delegateVars['ansible_host'];
    if (typeof address !== 'string') return typeof address === 'number' ? String(address) : undefined;
    const rendered = play.run.engine.renderString(address, delegateVars, task.source);
    return typeof rendered === 'string' ? rendered : undefined;
  } catch {
    return undefined; // only a label: the task's own result already says what went wrong
  }
}

function taskEnvironment(play: PlayRun, task: Task, vars: Record<string, unknown>): Record<string, string> {
  const { engine } = play.run;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(task.environment)) {
    if (k === '__template__') {
      const rendered = engine.renderString(String(v), vars, task.source);
      if (rendered && typeof rendered === 'object')
        for (const [ek, ev] of Object.entries(rendered)) env[ek] = String(ev);
      continue;
    }
    // An `!unsafe` value is set as written.
    env[k] = isUnsafeKey(task.environment, k) ? String(v) : String(engine.renderString(String(v), vars, task.source));
  }
  for (const k of Object.keys(env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) {
      throw new BosunError('SCHEMA', `environment: '${k}' is not a valid variable name`, {
        source: task.source,
        hint: 'names are letters, digits and _, not starting with a digit',
      });
    }
  }
  return env;
}

/** Call `fn` at most once per `ms` (the last value in between is dropped, except a final one reaching the total). */
function throttled<T extends { current: number; total?: number }>(ms: number, fn: (v: T) => void): (v: T) => void {
  let last = 0;
  return (v) => {
    const now = Date.now();
    if (now - last >= ms || (v.total !== undefined && v.current >= v.total)) {
      last = now;
      fn(v);
    }
  };
}
