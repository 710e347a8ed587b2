/**
 * What the `pip` module runs on the target: the probe that finds the virtualenv, the pip to use (Ansible's
 * `_get_pip` order) and the folders, and each pip command as one sh line in its working folder, with the
 * virtualenv's bin/ first in PATH and the task's umask. Every word is quoted through `shq`.
 */
import path from 'node:path';
import type { ExecResult } from '../../connection/types.js';
import { shq } from '../../util/shell.js';
import type { ModuleContext } from '../types.js';

/** The sbin folders Ansible's get_bin_path adds to PATH. */
const SBIN = ['/sbin', '/usr/sbin', '/usr/local/sbin'];

/** A word for sh: quoted, and a relative path starting with `-` made `./-...` so no program reads it as an option. */
export function shPath(p: string): string {
  return shq(p.startsWith('-') ? `./${p}` : p);
}

/** Ansible's `type: path`: a leading `~` is the target user's home. */
export function expandHome(p: string | undefined, home: string): string | undefined {
  if (p === undefined) return undefined;
  if (p === '~') return home;
  return p.startsWith('~/') ? `${home}${p.slice(1)}` : p;
}

/** What the first probe reads: the user's home, PATH and temporary folder. */
export interface TargetBasics {
  home: string;
  path: string;
  tmp: string;
}

/** Read HOME, PATH and Python's tempfile.gettempdir() (TMPDIR, TEMP, TMP, then /tmp) on the target. */
export async function readBasics(ctx: ModuleContext): Promise<TargetBasics> {
  const res = await ctx.conn.exec(
    `printf 'HOME=%s\\nPATH=%s\\nTMP=%s\\n' "$HOME" "$PATH" "\${TMPDIR:-\${TEMP:-\${TMP:-/tmp}}}"`,
  );
  const get = (k: string): string => new RegExp(`^${k}=(.*)$`, 'm').exec(res.stdout)?.[1] ?? '';
  return { home: get('HOME'), path: get('PATH'), tmp: get('TMP') || '/tmp' };
}

/** The folders get_bin_path searches, in its order: extra folders, PATH, then the sbin folders. */
export function binPaths(pathVar: string, extra: string[] = []): string[] {
  const out = [...extra];
  for (const d of pathVar.split(':')) if (d && !out.includes(d)) out.push(d);
  for (const d of SBIN) if (!out.includes(d)) out.push(d);
  return out;
}

/** A sh test printing the first of `candidates` that is an executable file (`FOUND path`). */
export function findFirst(candidates: string[]): string {
  return candidates
    .map((c) => `if [ -f ${shPath(c)} ] && [ -x ${shPath(c)} ]; then echo FOUND ${shq(c)}; exit 0; fi`)
    .join('\n');
}

/** The first existing executable among `candidates`, or undefined. */
export async function firstExecutable(ctx: ModuleContext, candidates: string[]): Promise<string | undefined> {
  if (!candidates.length) return undefined;
  const res = await ctx.conn.exec(`(\n${findFirst(candidates)}\n)`);
  return /^FOUND (.*)$/m.exec(res.stdout)?.[1];
}

/** How one command runs. */
export interface RunIn {
  cwd: string;
  /** Put this folder first in PATH (the virtualenv's bin/). */
  pathPrefix?: string;
  /** The umask, already parsed. */
  umask?: number;
  /** Ansible's best parsable locale for commands whose output is read. */
  locale?: boolean;
}

/**
 * Run the words as one program in `o.cwd` (a folder that is not there is ignored, as Ansible's run_command
 * does), in a subshell so nothing it sets outlives it.
 */
export function runWords(ctx: ModuleContext, words: string[], o: RunIn): Promise<ExecResult> {
  const parts = [`cd -- ${shPath(o.cwd)} 2>/dev/null`];
  if (o.umask !== undefined) parts.push(`umask ${o.umask.toString(8).padStart(4, '0')}`);
  if (o.pathPrefix !== undefined) parts.push(`PATH=${shq(o.pathPrefix)}:"$PATH"; export PATH`);
  if (o.locale) parts.push('LANG=C.UTF-8; LC_ALL=C.UTF-8; LC_MESSAGES=C.UTF-8; export LANG LC_ALL LC_MESSAGES');
  const [program, ...rest] = words;
  parts.push(`exec ${shPath(program!)} ${rest.map(shq).join(' ')}`);
  return ctx.conn.exec(`( ${parts.join('; ')} )`);
}

/** Where pip was found, or why not (Ansible's messages). */
export type PipLocation = { words: string[] } | { error: string };

/**
 * Ansible's `_get_pip`: an absolute `executable` as is, a bare one looked up in PATH; with a virtualenv its
 * bin/pip3 or bin/pip; else the pip module of the Python interpreter (`python -m pip.__main__`), else pip3 in PATH.
 */
export async function locatePip(
  ctx: ModuleContext,
  o: { executable?: string; env?: string; python: string; basics: TargetBasics },
): Promise<PipLocation> {
  if (o.executable !== undefined && path.posix.isAbsolute(o.executable)) return { words: [o.executable] };
  if (o.env !== undefined && o.executable === undefined) {
    const names = ['pip3', 'pip'];
    const found = await firstExecutable(
      ctx,
      names.map((n) => path.posix.join(o.env!, 'bin', n)),
    );
    if (found) return { words: [found] };
    return {
      error:
        `Unable to find pip in the virtualenv, ${o.env}, under any of these names: ${names.join(', ')}. ` +
        'Make sure pip is present in the virtualenv.',
    };
  }
  if (o.executable === undefined) {
    const probe = `${shPath(o.python)} -c 'import importlib.util, sys; sys.exit(0 if importlib.util.find_spec("pip") else 1)' >/dev/null 2>&1 && echo PYPIP`;
    const res = await ctx.conn.exec(`( [ -x ${shPath(o.python)} ] && ${probe} )`);
    if (/^PYPIP$/m.test(res.stdout)) return { words: [o.python, '-m', 'pip.__main__'] };
  }
  const name = o.executable ?? 'pip3';
  const found = await firstExecutable(
    ctx,
    binPaths(o.basics.path).map((d) => path.posix.join(d, name)),
  );
  if (found) return { words: [found] };
  return { error: `Unable to find any of ${name} to use.  pip needs to be installed.` };
}
