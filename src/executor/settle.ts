/**
 * The settle step: a module's decision, check mode, the apply result and the
 * task's changed_when / failed_when become one verdict (final status, message,
 * output, facts, diff and the module's keys). The task runner and the module
 * test harness both call it, so a module behaves the same in both.
 */
import type { ApplyResult, Decision, FileDiff, ResultData } from '../modules/types.js';
import { registeredValue, taskResult, type ResultTarget, type Verdict } from './results.js';

/** How to settle a decision. */
export interface SettleOptions {
  /** Check mode: never call `apply`; an unpredictable decision is `skipped` with its reason. */
  check: boolean;
  /** --diff: keep the decision's diff. */
  diff: boolean;
  /** `changed_when`, evaluated over the registered value so far (absent: the task has none). */
  changedWhen?: (registered: Record<string, unknown>) => boolean;
  /** `failed_when`, evaluated over the registered value after changed_when (absent: the task has none). */
  failedWhen?: (registered: Record<string, unknown>) => boolean;
  /** The `until` attempt this is: registered as `attempts` and so visible to changed_when / failed_when, as in Ansible. */
  attempts?: number;
}

/** The command output a module returned among its keys, as typed fields (one place reads them). */
function outputOf(data: ResultData): Pick<Verdict, 'rc' | 'stdout' | 'stderr'> {
  return {
    rc: typeof data['rc'] === 'number' ? data['rc'] : undefined,
    stdout: typeof data['stdout'] === 'string' ? data['stdout'] : undefined,
    stderr: typeof data['stderr'] === 'string' ? data['stderr'] : undefined,
  };
}

/** The verdict of a decision before changed_when / failed_when: check mode, then apply. */
async function decided(decision: Decision, opts: SettleOptions): Promise<Verdict> {
  const data = decision.data ?? {};
  const base = {
    msg: decision.msg,
    facts: decision.facts,
    warnings: decision.warnings,
    returned: data,
    ...outputOf(data),
  };
  switch (decision.kind) {
    case 'ok':
      return { ...base, status: 'ok' };
    case 'fail':
      return { ...base, status: 'failed', changed: false };
    case 'skip':
      return { ...base, status: 'skipped', skip: { by: 'module' } };
    case 'unpredictable':
      if (opts.check) return { ...base, msg: decision.reason, status: 'skipped', skip: { by: 'check_mode' } };
      return applied(base, decision.diff, await decision.apply(), opts);
    case 'change':
      if (opts.check) return { ...base, status: 'changed', diff: opts.diff ? (decision.diff ?? []) : [] };
      return applied(base, decision.diff, await decision.apply(), opts);
  }
}

/** The verdict once `apply` ran: its keys over the decision's, its message if it gives one. */
function applied(
  base: Omit<Verdict, 'status'>,
  diff: FileDiff[] | undefined,
  r: ApplyResult,
  opts: SettleOptions,
): Verdict {
  const returned = { ...base.returned, ...r.data };
  const merged = {
    ...base,
    returned,
    ...outputOf(returned),
    msg: r.msg ?? base.msg,
    facts: r.facts ?? base.facts,
    warnings: [...(base.warnings ?? []), ...(r.warnings ?? [])],
  };
  const shown = opts.diff ? (diff ?? []) : [];
  switch (r.kind) {
    case 'applied':
      return { ...merged, status: 'changed', diff: shown };
    case 'unchanged':
      return { ...merged, status: 'ok' };
    case 'failed':
      return { ...merged, msg: r.msg, status: 'failed', changed: r.changed === true, diff: shown };
  }
}

/** The target the conditions' registered value is built for (never shown: only its `data` is used). */
const CONDITION_TARGET: ResultTarget = {
  host: '',
  task: '',
  module: '',
  noLog: false,
  ignoreErrors: false,
  ignoreUnreachable: false,
};

/** The verdict's registered value at this point, as changed_when / failed_when see it. */
function registeredSoFar(v: Verdict, attempts: number | undefined): Record<string, unknown> {
  return registeredValue(taskResult(CONDITION_TARGET, v, 0, attempts !== undefined ? { attempts } : {}), v.returned);
}

/**
 * Settle a decision into the task's verdict: check mode (a change is
 * reported, not applied; an unpredictable decision is skipped with its
 * reason), else apply; then changed_when and failed_when, over the
 * registered value (with `attempts` under until), unless skipped. A
 * condition that cannot be evaluated throws (the caller reports it with its
 * position).
 */
export async function settle(decision: Decision, opts: SettleOptions): Promise<Verdict> {
  let v = await decided(decision, opts);
  if (v.status === 'skipped' || (!opts.changedWhen && !opts.failedWhen)) return v;
  let changed = v.status === 'changed' || (v.status === 'failed' && v.changed);
  let failed = v.status === 'failed';
  if (opts.changedWhen) {
    changed = opts.changedWhen(registeredSoFar(v, opts.attempts));
    v = withStatus(v, failed, changed);
  }
  if (opts.failedWhen) {
    failed = opts.failedWhen(registeredSoFar(v, opts.attempts));
    v = { ...withStatus(v, failed, changed), failedWhen: failed };
  }
  return v;
}

/** The verdict with the status changed_when / failed_when gave it. */
function withStatus(v: Verdict, failed: boolean, changed: boolean): Verdict {
  const { status: _status, ...rest } = v as Verdict & { changed?: boolean; skip?: unknown };
  delete rest.changed;
  delete rest.skip;
  if (failed) return { ...rest, status: 'failed', changed };
  return { ...rest, status: changed ? 'changed' : 'ok' };
}
