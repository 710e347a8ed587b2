/**
 * What the executor tells reporters. The executor never prints: it emits
 * these typed events and reporters decide what a person (or a program) sees.
 */
import type { BosunError, SourcePos } from '../errors.js';
import type { FileDiff } from '../modules/types.js';

/** How one task ended on one host. */
export type TaskStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';

/** The result of one task (or one loop item) on one host: one shape for every outcome. */
export interface TaskResult {
  host: string;
  /** Task title as shown (`role : name` or the module name). */
  task: string;
  /** The module that ran (`setup` for fact gathering). */
  module: string;
  status: TaskStatus;
  /** A failure that ignore_errors let pass (counted `ignored`). */
  ignored: boolean;
  /** A failure inside a block whose rescue handles it (counted `rescued`, not `failed`). */
  rescued?: boolean;
  /** How many attempts `until` took. */
  attempts?: number;
  /** The host the task ran on when delegated (`delegate_to`). */
  delegatedTo?: string;
  /** Display label of the loop item (`loop_control.label`). */
  label?: string;
  msg: string | undefined;
  rc: number | undefined;
  stdout: string | undefined;
  stderr: string | undefined;
  diff: FileDiff[];
  durationMs: number;
  /** The loop item this result is for, when the task loops. */
  item?: unknown;
  /** Per-item results of a loop. */
  items?: TaskResult[];
  /** The registered value (what `register:` stores), for -v output and --json. */
  data: Record<string, unknown>;
  /** A user error behind a failure (undefined variable, bad arguments), for positioned output. */
  error?: BosunError;
  /** The task asked for no_log: reporters must not show data, msg or diffs. */
  noLog: boolean;
}

/** Per-host counters of PLAY RECAP, as ansible-playbook counts them. */
export interface HostStats {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

/** Every event, discriminated on `type`. */
export type RunEvent =
  | { type: 'run_start'; playbooks: string[]; check: boolean; diff: boolean; forks: number }
  | { type: 'playbook_start'; file: string }
  | { type: 'play_start'; name: string; hosts: string[]; source: SourcePos; batch?: { index: number; count: number } }
  | { type: 'no_hosts'; play: string; pattern: string }
  | { type: 'task_start'; task: string; module: string; source: SourcePos; hosts: number; handler?: boolean; check?: boolean; tags?: string[] }
  | { type: 'include'; file: string; hosts: string[]; source: SourcePos }
  | { type: 'retry'; host: string; task: string; retriesLeft: number; msg: string | undefined }
  | { type: 'play_aborted'; play: string; reason: string }
  | { type: 'interrupted'; reason: string; graceMs: number }
  | { type: 'task_result'; result: TaskResult }
  | { type: 'warning'; message: string; source?: SourcePos }
  | { type: 'recap'; hosts: Record<string, HostStats>; durationMs: number }
  | ProgressEvent;

/**
 * A running task's progress on one host (a download's bytes so far), for
 * live display; optional, throttled by the emitter (a few per second).
 */
export interface ProgressEvent {
  type: 'progress';
  host: string;
  task: string;
  /** Units done so far. */
  current: number;
  /** Units in all, when known (Content-Length). */
  total?: number;
  unit: 'bytes' | 'items';
  /** What is in progress, e.g. the URL or file (never a secret). */
  message?: string;
}

/** A subscriber to run events. */
export type EventSink = (event: RunEvent) => void;

/** Fresh zeroed counters. */
export function emptyStats(): HostStats {
  return { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 };
}

/** Count one task result into a host's stats the way Ansible does (ok includes changed and ignored). */
export function countResult(stats: HostStats, r: TaskResult): void {
  switch (r.status) {
    case 'ok':
      stats.ok++;
      break;
    case 'changed':
      stats.ok++;
      stats.changed++;
      break;
    case 'skipped':
      stats.skipped++;
      break;
    case 'unreachable':
      if (r.ignored) stats.ignored++;
      else stats.unreachable++;
      break;
    case 'failed':
      if (r.rescued) {
        stats.rescued++;
      } else if (r.ignored) {
        stats.ok++;
        stats.ignored++;
        if (r.data['changed'] === true) stats.changed++;
      } else {
        stats.failed++;
      }
      break;
  }
}
