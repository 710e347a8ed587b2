/**
 * The `attributes` (alias `attr`) argument of the file modules: Linux file
 * flags as `lsattr`/`chattr` (e2fsprogs) show and set them, decided as
 * Ansible's set_attributes_if_different does. The flags `lsattr -d` reports
 * (dashes removed) are compared as a string with the flags asked for (without
 * their `+`/`-`/`=` prefix): a difference, or any `-` form, runs
 * `chattr <op><flags> <path>`, so `+i` on an ext4 file that also has `e` is
 * changed on every run, as it is in Ansible.
 */
import { ModuleArgError } from '../../errors.js';
import { shq } from '../../util/shell.js';
import type { Connection } from '../../connection/types.js';
import type { ApplyResult, Decision, FileDiff, ModuleContext } from '../types.js';

/** lsattr's flag letters as Ansible names them (module_utils FILE_ATTRIBUTES). */
export const FILE_ATTRIBUTES: Record<string, string> = {
  A: 'noatime',
  a: 'append',
  c: 'compressed',
  C: 'nocow',
  d: 'nodump',
  D: 'dirsync',
  e: 'extents',
  E: 'encrypted',
  h: 'blocksize',
  i: 'immutable',
  I: 'indexed',
  j: 'journalled',
  N: 'inline',
  s: 'zero',
  S: 'synchronous',
  t: 'notail',
  T: 'blockroot',
  u: 'undelete',
  X: 'compressedraw',
  Z: 'compresseddirty',
};

/** The flags chattr sets (its usage line, and `m`): anything else is refused before the target is touched. */
const SETTABLE = 'aAcCdDeFijmPsStTux';

/** The flags a task asks for. */
export interface WantedFlags {
  /** `=` for the bare form (exactly these flags), as Ansible runs it. */
  op: '=' | '+' | '-';
  /** The letters after the operator ('' for `attributes: ''`, which Ansible runs as `chattr =`). */
  flags: string;
}

/** Parse `attributes`: an optional `+` or `-` and chattr's flag letters (the bare form is chattr's `=`). */
export function parseFlags(value: string | undefined): WantedFlags | undefined {
  if (value === undefined) return undefined;
  const text = value;
  if (text.startsWith('='))
    throw new ModuleArgError(
      `attributes '${text}': write the flags without '=' ('${text.slice(1)}' sets exactly them): Ansible passes '=${text}' to chattr, which refuses it`,
    );
  const op = text.startsWith('+') || text.startsWith('-') ? (text[0] as '+' | '-') : '=';
  const flags = op === '=' ? text : text.slice(1);
  for (const c of flags) {
    if (!SETTABLE.includes(c))
      throw new ModuleArgError(
        `attributes '${text}': '${c}' is not a flag chattr sets (expected an optional + or - and letters of ${SETTABLE}, e.g. '+i')`,
      );
  }
  return { op, flags };
}

/** The flag letters of an `lsattr -d` line ('' for none), or null when lsattr printed no line (it failed). */
export function flagsOfLsattr(line: string | undefined): string | null {
  const field = line?.trim().split(/\s+/)[0];
  if (!field) return null;
  return field.replace(/-/g, '');
}

/** Ansible's list of flag names (format_attributes). */
export function flagNames(flags: string): string[] {
  return Array.from(flags)
    .map((c) => FILE_ATTRIBUTES[c])
    .filter((n): n is string => n !== undefined);
}

/** True when Ansible would run chattr: the flags differ as strings, or the form is `-`. */
export function flagsDiffer(want: WantedFlags, existing: string | null): boolean {
  return (existing ?? '') !== want.flags || want.op === '-';
}

/** A path as chattr and lsattr take it: they know no `--`, so a leading dash becomes `./-`. */
function pathArg(path: string): string {
  return shq(path.startsWith('-') ? `./${path}` : path);
}

/** True on a target with both tools. */
const HAVE_TOOLS = 'command -v lsattr >/dev/null 2>&1 && command -v chattr >/dev/null 2>&1';

/** The message when the target has no lsattr or chattr (Ansible silently sets nothing then; docs/ansible-differences.md). */
const MISSING_TOOL = 'attributes: chattr and lsattr (e2fsprogs) are not installed on the target: cannot set file flags';

/** Read the flags of `path` now (one exec): null when lsattr fails on it, a RemoteFailure-like message when lsattr is missing. */
export async function readFlags(conn: Connection, path: string): Promise<{ flags: string | null; missing: boolean }> {
  // No `exit`: the connection's session shell runs this script and must outlive it.
  const res = await conn.exec(`if ${HAVE_TOOLS}; then lsattr -d ${pathArg(path)} 2>/dev/null; else echo NOTOOL; fi`, {
    readOnly: true,
  });
  if (res.stdout.startsWith('NOTOOL')) return { flags: null, missing: true };
  return { flags: flagsOfLsattr(res.stdout.split('\n')[0]), missing: false };
}

/** What the apply-time chattr step did. */
export interface FlagsApplied {
  /** chattr ran (the flags differed as found then). */
  changed: boolean;
  /** The flags lsattr found before (null when it failed). */
  before: string | null;
  /** Ansible's failure: `chattr failed` with these details. */
  failure?: string;
  missing?: boolean;
}

/**
 * Set the flags of `path` as Ansible does after its write: lsattr, compare, chattr; chattr's exit
 * code or any output is the failure. One exec.
 */
export async function applyFlags(conn: Connection, path: string, want: WantedFlags): Promise<FlagsApplied> {
  const p = pathArg(path);
  const script = [
    `if ! ${HAVE_TOOLS}; then echo NOTOOL; else`,
    `bosun_l=$(lsattr -d ${p} 2>/dev/null) && printf 'BEFORE %s\\n' "$bosun_l"`,
    `bosun_f=$(printf '%s' "$bosun_l" | sed -n '1{s/[[:space:]].*//;s/-//g;p;}')`,
    `if [ "$bosun_f" != ${shq(want.flags)} ] || [ ${shq(want.op)} = - ]; then`,
    // As Ansible: chattr by its full path (its messages start with it), its output kept to the last newline.
    `  echo CHANGED; bosun_c=$(command -v chattr)`,
    `  bosun_o=$("$bosun_c" ${shq(want.op + want.flags)} ${p} 2>&1; echo "r$?"); bosun_r=\${bosun_o##*r}; bosun_o=\${bosun_o%r*}`,
    `  if [ $bosun_r -ne 0 ] || [ -n "$bosun_o" ]; then printf 'FAILED %s\\n' "$(printf '%s' "$bosun_o" | base64 | tr -d '\\n')"; fi`,
    'fi',
    'fi',
  ].join('\n');
  const res = await conn.exec(script);
  const lines = res.stdout.split('\n');
  if (lines[0] === 'NOTOOL') return { changed: false, before: null, missing: true };
  const beforeLine = lines.find((l) => l.startsWith('BEFORE '));
  const before = beforeLine ? flagsOfLsattr(beforeLine.slice('BEFORE '.length)) : null;
  const failedLine = lines.find((l) => l.startsWith('FAILED'));
  const out: FlagsApplied = { changed: lines.includes('CHANGED'), before };
  if (failedLine !== undefined) {
    const text = Buffer.from(failedLine.slice('FAILED'.length).trim(), 'base64').toString('utf8');
    out.failure = `Error while setting attributes: ${text}`;
  }
  return out;
}

/** How a module's decision gets the flags step. */
export interface FlagsSpec {
  /** The path whose flags are set (the file written, the path managed). */
  path: string;
  /** It exists now and keeps its inode (false: it is created or replaced by a rename, its flags then unknown). */
  keeps: boolean;
  /** Whether it exists at all now (check mode: an absent path is `changed`, as Ansible's check_file_absent_if_check_mode). */
  exists: boolean;
  /** The message of an ok decision that only the flags turn into a change (default: the decision's own). */
  changedMsg?: (msg: string | undefined) => string | undefined;
  /** The message of an apply result after chattr ran (default: the result's own). */
  appliedMsg?: (msg: string | undefined) => string | undefined;
  /** Put the flags' before/after into the module's own diff when they differ (false: a diff entry of their own). */
  diff?: (before: string | null, after: string) => boolean;
  /** Ansible's module sets no flags in check mode (ini_file): check mode leaves the decision as it is. */
  notInCheckMode?: boolean;
  /** Patch the registered data with the flags found (decide time, and apply time when they differ). */
  patch?: (data: Record<string, unknown>, before: string | null, after: string) => void;
}

/** The diff entry Ansible's callback shows for the flags. */
export function flagsDiff(path: string, before: string | null, after: string): FileDiff {
  return { path, before: `attributes: ${before ?? ''}\n`, after: `attributes: ${after}\n` };
}

/**
 * Add the flags step to a module's decision, as Ansible runs set_attributes_if_different after the
 * module's own change: a path that keeps its inode is read now (an `ok` whose flags differ becomes a
 * change); the apply step reads and sets them again after the module's own apply, so a file created or
 * replaced gets them as found then.
 */
export async function withFlags(
  ctx: ModuleContext,
  want: WantedFlags | undefined,
  decision: Decision,
  spec: FlagsSpec,
): Promise<Decision> {
  if (!want) return decision;
  if (decision.kind === 'fail' || decision.kind === 'skip') return decision;
  if (spec.notInCheckMode && ctx.check) return decision;
  const after = want.op + want.flags;
  let differ = true;
  const entries: FileDiff[] = [];
  // Read also for a path not there yet: a target without the tools fails before anything is written.
  const now = await readFlags(ctx.conn, spec.path);
  if (now.missing) return { kind: 'fail', msg: MISSING_TOOL, data: { path: spec.path } };
  if (spec.exists && (spec.keeps || ctx.check)) {
    differ = flagsDiffer(want, now.flags);
    if (differ) {
      if (!spec.diff?.(now.flags, after)) entries.push(flagsDiff(spec.path, now.flags, after));
      if (decision.data) spec.patch?.(decision.data, now.flags, after);
    }
  }
  if (decision.kind === 'ok') {
    if (!differ) return decision;
    const { kind: _k, ...rest } = decision;
    const msg = spec.changedMsg ? spec.changedMsg(decision.msg) : decision.msg;
    return {
      ...rest,
      ...(msg !== undefined ? { msg } : {}),
      kind: 'change',
      diff: entries,
      apply: () => flagsAfter(ctx, want, spec, Promise.resolve({ kind: 'unchanged', data: rest.data ?? {} }), msg),
    };
  }
  const inner = decision.apply;
  return {
    ...decision,
    ...(entries.length ? { diff: [...(decision.diff ?? []), ...entries] } : {}),
    apply: () => flagsAfter(ctx, want, spec, inner(), decision.msg),
  };
}

/** Run the module's apply, then the flags step on its result. */
async function flagsAfter(
  ctx: ModuleContext,
  want: WantedFlags,
  spec: FlagsSpec,
  first: Promise<ApplyResult>,
  decisionMsg: string | undefined,
): Promise<ApplyResult> {
  const r = await first;
  if (r.kind === 'failed') return r;
  const set = await applyFlags(ctx.conn, spec.path, want);
  const data = { ...(r.data ?? {}) };
  if (set.missing) return { kind: 'failed', msg: MISSING_TOOL, data: { ...data, path: spec.path } };
  if (set.failure !== undefined)
    return { kind: 'failed', msg: 'chattr failed', data: { path: spec.path, details: set.failure } };
  if (!set.changed) return { ...r, data };
  spec.patch?.(data, set.before, want.op + want.flags);
  const msg = spec.appliedMsg ? spec.appliedMsg(r.msg ?? decisionMsg) : r.msg;
  return { ...r, kind: 'applied', data, ...(msg !== undefined ? { msg } : {}) };
}
