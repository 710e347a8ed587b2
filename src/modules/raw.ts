/**
 * `raw`: run a command line on the target as given, through the target's
 * shell (or `executable -c LINE`), and register rc/stdout/stderr. Always
 * changed, as Ansible's; a non-zero exit fails; skipped in check mode.
 */
import { sh } from '../util/shell.js';
import { defineModule, type ApplyResult, type ModuleContext } from './types.js';
import { failed } from './lib/result.js';

/** Arguments of `raw`. */
export interface RawArgs {
  cmd?: string;
  executable?: string;
}

/** Text split into lines as Python's str.splitlines does. */
function splitLines(text: string): string[] {
  // Python's line boundaries include the file/group/record separators.
  // eslint-disable-next-line no-control-regex
  const lines = text.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Run the line and register what Ansible's raw registers. */
async function runRaw(ctx: ModuleContext, script: string): Promise<ApplyResult> {
  const res = await ctx.conn.exec(script);
  const data = {
    rc: res.rc,
    stdout: res.stdout,
    stderr: res.stderr,
    stdout_lines: splitLines(res.stdout),
    stderr_lines: splitLines(res.stderr),
  };
  if (res.rc !== 0) return { kind: 'failed', msg: 'non-zero return code', data, changed: true };
  return { kind: 'applied', data };
}

/** The `raw` module. */
export default defineModule<RawArgs>({
  name: 'raw',
  docs: {
    short: 'Run a command line on the target as given, without any module code',
    description:
      'The line runs in the target shell (POSIX sh) as written, or as `EXECUTABLE -c LINE` with `executable`. Always reported changed; a non-zero exit fails the task.',
  },
  freeForm: 'cmd',
  checkMode: 'partial',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      cmd: { type: 'string', description: 'The command line (the free-form value)' },
      executable: { type: 'string', minLength: 1, description: 'The shell that runs the line (`EXECUTABLE -c LINE`)' },
    },
  },
  decide(ctx, args) {
    const line = args.cmd ?? '';
    if (line.trim() === '') return Promise.resolve(failed('no command given'));
    const script = args.executable !== undefined ? sh`${args.executable} -c ${line}` : line;
    return Promise.resolve({
      kind: 'unpredictable',
      reason: 'check mode is not supported for raw: the command would have run',
      apply: () => runRaw(ctx, script),
    });
  },
});
