/**
 * `mount` (ansible.posix.mount): fstab entries and the mounts themselves, as
 * ansible.posix's module does on Linux. The fstab (default /etc/fstab;
 * `fstab:` another file, then given to mount as `-T FILE`), the mount table
 * (/proc/self/mountinfo), whether the path is a mount point (os.path.ismount's
 * test) and `mount -v` are read in one round trip; check mode stops there.
 */
import { sh } from '../util/shell.js';
import { defineModule, type ApplyResult, type FileDiff, type ModuleContext } from './types.js';
import { applyFailed, applying, deciding, failed } from './lib/result.js';
import { backupFile, RemoteFailure } from './lib/remote-file.js';
import { linuxMounts, setMount, unsetMount, type FstabEntry, type MountRecord } from './lib/fstab-edit.js';
import { boolSchema, toBool } from './lib/bool.js';

/** Arguments of `mount`. */
export interface MountArgs {
  path?: string;
  name?: string;
  src?: string;
  fstype?: string;
  opts?: string;
  dump?: string | number;
  passno?: string | number;
  fstab?: string;
  boot?: boolean | string;
  backup?: boolean | string;
  state: 'absent' | 'absent_from_fstab' | 'mounted' | 'present' | 'unmounted' | 'remounted' | 'ephemeral';
}

/** What the probe read. */
interface Probe {
  fstab: string | null;
  mounts: Map<string, MountRecord>;
  ismount: boolean;
  exists: boolean;
  mountV: string;
}

const b64 = (tag: string, file: string): string =>
  `if [ -f ${file} ]; then printf '${tag} %s\\n' "$(base64 -w0 < ${file})"; fi`;

function probeScript(path: string, fstab: string): string {
  return [
    'export LANG=C LC_ALL=C PATH="$PATH:/sbin:/usr/sbin:/usr/local/sbin"',
    b64('FSTAB', sh`${fstab}`),
    b64('MOUNTINFO', '/proc/self/mountinfo'),
    sh`[ -e ${path} ] && echo EXISTS`,
    // os.path.ismount: not a link, and another device than its parent, or the same inode (the root).
    sh`if [ ! -L ${path} ] && bosun_a=$(stat -c '%d %i' -- ${path} 2>/dev/null) && bosun_p=$(stat -c '%d %i' -- ${`${path}/..`} 2>/dev/null); then`,
    '  [ "${bosun_a% *}" != "${bosun_p% *}" ] || [ "${bosun_a#* }" = "${bosun_p#* }" ] && echo ISMOUNT; fi',
    'printf "MOUNTV %s\\n" "$(mount -v 2>/dev/null | base64 -w0)"',
    'exit 0',
  ].join('\n');
}

const unb64 = (stdout: string, tag: string): string | null => {
  const m = new RegExp(`^${tag} (.*)$`, 'm').exec(stdout);
  return m ? Buffer.from(m[1]!, 'base64').toString('utf8') : null;
};

async function probe(ctx: ModuleContext, path: string, fstab: string): Promise<Probe> {
  const r = await ctx.conn.exec(probeScript(path, fstab));
  return {
    fstab: unb64(r.stdout, 'FSTAB'),
    mounts: linuxMounts(unb64(r.stdout, 'MOUNTINFO') ?? ''),
    ismount: /^ISMOUNT$/m.test(r.stdout),
    exists: /^EXISTS$/m.test(r.stdout),
    mountV: unb64(r.stdout, 'MOUNTV') ?? '',
  };
}

/** The resolved arguments, as the module's `args` (what it registers). */
interface Resolved extends FstabEntry {
  fstab: string;
  boot: string;
  backup_file: string;
}

/** Run a command on the target: '' when it worked, else its stdout and stderr (the module's out + err). */
async function run(ctx: ModuleContext, cmd: string): Promise<string | undefined> {
  const r = await ctx.conn.exec(`export PATH="$PATH:/sbin:/usr/sbin:/usr/local/sbin"\n${cmd}`);
  return r.rc === 0 ? undefined : r.stdout + r.stderr;
}

function mountCmd(state: string, a: Resolved, remount?: string): string {
  const words = ['mount'];
  if (remount !== undefined) words.push('-o', remount);
  if (state !== 'ephemeral' && a.fstab !== '/etc/fstab') words.push('-T', a.fstab);
  if (state === 'ephemeral') {
    words.push('-t', a.fstype);
    if (a.opts !== 'defaults') words.push('-o', a.opts);
    words.push('--', a.src, a.name);
  } else words.push('--', a.name);
  return sh`${words}`;
}

/** The module's remount: `mount -o remount`, else umount and mount (not when remounted was given options). */
async function remount(ctx: ModuleContext, state: string, a: Resolved): Promise<string | undefined> {
  const withOpts = state === 'remounted' && a.opts !== 'defaults';
  const err = await run(ctx, mountCmd(state, a, withOpts ? `remount,${a.opts}` : 'remount'));
  if (err === undefined) return undefined;
  if (withOpts)
    return 'Options were specified with remounted, but the remount command failed. Failing in order to prevent an unexpected mount result. Try replacing this command with a "state: unmounted" followed by a "state: mounted" using the full desired mount options instead.';
  return (await run(ctx, sh`umount -- ${a.name}`)) ?? (await run(ctx, mountCmd(state, a)));
}

/** Write the fstab (a backup first when asked); returns the backup's path or ''. */
async function writeFstab(ctx: ModuleContext, a: Resolved, text: string, backup: boolean): Promise<string> {
  const file = backup ? await backupFile(ctx.conn, a.fstab) : '';
  const r = await ctx.conn.exec(sh`printf '%s' ${text} > ${a.fstab}`);
  if (r.rc !== 0) throw new RemoteFailure(`Failed to open ${a.fstab} due to ${r.stderr.trim()}`);
  return file;
}

async function decideMount(ctx: ModuleContext, args: MountArgs) {
  const path = args.path ?? args.name;
  if (path === undefined) return failed('missing required arguments: path');
  const state = args.state;
  const need = ['mounted', 'present', 'ephemeral'].includes(state) ? (['src', 'fstype'] as const) : [];
  const missing = need.filter((k) => args[k] === undefined);
  if (missing.length) return failed(`state is ${state} but all of the following are missing: ${missing.join(', ')}`);
  for (const [k, v] of Object.entries({ path, src: args.src, opts: args.opts, fstab: args.fstab }))
    if (v !== undefined && /[\n\r\t]/.test(v))
      return failed(`${k} must not contain a line break or a tab (it is one fstab field)`);
  const warnings: string[] = [];
  const a: Resolved = {
    name: path,
    src: args.src ?? '',
    fstype: args.fstype ?? '',
    opts: args.opts ?? 'defaults',
    dump: String(args.dump ?? '0'),
    passno: String(args.passno ?? '0'),
    fstab: args.fstab ?? '/etc/fstab',
    boot: 'yes',
    backup_file: '',
  };
  const opts = a.opts.split(',');
  if (opts.includes('noauto')) warnings.push("Ignore the 'boot' due to 'opts' contains 'noauto'.");
  else if (!toBool(args.boot, true)) {
    a.boot = 'no';
    if (opts.includes('defaults')) warnings.push("Ignore the 'boot' due to 'opts' contains 'defaults'.");
    else a.opts = [...opts, 'noauto'].join(',');
  }
  const backup = toBool(args.backup, false);
  const p = await probe(ctx, path, a.fstab);
  const mountedAt = (src?: string): boolean =>
    p.ismount || (p.mounts.has(path) && (src === undefined || p.mounts.get(path)!.src === src));
  const data = (): Record<string, unknown> => {
    const { src, fstype, ...rest } = a;
    return { ...rest, ...(args.src !== undefined ? { src } : {}), ...(args.fstype !== undefined ? { fstype } : {}) };
  };
  const extra = warnings.length ? { warnings } : {};
  const ok = () => ({ kind: 'ok' as const, data: data(), ...extra });
  const fstabText = p.fstab ?? '';
  const diff: FileDiff[] = [];
  let newFstab: string | undefined;
  if (state !== 'ephemeral' && state !== 'unmounted' && state !== 'remounted') {
    const edit =
      state === 'absent' || state === 'absent_from_fstab'
        ? unsetMount(fstabText, path, args.src)
        : setMount(fstabText, a, args.src !== undefined);
    if (edit.changed) {
      newFstab = edit.text;
      diff.push({
        path: a.fstab,
        before: fstabText,
        after: edit.text,
        ...(p.fstab === null ? { beforeHeader: '/dev/null' } : {}),
      });
    }
  }
  const plan = (steps: () => Promise<string | undefined>, shown?: [string, string]) => {
    if (shown) diff.push({ path, before: `${shown[0]}\n`, after: `${shown[1]}\n` });
    return {
      kind: 'change' as const,
      // A failed real run registers no arguments (Ansible's fail_json): the decision carries them in check mode only.
      data: ctx.check ? data() : {},
      ...extra,
      diff,
      apply: (): Promise<ApplyResult> =>
        applying(async () => {
          const err = await steps();
          return err === undefined ? { kind: 'applied', data: data() } : applyFailed(err);
        }),
    };
  };
  const saveFstab = async (): Promise<void> => {
    if (newFstab === undefined) return;
    const dir = a.fstab.replace(/\/[^/]*$/, '') || '/';
    await run(ctx, sh`mkdir -p -- ${dir}`);
    a.backup_file = await writeFstab(ctx, a, newFstab, backup && p.fstab !== null);
  };
  switch (state) {
    case 'absent_from_fstab':
    case 'present':
      return newFstab === undefined ? ok() : plan(async () => (await saveFstab(), undefined));
    case 'absent':
      if (newFstab === undefined) return ok();
      return plan(async () => {
        await saveFstab();
        if (mountedAt()) {
          const err = await run(ctx, sh`umount -- ${path}`);
          if (err !== undefined) return `Error unmounting ${path}: ${err}`;
        }
        const gone = await ctx.conn.exec(sh`[ ! -e ${path} ] || rmdir -- ${path}`);
        if (gone.rc !== 0)
          return `Error rmdir ${path}: ${gone.stderr.includes('not empty') ? `[Errno 39] Directory not empty: '${path}'` : gone.stderr.trim()}`;
        return undefined;
      });
    case 'unmounted':
      if (!mountedAt()) return ok();
      return plan(async () => {
        const err = await run(ctx, sh`umount -- ${path}`);
        return err === undefined ? undefined : `Error unmounting ${path}: ${err}`;
      }, ['mounted', 'unmounted']);
    case 'remounted':
      return plan(async () => {
        const err = await remount(ctx, state, a);
        return err === undefined ? undefined : `Error remounting ${path}: ${err}`;
      }, ['mounted', 'remounted']);
    default:
      break;
  }
  // mounted and ephemeral
  const isMounted = p.exists && mountedAt(a.src);
  if (state === 'ephemeral' && isMounted) {
    const same =
      (p.mounts.has(path) && p.mounts.get(path)!.src === a.src) ||
      p.mountV.split('\n').some((l) => {
        const f = l.split(/\s+/);
        return f[0] === a.src && f[2] === path;
      });
    if (!same)
      return failed(
        'Ephemeral mount point is already mounted with a different source than the specified one. Failing in order to prevent an unwanted unmount or override operation. Try replacing this command with a "state: unmounted" followed by a "state: ephemeral", or use a different destination path.',
      );
  }
  if (isMounted && newFstab === undefined && state !== 'ephemeral') return ok();
  return plan(
    async () => {
      // The module's mkdir of each missing folder on the way, remembered to be removed if the mount fails.
      const steps = path.split('/').filter(Boolean);
      const chain = steps.map((_x, i) => `${path.startsWith('/') ? '/' : ''}${steps.slice(0, i + 1).join('/')}`);
      const created = await ctx.conn.exec(
        chain.map((c) => sh`if [ ! -e ${c} ]; then mkdir -- ${c} || exit 1; printf 'D %s\n' ${c}; fi`).join('\n'),
      );
      const dirs = [...created.stdout.matchAll(/^D (.*)$/gm)].map((m) => m[1]!);
      await saveFstab();
      const err = isMounted ? await remount(ctx, state, a) : await run(ctx, mountCmd(state, a));
      if (err === undefined) return undefined;
      if (newFstab !== undefined) await writeFstab(ctx, a, fstabText, false);
      if (dirs.length) await ctx.conn.exec(sh`rmdir -- ${dirs.reverse()}`);
      return `Error mounting ${path}: ${err}`;
    },
    isMounted ? undefined : ['unmounted', 'mounted'],
  );
}

/** The `mount` module. */
export default defineModule<MountArgs>({
  name: 'mount',
  docs: {
    short: 'Manage fstab entries and mounts',
    description:
      'As ansible.posix.mount on Linux: present/absent_from_fstab edit the fstab only; mounted adds the entry and mounts (`mount [-T FSTAB] PATH`), remounting when the entry changed; unmounted, remounted; absent removes the entry, unmounts and removes the folder; ephemeral mounts without fstab (`mount -t FSTYPE [-o OPTS] SRC PATH`).',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['state'],
    properties: {
      path: { type: 'string', minLength: 1, description: 'The mount point (required; alias name)' },
      name: { type: 'string', minLength: 1, description: 'Another name of path' },
      src: { type: 'string', description: 'The device or source (required for present, mounted, ephemeral)' },
      fstype: { type: 'string', description: 'The file system type (required for present, mounted, ephemeral)' },
      opts: { type: 'string', description: 'Mount options (default defaults)' },
      dump: { type: ['string', 'integer'], default: '0', description: 'The fstab dump field' },
      passno: { type: ['string', 'integer'], default: '0', description: 'The fstab passno field' },
      fstab: {
        type: 'string',
        description: 'The fstab file (default /etc/fstab); another file is given to mount with -T',
      },
      boot: boolSchema('Mounted at boot: false adds noauto to opts (ignored with defaults or noauto in opts)', true),
      backup: boolSchema('Back up the fstab before changing it', false),
      state: {
        type: 'string',
        enum: ['absent', 'absent_from_fstab', 'mounted', 'present', 'unmounted', 'remounted', 'ephemeral'],
        description: 'What to do (see above)',
      },
    },
  },
  decide: (ctx, args) => deciding(() => decideMount(ctx, args)),
});
