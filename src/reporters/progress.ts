/**
 * The live line on a terminal: while a task runs, one line at the bottom
 * shows hosts done/total, changed and failed so far, the elapsed time and,
 * when modules report it, download bytes and rate. The per-host lines of
 * the text reporter are printed above it as they arrive (`writeAbove`). Only
 * used when stdout is a TTY: elsewhere nothing here runs, so a CI log holds
 * no control sequences.
 */
import pc from 'picocolors';
import type { ProgressEvent } from '../executor/events.js';
import type { Reporter } from './types.js';

/** Options of the live line. */
export interface ProgressOptions {
  write: (text: string) => void;
  color: boolean;
  /** The terminal's width now (the line never wraps: a wrapped line cannot be redrawn). */
  columns: () => number;
  now?: () => number;
  /** Redraw period for the elapsed time (default 250 ms); 0: only on events. */
  tickMs?: number;
}

/** The live line and the writer that prints above it. */
export interface ProgressReporter extends Reporter {
  /** Print text (whole lines) above the live line. */
  writeAbove(text: string): void;
  /** Remove the line and stop the timer (idempotent). */
  stop(): void;
}

/** What the line knows about the running task. */
interface RunningTask {
  name: string;
  hosts: number;
  done: number;
  changed: number;
  failed: number;
  startedAt: number;
  /** Latest progress per host, and the first one seen (for the rate). */
  progress: Map<string, { first: { at: number; current: number }; last: ProgressEvent; at: number }>;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const CLEAR = '\r\x1b[2K';

/** Bytes in B, KiB, MiB, GiB. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]!}`;
}

/** Elapsed time: 4.2s, 1m05s. */
function elapsed(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** Create the live line; its `write` is the terminal. */
export function createProgressReporter(opts: ProgressOptions): ProgressReporter {
  const c = pc.createColors(opts.color);
  const now = opts.now ?? Date.now;
  let task: RunningTask | undefined;
  let shown = false;
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;

  const downloads = (t: RunningTask): string => {
    const live = [...t.progress.values()].filter((p) => p.last.unit === 'bytes');
    if (live.length === 0) return '';
    const at = now();
    let current = 0;
    let total = 0;
    let known = true;
    let rate = 0;
    for (const p of live) {
      current += p.last.current;
      if (p.last.total === undefined) known = false;
      else total += p.last.total;
      const secs = (p.at - p.first.at) / 1000;
      if (secs > 0 && at - p.at < 5000) rate += (p.last.current - p.first.current) / secs;
    }
    const who = live.length === 1 ? live[0]!.last.host : `${live.length} hosts`;
    return `  ↓ ${who} ${formatBytes(current)}${known ? `/${formatBytes(total)}` : ''}${rate > 0 ? ` ${formatBytes(Math.round(rate))}/s` : ''}`;
  };

  const line = (t: RunningTask): string => {
    const plain = [
      `${SPINNER[frame % SPINNER.length]!} ${t.name}`,
      `  ${t.done}/${t.hosts} hosts`,
      `  changed ${t.changed}`,
      `  failed ${t.failed}`,
      `  ${elapsed(now() - t.startedAt)}`,
      downloads(t),
    ];
    const width = Math.max(20, opts.columns() - 1);
    const text = plain.join('');
    if (text.length > width) return `${text.slice(0, width - 1)}…`;
    return [
      c.cyan(plain[0]),
      plain[1],
      t.changed > 0 ? c.yellow(plain[2]) : plain[2],
      t.failed > 0 ? c.red(plain[3]) : plain[3],
      c.dim(plain[4]),
      plain[5],
    ].join('');
  };

  const draw = () => {
    if (!task) return;
    opts.write(`${shown ? CLEAR : ''}${line(task)}`);
    shown = true;
  };
  const clear = () => {
    if (shown) opts.write(CLEAR);
    shown = false;
  };
  const stopTimer = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  const startTimer = () => {
    if (timer || opts.tickMs === 0) return;
    timer = setInterval(() => {
      frame++;
      draw();
    }, opts.tickMs ?? 250);
    timer.unref();
  };
  const endTask = () => {
    clear();
    task = undefined;
    stopTimer();
  };

  return {
    writeAbove(text: string): void {
      if (!shown) {
        opts.write(text);
        return;
      }
      opts.write(CLEAR + text);
      shown = false;
      draw();
    },
    onTaskStart(e) {
      endTask();
      task = { name: e.task, hosts: e.hosts, done: 0, changed: 0, failed: 0, startedAt: now(), progress: new Map() };
      startTimer();
      draw();
    },
    onTaskResult(e) {
      if (!task) return;
      const r = e.result;
      task.done++;
      if (r.status === 'changed') task.changed++;
      if ((r.status === 'failed' || r.status === 'unreachable') && !r.ignored && !r.rescued) task.failed++;
      task.progress.delete(r.host);
      draw();
    },
    onProgress(e) {
      if (!task) return;
      const seen = task.progress.get(e.host);
      task.progress.set(e.host, { first: seen?.first ?? { at: now(), current: e.current }, last: e, at: now() });
      draw();
    },
    onPlayStart: endTask,
    onPlayAborted: endTask,
    onNoHosts: endTask,
    onInterrupted: endTask,
    onRecap: endTask,
    stop: endTask,
  };
}
