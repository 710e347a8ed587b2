/**
 * `command`: run a program on the target without a shell. The command line is
 * split into words (quotes group) and each word is quoted, so `$VAR`, `*`,
 * `|` and `>` reach the program literally, as in Ansible.
 */
import { shq, splitWords } from '../util/shell.js';
import { notBoth } from './lib/schema.js';
import { defineModule } from './types.js';
import { failed } from './lib/result.js';
import { decideCommand, runCommandProps, type RunCommandArgs } from './lib/run-command.js';

/** Arguments of `command`. */
export interface CommandArgs extends RunCommandArgs {
  cmd?: string;
  argv?: string[];
}

/** The `command` module. */
export default defineModule<CommandArgs>({
  name: 'command',
  docs: {
    short: 'Run a command on the target without a shell',
    description:
      'The line is split into words like a shell would, but no expansion, redirection or pipe happens. Use `shell` for those.',
  },
  freeForm: 'cmd',
  checkMode: 'partial',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      cmd: { type: 'string', description: 'The command line (the free-form value)' },
      argv: {
        type: 'array',
        items: { type: 'string' },
        minItems: 1,
        description: 'The command as a list of words (no splitting)',
      },
      ...runCommandProps,
    },
    ...notBoth('cmd', 'argv'),
  },
  async decide(ctx, args) {
    const words = args.argv ?? splitWords(args.cmd ?? '');
    if (words.length === 0) return failed('no command given');
    return decideCommand(ctx, args, words.map(shq).join(' '), args.argv ?? words);
  },
});
