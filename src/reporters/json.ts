/**
 * `--json`: one JSON object per line on stdout, one per event, the last one
 * `{"type":"recap","hosts":{...}}`, for programs that read a run.
 */
import type { RunEvent, TaskResult } from '../executor/events.js';
import type { Reporter } from './types.js';

const CENSORED = "the output has been hidden due to the fact that 'no_log: true' was specified for this result";

/** Create the JSON-lines reporter. */
export function createJsonReporter(write: (text: string) => void): Reporter {
  return {
    onEvent(e: RunEvent): void {
      if (e.type === 'recap') {
        write(`${JSON.stringify({ type: 'recap', hosts: e.hosts, duration_ms: e.durationMs })}\n`);
        return;
      }
      if (e.type === 'task_result') {
        write(`${JSON.stringify({ type: 'task_result', ...resultView(e.result) })}\n`);
        return;
      }
      write(`${JSON.stringify(e)}\n`);
    },
  };
}

function resultView(r: TaskResult): Record<string, unknown> {
  const { error, items, data, ...rest } = r;
  return {
    ...rest,
    // no_log hides every value: the result, the loop item and its label, and the error's text.
    ...(r.noLog ? { msg: undefined, stdout: undefined, stderr: undefined, facts: undefined, warnings: undefined, diff: [], item: undefined, label: undefined, data: { censored: true } } : { data }),
    ...(items ? { items: items.map(resultView) } : {}),
    ...(error ? { error: { code: error.code, message: r.noLog ? CENSORED : error.message, source: error.source } } : {}),
  };
}
