/**
 * The shared decide/apply of `command` and `shell`: `creates`/`removes`
 * checked in one read-only round trip, then the command run with its
 * timings and output registered as Ansible does.
 */
import { sh, shq } from '../../util/shell.js';
import type { ApplyResult, Decision, ModuleContext } from '../types.js';
import { boolSchema, toBool } from './bool.js';

/** Arguments common to command and shell. */
export interface RunCommandArgs {
  chdir?: string;
  creates?: string;
  removes?: string;
  stdin?: string;
  stdin_add_newline?: boolean | string;
  strip_empty_ends?: boolean | string;
}

/** Schema properties common to command and shell. */
export const runCommandProps = {
  chdir: { type: 'string', description: 'Change into this folder before running' },
  creates: { type: 'string', description: 'A path; when it exists the command is not run (relative to chdir)' },
  removes: { type: 'string', description: 'A path; when it does not exist the command is not run (relative to chdir)' },
  stdin: { type: 'string', description: "Text fed to the command's standard input" },
  stdin_add_newline: boolSchema('Append a newline to stdin', true),
  strip_empty_ends: boolSchema('Strip trailing newlines from stdout and stderr', true),
} as const;

/** Ansible's timestamp format: `2024-05-01 12:00:00.123456` (controller local time). */
function stamp(d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}000`;
}

/** Ansible's delta format: `0:00:00.002345`. */
function delta(ms: number): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 3600)}:${p(Math.floor(s / 60) % 60)}:${p(s % 60)}.${String(Math.round(ms % 1000)).padStart(3, '0')}000`;
}

/**
 * Decide for a command line already quoted as `script` (`cmd` is what is
 * registered). Reads only `creates`/`removes`; without them the outcome cannot
 * be predicted in check mode.
 */
export async function decideCommand(ctx: ModuleContext, args: RunCommandArgs, script: string, cmd: unknown): Promise<Decision> {
  const cd = args.chdir !== undefined ? sh`cd -- ${args.chdir} && ` : '';
  const probes: Array<{ path: string; skipWhen: boolean; msg: string }> = [];
  if (args.creates !== undefined) probes.push({ path: args.creates, skipWhen: true, msg: `Did not run command since '${args.creates}' exists` });
  if (args.removes !== undefined) probes.push({ path: args.removes, skipWhen: false, msg: `Did not run command since '${args.removes}' does not exist` });
  if (probes.length) {
    const res = await ctx.conn.exec(`${cd}${probes.map((p) => sh`if [ -e ${p.path} ]; then echo 1; else echo 0; fi`).join('; ')}`);
    const found = res.stdout.split('\n').filter((l) => l === '0' || l === '1');
    for (const [i, p] of probes.entries()) {
      if ((found[i] === '1') === p.skipWhen) {
        return { changed: false, msg: p.msg, data: { cmd, rc: 0, stdout: p.msg, stderr: '', stdout_lines: [p.msg], stderr_lines: [] } };
      }
    }
  }
  let body = script;
  if (args.stdin !== undefined) {
    const text = toBool(args.stdin_add_newline, true) ? `${args.stdin}\n` : args.stdin;
    body = `printf '%s' ${shq(text)} | ${script}`;
  }
  const decision: Decision = {
    changed: true,
    data: { cmd },
    apply: () => runCommand(ctx, `${cd}${body}`, cmd, toBool(args.strip_empty_ends, true)),
  };
  if (!probes.length) decision.unpredictable = 'Command would have run if not in check mode';
  return decision;
}

/** Run the command; a non-zero exit fails the task with Ansible's registered fields. */
async function runCommand(ctx: ModuleContext, script: string, cmd: unknown, strip: boolean): Promise<ApplyResult> {
  const start = new Date();
  const res = await ctx.conn.exec(script);
  const end = new Date();
  const stdout = strip ? res.stdout.replace(/[\r\n]+$/, '') : res.stdout;
  const stderr = strip ? res.stderr.replace(/[\r\n]+$/, '') : res.stderr;
  const lines = (s: string): string[] => (s === '' ? [] : s.replace(/\r?\n$/, '').split(/\r?\n/));
  let msg = '';
  if (res.rc === 127) msg = 'non-zero return code (rc 127: command not found on the target)';
  else if (res.rc === 126) msg = 'non-zero return code (rc 126: the command is not executable)';
  else if (res.rc !== 0) msg = 'non-zero return code';
  const data = {
    cmd, rc: res.rc, stdout, stderr, stdout_lines: lines(stdout), stderr_lines: lines(stderr),
    start: stamp(start), end: stamp(end), delta: delta(end.getTime() - start.getTime()), msg,
  };
  return res.rc === 0 ? { data, changed: true } : { data, changed: true, failed: true, msg };
}
