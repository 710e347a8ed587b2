/**
 * One playbook run of a role test, in process: `runPlaybooks` with our own
 * event sink, which notes every task that changed or failed on each host
 * (with the task's file:line, so tasks of the same name stay apart).
 */
import { formatError, isBosunError } from '../errors.js';
import type { RunEvent } from '../executor/events.js';
import { runPlaybooks } from '../executor/run.js';
import type { VarLayer } from '../vars/scope.js';

/** A task's outcome on one host that the cycle cares about. */
export interface TaskMark {
  host: string;
  task: string;
  /** `file:line` of the task. */
  at: string;
  msg?: string;
}

/** What one run did. */
export interface RunSummary {
  /** 0 ok, 2 a task failed, 4 a host unreachable, 1 the playbook did not load. */
  exitCode: number;
  changed: TaskMark[];
  failed: TaskMark[];
  /** Tasks check mode could not predict (skipped in check mode with a reason). */
  unpredictable: TaskMark[];
  /** A load error (the playbook or role is invalid), formatted. */
  error?: string;
  durationMs: number;
}

/** What a run needs. */
export interface RunSpec {
  playbook: string;
  inventory: string;
  check: boolean;
  /** Extra vars (the scenario's check_vars), highest precedence. */
  extraVars?: Record<string, unknown>;
  forks: number;
  /** Every event of the run too (a text reporter with -v). */
  sink?: (e: RunEvent) => void;
}

/** Run one playbook and summarise the changes and failures per task and host. */
export async function runOnce(spec: RunSpec): Promise<RunSummary> {
  const started = Date.now();
  const out: RunSummary = { exitCode: 0, changed: [], failed: [], unpredictable: [], durationMs: 0 };
  let at = '';
  const sink = (e: RunEvent): void => {
    spec.sink?.(e);
    if (e.type === 'task_start') at = `${e.source.file}:${e.source.line}`;
    if (e.type !== 'task_result') return;
    const r = e.result;
    const mark: TaskMark = { host: r.host, task: r.task, at, ...(r.msg ? { msg: r.msg } : {}) };
    if (r.status === 'changed') out.changed.push(mark);
    else if ((r.status === 'failed' && !r.ignored && !r.rescued) || r.status === 'unreachable') out.failed.push(mark);
    else if (spec.check && r.status === 'skipped' && /check mode/i.test(r.msg ?? '')) out.unpredictable.push(mark);
  };
  const extraVars: VarLayer[] = spec.extraVars
    ? [{ level: 'extra_vars', source: 'scenario check_vars', values: spec.extraVars }]
    : [];
  try {
    const outcome = await runPlaybooks({
      playbooks: [spec.playbook],
      inventories: [spec.inventory],
      check: spec.check,
      diff: false,
      extraVars,
      forks: spec.forks,
      verbosity: 0,
      tags: { only: [], skip: [] },
      connection: { connectTimeoutMs: 10_000 },
      sink,
    });
    out.exitCode = outcome.exitCode;
  } catch (e) {
    if (!isBosunError(e)) throw e;
    out.exitCode = 1;
    out.error = formatError(e);
  }
  out.durationMs = Date.now() - started;
  return out;
}

/** `host: task (file:line) - message` for listings; a message of several lines (every argument-spec error) keeps them, indented. */
export function markLine(m: TaskMark): string {
  const [first, ...rest] = (m.msg ?? '').split('\n');
  const more = rest.filter((l) => l.trim() !== '').map((l) => `\n      ${l}`);
  return `${m.host}: ${m.task} (${m.at})${first ? ` - ${first}` : ''}${more.join('')}`;
}

/** The key two runs are compared on: host, task and where it is written. */
export function markKey(m: TaskMark): string {
  return `${m.host}|${m.task}|${m.at}`;
}
