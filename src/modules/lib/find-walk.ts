/**
 * The listing half of `find`: one script lists every folder with `find` and
 * `stat -c` (records framed by a random token, so that names may hold
 * newlines), and Python's os.walk is replayed over what it printed, in the
 * target's readdir order, so that results come in Ansible's order.
 */
import { shq } from '../../util/shell.js';

/** One entry the target listed, with its lstat fields. */
export interface ListedEntry {
  /** The path as find printed it. */
  raw: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  atime: number;
  ctime: number;
  inode: number;
  dev: number;
  nlink: number;
  owner: string;
  group: string;
}

/** What the listing script printed for one of the `paths`. */
export interface Listing {
  /** False: not a folder (Ansible skips it with a warning). */
  isDir: boolean;
  /** The folder as expanded on the target (`~`). */
  top: string;
  entries: ListedEntry[];
  /** Raw paths of the links that point to folders (os.walk counts them with the folders). */
  linkDirs: Set<string>;
}

/** `~` and `~/x` as the target's $HOME; anything else as given. */
function targetPath(p: string): string {
  return p === '~' || p.startsWith('~/') ? `"$HOME"${shq(p.slice(1) || '/').replace(/^''$/, '')}` : shq(p);
}

/**
 * The listing script: per path, `TOKEN D<i> <dir>` or `TOKEN N<i> <dir>`, then one
 * `TOKEN S <stat fields> <path>` record per entry (find's order: readdir order, depth first)
 * and `TOKEN K directory <path>` for links that lead to folders.
 */
export function listingScript(paths: string[], token: string, opts: { follow: boolean; maxdepth?: number }): string {
  const depth = opts.maxdepth !== undefined ? ` -maxdepth ${opts.maxdepth}` : '';
  const mode = opts.follow ? '-L' : '-H';
  const lines = [
    `T=${token}`,
    // GNU stat has fractional times; busybox's has whole seconds.
    `if stat -c '%.9Y' / 2>/dev/null | grep -q '\\.'; then F='%.9Y %.9X %.9Z'; else F='%Y %X %Z'; fi`,
  ];
  paths.forEach((p, i) => {
    lines.push(
      `d=${targetPath(p)}`,
      `if [ -d "$d" ]; then printf '%s D${i} %s\\n' "$T" "$d"`,
      `  find ${mode} "$d" -mindepth 1${depth} -exec stat -c "$T S %f %u %g %s $F %i %d %h %U %G %n" {} + 2>/dev/null`,
      opts.follow
        ? `  find -L "$d" -mindepth 1${depth} -type d -exec stat -c "$T K directory %n" {} + 2>/dev/null`
        : `  find -H "$d" -mindepth 1${depth} -type l -exec stat -L -c "$T K %F %n" {} + 2>/dev/null`,
      `else printf '%s N${i} %s\\n' "$T" "$d"; fi`,
    );
  });
  lines.push('exit 0');
  return lines.join('\n');
}

/** Parse the listing script's output. */
export function parseListing(stdout: string, token: string, count: number): Listing[] {
  const out: Listing[] = [];
  let cur: Listing | undefined;
  const records = `\n${stdout}`.split(`\n${token} `).slice(1);
  for (const rec of records) {
    const body = rec.replace(/\n$/, '');
    let m: RegExpExecArray | null;
    if ((m = /^([DN])(\d+) ([\s\S]*)$/.exec(body))) {
      cur = { isDir: m[1] === 'D', top: m[3]!, entries: [], linkDirs: new Set() };
      out[Number(m[2])] = cur;
    } else if (
      cur &&
      (m = /^S ([0-9a-f]+) (\d+) (\d+) (\d+) (\S+) (\S+) (\S+) (\d+) (\d+) (\d+) (\S*) (\S*) ([\s\S]*)$/.exec(body))
    ) {
      cur.entries.push({
        raw: m[13]!,
        mode: parseInt(m[1]!, 16),
        uid: Number(m[2]),
        gid: Number(m[3]),
        size: Number(m[4]),
        mtime: Number(m[5]),
        atime: Number(m[6]),
        ctime: Number(m[7]),
        inode: Number(m[8]),
        dev: Number(m[9]),
        nlink: Number(m[10]),
        owner: m[11] === 'UNKNOWN' ? '' : m[11]!,
        group: m[12] === 'UNKNOWN' ? '' : m[12]!,
      });
    } else if (cur && (m = /^K directory ([\s\S]*)$/.exec(body))) cur.linkDirs.add(m[1]!);
  }
  for (let i = 0; i < count; i++) out[i] ??= { isDir: false, top: '', entries: [], linkDirs: new Set() };
  return out;
}

const S_IFMT = 0o170000;
/** The file type bits of a mode. */
export const fileType = (mode: number): number => mode & S_IFMT;
/** The file type values of `fileType`. */
export const IS = {
  dir: 0o040000,
  reg: 0o100000,
  lnk: 0o120000,
  chr: 0o020000,
  blk: 0o060000,
  fifo: 0o010000,
  sock: 0o140000,
};

/** The keys of Ansible's statinfo() that come from the mode alone: `mode`, the type flags and the permission bits. */
export function modeKeys(m: number): Record<string, unknown> {
  const bit = (b: number): boolean => (m & b) !== 0;
  return {
    mode: (m & 0o7777).toString(8).padStart(4, '0'),
    isdir: fileType(m) === IS.dir,
    ischr: fileType(m) === IS.chr,
    isblk: fileType(m) === IS.blk,
    isreg: fileType(m) === IS.reg,
    isfifo: fileType(m) === IS.fifo,
    islnk: fileType(m) === IS.lnk,
    issock: fileType(m) === IS.sock,
    wusr: bit(0o200),
    rusr: bit(0o400),
    xusr: bit(0o100),
    wgrp: bit(0o020),
    rgrp: bit(0o040),
    xgrp: bit(0o010),
    woth: bit(0o002),
    roth: bit(0o004),
    xoth: bit(0o001),
    isuid: bit(0o4000),
    isgid: bit(0o2000),
  };
}

/** Ansible's statinfo() of one entry. */
export function statInfo(e: ListedEntry): Record<string, unknown> {
  return {
    ...modeKeys(e.mode),
    uid: e.uid,
    gid: e.gid,
    size: e.size,
    inode: e.inode,
    dev: e.dev,
    nlink: e.nlink,
    atime: e.atime,
    mtime: e.mtime,
    ctime: e.ctime,
    gr_name: e.group,
    pw_name: e.owner,
  };
}

/** One walked root as os.walk yields it: the entries of a folder, non-folders first. */
export interface WalkStep {
  root: string;
  depthOfEntries: number;
  entries: Array<{ name: string; entry: ListedEntry }>;
}

/**
 * Replay os.walk(top, followlinks) over a listing: each folder's entries in
 * readdir order split into folders (links to folders included) and the rest,
 * yielded rest-then-folders, then each folder walked in turn (links only with follow).
 */
export function walk(listing: Listing, follow: boolean, maxRootDepth: number | undefined): WalkStep[] {
  const children = new Map<string, ListedEntry[]>();
  const top = listing.top;
  for (const e of listing.entries) {
    const parent = e.raw.slice(0, e.raw.lastIndexOf('/'));
    const key = parent.replace(/\/+$/, '') === top.replace(/\/+$/, '') ? top : parent;
    let arr = children.get(key);
    if (!arr) children.set(key, (arr = []));
    arr.push(e);
  }
  const steps: WalkStep[] = [];
  const visit = (root: string, depth: number): void => {
    const kids = children.get(root) ?? [];
    const isWalkDir = (e: ListedEntry): boolean => fileType(e.mode) === IS.dir || listing.linkDirs.has(e.raw);
    const dirs = kids.filter(isWalkDir);
    const files = kids.filter((e) => !isWalkDir(e));
    const name = (e: ListedEntry): string => e.raw.slice(e.raw.lastIndexOf('/') + 1);
    steps.push({
      root,
      depthOfEntries: depth + 1,
      entries: [...files, ...dirs].map((entry) => ({ name: name(entry), entry })),
    });
    if (maxRootDepth !== undefined && depth + 1 > maxRootDepth) return;
    for (const d of dirs) if (follow || fileType(d.mode) !== IS.lnk) visit(d.raw, depth + 1);
  };
  visit(top, 0);
  return steps;
}

/** Ansible's age (`-3d`, `1w`, `60`) in seconds; undefined when it does not parse. */
export function parseAge(age: string): number | undefined {
  const m = /^(-?\d+)(s|m|h|d|w)?$/.exec(age.toLowerCase());
  const unit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  return m ? Number(m[1]) * (unit[m[2] ?? 's'] ?? 1) : undefined;
}

/** Ansible's size (`10k`, `-1m`, `5`) in bytes; undefined when it does not parse. */
export function parseSize(size: string): number | undefined {
  const m = /^(-?\d+)(b|k|m|g|t)?$/.exec(size.toLowerCase());
  const unit: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
  return m ? Number(m[1]) * (unit[m[2] ?? 'b'] ?? 1) : undefined;
}
