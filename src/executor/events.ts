/**
 * What the executor tells reporters. The executor never prints: it emits
 * these typed events and reporters decide what a person (or a program) sees.
 */
import type { BosunError, SourcePos } from '../errors.js';
import type { FileDiff } from '../modules/types.js';
import type { StepAnswer } from './step.js';

/** How one task ended on one host. */
export type TaskStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';

/** Why a task (or loop item) was skipped; decides the keys `register` stores (Ansible's `skip_reason` / `skipped_reason`). */
export type SkipCause =
  /** A `when` condition was false. */
  | { by: 'when'; condition: string }
  /** The loop had no items. */
  | { by: 'empty_loop' }
  /** Every loop item was skipped. */
  | { by: 'items' }
  /** Check mode, and the module cannot predict (`msg` is its reason). */
  | { by: 'check_mode' }
  /** The module decided the task does not apply (debug under its verbosity; `msg` says why). */
  | { by: 'module' };

/** Where a loop item stands in its loop, for the keys `register` stores with each item. */
export interface LoopPosition {
  /** `loop_control.loop_var` (default `item`). */
  loopVar: string;
  index: number;
  /** `loop_control.index_var`, when given. */
  indexVar?: string;
}

/** What every task result has, whatever its status. */
interface ResultCommon {
  host: string;
  /** Task title as shown (`role : name` or the module name). */
  task: string;
  /** The module that ran (`setup` for fact gathering). */
  module: string;
  /** How many attempts `until` took (as Ansible registers it: the number of retries when all of them failed). */
  attempts?: number;
  /** The host the task ran on when delegated (`delegate_to`). */
  delegatedTo?: string;
  /** The delegate's `ansible_host`, when it is not the delegate's name (shown as `-> name(address)`). */
  delegatedAddress?: string;
  /** Display label of the loop item (`loop_control.label`). */
  label?: string;
  msg: string | undefined;
  /** Exit code, output and error output of the command a module ran (command, shell, script, package managers). */
  rc: number | undefined;
  stdout: string | undefined;
  stderr: string | undefined;
  /** Variables the module set on the host (`ansible_facts`: setup's facts, set_fact's variables). */
  facts?: Record<string, unknown>;
  /** What changed, for --diff (empty without it). */
  diff: FileDiff[];
  /** Warnings the module gave (registered as `warnings`). */
  warnings?: string[];
  /** What `failed_when` evaluated to, when the task has one (registered as `failed_when_result`). */
  failedWhen?: boolean;
  durationMs: number;
  /** The loop item this result is for, when the task loops. */
  item?: unknown;
  /** Where the item stands in its loop, when this result is a loop item. */
  loop?: LoopPosition;
  /** Per-item results of a loop. */
  items?: TaskResult[];
  /**
   * The registered value (what `register:` stores, for -v output and --json),
   * built by `registeredValue()` from the typed fields and the module's own
   * keys. Nothing reads status, facts or output back out of it.
   */
  data: Record<string, unknown>;
  /** The task asked for no_log: reporters must not show data, msg or diffs. */
  noLog: boolean;
}

/** Nothing changed. */
export interface OkResult extends ResultCommon {
  status: 'ok';
  changed: false;
  ignored: false;
  rescued?: false;
  error?: undefined;
}

/** The task changed the host (or, in check mode, would). */
export interface ChangedResult extends ResultCommon {
  status: 'changed';
  changed: true;
  ignored: false;
  rescued?: false;
  error?: undefined;
}

/** The task did not run (or its module did not apply). */
export interface SkippedResult extends ResultCommon {
  status: 'skipped';
  changed: false;
  ignored: false;
  rescued?: false;
  error?: undefined;
  skip: SkipCause;
}

/** The task failed. */
export interface FailedResult extends ResultCommon {
  status: 'failed';
  /** Something changed before the failure (a command that ran and exited non-zero): counted `changed` when ignored. */
  changed: boolean;
  /** A failure that ignore_errors let pass (counted `ignored`). */
  ignored: boolean;
  /** A failure inside a block whose rescue handles it (counted `rescued`, not `failed`). */
  rescued?: boolean;
  /** A user error behind a failure (undefined variable, bad arguments), for positioned output. */
  error?: BosunError;
}

/** The host could not be reached. */
export interface UnreachableResult extends ResultCommon {
  status: 'unreachable';
  changed: false;
  /** ignore_unreachable let it pass. */
  ignored: boolean;
  rescued?: false;
  error?: undefined;
}

/** The result of one task (or one loop item) on one host, discriminated on `status`. */
export type TaskResult = OkResult | ChangedResult | SkippedResult | FailedResult | UnreachableResult;

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

/** Which shard a run is (`--shard`), on its run_start event: what `bosun report` checks before merging shards. */
export interface ShardInfo {
  /** From 0 (`--shard 2/4` is index 1). */
  index: number;
  count: number;
  /** The hosts selected before sharding (the inventory, or `--limit`'s), the controller's own names left out. */
  selectedHosts: number;
  /** How many of them are in this shard. */
  hosts: number;
  /** SHA-256 of the playbook files' text. */
  playbooksDigest: string;
}

/** Every event, discriminated on `type`. */
export type RunEvent =
  | { type: 'run_start'; playbooks: string[]; check: boolean; diff: boolean; forks: number; shard?: ShardInfo }
  | { type: 'playbook_start'; file: string }
  | {
      type: 'play_start';
      name: string;
      hosts: string[];
      source: SourcePos;
      batch?: { index: number; count: number };
      /** The play's own `check_mode`, when it is not the run's (--check). */
      check?: boolean;
    }
  | { type: 'no_hosts'; play: string; pattern: string }
  | {
      type: 'task_start';
      task: string;
      module: string;
      source: SourcePos;
      hosts: number;
      handler?: boolean;
      check?: boolean;
      tags?: string[];
    }
  /** `role`: the file is a role's (include_role), which ansible-playbook does not print a line for. */
  | { type: 'include'; file: string; hosts: string[]; source: SourcePos; role?: boolean }
  /** A --step question was answered (`question` as asked: ansible-playbook prints it again as a banner). */
  | { type: 'step'; question: string; answer: StepAnswer }
  | { type: 'retry'; host: string; task: string; retriesLeft: number; msg: string | undefined }
  | { type: 'play_aborted'; play: string; reason: string }
  | { type: 'interrupted'; reason: string; graceMs: number }
  | { type: 'task_result'; result: TaskResult }
  | { type: 'warning'; message: string; source?: SourcePos }
  | {
      type: 'recap';
      hosts: Record<string, HostStats>;
      durationMs: number;
      /** The run's exit code, from where the hosts ended (a recap cannot tell a cleared failure). */
      exitCode?: 0 | 2 | 4 | 99;
    }
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
        if (r.changed) stats.changed++;
      } else {
        stats.failed++;
      }
      break;
  }
}
