/**
 * Archive inspection for unarchive: one sh script finds the format by its
 * magic bytes, lists the members and prints the sha256 of every regular file
 * in a single pass (GNU tar's --to-command; `unzip -p` per member for zip).
 * The same script runs on the target (remote_src) or on the controller (a
 * controller file, inspected once per run and shared by every host).
 */
import { execFile } from 'node:child_process';
import { sh, shq } from '../../util/shell.js';
import { localCommandEnv } from '../../util/own-env.js';

/** The archive formats, by magic bytes. */
export type ArchiveFormat = 'zip' | 'gz' | 'bz2' | 'xz' | 'zst' | 'tar';

/** Ansible's handler name per format (registered as `handler`). */
export const HANDLERS: Record<ArchiveFormat, string> = {
  zip: 'ZipArchive',
  gz: 'TgzArchive',
  bz2: 'TarBzipArchive',
  xz: 'TarXzArchive',
  zst: 'TarZstdArchive',
  tar: 'TarArchive',
};

const TAR_FLAG: Record<ArchiveFormat, string> = { zip: '', gz: '-z', bz2: '-j', xz: '-J', zst: '--zstd', tar: '' };

/** How members are selected and named. */
export interface ArchiveOptions {
  extraOpts: string[];
  include: string[];
  exclude: string[];
}

/** One member, named as it lands under dest (after --strip-components). */
export interface ArchiveMember {
  name: string;
  type: 'file' | 'directory' | 'link' | 'hardlink' | 'other';
  /** Permission bits from the archive (tar only). */
  mode?: number;
  /** Seconds since the epoch (tar regular files only). */
  mtime?: number;
  sha256?: string;
  linkTarget?: string;
}

/** What inspection found. */
export interface ArchiveInfo {
  format: ArchiveFormat;
  members: ArchiveMember[];
}

/** A failure to inspect (no tool, not an archive). */
export type InspectFailure = { missing: string } | { error: string } | { climbing: string };

/** True when inspection failed (a missing tool, an unreadable archive, a member whose path climbs out of dest). */
export function isInspectFailure(r: ArchiveInfo | InspectFailure): r is InspectFailure {
  return !('format' in r);
}

/** The `--strip-components=N` of extra_opts (tar names in a -t listing are not stripped). */
export function stripCount(extraOpts: string[]): number {
  for (const [i, o] of extraOpts.entries()) {
    const m = /^--strip(?:-components)?=(\d+)$/.exec(o);
    if (m) return Number(m[1]);
    if (/^--strip(?:-components)?$/.test(o) && /^\d+$/.test(extraOpts[i + 1] ?? '')) return Number(extraOpts[i + 1]);
  }
  return 0;
}

/** tar's member selection words: include patterns (wildcards) and excludes. */
function tarSelect(opts: ArchiveOptions): string {
  const words = [
    ...opts.exclude.map((e) => `--exclude=${e}`),
    ...(opts.include.length ? ['--wildcards', ...opts.include] : []),
  ];
  return words.length ? ` ${sh`${words}`}` : '';
}

/** unzip's member selection: include patterns, then `-x` excludes. */
function zipSelect(opts: ArchiveOptions): string {
  const words = [...opts.include, ...(opts.exclude.length ? ['-x', ...opts.exclude] : [])];
  return words.length ? ` ${sh`${words}`}` : '';
}

/** The sh command that detects the format of `path` into `$bosun_f` (prints `F <format>`). */
export function formatScript(path: string): string {
  return [
    `bosun_m=$(od -An -tx1 -N6 ${shq(path)} 2>/dev/null | tr -d ' \\n')`,
    'case "$bosun_m" in 504b0304*|504b0506*) bosun_f=zip;; 1f8b*) bosun_f=gz;; 425a68*) bosun_f=bz2;; fd377a585a00*) bosun_f=xz;; 28b52ffd*) bosun_f=zst;; *) bosun_f=tar;; esac',
    'echo "F $bosun_f"',
  ].join('\n');
}

/** The tar flag for the format in `$bosun_f` (sh). */
const TAR_FLAG_SH = `case "$bosun_f" in ${(Object.keys(TAR_FLAG) as ArchiveFormat[]).map((f) => `${f}) bosun_z=${shq(TAR_FLAG[f] || '')};;`).join(' ')} esac`;

/** The inspection script: format, listing (`V ` lines) and member digests (`H mode mtime name  digest`). */
export function inspectScript(path: string, opts: ArchiveOptions): string {
  const a = shq(path);
  const extra = opts.extraOpts.length ? ` ${sh`${opts.extraOpts}`}` : '';
  const toCommand = 'printf \'H %s %s %s \' "$TAR_MODE" "$TAR_MTIME" "$TAR_FILENAME"; sha256sum';
  return [
    `[ -r ${a} ] || { echo 'E cannot read the archive'; exit 0; }`,
    formatScript(path),
    'if [ "$bosun_f" = zip ]; then',
    "  command -v unzip >/dev/null 2>&1 || { echo 'M unzip'; exit 0; }",
    `  unzip -Z1 ${a}${zipSelect(opts)} > /dev/null 2>&1 || { echo 'E not a valid zip archive'; exit 0; }`,
    `  unzip -Z1 ${a}${zipSelect(opts)} | while IFS= read -r bosun_n; do`,
    '    printf \'V %s\\n\' "$bosun_n"',
    `    case "$bosun_n" in */) ;; *) printf 'H - - %s ' "$bosun_n"; unzip -p ${a} "$bosun_n" | sha256sum;; esac`,
    '  done',
    'else',
    "  command -v tar >/dev/null 2>&1 || { echo 'M tar'; exit 0; }",
    "  tar --version 2>/dev/null | grep -q 'GNU tar' || { echo 'E unarchive needs GNU tar to compare archive members'; exit 0; }",
    `  ${TAR_FLAG_SH}`,
    `  tar -tv -f ${a} $bosun_z${extra}${tarSelect(opts)} 2>/dev/null | sed 's/^/V /' || true`,
    `  tar -x -f ${a} $bosun_z${extra}${tarSelect(opts)} --to-command=${shq(toCommand)} 2>/dev/null || echo 'E cannot read the archive'`,
    'fi',
  ].join('\n');
}

function parsePerms(p: string): number {
  let bits = 0;
  const chars = p.split('');
  const bit = (i: number, c: string, v: number): void => {
    if (chars[i] === c) bits |= v;
  };
  bit(0, 'r', 0o400);
  bit(1, 'w', 0o200);
  bit(3, 'r', 0o40);
  bit(4, 'w', 0o20);
  bit(6, 'r', 0o4);
  bit(7, 'w', 0o2);
  if ('xs'.includes(chars[2]!)) bits |= 0o100;
  if ('sS'.includes(chars[2]!)) bits |= 0o4000;
  if ('xs'.includes(chars[5]!)) bits |= 0o10;
  if ('sS'.includes(chars[5]!)) bits |= 0o2000;
  if ('xt'.includes(chars[8]!)) bits |= 0o1;
  if ('tT'.includes(chars[8]!)) bits |= 0o1000;
  return bits;
}

/** Strip `n` leading components as tar does; undefined when nothing remains. */
function strip(name: string, n: number): string | undefined {
  const parts = name
    .replace(/^\.\//, '')
    .split('/')
    .filter((p, i, all) => p !== '' || i === all.length - 1);
  const rest = parts.slice(n).join('/');
  return rest === '' || rest === '/' ? undefined : rest;
}

/** Parse the inspection output into members (or the failure it reports). */
export function parseInspection(stdout: string, opts: ArchiveOptions): ArchiveInfo | InspectFailure {
  const missing = /^M (\S+)$/m.exec(stdout);
  if (missing) return { missing: missing[1]! };
  const format = (/^F (\w+)$/m.exec(stdout)?.[1] ?? 'tar') as ArchiveFormat;
  // Before the read error: GNU tar fails the digest pass on such a member, and the reason is the member.
  const climbing = climbingMember(stdout, format);
  if (climbing !== undefined) return { climbing };
  const err = /^E (.*)$/m.exec(stdout);
  if (err) return { error: err[1]! };
  const n = format === 'zip' ? 0 : stripCount(opts.extraOpts);
  const members = new Map<string, ArchiveMember>();
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('V ')) continue;
    const body = line.slice(2);
    if (format === 'zip') {
      const name = body.replace(/\/$/, '');
      if (name) members.set(name, { name, type: body.endsWith('/') ? 'directory' : 'file' });
      continue;
    }
    const m = /^(\S)(\S{9})\s+\S+\s+\S+\s+\S+\s+\S+\s(.*)$/.exec(body);
    if (!m) continue;
    const kind = m[1]!;
    let name = m[3]!;
    let linkTarget: string | undefined;
    if (kind === 'l') [name, linkTarget] = name.split(' -> ') as [string, string];
    if (kind === 'h') name = name.split(' link to ')[0]!;
    const stripped = strip(name, n);
    if (!stripped) continue;
    const clean = stripped.replace(/\/$/, '');
    const type =
      kind === 'd' ? 'directory' : kind === 'l' ? 'link' : kind === 'h' ? 'hardlink' : kind === '-' ? 'file' : 'other';
    members.set(clean, {
      name: clean,
      type,
      mode: parsePerms(m[2]!),
      ...(linkTarget !== undefined ? { linkTarget } : {}),
    });
  }
  for (const m of stdout.matchAll(/^H (\S+) (\S+) (.*) ([0-9a-f]{64})\s+-$/gm)) {
    const name = m[3]!.replace(/^\.\//, '');
    const member = members.get(name) ?? { name, type: 'file' as const };
    member.sha256 = m[4]!;
    if (m[2] !== '-') member.mtime = Number(m[2]);
    members.set(name, member);
  }
  return { format, members: [...members.values()] };
}

/**
 * The first listed member whose path has a `..` component (`../x`,
 * `pkg/../../x`): it would land outside dest. GNU tar refuses it (and fails
 * the whole extraction), unzip quietly drops the `..`; bosun refuses the
 * archive before anything is unpacked, and says which member.
 */
function climbingMember(stdout: string, format: ArchiveFormat): string | undefined {
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('V ')) continue;
    const body = line.slice(2);
    let name: string;
    if (format === 'zip') name = body;
    else {
      const m = /^(\S)\S{9}\s+\S+\s+\S+\s+\S+\s+\S+\s(.*)$/.exec(body);
      if (!m) continue;
      // A link's target may climb (`lib -> ../lib` is ordinary); its own name may not.
      name = m[1] === 'l' ? m[2]!.split(' -> ')[0]! : m[1] === 'h' ? m[2]!.split(' link to ')[0]! : m[2]!;
    }
    if (name.split('/').includes('..')) return name;
  }
  return undefined;
}

/** What unarchive says about a member whose path climbs out of dest. */
export function climbingMessage(member: string, dest: string, src: string): string {
  return `archive member '${member}' has '..' in its path, which would put it outside dest '${dest}': nothing unpacked from ${src}`;
}

/** The extraction command into `dest` (attributes are set afterwards, member by member, as Ansible does). */
export function extractCommand(
  path: string,
  format: ArchiveFormat,
  dest: string,
  opts: ArchiveOptions & { keepNewer: boolean },
): string {
  const extra = opts.extraOpts.length ? ` ${sh`${opts.extraOpts}`}` : '';
  if (format === 'zip') return `unzip -q -o ${shq(path)}${zipSelect(opts)} -d ${shq(dest)}${extra}`;
  const flag = TAR_FLAG[format] ? ` ${TAR_FLAG[format]}` : '';
  return `tar -x -f ${shq(path)}${flag} -C ${shq(dest)}${opts.keepNewer ? ' --keep-newer-files' : ''}${extra}${tarSelect(opts)}`;
}

/** Run an inspection script on the controller with its own `sh`. */
export function runLocal(script: string): Promise<{ rc: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', script], { maxBuffer: 256 * 1024 * 1024, env: localCommandEnv() }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as NodeJS.ErrnoException).code === 'number'
          ? Number((err as NodeJS.ErrnoException).code)
          : 1
        : 0;
      resolve({ rc: code, stdout, stderr });
    });
  });
}
