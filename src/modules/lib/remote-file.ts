/**
 * Reading and writing files on the target through a Connection: one `stat`
 * round trip for any number of paths, and atomic writes (a temp file in the
 * same folder, attributes set on it, optional validation, then `mv -f`).
 * Uses `stat -c`, `sha1sum`/`sha256sum`, `readlink`, `od` and `base64`,
 * which GNU coreutils and busybox both have.
 */
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { Connection, WriteSource } from '../../connection/types.js';
import { BosunError, ConnectionError, TargetError as RemoteFailure } from '../../errors.js';
import { sh, shq, splitWords } from '../../util/shell.js';
import { attrCommands, formatMode, type AttrPlan, type CurrentAttrs } from './attrs.js';
import {
  decodeLinkHex,
  isHexLine,
  linkLines,
  parseBatchStat,
  STAT_FORMAT,
  statProbeScript,
  type BatchEntry,
  type StatProbe,
} from './stat-batch.js';

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
  /** With `markLinks` (and `follow`): the path is a link to what this stat describes. */
  isLink?: boolean;
}

/** Options of a stat. */
export interface StatOptions {
  checksum?: 'sha1' | 'sha256';
  /** Stat what a link points to (a dangling link is then absent). */
  follow?: boolean;
  /** With `follow`: set `isLink` on the paths that are links (in the batched stat; not in its fallback). */
  markLinks?: boolean;
}

/** A failure of the target while acting, reported as the task's failed message: the error family's TargetError. */
export { TargetError as RemoteFailure } from '../../errors.js';

const ABSENT: RemoteStat = {
  exists: false,
  type: 'other',
  mode: '0000',
  modeBits: 0,
  uid: 0,
  gid: 0,
  owner: '',
  group: '',
  size: 0,
  mtime: 0,
  atime: 0,
  inode: 0,
  dev: 0,
};

/** A sh snippet that prints the stat lines of `path` tagged with `tag` (parse them with `parseStatLines`). */
export function statScript(tag: string, path: string, opts: StatOptions = {}): string {
  const test = opts.follow ? sh`[ -e ${path} ]` : sh`{ [ -e ${path} ] || [ -L ${path} ]; }`;
  const L = opts.follow ? '-L ' : '';
  const sum = opts.checksum === 'sha256' ? 'sha256sum' : 'sha1sum';
  const lines = [`if ${test}; then`, `  printf '%s ' ${shq(`S${tag}`)}; stat ${L}-c '${STAT_FORMAT}' -- ${shq(path)}`];
  if (!opts.follow) {
    lines.push(`  if [ -L ${shq(path)} ]; then ${linkLines(tag, shq(path))}; fi`);
  }
  if (opts.checksum) {
    lines.push(
      `  if [ -f ${shq(path)} ] && [ -r ${shq(path)} ] && ${opts.follow ? 'true' : sh`[ ! -L ${path} ]`}; then printf '%s ' ${shq(`C${tag}`)}; ${sum} < ${shq(path)}; fi`,
    );
  }
  lines.push(`else echo ${shq(`A${tag}`)}; fi`);
  return lines.join('\n');
}

/** The stat of an existing path from the fields of one `STAT_FORMAT` line. */
function statFromLine(line: string): RemoteStat {
  const f = line.split(' ');
  const raw = parseInt(f[0] ?? '0', 16);
  const fmt = raw & 0o170000;
  const bits = raw & 0o7777;
  return {
    exists: true,
    type: fmt === 0o100000 ? 'file' : fmt === 0o040000 ? 'directory' : fmt === 0o120000 ? 'link' : 'other',
    mode: formatMode(bits),
    modeBits: bits,
    uid: Number(f[1]),
    gid: Number(f[2]),
    size: Number(f[3]),
    mtime: Number(f[4]),
    atime: Number(f[5]),
    inode: Number(f[6]),
    dev: Number(f[7]),
    owner: f[8] ?? '',
    group: f.slice(9).join(' '),
  };
}

/** Parse the output of one or more `statScript`s into a map from tag to stat. */
export function parseStatLines(stdout: string): Map<string, RemoteStat> {
  const out = new Map<string, RemoteStat>();
  let hexOf: { stat: RemoteStat; lines: string[] } | undefined;
  const endHex = (): void => {
    if (!hexOf) return;
    const link = decodeLinkHex(hexOf.lines);
    hexOf.stat.linkTarget = link.target;
    hexOf.stat.linkSource = link.source;
    hexOf = undefined;
  };
  for (const line of stdout.split('\n')) {
    if (hexOf && isHexLine(line)) {
      hexOf.lines.push(line);
      continue;
    }
    endHex();
    const m = /^([SHCA])(\S*) ?(.*)$/.exec(line);
    if (!m) continue;
    const [, kind, tag, rest] = m as unknown as [string, string, string, string];
    if (kind === 'A') {
      out.set(tag, { ...ABSENT });
      continue;
    }
    const cur = out.get(tag);
    if (kind === 'S') out.set(tag, statFromLine(rest));
    else if (cur && kind === 'H' && rest === '') hexOf = { stat: cur, lines: [] };
    else if (cur && kind === 'C') cur.checksum = rest.split(/\s/)[0] ?? '';
  }
  endHex();
  return out;
}

/** The stat of one `parseBatchStat` entry. */
function statFromEntry(e: BatchEntry): RemoteStat {
  if (!e.exists) return { ...ABSENT };
  const st = statFromLine(e.statLine!);
  if (e.linkTarget !== undefined) st.linkTarget = e.linkTarget;
  if (e.linkSource !== undefined) st.linkSource = e.linkSource;
  if (e.checksum !== undefined) st.checksum = e.checksum;
  if (e.isLink) st.isLink = true;
  return st;
}

/**
 * Stat several paths in one round trip (results in the same order): one
 * `stat` and at most one checksum process on the target for all of them
 * (see stat-batch.ts); path by path only when that output does not add up.
 */
export async function statMany(conn: Connection, paths: string[], opts: StatOptions = {}): Promise<RemoteStat[]> {
  const unique = [...new Set(paths)];
  const probe: StatProbe = { paths: unique, opts };
  const batch = await conn.exec(statProbeScript(probe), { readOnly: true, statProbe: probe });
  const entries = parseBatchStat(batch.stdout, unique.length);
  const found = entries
    ? { stats: entries.map(statFromEntry), stderr: batch.stderr, rc: batch.rc }
    : await statOneByOne(
        conn,
        unique,
        (p, i) => statScript(String(i), p, opts),
        (parsed, i) => parsed.get(String(i)),
      );
  return inPathOrder(paths, unique, found, (st) => ({ ...st }));
}

/**
 * The fallback of the batched stats, when their output does not add up (a
 * path changed between the test and the program): one `statScript` per path
 * (`script`), each path's result picked from the parsed lines by `pick`.
 */
async function statOneByOne<T>(
  conn: Connection,
  unique: string[],
  script: (path: string, i: number) => string,
  pick: (parsed: Map<string, RemoteStat>, i: number) => T | undefined,
): Promise<{ stats: Array<T | undefined>; stderr: string; rc: number }> {
  const res = await conn.exec(unique.map(script).join('\n'));
  const parsed = parseStatLines(res.stdout);
  return { stats: unique.map((_p, i) => pick(parsed, i)), stderr: res.stderr, rc: res.rc };
}

/** The results of `unique` paths in the order (and with the repeats) of `paths`, each a copy; a path without one is a RemoteFailure. */
function inPathOrder<T>(
  paths: string[],
  unique: string[],
  found: { stats: Array<T | undefined>; stderr: string; rc: number },
  copy: (t: T) => T,
): T[] {
  return paths.map((p) => {
    const st = found.stats[unique.indexOf(p)];
    if (!st) throw new RemoteFailure(`cannot stat ${p}: ${found.stderr.trim() || `rc ${found.rc}`}`);
    return copy(st);
  });
}

/** A path as it is (a symlink not followed) and as it resolves (the same stat for anything but a link; absent for a dangling link). */
export interface ResolvedStat {
  own: RemoteStat;
  followed: RemoteStat;
}

/** The line that ends the stats and starts the output of the `then` script of `statResolved`. */
const THEN_MARKER = 'bosun-then';

/**
 * Stat paths both without and with following symlinks in one round trip:
 * one `stat` for all paths, and one `stat -L` only when some are links that
 * resolve. `then` is a script run in the same round trip after the stats
 * (nothing in it may be interpreted as stat output; it must only look, see
 * `ExecOptions.readOnly`); its stdout is returned. `linkSource: false` leaves
 * out the links' `readlink -f` (one process less a link; `linkSource` is then not to be read).
 */
export async function statResolved(
  conn: Connection,
  paths: string[],
  then = '',
  opts: { linkSource?: boolean } = {},
): Promise<{ stats: ResolvedStat[]; thenStdout: string }> {
  const unique = [...new Set(paths)];
  const probe: StatProbe = {
    paths: unique,
    opts: { resolve: true, ...(opts.linkSource === false ? { linkSource: false } : {}) },
    then: { marker: THEN_MARKER, script: then || ':' },
  };
  const batch = await conn.exec(statProbeScript(probe), { readOnly: true, statProbe: probe });
  const at = batch.stdout.indexOf(`${THEN_MARKER}\n`);
  const statOut = at < 0 ? batch.stdout : batch.stdout.slice(0, at);
  const thenStdout = at < 0 ? '' : batch.stdout.slice(at + THEN_MARKER.length + 1);
  const entries = parseBatchStat(statOut, unique.length);
  const found = entries
    ? {
        stderr: batch.stderr,
        rc: batch.rc,
        stats: entries.map((e): ResolvedStat => {
          const own = statFromEntry(e);
          if (own.type !== 'link') return { own, followed: own };
          return { own, followed: e.targetStatLine !== undefined ? statFromLine(e.targetStatLine) : { ...ABSENT } };
        }),
      }
    : await statOneByOne(
        conn,
        unique,
        (p, i) => `${statScript(`o${i}`, p)}\n${statScript(`f${i}`, p, { follow: true })}`,
        (parsed, i) => {
          const own = parsed.get(`o${i}`);
          const followed = parsed.get(`f${i}`);
          return own && followed ? { own, followed } : undefined;
        },
      );
  const out = inPathOrder(paths, unique, found, (st) => ({ own: { ...st.own }, followed: { ...st.followed } }));
  return { stats: out, thenStdout };
}

/** A file as read for an edit on the controller. */
export interface ReadFileTarget extends ResolvedStat {
  /** The file to write: a symlink's resolved target, or the path itself. */
  real: string;
  /** The content, or null when the path does not exist or is a folder. */
  data: Buffer | null;
}

/**
 * Stat `path` (as it is and followed) and read its bytes in one round trip:
 * base64 after the stats, rather than a read over SFTP (a second channel and
 * an sftp-server process). Reads over SFTP only when that read failed.
 */
export async function statAndRead(conn: Connection, path: string): Promise<ReadFileTarget> {
  const q = shq(path);
  const read = `if [ -e ${q} ] && [ ! -d ${q} ]; then base64 < ${q} && echo .; fi`;
  const {
    stats: [st],
    thenStdout,
  } = await statResolved(conn, [path], read);
  const { own, followed } = st!;
  const real = own.type === 'link' && own.linkSource ? own.linkSource : path;
  if (!followed.exists || followed.type === 'directory') return { own, followed, real, data: null };
  const lines = thenStdout.split('\n');
  const complete = lines.length >= 2 && lines[lines.length - 2] === '.' && lines[lines.length - 1] === '';
  const data = complete
    ? Buffer.from(lines.slice(0, -2).join(''), 'base64')
    : ((await conn.readFile(real)) ?? Buffer.alloc(0));
  return { own, followed, real, data };
}

/** Stat one path in one round trip. */
export async function statPath(conn: Connection, path: string, opts: StatOptions = {}): Promise<RemoteStat> {
  const [st] = await statMany(conn, [path], opts);
  return st!;
}

/** The attributes of an existing stat, for `planAttrs`. */
export function currentAttrs(st: RemoteStat): CurrentAttrs | undefined {
  if (!st.exists) return undefined;
  return {
    mode: st.modeBits,
    uid: st.uid,
    gid: st.gid,
    owner: st.owner,
    group: st.group,
    isDir: st.type === 'directory',
  };
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
 * Write `data` (bytes, or a controller file streamed; or copy the target's own file `{ remotePath }`) to `dest`
 * atomically: a `.bosun-tmp-<random>` file in the same folder, attributes set
 * on it, validation, backup, then `mv -f` over `dest`. The temp file is
 * removed on any failure. One file transfer and one exec.
 */
export async function atomicWrite(
  conn: Connection,
  dest: string,
  data: WriteSource | { remotePath: string },
  opts: WriteOptions,
): Promise<WriteResult> {
  const tmp = posix.join(posix.dirname(dest), `.bosun-tmp-${randomBytes(6).toString('hex')}`);
  const lines: string[] = [sh`bosun_t=${tmp}`, `bosun_fail() { rm -f -- "$bosun_t"; echo "$1" >&2; exit 1; }`];
  if (!('remotePath' in data)) {
    try {
      await conn.writeFile(tmp, data, opts.mode);
    } catch (e) {
      await conn.exec(sh`rm -f -- ${tmp}`).catch(() => undefined);
      // A lost connection stays one (the host is unreachable, not failed).
      if (e instanceof ConnectionError) throw e;
      const hint = e instanceof BosunError ? e.hint : undefined;
      throw new RemoteFailure(`cannot write ${dest}: ${(e as Error).message}`, {
        cause: e,
        ...(hint !== undefined ? { hint } : {}),
      });
    }
  } else {
    lines.push(sh`cp -- ${data.remotePath} "$bosun_t" || bosun_fail ${`cannot copy ${data.remotePath}`}`);
  }
  const plan: AttrPlan = { mode: opts.mode };
  if (opts.owner !== undefined) plan.owner = opts.owner;
  if (opts.group !== undefined) plan.group = opts.group;
  for (const cmd of attrCommands(tmp, plan))
    lines.push(`${cmd} || bosun_fail ${shq(`cannot set attributes on ${dest}`)}`);
  if (opts.validate) {
    const words = splitWords(opts.validate).map((w) => shq(w.replace(/%s/g, tmp)));
    // Ansible's message: the rc and the command's stderr.
    lines.push(
      `bosun_v=$(${words.join(' ')} 2>&1 >/dev/null) || { bosun_r=$?; bosun_fail "failed to validate: rc:$bosun_r error:$bosun_v"; }`,
    );
  }
  if (opts.backup) lines.push(`if [ -f ${shq(dest)} ]; then ${backupScript(dest)} || bosun_fail 'backup failed'; fi`);
  lines.push(staleTempSweep(posix.dirname(dest)));
  lines.push(sh`mv -f -- "$bosun_t" ${dest} || bosun_fail ${`cannot rename the temp file over ${dest}`}`);
  lines.push(statScript('D', dest, { checksum: 'sha1' }));
  const res = await conn.exec(lines.join('\n'));
  if (res.rc !== 0) throw new RemoteFailure(res.stderr.trim() || `writing ${dest} failed (rc ${res.rc})`);
  const stat = parseStatLines(res.stdout).get('D') ?? { ...ABSENT };
  const b = /^B (.*)$/m.exec(res.stdout);
  return b ? { stat, backupFile: b[1]! } : { stat };
}

/**
 * Remove the `.bosun-tmp-*` files in `dir` older than this session (`bosun_started`, set by the
 * session prelude): a transfer cut off with its host (the connection lost mid-write) leaves its temp
 * file behind, and the next write to the same folder clears it. A temp file of a write still under
 * way is newer than the session that started it, so only leftovers go.
 */
function staleTempSweep(dir: string): string {
  return [
    `for bosun_o in ${shq(dir)}/.bosun-tmp-*; do`,
    '  [ "$bosun_o" != "$bosun_t" ] && [ -f "$bosun_o" ] &&',
    '    [ "$(stat -c %Y -- "$bosun_o" 2>/dev/null || echo 0)" -lt "${bosun_started:-0}" ] && rm -f -- "$bosun_o"',
    'done',
  ].join('\n');
}

/** Run `commands` (joined with &&) followed by a stat of `path`; throws RemoteFailure on a non-zero exit. */
export async function runThenStat(
  conn: Connection,
  commands: string[],
  path: string,
  opts: StatOptions = {},
): Promise<RemoteStat> {
  const script = [commands.length ? `{ ${commands.join(' && ')}; } || exit $?` : ':', statScript('D', path, opts)].join(
    '\n',
  );
  const res = await conn.exec(script);
  if (res.rc !== 0) throw new RemoteFailure(res.stderr.trim() || `rc ${res.rc}`);
  return parseStatLines(res.stdout).get('D') ?? { ...ABSENT };
}
