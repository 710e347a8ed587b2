/**
 * File attributes (mode, owner, group): parsing Ansible's `mode` forms,
 * planning what differs from the current state, and the commands that apply
 * the plan. The plan feeds both the diff and `changed`.
 */
import { ModuleArgError } from '../../errors.js';
import { sh } from '../../util/shell.js';
import type { FileDiff } from '../types.js';
import { parseFlags, type WantedFlags } from './chattr.js';

/** The attribute arguments common to copy, template, file and lineinfile. */
export interface AttrArgs {
  mode?: string | number;
  owner?: string | number;
  group?: string | number;
  /** SELinux context parts: accepted and not applied (docs/ansible-differences.md). */
  setype?: string;
  seuser?: string;
  serole?: string;
  selevel?: string;
  /** chattr flags (alias attr): set by the modules that pass `flags` to wantedAttrs (lib/chattr.ts), refused by the others. */
  attributes?: string;
  attr?: string;
  /** Ansible's fallback to a non-atomic write: bosun's writes are always atomic renames, so there is nothing to choose. */
  unsafe_writes?: boolean | string;
}

/** What a module wants; the `mode` still unparsed (symbolic modes depend on the current mode). */
export interface WantedAttrs {
  mode?: string;
  owner?: string;
  group?: string;
  /** The chattr flags asked for (modules that set them; see lib/chattr.ts). */
  flags?: WantedFlags;
}

/** The attributes a path has now (a subset of a stat result). */
export interface CurrentAttrs {
  /** Permission bits, e.g. 0o644. */
  mode: number;
  uid: number;
  gid: number;
  owner: string;
  group: string;
  isDir: boolean;
}

/** The changes to make: only the attributes that differ. */
export interface AttrPlan {
  /** New permission bits. */
  mode?: number;
  owner?: string;
  group?: string;
}

/** A user error in an argument, reported as the task's failure message (code MODULE_ARGS). */
export { ModuleArgError } from '../../errors.js';

/** JSON-schema fragments for the attribute arguments. */
export const attrSchemaProps = {
  mode: {
    type: ['string', 'integer'],
    description: "Permissions: octal string ('0644'), symbolic ('u=rw,g=r,o=r', 'u+x,go-w')",
  },
  owner: { type: ['string', 'integer'], description: 'Owner: user name or numeric uid' },
  group: { type: ['string', 'integer'], description: 'Group: group name or numeric gid' },
  setype: {
    type: 'string',
    description: 'SELinux type of the context: accepted, not applied (bosun sets no SELinux context)',
  },
  seuser: { type: 'string', description: 'SELinux user of the context: accepted, not applied' },
  serole: { type: 'string', description: 'SELinux role of the context: accepted, not applied' },
  selevel: { type: 'string', description: 'SELinux level of the context: accepted, not applied' },
  attributes: {
    type: 'string',
    description:
      "File flags as chattr sets them (alias attr): '+i', '-a' or exactly 'de', with the target's lsattr and chattr (e2fsprogs); file, copy, template, lineinfile, blockinfile, replace and ini_file set them, other modules refuse a non-empty value",
  },
  attr: { type: 'string', description: 'Alias of attributes' },
  unsafe_writes: {
    type: ['boolean', 'string'],
    description: "Ansible's non-atomic fallback: accepted; bosun always writes through an atomic rename",
  },
} as const;

/** Normalize the attribute arguments (`preserve` is kept as is for copy to resolve): a numeric mode is an error (YAML turned `644` into a decimal number). */
export function wantedAttrs(args: AttrArgs, opts: { allowPreserve?: boolean; flags?: boolean } = {}): WantedAttrs {
  const out: WantedAttrs = {};
  const flags = args.attributes ?? args.attr;
  if (opts.flags) {
    const parsed = parseFlags(flags);
    if (parsed) out.flags = parsed;
  } else if (flags !== undefined && flags.trim() !== '')
    throw new ModuleArgError(
      `attributes '${flags}': bosun does not set file attributes (chattr flags) in this module yet; leave attributes out or run chattr with the command module`,
    );
  if (args.mode === 'preserve') {
    if (!opts.allowPreserve) throw new ModuleArgError("mode 'preserve' is only valid for copy and template");
    out.mode = 'preserve';
  } else if (args.mode !== undefined) {
    if (typeof args.mode === 'number') {
      throw new ModuleArgError(
        `mode ${args.mode} is a number; quote it as '0${args.mode.toString().replace(/^0+/, '')}'`,
      );
    }
    out.mode = args.mode;
    parseMode(args.mode, 0o644, false);
  }
  for (const key of ['owner', 'group'] as const) {
    const value = args[key];
    if (value === undefined) continue;
    // Never an option to chown/chgrp: Ansible looks such a name up and fails.
    if (String(value).startsWith('-'))
      throw new ModuleArgError(
        `${key} '${String(value)}' starts with '-': not a ${key === 'owner' ? 'user' : 'group'} name`,
      );
    out[key] = String(value);
  }
  return out;
}

/** Format permission bits as Ansible does: four octal digits, '0644'. */
export function formatMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/** A mode as Ansible's results carry it (`'0%03o'`): '0644', '01444', '04755'. */
export function resultMode(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;
}

const OCTAL = /^0?[0-7]{1,4}$/;
const CLAUSE = /^([ugoa]*)([-+=])([ugo]|[rwxXst]*)$/;

/**
 * Parse a mode argument to permission bits. Symbolic modes apply to `current`
 * (the path's current bits, or the default for a new path); `X` adds execute
 * only for directories or when some execute bit is already set. An empty
 * "who" means `a` (the umask is not consulted, as in Ansible).
 */
export function parseMode(mode: string, current: number, isDir: boolean): number {
  const text = mode.trim();
  if (OCTAL.test(text)) return parseInt(text, 8);
  let bits = current & 0o7777;
  for (const clause of text.split(',')) {
    const parts = splitClause(clause);
    if (!parts) throw new ModuleArgError(`mode '${mode}' is neither octal ('0644') nor symbolic ('u=rw,g=r,o=r')`);
    for (const [who, op, perms] of parts) bits = applyClause(bits, who || 'a', op, perms, isDir);
  }
  return bits;
}

/** A clause such as `u+x-w` holds several operations; split it into [who, op, perms] triples. */
function splitClause(clause: string): Array<[string, string, string]> | undefined {
  const m = /^([ugoa]*)((?:[-+=](?:[ugo]|[rwxXst]*))+)$/.exec(clause);
  if (!m) return undefined;
  const who = m[1] ?? '';
  const ops = m[2]!.match(/[-+=](?:[ugo]|[rwxXst]*)/g) ?? [];
  return ops.map((op) => {
    const c = CLAUSE.exec(who + op)!;
    return [who, c[2]!, c[3]!];
  });
}

function applyClause(bits: number, who: string, op: string, perms: string, isDir: boolean): number {
  const users = new Set(who.includes('a') ? ['u', 'g', 'o'] : who.split(''));
  let mask = 0;
  const hasExec = (bits & 0o111) !== 0;
  if (/^[ugo]$/.test(perms)) {
    // Copy another class's bits: g=u
    const shift = perms === 'u' ? 6 : perms === 'g' ? 3 : 0;
    const src = (bits >> shift) & 7;
    for (const u of users) mask |= src << (u === 'u' ? 6 : u === 'g' ? 3 : 0);
  } else {
    for (const u of users) {
      const shift = u === 'u' ? 6 : u === 'g' ? 3 : 0;
      for (const p of perms) {
        if (p === 'r') mask |= 4 << shift;
        else if (p === 'w') mask |= 2 << shift;
        else if (p === 'x' || (p === 'X' && (isDir || hasExec))) mask |= 1 << shift;
        else if (p === 's' && u === 'u') mask |= 0o4000;
        else if (p === 's' && u === 'g') mask |= 0o2000;
        else if (p === 't' && u === 'o') mask |= 0o1000;
      }
    }
  }
  if (op === '+') return bits | mask;
  if (op === '-') return bits & ~mask;
  let clear = 0;
  for (const u of users) clear |= u === 'u' ? 0o4700 : u === 'g' ? 0o2070 : 0o1007;
  return (bits & ~clear) | mask;
}

/** True when `want` (a name or a numeric id) names the current `id`/`name`. */
export function sameIdentity(want: string, id: number, name: string): boolean {
  return /^\d+$/.test(want) ? Number(want) === id : want === name;
}

/** Plan the attribute changes from `current` (undefined: a new path, created with `defaultMode`) to `want`. */
export function planAttrs(want: WantedAttrs, current: CurrentAttrs | undefined, defaultMode = 0o644): AttrPlan {
  const plan: AttrPlan = {};
  const base = current?.mode ?? defaultMode;
  if (want.mode !== undefined) {
    const mode = parseMode(want.mode, base, current?.isDir ?? false);
    if (current?.mode !== mode) plan.mode = mode;
  }
  if (want.owner !== undefined && (!current || !sameIdentity(want.owner, current.uid, current.owner)))
    plan.owner = want.owner;
  if (want.group !== undefined && (!current || !sameIdentity(want.group, current.gid, current.group)))
    plan.group = want.group;
  return plan;
}

/** True when the plan changes nothing. */
export function isEmptyPlan(plan: AttrPlan): boolean {
  return plan.mode === undefined && plan.owner === undefined && plan.group === undefined;
}

/** The diff entry of an attribute plan (`mode: 0644` lines before and after), as every file module shows it. */
export function attrDiff(path: string, plan: AttrPlan, current: CurrentAttrs | undefined): FileDiff {
  const lines = attrDiffLines(plan, current);
  return {
    path,
    before: lines.before.map((l) => `${l}\n`).join(''),
    after: lines.after.map((l) => `${l}\n`).join(''),
  };
}

/** Shell commands (joined with &&) that apply the plan to `path`; `recurse` applies to everything below too. */
export function attrCommands(
  path: string,
  plan: AttrPlan,
  opts: { recurse?: boolean; noFollow?: boolean } = {},
): string[] {
  const cmds: string[] = [];
  const r = opts.recurse ? '-R ' : '';
  const h = opts.noFollow ? '-h ' : '';
  if (plan.owner !== undefined) cmds.push(`chown ${r}${h}` + sh`${plan.owner} -- ${path}`);
  if (plan.group !== undefined) cmds.push(`chgrp ${r}${h}` + sh`${plan.group} -- ${path}`);
  if (plan.mode !== undefined) cmds.push(`chmod ${r}` + sh`${formatMode(plan.mode)} -- ${path}`);
  return cmds;
}

/** The attribute lines of a state diff (`mode: 0644`, `owner: root`). */
export function attrDiffLines(
  plan: AttrPlan,
  current: CurrentAttrs | undefined,
): { before: string[]; after: string[] } {
  const before: string[] = [];
  const after: string[] = [];
  if (plan.mode !== undefined) {
    if (current) before.push(`mode: ${formatMode(current.mode)}`);
    after.push(`mode: ${formatMode(plan.mode)}`);
  }
  if (plan.owner !== undefined) {
    if (current) before.push(`owner: ${current.owner}`);
    after.push(`owner: ${plan.owner}`);
  }
  if (plan.group !== undefined) {
    if (current) before.push(`group: ${current.group}`);
    after.push(`group: ${plan.group}`);
  }
  return { before, after };
}
