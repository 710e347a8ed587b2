/**
 * `--log FILE.jsonl`: the run's events on disk, one JSON object per line,
 * each with `t` (ms since the run started; `at`, the wall-clock time, on
 * run_start). `no_log` results are censored before they are written, and
 * errors become plain `{code, message, source, hint}`. `bosun report` and
 * `--report` read the same records.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { BosunError, type SourcePos } from '../errors.js';
import type { RunEvent, TaskResult } from '../executor/events.js';
import { HOOK_OF, type Reporter } from './types.js';

/** A task result as logged: the error as plain data (no_log results arrive censored). */
export type LoggedResult = Omit<TaskResult, 'error' | 'items'> & {
  error?: { code: string; message: string; source?: SourcePos; hint?: string };
  items?: LoggedResult[];
};

/** One logged event: the event with its result made plain, plus its time. */
export type LogRecord = (Exclude<RunEvent, { type: 'task_result' }> | { type: 'task_result'; result: LoggedResult }) & {
  /** ms since run_start. */
  t: number;
  /** ISO time (on run_start only). */
  at?: string;
};

/** A result as it may be written down: errors plain. */
export function loggedResult(r: TaskResult): LoggedResult {
  const { error, items, ...rest } = r;
  const out: LoggedResult = { ...rest };
  if (items) out.items = items.map(loggedResult);
  if (error) {
    out.error = { code: error.code, message: error.message };
    if (error.source) out.error.source = error.source;
    if (error.hint) out.error.hint = error.hint;
  }
  return out;
}

/** Turns events into timed records (the clock starts at run_start). */
export function createRecorder(now: () => number = Date.now): (e: RunEvent) => LogRecord {
  let start: number | undefined;
  return (e) => {
    const time = now();
    if (e.type === 'run_start' || start === undefined) start = time;
    const t = time - start;
    if (e.type === 'task_result') return { type: 'task_result', result: loggedResult(e.result), t };
    if (e.type === 'run_start') return { ...e, t, at: new Date(time).toISOString() };
    return { ...e, t };
  };
}

/** The `--log` reporter: appends one line per event to `file` (created or truncated at start); progress events are not logged. */
export function createLogReporter(file: string, now?: () => number): Reporter & { close(): void } {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'w');
  } catch (e) {
    throw new BosunError('BAD_OPTION', `cannot write the log ${file}: ${(e as Error).message}`);
  }
  const record = createRecorder(now);
  const close = () => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  const write = (e: RunEvent): void => {
    // A second run of the same command (--confirm's apply) is appended to the same log.
    if (fd === undefined && e.type === 'run_start') fd = openSync(file, 'a');
    if (fd === undefined) return;
    writeSync(fd, `${JSON.stringify(record(e))}\n`);
    if (e.type === 'recap') close();
  };
  // Every event but progress, in the order it came.
  const hooks = Object.fromEntries(
    Object.entries(HOOK_OF)
      .filter(([type]) => type !== 'progress')
      .map(([, hook]) => [hook, write]),
  ) as Reporter;
  return {
    ...hooks,
    close,
  };
}

/** Read a log written by --log; a line that is not an event is an error naming file:line. */
export function readEventLog(file: string): LogRecord[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new BosunError('BAD_OPTION', `cannot read the log ${file}: ${(e as Error).message}`);
  }
  const records: LogRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new BosunError('BAD_OPTION', `${file}:${i + 1}: not JSON: ${(e as Error).message}`, {
        hint: 'give a file written by bosun run --log',
      });
    }
    const r = (typeof value === 'object' && value !== null ? value : {}) as Partial<LogRecord>;
    if (typeof r.type !== 'string' || typeof r.t !== 'number') {
      throw new BosunError('BAD_OPTION', `${file}:${i + 1}: not a bosun event (no type and t)`, {
        hint: 'give a file written by bosun run --log',
      });
    }
    records.push(r as LogRecord);
  });
  if (!records.some((r) => r.type === 'run_start')) {
    throw new BosunError('BAD_OPTION', `${file} holds no run (no run_start event)`, {
      hint: 'give a file written by bosun run --log',
    });
  }
  return records;
}
