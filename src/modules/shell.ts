/**
 * `shell`: run a script through a shell on the target (`/bin/sh -c` unless
 * `executable` names another), so pipes, redirections and variables work.
 */
import { shlexQuote } from '../util/python-text.js';
import { sh, shq } from '../util/shell.js';
import { defineModule } from './types.js';
import { failed } from './lib/result.js';
import { decideCommand, runCommandProps, type RunCommandArgs } from './lib/run-command.js';

/** Arguments of `shell`. */
export interface ShellArgs extends RunCommandArgs {
  cmd?: string;
  executable?: string;
}

/** The `shell` module. */
export default defineModule<ShellArgs>({
  name: 'shell',
  docs: {
    short: 'Run a shell script on the target',
    description:
      'The script runs as `EXECUTABLE -c SCRIPT` (default /bin/sh), so pipes, redirections, globs and variables work.',
  },
  freeForm: 'cmd',
  checkMode: 'partial',
  background: true,
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      cmd: { type: 'string', description: 'The script (the free-form value)' },
      executable: { type: 'string', description: 'The shell that runs the script (default /bin/sh)' },
      ...runCommandProps,
    },
  },
  async decide(ctx, args) {
    if (!args.cmd || args.cmd.trim() === '') return failed('no command given');
    const exe = args.executable ?? '/bin/sh';
    return decideCommand(ctx, args, {
      script: sh`${exe} -c ${args.cmd}`,
      cmd: args.cmd,
      // Only a named executable can be missing (Ansible's Popen fails before any shell runs).
      ...(args.executable !== undefined
        ? { program: shq(exe), cleanCmd: [exe, '-c', args.cmd].map(shlexQuote).join(' ') }
        : {}),
    });
  },
});
