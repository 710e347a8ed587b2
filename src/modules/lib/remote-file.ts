/**
 * Reading and writing files on the target through a Connection: one `stat`
 * round trip for any number of paths, and atomic writes (a temp file in the
 * same folder, attributes set on it, optional validation, then `mv -f`).
 * Uses `stat -c`, `sha1sum`/`sha256sum` and `readlink`, which GNU coreutils
 * and busybox both have.
 */
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { Connection } from '../../connection/types.js';
import { sh, shq, splitWords } from '../../util/shell.js';
import { attrCommands, formatMode, type AttrPlan, type CurrentAttrs } from './attrs.js';
import { batchStatScript, decodeLinkHex, linkLines, parseBatchStat, STAT_FORMAT } from './stat-batch.js';

/** What `stat` found at a path. */
export interface RemoteStat {
  exists: boolean;
  type: 'file' | 'directory' | 'link' | 'other';
  /** Four octal digits, '0644'. */
  mode: string;
  /** Permission bits as a number. */
  modeBits: number;
  uid: number;
  gid: number;
  owner: string;
  group: string;
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  atime: number;
  inode: number;
  dev: number;
  checksum?: string;
  /** The link's own target (readlink), for links. */
  linkTarget?: string;
  /** The fully resolved path (readlink -f), for links. */
  linkSource?: string;
}

/** Options of a stat. */
export interface StatOptions {
  checksum?: 'sha1' | 'sha256';
  /** Stat what a link points to (a dangling link is then absent). */
  follow?: boolean;
}

/** A failure of the target while acting: reported as the task's failed message. */
export class RemoteFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteFailure';
  }
}

const ABSENT: RemoteStat = {
  exists: false, type: 'other', mode: '0000', modeBits: 0, uid: 0, gid: 0, owner: '', group: '', size: 0, mtime: 0, atime: 0, inode: 0, dev: 0,
};

/** A sh snippet that prints the stat lines of `path` tagged with `tag` (parse them with `parseStatLines`). */
export function statScript(tag: string, path: string, opts: StatOptions = {}): string {
  const test = opts.follow ? sh`[ -e ${path} ]` : sh`{ [ -e ${path} ] || [ -L ${path} ]; }`;
  const L = opts.follow ? '-L ' : '';
  const sum = opts.checksum === 'sha256' ? 'sha256sum' : 'sha1sum';
  const lines = [
    `if ${test}; then`,
    `  printf '%s ' ${shq(`S${tag}`)}; stat ${L}-c '${STAT_FORMAT}' -- ${shq(path)}`,
  ];
  if (!opts.follow) {
    lines.push(`  if [ -L ${shq(path)} ]; then ${linkLines(tag, shq(path))}; fi`);
  }
  if (opts.checksum) {
    lines.push(`  if [ -f ${shq(path)} ] && [ -r ${shq(path)} ] && ${opts.follow ? 'true' : sh`[ ! -L ${path} ]`}; then printf '%s ' ${shq(`C${tag}`)}; ${sum} < ${shq(path)}; fi`);
  }
  lines.push(`else echo ${shq(`A${tag}`)}; fi`);
  return lines.join('\n');
}

/** Parse the output of one or more `statScript`s into a map from tag to stat. */
export function parseStatLines(stdout: string): Map<string, RemoteStat> {
  const out = new Map<string, RemoteStat>();
  for (const line of stdout.split('\n')) {
    const m = /^([SLRCA])(\S*) ?(.*)$/.exec(line);
    if (!m) continue;
    const [, kind, tag, rest] = m as unknown as [string, string, string, string];
    if (kind === 'A') { out.set(tag, { ...ABSENT }); continue; }
    const cur = out.get(tag);
    if (kind === 'S') {
      const f = rest.split(' ');
      const raw = parseInt(f[0] ?? '0', 16);
      const fmt = raw & 0o170000;
      const bits = raw & 0o7777;
      out.set(tag, {
        exists: true,
        type: fmt === 0o100000 ? 'file' : fmt === 0o040000 ? 'directory' : fmt === 0o120000 ? 'link' : 'other',
        mode: formatMode(bits), modeBits: bits,
        uid: Number(f[1]), gid: Number(f[2]), size: Number(f[3]), mtime: Number(f[4]), atime: Number(f[5]),
        inode: Number(f[6]), dev: Number(f[7]), owner: f[8] ?? '', group: f.slice(9).join(' '),
      });
    } else if (cur && kind === 'L') cur.linkTarget = decodeLinkHex(rest);
    else if (cur && kind === 'R') cur.linkSource = decodeLinkHex(rest);
    else if (cur && kind === 'C') cur.checksum = rest.split(/\s/)[0] ?? '';
  }
  return out;
}

/**
 * Stat several paths in one round trip (results in the same order): one
 * `stat` and at most one checksum process on the target for all of them
 * (see stat-batch.ts); path by path only when that output does not add up.
 */
export async function statMany(conn: Connection, paths: string[], opts: StatOptions = {}): Promise<RemoteStat[]> {
  const unique = [...new Set(paths)];
  const batch = await conn.exec(batchStatScript(unique, opts));
  const entries = parseBatchStat(batch.stdout, unique.length);
  let parsed: Map<string, RemoteStat>;
  let stderr = batch.stderr;
  let rc = batch.rc;
  if (entries) {
    const lines = entries.flatMap((e, i) => e.exists
      ? [`S${i} ${e.statLine}`, ...(e.linkTarget !== undefined ? [`L${i} ${e.linkTarget}`] : []), ...(e.linkSource !== undefined ? [`R${i} ${e.linkSource}`] : []),
        ...(e.checksum !== undefined ? [`C${i} ${e.checksum}`] : [])]
      : [`A${i}`]);
    parsed = parseStatLines(lines.join('\n'));
  } else {
    const res = await conn.exec(unique.map((p, i) => statScript(String(i), p, opts)).join('\n'));
    parsed = parseStatLines(res.stdout);
    stderr = res.stderr;
    rc = res.rc;
  }
  return paths.map((p) => {
    const st = parsed.get(String(unique.indexOf(p)));
    if (!st) throw new RemoteFailure(`cannot stat ${p}: ${stderr.trim() || `rc ${rc}`}`);
    return { ...st };
  });
}

/** Stat one path in one round trip. */
export async function statPath(conn: Connection, path: string, opts: StatOptions = {}): Promise<RemoteStat> {
  const [st] = await statMany(conn, [path], opts);
  return st!;
}

/** The attributes of an existing stat, for `planAttrs`. */
export function currentAttrs(st: RemoteStat): CurrentAttrs | undefined {
  if (!st.exists) return undefined;
  return { mode: st.modeBits, uid: st.uid, gid: st.gid, owner: st.owner, group: st.group, isDir: st.type === 'directory' };
}

/** Ansible's backup name: `DEST.<random>.<YYYY-MM-DD@HH:MM:SS>~`, the date taken on the target. */
export function backupScript(path: string): string {
  const tag = String(Math.floor(Math.random() * 90000) + 10000);
  return sh`bosun_b=${path}.${tag}.$(date +%Y-%m-%d@%H:%M:%S)~ && cp -p -- ${path} "$bosun_b" && printf 'B %s\n' "$bosun_b"`;
}

/** Take a backup of `path` in one round trip; returns the backup's path. */
export async function backupFile(conn: Connection, path: string): Promise<string> {
  const res = await conn.exec(backupScript(path));
  const m = /^B (.*)$/m.exec(res.stdout);
  if (res.rc !== 0 || !m) throw new RemoteFailure(`cannot back up ${path}: ${res.stderr.trim()}`);
  return m[1]!;
}

/** Options of an atomic write. */
export interface WriteOptions {
  /** Permission bits of the result (keep the existing file's mode when replacing; new files get 0644). */
  mode: number;
  /** chown/chgrp of the temp file before the rename (names or ids); omitted: the connecting user. */
  owner?: string;
  group?: string;
  /** A command run on the temp file before the rename; `%s` is its path. Non-zero exit: nothing is replaced. */
  validate?: string;
  /** Copy the old file to a dated backup first. */
  backup?: boolean;
}

/** What an atomic write did. */
export interface WriteResult {
  backupFile?: string;
  /** The destination's stat after the write (with a sha1 checksum). */
  stat: RemoteStat;
}

/**
 * Write `data` (or copy the target's own file `{ remotePath }`) to `dest`
 * atomically: a `.bosun-tmp-<random>` file in the same folder, attributes set
 * on it, validation, backup, then `mv -f` over `dest`. The temp file is
 * removed on any failure. One file transfer and one exec.
 */
export async function atomicWrite(conn: Connection, dest: string, data: Buffer | { remotePath: string }, opts: WriteOptions): Promise<WriteResult> {
  const tmp = posix.join(posix.dirname(dest), `.bosun-tmp-${randomBytes(6).toString('hex')}`);
  const lines: string[] = [sh`bosun_t=${tmp}`, `bosun_fail() { rm -f -- "$bosun_t"; echo "$1" >&2; exit 1; }`];
  if (Buffer.isBuffer(data)) {
    try {
      await conn.writeFile(tmp, data, opts.mode);
    } catch (e) {
      await conn.exec(sh`rm -f -- ${tmp}`).catch(() => undefined);
      throw new RemoteFailure(`cannot write ${dest}: ${(e as Error).message}`);
    }
  } else {
    lines.push(sh`cp -- ${data.remotePath} "$bosun_t" || bosun_fail ${`cannot copy ${data.remotePath}`}`);
  }
  const plan: AttrPlan = { mode: opts.mode };
  if (opts.owner !== undefined) plan.owner = opts.owner;
  if (opts.group !== undefined) plan.group = opts.group;
  for (const cmd of attrCommands(tmp, plan)) lines.push(`${cmd} || bosun_fail ${shq(`cannot set attributes on ${dest}`)}`);
  if (opts.validate) {
    const words = splitWords(opts.validate).map((w) => shq(w.replace(/%s/g, tmp)));
    lines.push(`bosun_v=$(${words.join(' ')} 2>&1) || bosun_fail "failed to validate: $bosun_v"`);
  }
  if (opts.backup) lines.push(`if [ -f ${shq(dest)} ]; then ${backupScript(dest)} || bosun_fail 'backup failed'; fi`);
  lines.push(sh`mv -f -- "$bosun_t" ${dest} || bosun_fail ${`cannot rename the temp file over ${dest}`}`);
  lines.push(statScript('D', dest, { checksum: 'sha1' }));
  const res = await conn.exec(lines.join('\n'));
  if (res.rc !== 0) throw new RemoteFailure(res.stderr.trim() || `writing ${dest} failed (rc ${res.rc})`);
  const stat = parseStatLines(res.stdout).get('D') ?? { ...ABSENT };
  const b = /^B (.*)$/m.exec(res.stdout);
  return b ? { stat, backupFile: b[1]! } : { stat };
}

/** Run `commands` (joined with &&) followed by a stat of `path`; throws RemoteFailure on a non-zero exit. */
export async function runThenStat(conn: Connection, commands: string[], path: string, opts: StatOptions = {}): Promise<RemoteStat> {
  const script = [commands.length ? `{ ${commands.join(' && ')}; } || exit $?` : ':', statScript('D', path, opts)].join('\n');
  const res = await conn.exec(script);
  if (res.rc !== 0) throw new RemoteFailure(res.stderr.trim() || `rc ${res.rc}`);
  return parseStatLines(res.stdout).get('D') ?? { ...ABSENT };
}
