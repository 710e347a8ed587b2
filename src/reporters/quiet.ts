/**
 * `-q`: only failures and the recap. A filter in front of the text
 * reporter: a task's banner is passed on only when one of its results
 * failed (or its host was unreachable), just before that result.
 */
import type { RunEvent } from '../executor/events.js';
import type { Reporter } from './types.js';

/** Wrap a reporter so that it sees only failures (with their task banner) and the recap. */
export function createQuietFilter(inner: Reporter): Reporter {
  let pendingTask: RunEvent | undefined;
  return {
    onEvent(e: RunEvent): void {
      switch (e.type) {
        case 'task_start':
          pendingTask = e;
          break;
        case 'task_result': {
          const r = e.result;
          if ((r.status !== 'failed' && r.status !== 'unreachable') || r.ignored || r.rescued) break;
          if (pendingTask) inner.onEvent(pendingTask);
          pendingTask = undefined;
          inner.onEvent(e);
          break;
        }
        case 'play_aborted':
        case 'recap':
          inner.onEvent(e);
          break;
        default:
          break;
      }
    },
  };
}
