/**
 * A host's state across the plays of a run, as a small state machine:
 * `active`, `failed`, `unreachable` or `ended` (meta end_host/end_play/
 * end_batch), each with its reason. Every change goes through a named
 * transition, so rescue, always, handlers and the meta actions never clear
 * and restore loose booleans. `failed` and `unreachable` outlive the play
 * (later plays skip the host, and the exit code is read from them, as
 * Ansible's failed and unreachable host lists); `ended` lasts one play.
 */
import type { Task } from '../playbook/types.js';
import type { VarLayer } from '../vars/scope.js';

/** Where a host is. */
export type HostStatus =
  | { kind: 'active' }
  /**
   * A task failed. `pending`: inside a block whose rescue or always section
   * is still to run, so the failure is the block's until then (it does not
   * trip any_errors_fatal or max_fail_percentage, as in Ansible).
   */
  | { kind: 'failed'; task: string; pending: boolean; reason: 'task' | 'any_errors_fatal' | 'max_fail_percentage' }
  | { kind: 'unreachable'; reason: string }
  /** Out of this play without a failure: meta end_host/end_play/end_batch, or a failure cleared by clear_host_errors. */
  | { kind: 'ended'; by: 'end_host' | 'end_play' | 'end_batch' | 'clear_host_errors' };

/** The facts of the last failure, for ansible_failed_task / ansible_failed_result in a rescue. */
export interface FailureRecord {
  task: Task;
  result: Record<string, unknown>;
}

/** One host's state. */
export class HostState {
  /** The inventory's variable layers of the host (group_vars, host_vars), read once. */
  inventoryLayers: VarLayer[] | undefined;
  /** Facts (gathered, or returned by modules), replaced (never changed in place) when new ones arrive. */
  facts: Record<string, unknown> = {};
  /** set_fact and register (one precedence level). */
  runtime: Record<string, unknown> = {};
  /** Variables of `include_vars` (their own level, below set_fact and register, as in Ansible). */
  includedVars: Record<string, unknown> = {};
  /** Bumped whenever runtime or includedVars change in place (hostvars views are rebuilt from it). */
  varsVersion = 0;
  /** Ids of the handlers notified on the host and not yet run. */
  readonly notified = new Set<number>();
  lastFailure: FailureRecord | undefined;
  private current: HostStatus = { kind: 'active' };
  /** Counts clear_host_errors, so a block's always section can tell whether its failure was cleared. */
  private clears = 0;

  constructor(readonly name: string) {}

  /** Where the host is now. */
  get status(): HostStatus {
    return this.current;
  }

  /** Can the host run more tasks in this play? */
  get active(): boolean {
    return this.current.kind === 'active';
  }

  /** Failed, and not only inside a block whose rescue or always section has yet to run. */
  get failedForGood(): boolean {
    return this.current.kind === 'failed' && !this.current.pending;
  }

  /** Failed or unreachable: what the exit code and the retry file report. */
  get inError(): boolean {
    return this.current.kind === 'failed' || this.current.kind === 'unreachable';
  }

  /** A task failed on the host (`pending`: a rescue or always section of an enclosing block is still to run). */
  fail(task: string, pending: boolean, failure?: FailureRecord): void {
    if (this.current.kind === 'unreachable') return;
    this.current = { kind: 'failed', task, pending, reason: 'task' };
    if (failure) this.lastFailure = failure;
  }

  /** any_errors_fatal or max_fail_percentage ended the play: a host still running counts as failed. */
  failByRule(rule: 'any_errors_fatal' | 'max_fail_percentage'): void {
    if (this.current.kind === 'active') this.current = { kind: 'failed', task: '', pending: false, reason: rule };
  }

  /** The connection was lost or never made. */
  markUnreachable(reason: string): void {
    this.current = { kind: 'unreachable', reason };
  }

  /** meta: end_host / end_play / end_batch. */
  end(by: 'end_host' | 'end_play' | 'end_batch'): void {
    if (this.current.kind === 'active') this.current = { kind: 'ended', by };
  }

  /** Entering a rescue section: the block's failure is handled there. */
  rescue(): void {
    if (this.current.kind === 'failed') this.current = { kind: 'active' };
  }

  /**
   * meta: clear_host_errors, as Ansible does it: an unreachable host is
   * active again; a host whose failure already took it out of the play
   * stays out of this play but is no longer failed (later plays run it,
   * the exit code does not count it); a failure held by an always section
   * is not put back. A failure a rescue is still to handle stays.
   */
  clearErrors(): void {
    if (this.current.kind === 'unreachable') this.current = { kind: 'active' };
    else if (this.current.kind === 'failed' && !this.current.pending)
      this.current = { kind: 'ended', by: 'clear_host_errors' };
    this.clears++;
  }

  /**
   * Entering an always section with a failure pending: the host runs it, and
   * `resume` of the returned token puts the failure back unless a task of the
   * section failed again, ended the host, or cleared host errors.
   */
  suspendFailure(): { resume(): void } {
    const held = this.current;
    const clears = this.clears;
    if (held.kind === 'failed') this.current = { kind: 'active' };
    return {
      resume: () => {
        if (held.kind === 'failed' && this.current.kind === 'active' && this.clears === clears) this.current = held;
      },
    };
  }

  /** A new play (or batch) starts: `ended` lasts one play. */
  startPlay(): void {
    if (this.current.kind === 'ended') this.current = { kind: 'active' };
  }
}
