/**
 * `async:` and `poll:` of a task, as Ansible 2.14 runs them: the module's
 * remote command starts in the background on the target (a job, see
 * src/modules/lib/async-job.ts); with `poll: 0` the task is done at once and
 * registers the job's id, otherwise the job is looked at every `poll` seconds
 * through the host's same connection until it ends (the task's result is the
 * module's, plus the job's keys) or `async` seconds of polls have passed.
 */
import type { Connection } from '../connection/types.js';
import { InterruptedError } from '../errors.js';
import { cleanupJob, finishedJob, jobStatus, startJob, type JobStatus } from '../modules/lib/async-job.js';
import type { ApplyResult, Decision } from '../modules/types.js';

/** The task's async settings on this host (rendered). */
export interface AsyncSettings {
  seconds: number;
  poll: number;
}

/** Ansible's message for an async task under check mode (its action plugins refuse the pair). */
export const ASYNC_CHECK_MODE_MSG = 'check mode and async cannot be used on same task.';

/**
 * The decision as an async task carries it out: a plan's apply becomes starting its background command (and
 * polling it). A decision without a plan (a command whose `creates` exists, a failure) stays as it is.
 */
export function asyncDecision(
  decision: Decision,
  conn: Connection,
  settings: AsyncSettings,
  sleep: (ms: number) => Promise<void>,
): Decision {
  if (decision.kind === 'ok' || decision.kind === 'fail') return decidedJob(decision, conn, settings);
  if (decision.kind !== 'change' && decision.kind !== 'unpredictable') return decision;
  const bg = decision.background;
  if (!bg) return decision;
  const apply = async (): Promise<ApplyResult> => {
    const refused = await bg.prepare?.();
    if (refused) return refused;
    const job = await startJob(conn, bg, settings.seconds);
    const started = { started: 1, finished: 0, ansible_job_id: job.jid, results_file: job.resultsFile };
    // Ansible marks a job it started and did not wait for as changed.
    if (settings.poll === 0) return { kind: 'applied', data: started };
    let left = settings.seconds;
    let last: JobStatus | undefined;
    // As Ansible's _poll_async_result: sleep, look, and count `poll` seconds off the limit per look.
    while (left > 0) {
      await sleep(settings.poll * 1000);
      try {
        last = await jobStatus(conn, job.jid, { record: false });
      } catch (e) {
        // As Ansible: a look that fails (the connection dropped, the host rebooting) is retried on a new
        // connection until the limit; a stopped run stops at once.
        left -= settings.poll;
        if (e instanceof InterruptedError || left <= 0) throw e;
        await conn.reset?.().catch(() => undefined);
        continue;
      }
      if (last.finished) break;
      left -= settings.poll;
    }
    if (!last?.finished) {
      const msg = `async task did not complete within the requested time - ${settings.seconds}s`;
      return { kind: 'failed', msg, data: { async_result: { ...(last?.data ?? started), changed: false } } };
    }
    // A job that finished has its files removed (Ansible's automatic cleanup).
    await cleanupJob(conn, job.jid).catch(() => undefined);
    const { finished: _finished, ...result } = last;
    return result;
  };
  // The job's own keys replace what the decision predicted (Ansible registers the job's result only).
  return { kind: 'change', apply };
}

/**
 * A module that decided without running anything (a command whose `creates` exists, a chdir that fails): Ansible
 * still ran the module as a job, so the task registers a job whose result is that decision (poll 0: started and
 * changed, async_status then reads the result; poll > 0: the result plus the job's keys).
 */
function decidedJob(decision: Decision & { kind: 'ok' | 'fail' }, conn: Connection, settings: AsyncSettings): Decision {
  const result: ApplyResult =
    decision.kind === 'ok'
      ? { kind: 'unchanged', ...(decision.msg !== undefined ? { msg: decision.msg } : {}), data: decision.data ?? {} }
      : { kind: 'failed', msg: decision.msg, data: decision.data ?? {} };
  const apply = async (): Promise<ApplyResult> => {
    const job = await finishedJob(conn, result, settings.poll === 0);
    const keys = { started: 1, ansible_job_id: job.jid, results_file: job.resultsFile };
    if (settings.poll === 0) return { kind: 'applied', data: { ...keys, finished: 0 } };
    const polled = { stdout: '', stderr: '', stdout_lines: [], stderr_lines: [], ...keys, ...result.data, finished: 1 };
    return { ...result, data: polled };
  };
  return { kind: 'change', apply };
}
