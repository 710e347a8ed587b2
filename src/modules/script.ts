/**
 * `script`: copy a controller script (found in `files/`) to a temp file on
 * the target, run it with its arguments, and remove it whatever happens.
 * Registers rc/stdout/stderr like `command`; `creates`/`removes` decide in
 * check mode.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { sh, shq, splitWords } from '../util/shell.js';
import { exactlyOneOf } from './lib/schema.js';
import { decideCommand, type RunCommandArgs } from './lib/run-command.js';
import { deciding, failed } from './lib/result.js';
import { defineModule, type ApplyFailed, type Plan } from './types.js';

/** Arguments of `script`. */
export interface ScriptArgs extends Pick<RunCommandArgs, 'chdir' | 'creates' | 'removes'> {
  cmd?: string;
  free_form?: string;
  executable?: string;
}

/** The `script` module. */
export default defineModule<ScriptArgs>({
  name: 'script',
  docs: {
    short: 'Copy a controller script to the target and run it there',
    description:
      'The first word is the script (searched in files/), the rest its arguments, split like command (no shell expansion). The temp copy is removed after the run.',
  },
  freeForm: 'cmd',
  checkMode: 'partial',
  background: true,
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      cmd: {
        type: 'string',
        minLength: 1,
        description: 'The script (in files/ or a controller path) followed by its arguments (the free-form value)',
      },
      free_form: { type: 'string', minLength: 1, description: 'Alias of cmd' },
      chdir: { type: 'string', description: 'Change into this folder on the target before running' },
      creates: { type: 'string', description: 'A path on the target; when it exists the script is not run' },
      removes: { type: 'string', description: 'A path on the target; when it does not exist the script is not run' },
      executable: {
        type: 'string',
        description: "Run the script with this program (e.g. 'bash', '/usr/bin/python3') instead of its shebang",
      },
    },
    ...exactlyOneOf('cmd', 'free_form'),
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const words = splitWords(args.cmd ?? args.free_form ?? '');
      const [name, ...params] = words;
      if (!name) return failed('no script given');
      let local: string;
      try {
        local = await ctx.findFile('files', name);
      } catch (e) {
        return failed((e as Error).message);
      }
      let body: Buffer;
      try {
        body = await fs.readFile(local);
      } catch (e) {
        return failed(`Could not read '${name}' on the controller: ${(e as Error).message}`);
      }
      const tmp = `/tmp/.bosun-script-${randomBytes(8).toString('hex')}`;
      const run =
        args.executable !== undefined ? `${splitWords(args.executable).map(shq).join(' ')} ${shq(tmp)}` : shq(tmp);
      const line = [run, ...params.map(shq)].join(' ');
      const script = `{ bosun_rc=0; ${line} || bosun_rc=$?; rm -f -- ${shq(tmp)}; exit $bosun_rc; }`;
      const decision = await decideCommand(ctx, args, { script, cmd: words });
      if (decision.kind !== 'change' && decision.kind !== 'unpredictable') return decision;
      const apply = decision.apply;
      const upload = async (): Promise<ApplyFailed | undefined> => {
        try {
          await ctx.conn.writeFile(tmp, body, 0o700);
          return undefined;
        } catch (e) {
          return { kind: 'failed', msg: `cannot copy the script to ${tmp} on the target: ${(e as Error).message}` };
        }
      };
      const withScript: Plan = {
        ...decision,
        ...(decision.kind === 'unpredictable' ? { reason: 'Script would have run if not in check mode' } : {}),
        // In the background the script removes itself when it ends (the chdir was checked before).
        ...(decision.background ? { background: { ...decision.background, prepare: upload } } : {}),
        apply: async () => {
          const refused = await upload();
          if (refused) return refused;
          try {
            return await apply();
          } finally {
            // `cd chdir &&` failing skips the in-script removal; make sure nothing stays behind.
            await ctx.conn.exec(sh`rm -f -- ${tmp}`).catch(() => undefined);
          }
        },
      };
      return withScript;
    }),
});
