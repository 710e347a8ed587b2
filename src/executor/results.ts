/**
 * Building TaskResults: the one builder of a result from its typed parts
 * (`taskResult`), the result of an error that happened outside a module's
 * own verdict (an unreachable host, a user error with its position, or a
 * bug), and the one function that builds what `register` stores
 * (`registeredValue`). One place, so tasks, loops, includes and fact
 * gathering report and register the same way.
 */
import { ConnectionError, InterruptedError, RemoteCommandError, toBosunError, type BosunError } from '../errors.js';
import type { FileDiff, ResultData } from '../modules/types.js';
import type { LoopPosition, SkipCause, TaskResult } from './events.js';

/** Which task on which host a result is for, and how its failures count. */
export interface ResultTarget {
  host: string;
  /** Title as shown. */
  task: string;
  module: string;
  noLog: boolean;
  ignoreErrors: boolean;
  ignoreUnreachable: boolean;
}

/** What a verdict of every status carries: the message, the command output, facts, diff, and the module's own keys. */
interface VerdictCommon {
  msg?: string | undefined;
  rc?: number | undefined;
  stdout?: string | undefined;
  stderr?: string | undefined;
  facts?: Record<string, unknown> | undefined;
  diff?: FileDiff[];
  warnings?: string[] | undefined;
  /** What `failed_when` evaluated to, when the task has one. */
  failedWhen?: boolean | undefined;
  /** The module's own keys for `register` (stat, dest, cmd, ...). */
  returned?: ResultData;
}

/** How a task (or one loop item, or one `until` attempt) ended, before it is addressed to a host: one per status. */
export type Verdict = VerdictCommon &
  (
    | { status: 'ok' }
    | { status: 'changed' }
    | { status: 'skipped'; skip: SkipCause }
    | { status: 'failed'; changed: boolean; error?: BosunError }
    | { status: 'unreachable' }
  );

/** Where a result sits: `until`'s attempt count and, for a loop item, the item and its position. */
export interface ResultPlace {
  attempts?: number;
  item?: unknown;
  loop?: LoopPosition;
  label?: string;
  /** The per-item results, for the result of a whole loop. */
  items?: TaskResult[];
}

/** The one builder of a TaskResult: the verdict addressed to its host and task, with its registered value. */
export function taskResult(t: ResultTarget, v: Verdict, started: number, place: ResultPlace = {}): TaskResult {
  const common = {
    host: t.host,
    task: t.task,
    module: t.module,
    noLog: t.noLog,
    durationMs: Date.now() - started,
    msg: v.msg,
    rc: v.rc,
    stdout: v.stdout,
    stderr: v.stderr,
    diff: v.diff ?? [],
    ...(v.facts !== undefined ? { facts: v.facts } : {}),
    ...(v.warnings?.length ? { warnings: v.warnings } : {}),
    ...(v.failedWhen !== undefined ? { failedWhen: v.failedWhen } : {}),
    ...(place.attempts !== undefined ? { attempts: place.attempts } : {}),
    ...('item' in place ? { item: place.item } : {}),
    ...(place.loop ? { loop: place.loop } : {}),
    ...(place.label !== undefined ? { label: place.label } : {}),
    ...(place.items ? { items: place.items } : {}),
    data: {},
  };
  let r: TaskResult;
  switch (v.status) {
    case 'ok':
      r = { ...common, status: 'ok', changed: false, ignored: false };
      break;
    case 'changed':
      r = { ...common, status: 'changed', changed: true, ignored: false };
      break;
    case 'skipped':
      r = { ...common, status: 'skipped', changed: false, ignored: false, skip: v.skip };
      break;
    case 'failed':
      r = {
        ...common,
        status: 'failed',
        changed: v.changed,
        // A command killed because the run stopped did not fail on its own: ignore_errors does not hide it.
        ignored: t.ignoreErrors && !(v.error instanceof InterruptedError),
        ...(v.error ? { error: v.error } : {}),
      };
      break;
    case 'unreachable':
      r = { ...common, status: 'unreachable', changed: false, ignored: t.ignoreUnreachable };
      break;
  }
  r.data = registeredValue(r, v.returned ?? {});
  return r;
}

/** An `ok` result with nothing in it yet (fact gathering passes its facts), timed from `started`. */
export function blankResult(t: ResultTarget, started: number, facts?: Record<string, unknown>): TaskResult {
  return taskResult(t, { status: 'ok', facts }, started);
}

/**
 * The verdict of an error: `unreachable` for a lost connection; `failed` with
 * the message (positioned when it can be) for a user or target error, and for
 * an error of the controller's operating system (a file it cannot read, a
 * symlink loop); "internal error" with the stack in `exception` only for a bug.
 */
export function errorVerdict(e: unknown): Verdict {
  if (e instanceof ConnectionError) return { status: 'unreachable', msg: e.message };
  const known = toBosunError(e);
  if (known) {
    const where = known.source ? `${known.source.file}:${known.source.line}:${known.source.col}: ` : '';
    const msg = `${where}${known.message}`;
    if (known instanceof RemoteCommandError) {
      const { rc, stdout, stderr } = known;
      return { status: 'failed', changed: false, msg, error: known, rc, stdout, stderr };
    }
    return { status: 'failed', changed: false, msg, error: known };
  }
  const err = e instanceof Error ? e : undefined;
  return {
    status: 'failed',
    changed: false,
    msg: `internal error: ${err ? err.message : String(e)}`,
    returned: { exception: err?.stack },
  };
}

/** The result of an error (see `errorVerdict`). */
export function errorResult(t: ResultTarget, e: unknown, started: number, place: ResultPlace = {}): TaskResult {
  return taskResult(t, errorVerdict(e), started, place);
}

/** Lines of command output as Ansible splits them (`stdout_lines`): none for empty output, no trailing empty line. */
export function outputLines(text: string): string[] {
  return text === '' ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/);
}

/** A diff as Ansible registers it (`before`, `after`, `before_header`, `after_header`). */
function ansibleDiff(d: FileDiff): Record<string, string> {
  return {
    before: d.before,
    after: d.after,
    before_header: d.beforeHeader ?? d.path,
    after_header: d.afterHeader ?? d.path,
  };
}

const REASON_CONDITION = 'Conditional result was False';
const REASON_NO_ITEMS = 'No items in the list';

/**
 * What `register:` stores for a result, always with Ansible's keys:
 * `changed` and `failed` (also when false, so `not r.failed` works),
 * `skipped` (+ `skip_reason`, or `skipped_reason` for an empty loop), `msg`,
 * `rc`, `stdout`/`stdout_lines`, `stderr`/`stderr_lines`, `ansible_facts`,
 * `diff` (with --diff), `warnings`, `attempts` (under `until`),
 * `failed_when_result`, `unreachable`; a loop's value has `results` (each
 * item's value with `item`, `ansible_loop_var` and the index variable) and
 * Ansible's loop `msg`. `returned` are the module's own keys (stat, dest,
 * cmd, ...); the status keys written here win over them.
 */
export function registeredValue(r: TaskResult, returned: ResultData = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { ...returned };
  if (r.items) {
    out['results'] = r.items.map((i) => i.data);
    if (r.items.length === 0) {
      out['skipped_reason'] = REASON_NO_ITEMS;
    } else {
      out['msg'] =
        r.status === 'failed'
          ? 'One or more items failed'
          : r.status === 'skipped'
            ? 'All items skipped'
            : 'All items completed';
    }
    const warnings = r.items.flatMap((i) => i.warnings ?? []);
    if (warnings.length) out['warnings'] = warnings;
  } else {
    if (r.msg !== undefined) out['msg'] = r.msg;
    if (r.rc !== undefined) out['rc'] = r.rc;
    if (r.stdout !== undefined) Object.assign(out, { stdout: r.stdout, stdout_lines: outputLines(r.stdout) });
    if (r.stderr !== undefined) Object.assign(out, { stderr: r.stderr, stderr_lines: outputLines(r.stderr) });
    if (r.facts !== undefined) out['ansible_facts'] = r.facts;
    // A module that registers its diff in Ansible's own shape (a dict, a list with an attributes entry) keeps it.
    if (r.diff.length && !('diff' in returned)) out['diff'] = r.diff.map(ansibleDiff);
    if (r.warnings?.length) out['warnings'] = r.warnings;
  }
  if (r.attempts !== undefined) out['attempts'] = r.attempts;
  if (r.failedWhen !== undefined) out['failed_when_result'] = r.failedWhen;
  if (r.status === 'skipped') {
    out['skipped'] = true;
    if (r.skip.by === 'when') Object.assign(out, { skip_reason: REASON_CONDITION, false_condition: r.skip.condition });
  } else if (r.items) {
    out['skipped'] = false;
  } else {
    delete out['skipped'];
  }
  if (r.status === 'unreachable') out['unreachable'] = true;
  out['changed'] = r.changed;
  out['failed'] = r.status === 'failed';
  if (r.loop) {
    out[r.loop.loopVar] = r.item;
    out['ansible_loop_var'] = r.loop.loopVar;
    if (r.loop.indexVar !== undefined)
      Object.assign(out, { [r.loop.indexVar]: r.loop.index, ansible_index_var: r.loop.indexVar });
  }
  return out;
}
