/**
 * `--profile`: after the recap, the slowest tasks, as Ansible's
 * `profile_tasks` callback prints them. A task's time runs from its start to
 * the start of what comes next (the next task, play or the recap), so it is
 * the wall time the whole fleet spent on it.
 */
import pc from 'picocolors';
import { banner } from './text.js';
import type { Reporter } from './types.js';

/** One task's time. */
export interface TaskTiming {
  task: string;
  source: string;
  ms: number;
}

/** Options of the profile summary. */
export interface ProfileOptions {
  write: (text: string) => void;
  color: boolean;
  /** How many tasks to list (default 20). */
  top?: number;
  now?: () => number;
}

/** Collects task timings and prints the slowest at the recap. */
export function createProfileReporter(opts: ProfileOptions): Reporter & { timings(): TaskTiming[] } {
  const c = pc.createColors(opts.color);
  const now = opts.now ?? Date.now;
  const timings: TaskTiming[] = [];
  let open: { task: string; source: string; start: number } | undefined;
  const close = () => {
    if (open) timings.push({ task: open.task, source: open.source, ms: now() - open.start });
    open = undefined;
  };
  return {
    timings: () => [...timings],
    onRunStart() {
      timings.length = 0;
    },
    onTaskStart(e) {
      close();
      open = { task: e.task, source: `${e.source.file}:${e.source.line}`, start: now() };
    },
    onPlayStart: close,
    onPlayAborted: close,
    onNoHosts: close,
    onRecap(e) {
      close();
      const slowest = [...timings].sort((a, b) => b.ms - a.ms).slice(0, opts.top ?? 20);
      const lines = [banner('TASKS BY TIME (--profile)'), ''];
      for (const t of slowest) {
        const secs = `${(t.ms / 1000).toFixed(2)}s`;
        const label = `${t.task} (${t.source.split('/').slice(-2).join('/')})`;
        const dashes = '-'.repeat(Math.max(3, 79 - label.length - secs.length - 2));
        lines.push(`${label} ${c.dim(dashes)} ${t.ms >= 10_000 ? c.yellow(secs) : secs}`);
      }
      const total = timings.reduce((n, t) => n + t.ms, 0);
      lines.push(
        '='.repeat(79),
        `${timings.length} task(s), ${(total / 1000).toFixed(2)}s in tasks, ${(e.durationMs / 1000).toFixed(2)}s in all`,
        '',
      );
      opts.write(`${lines.join('\n')}\n`);
    },
  };
}
