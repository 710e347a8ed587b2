/**
 * Building TaskResults: the blank result of a task on a host, and the result
 * of an error that happened outside a module's own verdict (an unreachable
 * host, a user error with its position, or a bug). One place, so tasks,
 * includes and fact gathering report failures the same way.
 */
import { ConnectionError, RemoteCommandError, toBosunError } from '../errors.js';
import type { TaskResult } from './events.js';

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

/** An `ok` result with nothing in it yet, timed from `started`. */
export function blankResult(t: ResultTarget, started: number): TaskResult {
  return {
    host: t.host, task: t.task, module: t.module, status: 'ok', ignored: false, msg: undefined, rc: undefined,
    stdout: undefined, stderr: undefined, diff: [], durationMs: Date.now() - started, data: {}, noLog: t.noLog,
  };
}

/**
 * The result of an error: `unreachable` for a lost connection; `failed` with
 * the message (positioned when it can be) for a user or target error, and for
 * an error of the controller's operating system (a file it cannot read, a
 * symlink loop); "internal error" with the stack in `exception` only for a bug.
 */
export function errorResult(t: ResultTarget, e: unknown, started: number): TaskResult {
  const base = blankResult(t, started);
  if (e instanceof ConnectionError) {
    return { ...base, status: 'unreachable', ignored: t.ignoreUnreachable, msg: e.message, data: { unreachable: true, changed: false, msg: e.message } };
  }
  const known = toBosunError(e);
  if (known) {
    const where = known.source ? `${known.source.file}:${known.source.line}:${known.source.col}: ` : '';
    const msg = `${where}${known.message}`;
    if (known instanceof RemoteCommandError) {
      const { rc, stdout, stderr } = known;
      return {
        ...base, status: 'failed', ignored: t.ignoreErrors, msg, error: known, rc, stdout, stderr,
        data: { failed: true, changed: false, msg, rc, stdout, stderr },
      };
    }
    return { ...base, status: 'failed', ignored: t.ignoreErrors, msg, error: known, data: { failed: true, changed: false, msg } };
  }
  const err = e as Error;
  const msg = `internal error: ${err?.message ?? String(e)}`;
  return { ...base, status: 'failed', ignored: t.ignoreErrors, msg, data: { failed: true, changed: false, msg, exception: err?.stack } };
}
