/**
 * The shared read-edit-write of the modules that edit a text file on the
 * controller (blockinfile, replace): one round trip stats and reads it, then a
 * decision whose apply writes the edited text atomically (through a symlink
 * to the real file, as Ansible does), keeping the file's mode and owner.
 */
import { posix } from 'node:path';
import { sh } from '../../util/shell.js';
import type { ApplyResult, Decision, FileDiff, ModuleContext } from '../types.js';
import {
  attrCommands,
  attrDiff,
  isEmptyPlan,
  parseMode,
  planAttrs,
  resultMode,
  type AttrPlan,
  type CurrentAttrs,
  type WantedAttrs,
} from './attrs.js';
import { atomicWrite, currentAttrs, runThenStat, statAndRead, type RemoteStat } from './remote-file.js';
import { withFlags } from './chattr.js';
import { applying } from './result.js';

/** A text file on the target as read before the edit. */
export interface TextTarget {
  path: string;
  /** The file written to: the symlink's resolved target, or `path`. */
  real: string;
  st: RemoteStat;
  /** The content, or null when the file does not exist. */
  text: string | null;
}

/** Text encodings Node can convert both ways, by their Python names. */
const ENCODINGS: Record<string, BufferEncoding> = {
  'utf-8': 'utf8',
  utf8: 'utf8',
  'latin-1': 'latin1',
  latin1: 'latin1',
  'iso-8859-1': 'latin1',
  ascii: 'ascii',
  'utf-16-le': 'utf16le',
};

/** Node's name for a Python encoding name (RemoteFailure-free: undefined when unsupported). */
export function nodeEncoding(name: string): BufferEncoding | undefined {
  return ENCODINGS[name.toLowerCase().replace(/_/g, '-')];
}

/** Stat `path` (and what it links to) and read it, in one round trip. */
export async function readTextTarget(
  ctx: ModuleContext,
  path: string,
  encoding: BufferEncoding = 'utf8',
): Promise<TextTarget> {
  const { followed: st, real, data } = await statAndRead(ctx.conn, path);
  return { path, real, st, text: data === null ? null : data.toString(encoding) };
}

/** Ansible refuses a validate command without `%s` when it is about to write. */
export function validateRefusal(validate: string | undefined): string | undefined {
  return validate !== undefined && !validate.includes('%s') ? `validate must contain %s: ${validate}` : undefined;
}

/** How a module registers its diff under --diff: lineinfile and blockinfile a list (content, then attributes, also when nothing changed), replace one dict (when the content changed). */
export type RegisteredDiffShape = 'list' | 'dict';

/**
 * The `diff` a text module registers, in Ansible's shape (undefined: none): the list is there without
 * --diff too, its content entry then empty; the dict only under --diff.
 */
export function registeredTextDiff(
  shape: RegisteredDiffShape,
  diffMode: boolean,
  d: { path: string; header: string; before: string; after: string; plan: AttrPlan; current: CurrentAttrs | undefined },
): unknown {
  const content = {
    before: diffMode ? d.before : '',
    after: diffMode ? d.after : '',
    before_header: d.header,
    after_header: d.header,
  };
  if (shape === 'dict') return !diffMode || d.before === d.after ? undefined : content;
  const attrs: Record<string, unknown> = {
    before_header: `${d.path} (file attributes)`,
    after_header: `${d.path} (file attributes)`,
  };
  if (d.current && !isEmptyPlan(d.plan)) {
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    if (d.plan.owner !== undefined) [before['owner'], after['owner']] = [d.current.uid, d.plan.owner];
    if (d.plan.group !== undefined) [before['group'], after['group']] = [d.current.gid, d.plan.group];
    if (d.plan.mode !== undefined)
      [before['mode'], after['mode']] = [resultMode(d.current.mode), resultMode(d.plan.mode)];
    Object.assign(attrs, { before, after });
  }
  return [content, attrs];
}

/** What the edit produced and how to write it. */
export interface TextWrite {
  after: string;
  /** Ansible's message for the content change ('' when none). */
  msg: string;
  attrs: WantedAttrs;
  backup: boolean;
  validate?: string;
  encoding?: BufferEncoding;
  /** Header of the content diff (default: the path). */
  diffHeader?: string;
  /** Registered fields. */
  data?: Record<string, unknown>;
  /** The shape of the registered diff under --diff (default 'list'). */
  diffShape?: RegisteredDiffShape;
  /** lineinfile's `backup` key: '' until a backup is made, its path then, left out of a failure. */
  backupKey?: boolean;
}

/** A new file as Ansible's check_file_attrs finds it after the write: mode 0644, the login user's. */
function asWritten(ctx: ModuleContext): CurrentAttrs {
  const user = ctx.conn.spec.user;
  return { mode: 0o644, uid: NaN, gid: NaN, owner: user, group: user, isDir: false };
}

/** The decision for writing `w.after` over the target (no change when content and attributes already match). */
export async function textWriteDecision(ctx: ModuleContext, t: TextTarget, w: TextWrite): Promise<Decision> {
  const exists = t.text !== null;
  const contentChanged = !exists || t.text !== w.after;
  return withFlags(ctx, w.attrs.flags, plainTextWriteDecision(ctx, t, w), {
    path: t.real,
    exists,
    keeps: exists && !contentChanged,
    changedMsg: withAttrsMsg,
    appliedMsg: withAttrsMsg,
    patch: (data, before, after) => {
      const d = data['diff'];
      if (!Array.isArray(d) || d.length < 2) return;
      const entry = d[1] as Record<string, unknown>;
      const side = (k: string, v: string | null): Record<string, unknown> => ({
        ...((entry[k] as Record<string, unknown> | undefined) ?? {}),
        attributes: v,
      });
      data['diff'] = [d[0], { ...entry, before: side('before', before), after: side('after', after) }];
    },
  });
}

const ATTRS_MSG = 'ownership, perms or SE linux context changed';

/** Ansible's check_file_attrs message: the content's, then ' and ' and the attributes'. */
function withAttrsMsg(msg: string | undefined): string {
  if (msg?.endsWith(ATTRS_MSG)) return msg;
  return `${msg ? `${msg} and ` : ''}${ATTRS_MSG}`;
}

function plainTextWriteDecision(ctx: ModuleContext, t: TextTarget, w: TextWrite): Decision {
  const exists = t.text !== null;
  const contentChanged = !exists || t.text !== w.after;
  const current = currentAttrs(t.st);
  const plan = planAttrs(w.attrs, current);
  // What Ansible reports of the attributes (message, registered diff) it finds after writing: a new file as written.
  const seen = exists ? current : asWritten(ctx);
  const seenPlan = exists ? plan : planAttrs(w.attrs, seen);
  let msg = w.msg;
  if (!isEmptyPlan(seenPlan)) msg = withAttrsMsg(msg);
  const data: Record<string, unknown> = { ...(w.data ?? {}), ...(w.backupKey ? { backup: '' } : {}) };
  const registered = registeredTextDiff(w.diffShape ?? 'list', ctx.diff, {
    path: t.path,
    header: w.diffHeader ?? t.path,
    before: t.text ?? '',
    after: w.after,
    plan: seenPlan,
    current: seen,
  });
  // Ansible's check mode returns before checking the attributes of a file that is not there: no attribute entry.
  if (Array.isArray(registered) && ctx.check && !exists) data['diff'] = registered.slice(0, 1);
  else if (registered !== undefined) data['diff'] = registered;
  if (!contentChanged && isEmptyPlan(plan)) return { kind: 'ok', msg, data };
  const refused = contentChanged ? validateRefusal(w.validate) : undefined;
  if (refused) return { kind: 'fail', msg: refused };
  const diff: FileDiff[] = [];
  const header = w.diffHeader ?? t.path;
  if (contentChanged)
    diff.push({ path: t.path, before: t.text ?? '', after: w.after, beforeHeader: header, afterHeader: header });
  if (exists && !isEmptyPlan(plan)) {
    diff.push(attrDiff(t.path, plan, current));
  }
  return {
    kind: 'change',
    msg,
    diff,
    data,
    apply: () =>
      failingWithoutDiff(
        async () => {
          const out = await writeEdited(ctx, {
            real: t.real,
            st: t.st,
            changed: contentChanged,
            after: Buffer.from(w.after, w.encoding ?? 'utf8'),
            attrs: w.attrs,
            plan,
            backup: w.backup,
            ...(w.validate !== undefined ? { validate: w.validate } : {}),
          });
          if (out.failed !== undefined) return { kind: 'failed', msg: out.failed };
          const backup = w.backupKey && contentChanged ? { backup: out.backupFile ?? '' } : {};
          return {
            kind: 'applied',
            data: { ...data, ...backup, ...(out.backupFile ? { backup_file: out.backupFile } : {}) },
          };
        },
        w.backupKey ? ['backup'] : [],
      ),
  };
}

/** An apply step whose failure registers no diff nor the `drop` keys (Ansible fails before returning them, as on a failed validate). */
export async function failingWithoutDiff(body: () => Promise<ApplyResult>, drop: string[] = []): Promise<ApplyResult> {
  const r = await applying(body);
  if (r.kind !== 'failed') return r;
  return { ...r, data: { ...(r.data ?? {}), ...Object.fromEntries(['diff', ...drop].map((k) => [k, undefined])) } };
}

/** What writeEdited is to write: the edited bytes over `real` (or only the attributes when unchanged). */
export interface EditedWrite {
  real: string;
  st: RemoteStat;
  /** The content changed (else only the attribute plan is applied). */
  changed: boolean;
  after: Buffer;
  attrs: WantedAttrs;
  plan: ReturnType<typeof planAttrs>;
  backup: boolean;
  validate?: string;
}

/**
 * The apply step every text-editing module shares (lineinfile, blockinfile, replace, ini_file): the
 * attributes alone when the content is unchanged, else the folder made when the file is new and the
 * text written atomically, keeping the file's mode and owner unless asked otherwise.
 */
export async function writeEdited(
  ctx: ModuleContext,
  w: EditedWrite,
): Promise<{ failed?: string; backupFile?: string | undefined }> {
  const exists = w.st.exists;
  const current = exists ? currentAttrs(w.st) : undefined;
  if (!w.changed) {
    await runThenStat(ctx.conn, attrCommands(w.real, w.plan), w.real);
    return {};
  }
  if (!exists) {
    const mk = await ctx.conn.exec(sh`mkdir -p -- ${posix.dirname(w.real)}`);
    if (mk.rc !== 0) return { failed: `cannot create ${posix.dirname(w.real)}: ${mk.stderr.trim()}` };
  }
  const mode =
    w.attrs.mode !== undefined ? parseMode(w.attrs.mode, current?.mode ?? 0o644, false) : (current?.mode ?? 0o644);
  const owner = w.attrs.owner ?? (exists ? String(w.st.uid) : undefined);
  const group = w.attrs.group ?? (exists ? String(w.st.gid) : undefined);
  const out = await atomicWrite(ctx.conn, w.real, w.after, {
    mode,
    backup: w.backup && exists,
    ...(owner !== undefined ? { owner } : {}),
    ...(group !== undefined ? { group } : {}),
    ...(w.validate !== undefined ? { validate: w.validate } : {}),
  });
  return { backupFile: out.backupFile };
}
