/**
 * `--json`: one JSON object per line on stdout, one per event, the last one
 * `{"type":"recap","hosts":{...}}`, for programs that read a run.
 */
import type { RunEvent, TaskResult } from '../executor/events.js';
import { HOOK_OF, type Reporter } from './types.js';

/** Create the JSON-lines reporter: every hook writes its event as one line. */
export function createJsonReporter(write: (text: string) => void): Reporter {
  const line = (e: RunEvent): void => write(`${JSON.stringify(e)}\n`);
  // Every hook (so every event type, also one added later) writes its event as it is ...
  const everyEvent = Object.fromEntries(Object.values(HOOK_OF).map((hook) => [hook, line])) as Reporter;
  // ... except these two, which flatten for readers.
  return {
    ...everyEvent,
    onTaskResult(e) {
      write(`${JSON.stringify({ type: 'task_result', ...resultView(e.result) })}\n`);
    },
    onRecap(e) {
      write(`${JSON.stringify({ type: 'recap', hosts: e.hosts, duration_ms: e.durationMs })}\n`);
    },
  };
}

/** A result as one flat JSON object; errors as `{code, message, source}`. no_log results arrive censored. */
function resultView(r: TaskResult): Record<string, unknown> {
  const { error, items, ...rest } = r;
  return {
    ...rest,
    ...(items ? { items: items.map(resultView) } : {}),
    ...(error ? { error: { code: error.code, message: error.message, source: error.source } } : {}),
  };
}
