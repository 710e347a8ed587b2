/**
 * `-q`: only failures and the recap. A filter in front of the text
 * reporter: a task's banner is passed on only when one of its results
 * failed (or its host was unreachable), just before that result.
 */
import type { EventOf, Reporter } from './types.js';

/** Wrap a reporter so that it sees only failures (with their task banner) and the recap. */
export function createQuietFilter(inner: Reporter): Reporter {
  let pendingTask: EventOf<'task_start'> | undefined;
  return {
    onTaskStart(e) {
      pendingTask = e;
    },
    onTaskResult(e) {
      const r = e.result;
      if ((r.status !== 'failed' && r.status !== 'unreachable') || r.ignored || r.rescued) return;
      const task = pendingTask;
      pendingTask = undefined;
      // Stay synchronous for a synchronous inner reporter; wait for the banner of an async one.
      const shown = task ? inner.onTaskStart?.(task) : undefined;
      return shown ? shown.then(() => inner.onTaskResult?.(e)) : inner.onTaskResult?.(e);
    },
    onPlayAborted: (e) => inner.onPlayAborted?.(e),
    onRecap: (e) => inner.onRecap?.(e),
  };
}
