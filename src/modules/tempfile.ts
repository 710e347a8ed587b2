/**
 * `tempfile`: create a new temporary file (mode 0600) or folder (0700) on
 * the target, named PREFIX + 8 random characters + SUFFIX as Python's
 * mkstemp/mkdtemp name them, and register its path. Always changed; skipped
 * in check mode, as Ansible's module (it does not support check mode).
 */
import { posix } from 'node:path';
import { sh } from '../util/shell.js';
import { defineModule, type ApplyResult, type ModuleContext } from './types.js';
import { applyFailed } from './lib/result.js';
import { pyStrRepr } from '../util/python-text.js';

/** Arguments of `tempfile`. */
export interface TempfileArgs {
  state?: 'file' | 'directory';
  path?: string;
  prefix?: string;
  suffix?: string;
}

/**
 * POSIX sh that picks the folder as Python's tempfile.gettempdir does
 * ($TMPDIR, $TEMP, $TMP, /tmp, /var/tmp, /usr/tmp, the working folder) unless
 * one is given (`~` expanded), then creates the name with O_EXCL (noclobber)
 * or mkdir, retrying on a clash. Prints `P <pwd>` and `T <path>`, or `E <errno> <path>`.
 */
export function tempfileScript(args: TempfileArgs): string {
  const dir = args.path;
  const pick =
    dir === undefined
      ? [
          'd=',
          'for c in "${TMPDIR-}" "${TEMP-}" "${TMP-}" /tmp /var/tmp /usr/tmp; do',
          '  if [ -n "$c" ] && [ -d "$c" ] && [ -w "$c" ]; then d=$c; break; fi',
          'done',
          '[ -n "$d" ] || d=$(pwd)',
        ].join('\n')
      : dir === '~' || dir.startsWith('~/')
        ? sh`d=$HOME${dir.slice(1)}`
        : sh`d=${dir}`;
  const make =
    args.state === 'directory' ? 'mkdir -m 0700 -- "$p" 2>/dev/null' : '( umask 077; set -C; : > "$p" ) 2>/dev/null';
  return [
    pick,
    sh`pre=${args.prefix ?? 'ansible.'}; suf=${args.suffix ?? ''}`,
    `printf 'P %s\\n' "$(pwd)"`,
    'i=0',
    'while [ "$i" -lt 100 ]; do',
    '  i=$((i + 1))',
    "  r=$(LC_ALL=C tr -dc 'abcdefghijklmnopqrstuvwxyz0123456789_' </dev/urandom | head -c 8)",
    '  p=$d/$pre$r$suf',
    `  if ${make}; then printf 'T %s\\n' "$p"; exit 0; fi`,
    '  if [ -e "$p" ] || [ -L "$p" ]; then continue; fi',
    '  if [ ! -d "$d" ]; then printf \'E 2 %s\\n\' "$p"; else printf \'E 13 %s\\n\' "$p"; fi',
    '  exit 0',
    'done',
    'printf \'E 17 %s\\n\' "$p"',
  ].join('\n');
}

/** Python's messages for the errno the script reports. */
const ERRNO: Record<string, string> = {
  '2': '[Errno 2] No such file or directory',
  '13': '[Errno 13] Permission denied',
  '17': '[Errno 17] No usable temporary file name found',
};

/** Create the file or folder and register its absolute path. */
async function create(ctx: ModuleContext, args: TempfileArgs): Promise<ApplyResult> {
  const res = await ctx.conn.exec(tempfileScript(args));
  const cwd = /^P (.*)$/m.exec(res.stdout)?.[1] ?? '/';
  const absolute = (p: string): string => posix.normalize(p.startsWith('/') ? p : posix.join(cwd, p));
  const made = /^T (.*)$/ms.exec(res.stdout);
  if (res.rc === 0 && made) return { kind: 'applied', data: { path: absolute(made[1]!.replace(/\n$/, '')) } };
  const err = /^E (\d+) (.*)$/ms.exec(res.stdout);
  if (err) return applyFailed(`${ERRNO[err[1]!] ?? `[Errno ${err[1]!}]`}: ${pyStrRepr(err[2]!.replace(/\n$/, ''))}`);
  return applyFailed(`cannot create a temporary ${args.state ?? 'file'}: ${res.stderr.trim() || `rc ${res.rc}`}`);
}

/** The `tempfile` module. */
export default defineModule<TempfileArgs>({
  name: 'tempfile',
  docs: {
    short: 'Create a temporary file or folder on the target and register its path',
    description:
      'Named PREFIX + 8 random characters (a-z, 0-9, _) + SUFFIX in `path` (default: $TMPDIR, else /tmp), created exclusively: a file with mode 0600, a folder with 0700. Always changed.',
  },
  checkMode: 'partial',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      state: {
        type: 'string',
        enum: ['file', 'directory'],
        default: 'file',
        description: 'Whether to create a file or a folder',
      },
      path: { type: 'string', description: 'The folder to create it in (default: the target temporary folder)' },
      prefix: { type: 'string', default: 'ansible.', description: 'The start of its name' },
      suffix: { type: 'string', default: '', description: 'The end of its name' },
    },
  },
  decide(ctx, args) {
    return Promise.resolve({
      kind: 'unpredictable',
      reason: 'remote module (tempfile) does not support check mode',
      apply: () => create(ctx, args),
    });
  },
});
