/**
 * From a run's logged events to what the HTML report shows: plays, tasks
 * with their per-host results (start, duration, status, diffs, output), the
 * timeline bounds and the recap. Pure data, no markup.
 */
import type { HostStats, TaskStatus } from '../executor/events.js';
import type { LogRecord, LoggedResult } from './log.js';

/** One host's result of one task, placed in time (ms since the run started). */
export interface ReportResult {
  host: string;
  status: TaskStatus;
  /** A failure let through by ignore_errors or handled by rescue. */
  ignored: boolean;
  rescued: boolean;
  startMs: number;
  durationMs: number;
  result: LoggedResult;
}

/** One task (or handler) of a play, as it ran. */
export interface ReportTask {
  id: number;
  name: string;
  module: string;
  source: string;
  tags: string[];
  handler: boolean;
  startMs: number;
  /** When the last host finished (or the task was cut off). */
  endMs: number;
  results: ReportResult[];
}

/** One play, with its tasks in order. */
export interface ReportPlay {
  name: string;
  hosts: string[];
  tasks: ReportTask[];
}

/** Everything the report shows. */
export interface ReportModel {
  startedAt: string | undefined;
  playbooks: string[];
  check: boolean;
  durationMs: number;
  plays: ReportPlay[];
  hosts: string[];
  tags: string[];
  recap: Record<string, HostStats> | undefined;
  warnings: string[];
  /** How many runs the log holds (the report shows the last one). */
  runs: number;
  /** The shards merged into this report (`bosun report` of several logs): of how many, and which (from 0). */
  shards?: { count: number; present: number[] };
}

/** Build the model of the last run in `records`. */
export function buildReportModel(records: LogRecord[]): ReportModel {
  const starts = records.map((r, i) => (r.type === 'run_start' ? i : -1)).filter((i) => i >= 0);
  const last = records.slice(starts.at(-1) ?? 0);
  const model: ReportModel = {
    startedAt: undefined,
    playbooks: [],
    check: false,
    durationMs: 0,
    plays: [],
    hosts: [],
    tags: [],
    recap: undefined,
    warnings: [],
    runs: Math.max(1, starts.length),
  };
  const hosts = new Set<string>();
  const tags = new Set<string>();
  let play: ReportPlay | undefined;
  let task: ReportTask | undefined;
  let nextId = 1;
  const endTask = (t: number) => {
    if (task) task.endMs = Math.max(task.endMs, task.results.length > 0 ? task.endMs : t);
    task = undefined;
  };
  const ensurePlay = (): ReportPlay => {
    if (!play) {
      play = { name: '(play)', hosts: [], tasks: [] };
      model.plays.push(play);
    }
    return play;
  };
  for (const r of last) {
    model.durationMs = Math.max(model.durationMs, r.t);
    switch (r.type) {
      case 'run_start':
        model.startedAt = r.at;
        model.playbooks = r.playbooks;
        model.check = r.check;
        break;
      case 'play_start':
        endTask(r.t);
        play = { name: r.name, hosts: r.hosts, tasks: [] };
        for (const h of r.hosts) hosts.add(h);
        model.plays.push(play);
        break;
      case 'task_start':
        endTask(r.t);
        task = {
          id: nextId++,
          name: r.task,
          module: r.module,
          source: `${r.source.file}:${r.source.line}`,
          tags: r.tags ?? [],
          handler: r.handler === true,
          startMs: r.t,
          endMs: r.t,
          results: [],
        };
        for (const tag of task.tags) tags.add(tag);
        ensurePlay().tasks.push(task);
        break;
      case 'task_result': {
        const res = r.result;
        hosts.add(res.host);
        if (task?.name !== res.task) {
          // A result without its task_start (setup facts, a cut log): a task of its own.
          endTask(r.t);
          task = {
            id: nextId++,
            name: res.task,
            module: res.module,
            source: '',
            tags: [],
            handler: false,
            startMs: Math.max(0, r.t - res.durationMs),
            endMs: r.t,
            results: [],
          };
          ensurePlay().tasks.push(task);
        }
        task.results.push({
          host: res.host,
          status: res.status,
          ignored: res.ignored,
          rescued: res.rescued === true,
          startMs: Math.max(task.startMs, r.t - res.durationMs),
          durationMs: res.durationMs,
          result: res,
        });
        task.endMs = Math.max(task.endMs, r.t);
        break;
      }
      case 'warning':
        model.warnings.push(r.message);
        break;
      case 'play_aborted':
      case 'no_hosts':
        endTask(r.t);
        break;
      case 'recap':
        endTask(r.t);
        model.recap = r.hosts;
        model.durationMs = Math.max(model.durationMs, r.durationMs);
        for (const h of Object.keys(r.hosts)) hosts.add(h);
        break;
      default:
        break;
    }
  }
  endTask(model.durationMs);
  model.hosts = [...hosts].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  model.tags = [...tags].sort();
  return model;
}
