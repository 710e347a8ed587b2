/**
 * `async_status`: what a job started by an `async:` task with `poll: 0` is
 * doing (`mode: status`: `finished` 0 while it runs, then its module's
 * result), or its files removed (`mode: cleanup`). The job's state is on the
 * target, in Ansible's place (src/modules/lib/async-job.ts). Read-only; in
 * check mode it does not look, as Ansible's module does not support check
 * mode (skipped, unless the task says `check_mode: false`).
 */
import { defineModule } from './types.js';
import { cleanupJob, isJobId, jobStatus } from './lib/async-job.js';
import { applying, failed } from './lib/result.js';

/** Arguments of `async_status`. */
export interface AsyncStatusArgs {
  jid: string;
  mode?: 'status' | 'cleanup';
}

/** The `async_status` module. */
export default defineModule<AsyncStatusArgs>({
  name: 'async_status',
  docs: {
    short: 'Show the state of a background job of an async task, or remove its files',
    description:
      'Reads `~/.ansible_async/JID` of the user the task runs as, where a task with `async:` and `poll: 0` left its job; ' +
      'use it with `until: job.finished`, `retries` and `delay` to wait for the job.',
  },
  checkMode: 'partial',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['jid'],
    properties: {
      jid: { type: 'string', description: "The job's id (`ansible_job_id` of the async task's registered value)" },
      mode: {
        type: 'string',
        enum: ['status', 'cleanup'],
        default: 'status',
        description: "`status`: the job's state (its result once it finished); `cleanup`: remove the job's files",
      },
    },
  },
  decide(ctx, args) {
    const { jid } = args;
    const mode = args.mode ?? 'status';
    if (!isJobId(jid))
      return Promise.resolve(failed(`jid must name one job (no '/'), got '${jid}'`, { ansible_job_id: jid }));
    const shown =
      mode === 'cleanup'
        ? { ansible_job_id: jid, started: 0, finished: 0 }
        : { ansible_job_id: jid, started: 1, finished: 0 };
    return Promise.resolve({
      kind: 'unpredictable',
      reason: 'remote module (ansible.legacy.async_status) does not support check mode',
      data: { ...shown, stdout: '', stderr: '', stdout_lines: [], stderr_lines: [] },
      apply: () =>
        applying(async () => {
          const { finished: _finished, ...result } =
            mode === 'cleanup' ? await cleanupJob(ctx.conn, jid) : await jobStatus(ctx.conn, jid, { record: true });
          return result;
        }),
    });
  },
});
