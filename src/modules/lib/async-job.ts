/**
 * Background jobs of `async:` tasks, kept on the target where Ansible keeps
 * them: `~/.ansible_async/<jid>` is the results file (`{"started": 1,
 * "finished": 0, ...}` while the job runs, the module's result once
 * async_status saw it end), and `~/.ansible_async/<jid>.bosun/` holds what
 * the job writes as it runs (its rc, output and times) and what is needed to
 * build the module's result from them (`job.json`), so that async_status can
 * do so in a later task. The job runs in its own session (setsid) with its
 * output in files, so it outlives the task, the connection and the run; a
 * watchdog kills its process group after `async` seconds, as Ansible's
 * async_wrapper does. No Python: sh, setsid, mktemp and date.
 */
import { randomInt } from 'node:crypto';
import type { Connection } from '../../connection/types.js';
import { sh, shq } from '../../util/shell.js';
import type { ApplyResult, BackgroundCommand, ResultData } from '../types.js';
import { commandResult, type CommandRecipe } from './run-command.js';

/** Ansible's async_dir, as sh: the home of the user the commands run as (sudo -H sets it for become). */
const ASYNC_DIR = '"$HOME/.ansible_async"';

/** The builders a job's `job.json` may name: the module's result from the command's outcome. */
const BUILDERS: Record<BackgroundCommand['builder'], (recipe: Record<string, unknown>, o: JobOutcome) => ApplyResult> =
  {
    command: (recipe, o) =>
      commandResult(
        recipe as unknown as CommandRecipe,
        { rc: o.rc, stdout: o.stdout, stderr: o.stderr },
        o.start,
        o.end,
      ),
  };

/** How a finished job ended. */
interface JobOutcome {
  rc: number;
  stdout: string;
  stderr: string;
  start: Date;
  end: Date;
}

/** A job just started. */
export interface StartedJob {
  jid: string;
  /** The results file's absolute path on the target. */
  resultsFile: string;
}

/**
 * The job runner (sh -c, in the job's folder, `$1` the watchdog's delay): the command's pid, times, output and rc
 * into files, rc last (renamed into place, so an `rc` means everything else is written); the watchdog marks
 * `timedout` and kills the whole session's process group.
 */
const RUNNER = [
  'date +%s.%N > start',
  '/bin/sh ./script </dev/null >out 2>err &',
  'bosun_c=$!',
  'echo "$bosun_c" > pid',
  '( sleep "$1"; : > timedout; kill -KILL 0 ) &',
  'bosun_w=$!',
  'wait "$bosun_c"',
  'bosun_rc=$?',
  'kill "$bosun_w" 2>/dev/null',
  'date +%s.%N > end',
  'echo "$bosun_rc" > rc.tmp && mv rc.tmp rc',
].join('\n');

/**
 * When the job is killed, as Ansible's async_wrapper does it: it looks every 5 s, first after 5 s, and counts 5 s off
 * the limit per look after the first, so a job of `async: 2` dies after 10 s (and a polling task gives up first).
 */
export function watchdogDelay(limitSeconds: number): number {
  return 5 * (1 + Math.max(1, Math.ceil(limitSeconds / 5)));
}

/** Start `bg` in the background on the target; it may run `limitSeconds`. Throws when it cannot start. */
export async function startJob(conn: Connection, bg: BackgroundCommand, limitSeconds: number): Promise<StartedJob> {
  // Ansible's jid: 'j' and a random number, then '.' and the pid of the process that started the job.
  const rand = `j${randomInt(0, 999_999_999_999)}`;
  const job = JSON.stringify({ builder: bg.builder, recipe: bg.recipe });
  const script = [
    "command -v setsid >/dev/null 2>&1 || { echo 'setsid is not installed on the target (util-linux)' >&2; exit 3; }",
    `bosun_d=${ASYNC_DIR}`,
    '( umask 077; mkdir -p -- "$bosun_d" ) || exit 4',
    'bosun_t=$(mktemp -d "$bosun_d/.bosun-XXXXXX") || exit 4',
    // The job starts in its folder: renamed below, the folder stays its working directory.
    'cd -- "$bosun_t" || exit 4',
    sh`printf '%s' ${job} > job.json && printf '%s\n' ${bg.script} > script || exit 4`,
    sh`( exec setsid /bin/sh -c ${RUNNER} bosun-async ${watchdogDelay(limitSeconds)} </dev/null >/dev/null 2>&1 ) &`,
    `bosun_j=${shq(rand)}.$!`,
    'mv -- "$bosun_t" "$bosun_d/$bosun_j.bosun" || exit 4',
    `printf '{"started": 1, "finished": 0, "ansible_job_id": "%s"}' "$bosun_j" > "$bosun_d/$bosun_j"`,
    `printf '%s\\n%s\\n' "$bosun_j" "$bosun_d/$bosun_j"`,
  ].join('\n');
  const res = await conn.exec(script);
  const [jid, resultsFile] = res.stdout.split('\n');
  if (res.rc !== 0 || !jid || !resultsFile)
    throw new Error(`cannot start the background job: ${res.stderr.trim() || `rc ${res.rc}`}`);
  return { jid, resultsFile };
}

/**
 * A job that is over before it starts (the module decided without running anything: a command whose `creates`
 * exists): its result goes straight into a results file, as async_wrapper would write it, which is removed again
 * unless `keep` (a polling task does not leave it behind).
 */
export async function finishedJob(conn: Connection, r: ApplyResult, keep: boolean): Promise<StartedJob> {
  const rand = `j${randomInt(0, 999_999_999_999)}`;
  const script = [
    `bosun_d=${ASYNC_DIR}`,
    '( umask 077; mkdir -p -- "$bosun_d" ) || exit 4',
    `bosun_j=${shq(rand)}.$$`,
    sh`printf '%s' ${resultJson(r)} > "$bosun_d/$bosun_j" || exit 4`,
    ...(keep ? [] : ['rm -f -- "$bosun_d/$bosun_j"']),
    `printf '%s\n%s\n' "$bosun_j" "$bosun_d/$bosun_j"`,
  ].join('\n');
  const res = await conn.exec(script);
  const [jid, resultsFile] = res.stdout.split('\n');
  if (res.rc !== 0 || !jid || !resultsFile)
    throw new Error(`cannot write the job's results file: ${res.stderr.trim() || `rc ${res.rc}`}`);
  return { jid, resultsFile };
}

/** A module's result as the JSON of a results file (Ansible's keys: changed, failed, msg). */
function resultJson(r: ApplyResult): string {
  return JSON.stringify({
    ...r.data,
    changed: r.kind === 'applied' || (r.kind === 'failed' && r.changed === true),
    ...(r.msg !== undefined ? { msg: r.msg } : {}),
    ...(r.kind === 'failed' ? { failed: true } : {}),
  });
}

/** What async_status finds: its registered keys and the status they make. */
export type JobStatus = ApplyResult & {
  data: ResultData;
  /** The job is over (finished: 1). */
  finished: boolean;
};

/** The keys async_status registers before it looks (Ansible's action plugin sets them first). */
function jobKeys(jid: string, started: 0 | 1): ResultData {
  return {
    started,
    finished: 0,
    stdout: '',
    stderr: '',
    stdout_lines: [],
    stderr_lines: [],
    ansible_job_id: jid,
  };
}

/** async_status's keys in status mode: the job's, with its results file. */
function statusBase(jid: string, resultsFile: string): ResultData {
  return { ...jobKeys(jid, 1), results_file: resultsFile };
}

/** A job id as Ansible writes them, or any name that is one path component (it names a file on the target). */
export function isJobId(jid: string): boolean {
  return jid !== '' && jid !== '.' && jid !== '..' && !jid.includes('/') && !jid.includes('\0');
}

/**
 * async_status (mode status): the job's state in Ansible's keys. A job seen finished for the first time has its
 * result written into the results file (unless `keep` is false: the poll of an `async:` task removes it at once).
 */
export async function jobStatus(conn: Connection, jid: string, opts: { record: boolean }): Promise<JobStatus> {
  const script = [
    `bosun_f=${ASYNC_DIR}/${shq(jid)}`,
    'bosun_w=$bosun_f.bosun',
    'printf "%s\\n" "$bosun_f"',
    'if [ -f "$bosun_w/rc" ]; then',
    '  printf "DONE %s %s %s\\n" "$(cat "$bosun_w/rc")" "$(cat "$bosun_w/start")" "$(cat "$bosun_w/end")"',
    '  cat "$bosun_w/job.json"; echo; cat "$bosun_w/out"; cat "$bosun_w/err" >&2',
    'elif [ -f "$bosun_w/timedout" ]; then printf "TIMEOUT %s\\n" "$(cat "$bosun_w/pid")"',
    'elif [ -d "$bosun_w" ]; then echo RUNNING',
    'elif [ -f "$bosun_f" ]; then echo FILE; cat "$bosun_f"',
    'else echo MISSING; fi',
  ].join('\n');
  const res = await conn.exec(script);
  if (res.rc !== 0) throw new Error(`cannot read the job's state: ${res.stderr.trim() || `rc ${res.rc}`}`);
  const [file, rest] = splitOnce(res.stdout);
  const [head, body] = splitOnce(rest);
  const base = statusBase(jid, file);
  const word = head.split(' ')[0];
  if (word === 'RUNNING') return { kind: 'unchanged', data: base, finished: false };
  if (word === 'MISSING') {
    const msg = 'could not find job';
    return { kind: 'failed', msg, data: { ...base, msg, finished: 1 }, finished: true };
  }
  if (word === 'TIMEOUT') {
    const msg = 'Timeout exceeded';
    const childPid = Number(head.split(' ')[1]);
    return { kind: 'failed', msg, data: { ...base, msg, child_pid: childPid, finished: 1 }, finished: true };
  }
  if (word === 'FILE') return fromResultsFile(base, body);
  if (word !== 'DONE') throw new Error(`cannot read the job's state: unexpected '${head}'`);
  const [, rc, start, end] = head.split(' ');
  const [jobText, stdout] = splitOnce(body);
  const built = buildResult(jobText, {
    rc: Number(rc),
    stdout,
    stderr: res.stderr,
    start: stampDate(start),
    end: stampDate(end),
  });
  const status: JobStatus = { ...built, data: { ...base, ...built.data, finished: 1 }, finished: true };
  if (opts.record) await recordResult(conn, jid, built);
  return status;
}

/** The result read back from a results file a status wrote (a job's second look, or Ansible's own file). */
function fromResultsFile(base: ResultData, text: string): JobStatus {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    const msg = `Could not parse job output: ${text}`;
    return { kind: 'failed', msg, data: { ...base, msg, finished: 1 }, finished: true };
  }
  const parsed = data as Record<string, unknown>;
  // As Ansible's async_status: a file without `started` is the job's result.
  if ('started' in parsed) return { kind: 'unchanged', data: { ...base, ...parsed, finished: 0 }, finished: false };
  const { changed, failed, ...keys } = parsed;
  const msg = typeof keys['msg'] === 'string' ? keys['msg'] : undefined;
  const result: ResultData = { ...base, ...keys, finished: 1 };
  if (failed)
    return {
      kind: 'failed',
      msg: msg ?? 'the job failed',
      data: result,
      finished: true,
      ...(changed ? { changed: true } : {}),
    };
  return {
    kind: changed ? 'applied' : 'unchanged',
    ...(msg !== undefined ? { msg } : {}),
    data: result,
    finished: true,
  };
}

/** The module's result from the job's outcome, by the builder its job.json names. */
function buildResult(jobText: string, outcome: JobOutcome): ApplyResult {
  let job: unknown;
  try {
    job = JSON.parse(jobText);
  } catch {
    job = undefined;
  }
  const j = job as { builder?: unknown; recipe?: unknown } | undefined;
  const builder = typeof j?.builder === 'string' ? BUILDERS[j.builder as BackgroundCommand['builder']] : undefined;
  if (!builder || !j?.recipe || typeof j.recipe !== 'object')
    return { kind: 'failed', msg: `Could not parse job output: ${jobText}` };
  return builder(j.recipe as Record<string, unknown>, outcome);
}

/** Write the job's result into its results file in Ansible's shape, and drop the job's folder. */
async function recordResult(conn: Connection, jid: string, r: ApplyResult): Promise<void> {
  const json = resultJson(r);
  const f = `${ASYNC_DIR}/${shq(jid)}`;
  await conn.exec(sh`printf '%s' ${json}` + ` > ${f}.tmp && mv -- ${f}.tmp ${f} && rm -rf -- ${f}.bosun`);
}

/** async_status mode=cleanup: the job's files removed (Ansible's keys); a job that is not there fails. */
export async function cleanupJob(conn: Connection, jid: string): Promise<JobStatus> {
  const f = `${ASYNC_DIR}/${shq(jid)}`;
  const res = await conn.exec(
    `printf '%s\\n' ${f}; if [ -e ${f} ] || [ -e ${f}.bosun ]; then rm -rf -- ${f} ${f}.bosun && echo ERASED; else echo MISSING; fi`,
  );
  const [file = '', word = ''] = res.stdout.split('\n');
  const base = jobKeys(jid, 0);
  if (res.rc !== 0) throw new Error(`cannot remove the job's files: ${res.stderr.trim() || `rc ${res.rc}`}`);
  if (word === 'ERASED') return { kind: 'unchanged', data: { ...base, erased: file }, finished: true };
  const msg = 'could not find job';
  return { kind: 'failed', msg, data: { ...base, erased: file, msg, started: 1, finished: 1 }, finished: true };
}

function splitOnce(text: string): [string, string] {
  const i = text.indexOf('\n');
  return i < 0 ? [text, ''] : [text.slice(0, i), text.slice(i + 1)];
}

/** `date +%s.%N` as a Date (a date without %N prints a literal N: seconds only). */
function stampDate(text: string | undefined): Date {
  const n = Number(text);
  return new Date(Number.isFinite(n) ? n * 1000 : Number.parseInt(text ?? '0', 10) * 1000);
}
