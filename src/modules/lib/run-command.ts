/**
 * The shared decide/apply of `command` and `shell`: `creates`/`removes`
 * and the `onlyif`/`unless` probes checked in one read-only round trip, then the command run with its
 * timings and output registered as Ansible does.
 */
import { randomBytes } from 'node:crypto';
import { pyBytesRepr, pyOsError } from '../../util/python-text.js';
import { sh, shq } from '../../util/shell.js';
import type { ExecResult } from '../../connection/types.js';
import type { ApplyResult, BackgroundCommand, Decision, ModuleContext } from '../types.js';
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
  // Without a glob's special characters Python's glob looks for the path itself (os.path.lexists): no subshell.
  if (!/[*?[]/.test(pattern)) return sh`{ [ -e ${pattern} ] || [ -L ${pattern} ]; }`;
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

/** What the run needs besides the script: how `command` finds its program, and what is registered. */
export interface CommandRun {
  /** The quoted command line (command: the words; shell: `EXE -c SCRIPT`). */
  script: string;
  /** What is registered as `cmd`. */
  cmd: unknown;
  /**
   * The program as a sh word (expanded on the target as Ansible's run_command does), resolved through PATH as
   * Python's exec does before the run: a program that cannot be executed fails as Ansible's OSError
   * (`[Errno 2] No such file or directory: b'prog'`, rc 2) instead of the shell's rc 127.
   */
  program?: string;
  /** Ansible's printable command line of that failure (`_clean_args`: the words shlex-quoted). */
  cleanCmd?: string;
}

/**
 * A sh snippet printing the errno Python's exec would fail with for the program `$1` (0: it can be run): a path
 * with a slash is tried alone, a name in each PATH folder (ENOENT/ENOTDIR only when nothing else failed). A
 * file neither ELF nor `#!` is ENOEXEC (8), which dash's `exec` would instead run as a shell script.
 */
const EXEC_ERRNO = [
  'bosun_path_errno() {',
  '  if [ -d "$1" ]; then echo 13; elif [ -e "$1" ]; then if [ ! -x "$1" ]; then echo 13; return; fi',
  // The kernel runs an ELF file or a #! script; anything else is ENOEXEC (Python does not fall back to sh).
  '    case $(head -c 4 -- "$1" 2>/dev/null) in "#!"*|"$(printf \'\\177ELF\')") echo 0 ;; *) echo 8 ;; esac',
  '  else bosun_up=$1; while [ "$bosun_up" != / ] && [ "$bosun_up" != . ]; do bosun_up=$(dirname -- "$bosun_up")',
  '    if [ -e "$bosun_up" ] && [ ! -d "$bosun_up" ]; then echo 20; return; fi; done; echo 2; fi',
  '}',
  'bosun_exec_errno() {',
  '  case $1 in */*) bosun_path_errno "$1"; return ;; esac',
  '  bosun_saved=; bosun_last=2; bosun_rest=${PATH-/bin:/usr/bin}:',
  '  while [ -n "$bosun_rest" ]; do',
  '    bosun_dir=${bosun_rest%%:*}; bosun_rest=${bosun_rest#*:}',
  '    bosun_n=$(bosun_path_errno "${bosun_dir:-.}/$1")',
  '    case $bosun_n in 0) echo 0; return ;; 2|20) bosun_last=$bosun_n ;; *) bosun_saved=${bosun_saved:-$bosun_n} ;; esac',
  '  done',
  '  echo "${bosun_saved:-$bosun_last}"',
  '}',
].join('\n');

/** A sh snippet printing `CD <errno>` for a folder Python's os.chdir cannot enter (`CD 0` when it can). */
function chdirProbe(dir: string): string {
  return [
    sh`if cd -- ${dir} 2>/dev/null; then echo 'CD 0'`,
    sh`elif [ -d ${dir} ]; then echo 'CD 13'`,
    sh`elif [ -e ${dir} ]; then echo 'CD 20'`,
    sh`else bosun_up=${dir}; bosun_n=2; while [ "$bosun_up" != / ] && [ "$bosun_up" != . ]; do bosun_up=$(dirname -- "$bosun_up"); if [ -e "$bosun_up" ] && [ ! -d "$bosun_up" ]; then bosun_n=20; break; fi; done; echo "CD $bosun_n"; exit 0`,
    'fi',
  ].join('\n');
}

/** Ansible's result keys before the command runs (`r` of its command module), with `_lines`. */
function notRun(cmd: unknown, over: Record<string, unknown>): Record<string, unknown> {
  return {
    cmd,
    rc: null,
    stdout: '',
    stderr: '',
    stdout_lines: [],
    stderr_lines: [],
    start: null,
    end: null,
    delta: null,
    msg: '',
    ...over,
  };
}

/**
 * Decide for a command line already quoted as `run.script`. Reads the chdir
 * folder and `creates`/`removes`, and runs the read-only `onlyif`/`unless`
 * probes, all in one round trip; without any of them the outcome cannot be
 * predicted in check mode. Messages and registered keys are those of
 * Ansible's command module, whose checks come in the same order.
 */
export async function decideCommand(ctx: ModuleContext, args: RunCommandArgs, run: CommandRun): Promise<Decision> {
  const { cmd } = run;
  const cd = args.chdir !== undefined ? sh`cd -- ${args.chdir} && ` : '';
  const would = ctx.check ? 'Would' : 'Did';
  // Each check prints one tagged line: `P<i> 1` means "skip the command".
  const checks: Array<{ test: string; msg: string; stdout: string }> = [];
  if (args.creates !== undefined)
    checks.push({
      test: globMatches(args.creates),
      msg: `${would} not run command since '${args.creates}' exists`,
      stdout: `skipped, since ${args.creates} exists`,
    });
  if (args.removes !== undefined)
    checks.push({
      test: `! ${globMatches(args.removes)}`,
      msg: `${would} not run command since '${args.removes}' does not exist`,
      stdout: `skipped, since ${args.removes} does not exist`,
    });
  for (const [probe, test, why] of [
    [args.onlyif, '!', 'the onlyif probe failed'],
    [args.unless, '', 'the unless probe succeeded'],
  ] as const) {
    if (probe === undefined) continue;
    const msg = `${would} not run command since ${why}`;
    checks.push({ test: `${test} ${sh`/bin/sh -c ${probe} >/dev/null 2>&1`}`.trim(), msg, stdout: msg });
  }
  if (checks.length || args.chdir !== undefined) {
    const lines = checks.map((c, i) => `if ${c.test}; then echo P${i} 1; else echo P${i} 0; fi`);
    const probe = [...(args.chdir !== undefined ? [chdirProbe(args.chdir)] : []), ...lines].join('\n');
    // Only creates/removes/chdir only look; onlyif/unless run the user's commands.
    const looks = args.onlyif === undefined && args.unless === undefined;
    // Without chdir and globs it is only tests and echos: run in the session's shell, no subshell.
    const inShell =
      looks &&
      args.chdir === undefined &&
      ![args.creates, args.removes].some((p) => p !== undefined && /[*?[]/.test(p));
    const res = await ctx.conn.exec(`{\n${probe}\n}`, looks ? (inShell ? { readOnly: true } : { probe: true }) : {});
    const cdErrno = Number(/^CD (\d+)$/m.exec(res.stdout)?.[1] ?? '0');
    if (cdErrno !== 0) {
      const msg = `Unable to change directory before execution: ${pyOsError(cdErrno, pyBytesRepr(args.chdir!))}`;
      return failed(msg, notRun(cmd, { msg }));
    }
    if (res.rc !== 0)
      return failed(`cannot check creates/removes/onlyif/unless: ${res.stderr.trim() || `rc ${res.rc}`}`, {
        cmd,
        rc: res.rc,
      });
    for (const [i, c] of checks.entries()) {
      if (new RegExp(`^P${i} 1$`, 'm').test(res.stdout)) {
        return { kind: 'ok', msg: c.msg, data: notRun(cmd, { rc: 0, stdout: c.stdout, stdout_lines: [c.stdout] }) };
      }
    }
  }
  let body = run.script;
  const marker = `@bosun-exec-${randomBytes(8).toString('hex')}`;
  if (run.program !== undefined) {
    // As Python's exec: a program that cannot be run is an OSError before anything runs; `exec` runs the program
    // found in PATH, never a shell builtin of the same name (`echo` is /usr/bin/echo, as in Ansible).
    body = `${EXEC_ERRNO}\nbosun_e=$(bosun_exec_errno ${run.program})\nif [ "$bosun_e" != 0 ]; then printf '%s %s %s' ${marker} "$bosun_e" ${run.program}; exit 0; fi\n${body}`;
  }
  if (args.stdin !== undefined) {
    const text = toBool(args.stdin_add_newline, true) ? `${args.stdin}\n` : args.stdin;
    body = `printf '%s' ${shq(text)} | { ${body}\n}`;
  }
  const recipe: CommandRecipe = {
    cmd,
    strip: toBool(args.strip_empty_ends, true),
    marker,
    cleanCmd: run.cleanCmd ?? '',
  };
  const apply = (): Promise<ApplyResult> => runCommand(ctx, `${cd}${body}`, recipe);
  const background: BackgroundCommand = { script: `${cd}${body}`, builder: 'command', recipe: { ...recipe } };
  // What check mode registers, as Ansible's command does: rc 0, no output, no timings; a real run's apply replaces them.
  const wouldRun = notRun(cmd, { rc: 0, msg: 'Command would have run if not in check mode' });
  // A guard (creates, removes, onlyif, unless) that let the command run predicts a change; without one, check mode cannot know.
  if (checks.length) return { kind: 'change', data: wouldRun, apply, background };
  const { msg: reason, ...shown } = wouldRun;
  return { kind: 'unpredictable', reason: String(reason), data: shown, apply, background };
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

/** What turns a command's outcome into the registered result, besides the outcome (JSON: kept with an async job). */
export interface CommandRecipe {
  cmd: unknown;
  /** strip_empty_ends. */
  strip: boolean;
  /** What the script prints before the errno of a program that cannot be run. */
  marker: string;
  cleanCmd: string;
}

/** Run the command; a non-zero exit fails the task with Ansible's registered fields. */
async function runCommand(ctx: ModuleContext, script: string, recipe: CommandRecipe): Promise<ApplyResult> {
  const start = new Date();
  const res = await ctx.conn.exec(script);
  return commandResult(recipe, res, start, new Date());
}

/** The result of a command that ran from `start` to `end` (here, or in the background: lib/async-job.ts). */
export function commandResult(recipe: CommandRecipe, res: ExecResult, start: Date, end: Date): ApplyResult {
  const { cmd, strip } = recipe;
  if (res.rc === 0 && res.stdout.startsWith(`${recipe.marker} `)) {
    // Python's OSError from exec: Ansible's fail_json(rc=errno, msg, cmd=_clean_args) without the command's keys.
    const rest = res.stdout.slice(recipe.marker.length + 1);
    const errno = Number(rest.slice(0, rest.indexOf(' ')));
    const msg = pyOsError(errno, pyBytesRepr(rest.slice(rest.indexOf(' ') + 1)));
    return { kind: 'failed', msg, data: { cmd: recipe.cleanCmd, rc: errno, stdout: '', stderr: '', msg } };
  }
  const stdout = strip ? stripNewlines(res.stdout) : res.stdout;
  const stderr = strip ? stripNewlines(res.stderr) : res.stderr;
  const lines = (s: string): string[] => (s === '' ? [] : s.replace(/\r?\n$/, '').split(/\r?\n/));
  const msg = res.rc === 0 ? '' : 'non-zero return code';
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
