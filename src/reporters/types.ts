/**
 * A reporter listens to a run; it is the only place (with cli/) that
 * writes output. It is an object of optional hooks, one per kind of event,
 * each of which may be async: the dispatcher (dispatch.ts) calls them in
 * the order events happen and waits for a hook's promise before the next
 * event reaches any reporter, so a slow reporter never sees (or causes)
 * events out of order, and the run ends only when every hook has finished.
 *
 * Every event a hook gets has passed the masking sink
 * (src/util/secrets.ts): secrets are masked and a `no_log` task's result is
 * already censored, so a reporter shows what it gets.
 */
import type { RunEvent } from '../executor/events.js';

/** The event of one `type`. */
export type EventOf<T extends RunEvent['type']> = Extract<RunEvent, { type: T }>;

/** What a hook returns: nothing, or a promise the dispatcher waits for. */
export type HookResult = void | Promise<void>;

/** The hooks of a reporter, all optional. */
export interface Reporter {
  /** Once per run (twice with `--confirm`: the plan, then the apply), after every playbook and the inventory loaded, before any play. */
  onRunStart?(event: EventOf<'run_start'>): HookResult;
  /** Before the plays of each playbook file. */
  onPlaybookStart?(event: EventOf<'playbook_start'>): HookResult;
  /** At the start of each play, and of each `serial` batch of it. */
  onPlayStart?(event: EventOf<'play_start'>): HookResult;
  /** Instead of onPlayStart when a play's `hosts:` matches no host. */
  onNoHosts?(event: EventOf<'no_hosts'>): HookResult;
  /** Before a task (or handler) runs on the play's hosts; not for tasks every host skips by tag or `--start-at-task`. */
  onTaskStart?(event: EventOf<'task_start'>): HookResult;
  /** For each host's result of a task (a loop's items are in `result.items`), in the order hosts finish. */
  onTaskResult?(event: EventOf<'task_result'>): HookResult;
  /** After each `--step` question is answered, before the task's onTaskStart (if it runs). */
  onStep?(event: EventOf<'step'>): HookResult;
  /** When `include_tasks`/`include_role` brings in a file for some hosts. */
  onInclude?(event: EventOf<'include'>): HookResult;
  /** Each time an `until` task fails on a host and will be tried again. */
  onRetry?(event: EventOf<'retry'>): HookResult;
  /** When a play stops for every host (all failed, `any_errors_fatal`, `max_fail_percentage`). */
  onPlayAborted?(event: EventOf<'play_aborted'>): HookResult;
  /** When the run is told to stop (Ctrl-C, SIGTERM, `--run-timeout`); running tasks may still report results. */
  onInterrupted?(event: EventOf<'interrupted'>): HookResult;
  /** For each warning of the run (deprecations, a tag no task has, no inventory, ...). */
  onWarning?(event: EventOf<'warning'>): HookResult;
  /** A running task's progress on one host (download bytes), a few times a second. */
  onProgress?(event: EventOf<'progress'>): HookResult;
  /** Once at the end of a run, with every host's counters, also after an interrupt. */
  onRecap?(event: EventOf<'recap'>): HookResult;
}

/** The hook each event type goes to; a new event type fails to compile until it has one. */
export const HOOK_OF = {
  run_start: 'onRunStart',
  playbook_start: 'onPlaybookStart',
  play_start: 'onPlayStart',
  no_hosts: 'onNoHosts',
  task_start: 'onTaskStart',
  task_result: 'onTaskResult',
  step: 'onStep',
  include: 'onInclude',
  retry: 'onRetry',
  play_aborted: 'onPlayAborted',
  interrupted: 'onInterrupted',
  warning: 'onWarning',
  progress: 'onProgress',
  recap: 'onRecap',
} as const satisfies Record<RunEvent['type'], keyof Reporter>;

/** Call the one hook of `reporter` that `event` is for (what the dispatcher does per reporter). */
export function callHook(reporter: Reporter, event: RunEvent): HookResult {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with the reporter as `this` just below
  const hook = reporter[HOOK_OF[event.type]] as ((e: RunEvent) => HookResult) | undefined;
  return hook?.call(reporter, event);
}
