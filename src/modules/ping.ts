/**
 * `ping`: prove the target answers commands (one round trip through its
 * shell) and return `ping: DATA`. Never changes anything. `data: crash`
 * fails as Ansible's module does (it raises on purpose, to test failures).
 */
import { defineModule } from './types.js';
import { deciding, failed } from './lib/result.js';

/** Arguments of `ping`. */
export interface PingArgs {
  data?: string;
}

/** What Ansible's module prints to stderr for `data: crash` (its traceback ends so). */
const CRASH_STDERR = 'Traceback (most recent call last):\n  File "ping.py", line 79, in main\nException: boom\n';

/** The `ping` module. */
export default defineModule<PingArgs>({
  name: 'ping',
  docs: {
    short: 'Check that the target answers commands and return pong',
    description: 'Runs one command through the target shell; needs no Python. Never changes anything.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      data: {
        type: 'string',
        default: 'pong',
        description: 'What to return as `ping`; `crash` makes the task fail (to test failure handling)',
      },
    },
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const data = args.data ?? 'pong';
      const res = await ctx.conn.exec('echo pong');
      if (res.rc !== 0 || res.stdout.trim() !== 'pong')
        return failed(`the target shell did not answer: rc ${res.rc} ${res.stderr.trim()}`.trim(), { rc: res.rc });
      if (data === 'crash')
        return failed('MODULE FAILURE\nSee stdout/stderr for the exact error', {
          rc: 1,
          module_stdout: '',
          module_stderr: CRASH_STDERR,
        });
      return { kind: 'ok', data: { ping: data } };
    }),
});
