/**
 * fstab editing as ansible.posix.mount does it on Linux: fields escaped
 * (space, `&`, backslash as octal), a line found by its mount point (and,
 * for swap lines `none`, by its source), rewritten whole when a field
 * differs, appended when missing; and the mount table of
 * /proc/self/mountinfo with bind mounts' sources, as the module reads it.
 */

/** The fields of an fstab entry, as the module's args (strings, escaped on write). */
export interface FstabEntry {
  src: string;
  name: string;
  fstype: string;
  opts: string;
  dump: string;
  passno: string;
}

/** The module's _escape_fstab. */
export function escapeFstab(v: string): string {
  return v.replace(/\\/g, '\\134').replace(/ /g, '\\040').replace(/&/g, '\\046');
}

const lineOf = (e: FstabEntry): string => `${e.src} ${e.name} ${e.fstype} ${e.opts} ${e.dump} ${e.passno}\n`;

const splitLines = (text: string): string[] => text.match(/[^\n]*\n|[^\n]+$/g) ?? [];

/** Python's str.split(): fields between runs of whitespace. */
const fields = (line: string): string[] => line.split(/\s+/).filter(Boolean);

/** A swap line of another source is not the entry (several swap lines share the mount point `none`). */
const otherSwap = (f: { name: string; fstype: string; src: string }, src: string | undefined): boolean =>
  src !== undefined && f.name === 'none' && f.fstype === 'swap' && f.src !== src;

/** The fstab with the entry set (the module's _set_mount_save_old): the new text and whether it changed. */
export function setMount(text: string, wanted: FstabEntry, srcGiven: boolean): { text: string; changed: boolean } {
  const esc: FstabEntry = {
    src: escapeFstab(wanted.src),
    name: escapeFstab(wanted.name),
    fstype: escapeFstab(wanted.fstype),
    opts: escapeFstab(wanted.opts),
    dump: escapeFstab(wanted.dump),
    passno: escapeFstab(wanted.passno),
  };
  const out: string[] = [];
  let exists = false;
  let changed = false;
  for (const raw of splitLines(text)) {
    const line = raw.endsWith('\n') ? raw : `${raw}\n`;
    const f = fields(line);
    if (!line.trim() || line.trim().startsWith('#') || ![4, 5, 6].includes(f.length)) {
      out.push(line);
      continue;
    }
    // A missing dump or passno is Python's int 0, never equal to the string asked for: the line is rewritten.
    const ld = {
      src: f[0]!,
      name: f[1]!,
      fstype: f[2]!,
      opts: f[3]!,
      dump: f[4] ?? '\u0000',
      passno: f[5] ?? '\u0000',
    };
    if (ld.name !== esc.name || otherSwap(ld, srcGiven ? wanted.src : undefined)) {
      out.push(line);
      continue;
    }
    exists = true;
    for (const k of ['src', 'fstype', 'opts', 'dump', 'passno'] as const) {
      if (ld[k] !== esc[k]) {
        ld[k] = esc[k];
        changed = true;
      }
    }
    out.push(changed ? lineOf(ld) : line);
  }
  if (!exists) {
    out.push(lineOf(esc));
    changed = true;
  }
  return { text: out.join(''), changed };
}

/** The fstab without the entry (the module's unset_mount; only 6-field lines are entries there). */
export function unsetMount(text: string, name: string, src: string | undefined): { text: string; changed: boolean } {
  const esc = escapeFstab(name);
  const out: string[] = [];
  let changed = false;
  for (const line of splitLines(text)) {
    const f = fields(line);
    if (!line.trim() || line.trim().startsWith('#') || f.length !== 6) {
      out.push(line);
      continue;
    }
    const ld = { src: f[0]!, name: f[1]!, fstype: f[2]! };
    if (ld.name !== esc || otherSwap(ld, src)) {
      out.push(line);
      continue;
    }
    changed = true;
  }
  return { text: out.join(''), changed };
}

/** One mount of the table: where, from what (a bind mount's source folder), type. */
export interface MountRecord {
  dst: string;
  src: string;
  fs: string;
}

/** The module's get_linux_mounts: mount point -> record, a bind mount's src as the folder it shows. */
export function linuxMounts(mountinfo: string): Map<string, MountRecord> {
  const info = new Map<number, { parent: number; root: string; dst: string; fs: string; src: string }>();
  for (const line of mountinfo.split('\n')) {
    const f = fields(line);
    if (f.length < 10) continue;
    info.set(Number(f[0]), {
      parent: Number(f[1]),
      root: f[3]!,
      dst: f[4]!,
      fs: f[f.length - 3]!,
      src: f[f.length - 2]!,
    });
  }
  const mounts = new Map<string, MountRecord>();
  for (const m of info.values()) {
    let src = m.src;
    const p = m.parent !== 1 ? info.get(m.parent) : undefined;
    if (p) {
      let root = m.root;
      if (p.root.length > 1 && root.startsWith(`${p.root}/`)) root = root.slice(p.root.length);
      if (p.dst !== '/') root = `${p.dst}${root}`;
      // The module keeps the rewritten root: a later child of this mount starts from it.
      m.root = root;
      src = root;
    }
    mounts.set(m.dst, { dst: m.dst, src, fs: m.fs });
  }
  return mounts;
}
