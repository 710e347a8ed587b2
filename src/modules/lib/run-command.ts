/**
 * The shared decide/apply of `command` and `shell`: `creates`/`removes`
 * and the `onlyif`/`unless` probes checked in one read-only round trip, then the command run with its
 * timings and output registered as Ansible does.
 */
import { sh, shq } from '../../util/shell.js';
import type { ApplyResult, Decision, ModuleContext } from '../types.js';
import { boolSchema, toBool } from './bool.js';
import { failed } from './result.js';

/** Arguments common to command and shell. */
export interface RunCommandArgs {
  chdir?: string;
  creates?: string;
  removes?: string;
  stdin?: string;
  stdin_add_newline?: boolean | string;
  strip_empty_ends?: boolean | string;
  unless?: string;
  onlyif?: string;
}

/** Schema properties common to command and shell. */
export const runCommandProps = {
  chdir: { type: 'string', description: 'Change into this folder before running' },
  creates: {
    type: 'string',
    description: 'A path or glob pattern; when a path matches, the command is not run (relative to chdir)',
  },
  removes: {
    type: 'string',
    description: 'A path or glob pattern; when no path matches, the command is not run (relative to chdir)',
  },
  stdin: { type: 'string', description: "Text fed to the command's standard input" },
  stdin_add_newline: boolSchema('Append a newline to stdin', true),
  strip_empty_ends: boolSchema('Strip trailing newlines from stdout and stderr', true),
  unless: {
    type: 'string',
    description: 'A read-only probe (sh script, run in chdir): when it exits 0 the command is not run',
  },
  onlyif: {
    type: 'string',
    description: 'A read-only probe (sh script, run in chdir): the command runs only when it exits 0',
  },
} as const;

/**
 * A test that holds when the glob pattern matches a path (a plain path: when
 * it exists, a dangling symlink included), as Ansible's `glob.glob(creates)`
 * on the target. The pattern is only globbed, never split or expanded.
 */
export function globMatches(pattern: string): string {
  return `( p=${shq(pattern)}; IFS=; set +f; for f in $p; do if [ -e "$f" ] || [ -L "$f" ]; then exit 0; fi; done; exit 1 )`;
}

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
 * registered). Reads only `creates`/`removes` and runs the read-only
 * `onlyif`/`unless` probes, all in one round trip; without any of them the
 * outcome cannot be predicted in check mode.
 */
export async function decideCommand(
  ctx: ModuleContext,
  args: RunCommandArgs,
  script: string,
  cmd: unknown,
): Promise<Decision> {
  const cd = args.chdir !== undefined ? sh`cd -- ${args.chdir} && ` : '';
  // Each check prints one tagged line: `P<i> 1` means "skip the command".
  const checks: Array<{ test: string; msg: string }> = [];
  if (args.creates !== undefined)
    checks.push({ test: globMatches(args.creates), msg: `Did not run command since '${args.creates}' exists` });
  if (args.removes !== undefined)
    checks.push({
      test: `! ${globMatches(args.removes)}`,
      msg: `Did not run command since '${args.removes}' does not exist`,
    });
  if (args.onlyif !== undefined)
    checks.push({
      test: sh`! /bin/sh -c ${args.onlyif} >/dev/null 2>&1`,
      msg: 'Did not run command since the onlyif probe failed',
    });
  if (args.unless !== undefined)
    checks.push({
      test: sh`/bin/sh -c ${args.unless} >/dev/null 2>&1`,
      msg: 'Did not run command since the unless probe succeeded',
    });
  if (checks.length) {
    const lines = checks.map((c, i) => `if ${c.test}; then echo P${i} 1; else echo P${i} 0; fi`);
    const res = await ctx.conn.exec(`${cd}{\n${lines.join('\n')}\n}`);
    if (res.rc !== 0)
      return failed(`cannot check creates/removes/onlyif/unless: ${res.stderr.trim() || `rc ${res.rc}`}`, {
        cmd,
        rc: res.rc,
      });
    for (const [i, c] of checks.entries()) {
      if (new RegExp(`^P${i} 1$`, 'm').test(res.stdout)) {
        return {
          kind: 'ok',
          msg: c.msg,
          data: { cmd, rc: 0, stdout: c.msg, stderr: '', stdout_lines: [c.msg], stderr_lines: [] },
        };
      }
    }
  }
  let body = script;
  if (args.stdin !== undefined) {
    const text = toBool(args.stdin_add_newline, true) ? `${args.stdin}\n` : args.stdin;
    body = `printf '%s' ${shq(text)} | ${script}`;
  }
  const apply = (): Promise<ApplyResult> => runCommand(ctx, `${cd}${body}`, cmd, toBool(args.strip_empty_ends, true));
  // A guard (creates, removes, onlyif, unless) that let the command run predicts a change; without one, check mode cannot know.
  if (checks.length) return { kind: 'change', data: { cmd }, apply };
  // What check mode registers, as Ansible's command does: rc 0, no output, no timings; a real run's apply replaces them.
  const notRun = { cmd, rc: 0, stdout: '', stderr: '', start: null, end: null, delta: null };
  return { kind: 'unpredictable', reason: 'Command would have run if not in check mode', data: notRun, apply };
}

/**
 * `text` without its trailing newlines, in linear time (`/[\r\n]+$/` backtracks over every run of
 * newlines that is not at the end: a minute for output of many empty lines followed by text).
 */
export function stripNewlines(text: string): string {
  let end = text.length;
  while (end > 0) {
    const c = text.charCodeAt(end - 1);
    if (c !== 10 && c !== 13) break;
    end--;
  }
  return text.slice(0, end);
}

/** Run the command; a non-zero exit fails the task with Ansible's registered fields. */
async function runCommand(ctx: ModuleContext, script: string, cmd: unknown, strip: boolean): Promise<ApplyResult> {
  const start = new Date();
  const res = await ctx.conn.exec(script);
  const end = new Date();
  const stdout = strip ? stripNewlines(res.stdout) : res.stdout;
  const stderr = strip ? stripNewlines(res.stderr) : res.stderr;
  const lines = (s: string): string[] => (s === '' ? [] : s.replace(/\r?\n$/, '').split(/\r?\n/));
  let msg = '';
  if (res.rc === 127) msg = 'non-zero return code (rc 127: command not found on the target)';
  else if (res.rc === 126) msg = 'non-zero return code (rc 126: the command is not executable)';
  else if (res.rc !== 0) msg = 'non-zero return code';
  const data = {
    cmd,
    rc: res.rc,
    stdout,
    stderr,
    stdout_lines: lines(stdout),
    stderr_lines: lines(stderr),
    start: stamp(start),
    end: stamp(end),
    delta: delta(end.getTime() - start.getTime()),
    msg,
  };
  return res.rc === 0 ? { kind: 'applied', data } : { kind: 'failed', msg, data, changed: true };
}
