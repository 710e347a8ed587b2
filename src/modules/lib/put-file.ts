/**
 * The shared "this content belongs at dest" logic of copy and template:
 * one stat round trip (dest, its folder, dest/basename, a remote source),
 * sha1 comparison (a controller file hashed once for all hosts, never held
 * in memory), the attribute plan, the diff, and an atomic write.
 */
import { createHash } from 'node:crypto';
import { promises as fs, type Stats } from 'node:fs';
import { posix } from 'node:path';
import { failOnController } from '../../errors.js';
import { sh } from '../../util/shell.js';
import type { Decision, FileDiff, ModuleContext } from '../types.js';
import { attrCommands, attrDiff, formatMode, isEmptyPlan, parseMode, planAttrs, type WantedAttrs } from './attrs.js';
import {
  atomicWrite,
  currentAttrs,
  RemoteFailure,
  runThenStat,
  statMany,
  statResolved,
  type RemoteStat,
} from './remote-file.js';
import { controllerDigests } from './controller-digest.js';
import { applying, diffSide, failed } from './result.js';
import { withFlags, type FlagsSpec } from './chattr.js';

/** What to put where. */
export interface PutFileSpec {
  dest: string;
  /**
   * The bytes to write, a file on the controller (streamed: hashed once for all hosts, sent as it
   * is read), or a file on the target to copy (remote_src).
   */
  source: { data: Buffer } | { controllerFile: string; stat: Stats } | { remotePath: string };
  /** The `src` as the user gave it (for data and for dest/basename). */
  srcName?: string;
  attrs: WantedAttrs;
  backup: boolean;
  force: boolean;
  validate?: string;
  /** Permission bits of the controller-side source, for `mode: preserve`. */
  localMode?: number;
  /** `follow`: a dest that is a link has what it points to written (false: the link is replaced by a file). */
  follow?: boolean;
  /** `checksum`: the sha1 the source must have, checked (as Ansible's module does) when the file is written. */
  expectChecksum?: string;
}

/** The registered fields of a file after (or, in check mode, as predicted for) the write. */
export function fileData(dest: string, st: RemoteStat, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    dest,
    checksum: st.checksum,
    size: st.size,
    mode: st.mode,
    owner: st.owner,
    group: st.group,
    uid: st.uid,
    gid: st.gid,
    state: 'file',
    ...extra,
  };
}

/** Decide whether `dest` must be written or have its attributes changed. */
export async function decidePutFile(ctx: ModuleContext, spec: PutFileSpec): Promise<Decision> {
  const trailingSlash = spec.dest.endsWith('/');
  const base = spec.srcName ? posix.basename(spec.srcName.replace(/\/+$/, '')) : undefined;
  const destArg = trailingSlash && spec.dest.length > 1 ? spec.dest.replace(/\/+$/, '') : spec.dest;
  if (trailingSlash && !base) return failed(`can not use content with a dir as dest (${spec.dest})`);
  const remoteSrc = 'remotePath' in spec.source ? spec.source.remotePath : undefined;
  const paths = [destArg, posix.dirname(destArg), base ? posix.join(destArg, base) : destArg, remoteSrc ?? destArg];
  const [destSt, parentSt, inDirSt, srcSt] = await statMany(ctx.conn, paths, {
    checksum: 'sha1',
    follow: true,
    markLinks: !spec.follow,
  });
  let dest = destArg;
  let cur = destSt!;
  let parentExists = parentSt!.exists;
  if (trailingSlash || cur.type === 'directory') {
    if (!base) return failed(`can not use content with a dir as dest (${spec.dest})`);
    dest = posix.join(destArg, base);
    cur = inDirSt!;
    parentExists = destSt!.type === 'directory';
  }
  if (cur.type === 'directory') return failed(`dest ${dest} is a directory`);
  if (spec.follow && cur.exists) {
    // follow: a link at dest has what it resolves to written, as Ansible's module does (os.path.realpath).
    const [own] = (await statResolved(ctx.conn, [dest])).stats;
    if (own!.own.type === 'link' && own!.own.linkSource) {
      dest = own!.own.linkSource;
      cur = (await statMany(ctx.conn, [dest], { checksum: 'sha1', follow: true }))[0]!;
    }
  }
  if (remoteSrc !== undefined) {
    if (!srcSt!.exists) return failed(`Source ${remoteSrc} not found`);
    if (srcSt!.type !== 'file')
      return failed(`Source ${remoteSrc} is not a regular file (remote_src copies single files)`);
  }
  // Ansible's copy registers the src it was given only for remote_src (else the path of its temp file on the target).
  const extra: Record<string, unknown> = remoteSrc !== undefined ? { src: remoteSrc } : {};
  if (cur.exists && !spec.force) {
    // Ansible's action skips the file without running a module (only dest and changed); its module, run for a
    // remote_src, says why.
    if (remoteSrc !== undefined) return { kind: 'ok', msg: 'file already exists', data: { dest, src: remoteSrc } };
    return { kind: 'ok', data: { dest: spec.dest } };
  }
  const data = 'data' in spec.source ? spec.source.data : undefined;
  const local = 'controllerFile' in spec.source ? spec.source : undefined;
  const digests = data
    ? { sha1: createHash('sha1').update(data).digest('hex'), md5: createHash('md5').update(data).digest('hex') }
    : local
      ? await controllerDigests(local.controllerFile, local.stat).catch(
          failOnController(`cannot copy ${spec.srcName ?? local.controllerFile}`, { source: ctx.source }),
        )
      : { sha1: srcSt!.checksum, md5: await remoteMd5(ctx, remoteSrc!) };
  const checksum = digests.sha1;
  const size = data ? data.length : local ? local.stat.size : srcSt!.size;
  // Without follow, a link at dest is replaced by a file even where what it points to has the content (Ansible's
  // action stats it without following: no checksum, so the file is sent and its module replaces the link).
  const contentChanged = !cur.exists || cur.checksum !== checksum || (!spec.follow && cur.isLink === true);
  // The module runs (and checks what it was given) where the content changes, and always with remote_src; in check
  // mode only with remote_src (the action answers for a controller source itself).
  const moduleRuns = remoteSrc !== undefined || (contentChanged && !ctx.check);
  if (moduleRuns && spec.expectChecksum !== undefined && spec.expectChecksum !== checksum)
    return failed('Copied file does not match the expected checksum. Transfer failed.', {
      checksum,
      expected_checksum: spec.expectChecksum,
    });
  // In check mode an earlier task (file: state=directory) may be what creates the folder: predict the write
  // rather than fail, as the run would once that task has run. A real run fails here, as Ansible's does.
  if (!cur.exists && !parentExists && !trailingSlash && !ctx.check)
    return failed(`Destination directory ${posix.dirname(dest)} does not exist`, { checksum });
  if (moduleRuns) extra['md5sum'] = digests.md5;
  const current = currentAttrs(cur);
  if (spec.attrs.mode === 'preserve') {
    const bits = remoteSrc !== undefined ? srcSt!.modeBits : (spec.localMode ?? 0o644);
    spec = { ...spec, attrs: { ...spec.attrs, mode: formatMode(bits) } };
  }
  const plan = planAttrs(spec.attrs, current);
  const finalMode =
    spec.attrs.mode !== undefined
      ? parseMode(spec.attrs.mode, current?.mode ?? 0o644, false)
      : (current?.mode ?? 0o644);
  const predicted: RemoteStat = {
    ...cur,
    exists: true,
    type: 'file',
    checksum,
    size,
    modeBits: finalMode,
    mode: formatMode(finalMode),
    owner: spec.attrs.owner ?? (cur.exists ? cur.owner : ctx.conn.spec.user),
    group: spec.attrs.group ?? cur.group,
  };
  const flagsSpec: FlagsSpec = {
    path: dest,
    exists: cur.exists,
    keeps: cur.exists && !contentChanged,
  };
  if (!contentChanged && isEmptyPlan(plan)) {
    return withFlags(ctx, spec.attrs.flags, { kind: 'ok', data: fileData(dest, cur, extra) }, flagsSpec);
  }
  const diff: FileDiff[] = [];
  if (contentChanged && ctx.diff) {
    // Only files up to MAX_DIFF_BYTES are read for a diff (a 50 MB file is not read whole for it).
    const before = cur.exists ? await diffSide('destination', cur.size, () => ctx.conn.readFile(dest)) : '';
    const after = await diffSide('source', size, () =>
      data
        ? Promise.resolve(data)
        : local
          ? fs
              .readFile(local.controllerFile)
              .catch(failOnController(`cannot copy ${spec.srcName ?? ''}`, { source: ctx.source }))
          : ctx.conn.readFile(remoteSrc!),
    );
    diff.push({ path: dest, before, after });
  }
  if (!isEmptyPlan(plan) && (cur.exists || spec.attrs.owner !== undefined || spec.attrs.group !== undefined)) {
    diff.push(attrDiff(dest, plan, current));
  }
  // Ansible's copy action does not run the module in check mode when the content would change: its result is only
  // `changed` (and the diff), so a role reading `result.dest` there finds nothing either.
  const bare = ctx.check && contentChanged && remoteSrc === undefined;
  const decision: Decision = {
    kind: 'change',
    diff,
    data: bare ? {} : fileData(dest, predicted, extra),
    apply: () =>
      applying(async () => {
        if (contentChanged) {
          if (trailingSlash && !parentExists) {
            const mk = await ctx.conn.exec(sh`mkdir -p -- ${posix.dirname(dest)}`);
            if (mk.rc !== 0)
              return { kind: 'failed', msg: `cannot create ${posix.dirname(dest)}: ${mk.stderr.trim()}` };
          }
          const owner = spec.attrs.owner ?? (cur.exists ? String(cur.uid) : undefined);
          const group = spec.attrs.group ?? (cur.exists ? String(cur.gid) : undefined);
          const from = data ?? (local ? { controllerPath: local.controllerFile } : { remotePath: remoteSrc! });
          const res = await atomicWrite(ctx.conn, dest, from, {
            mode: finalMode,
            ...(owner !== undefined ? { owner } : {}),
            ...(group !== undefined ? { group } : {}),
            ...(spec.validate !== undefined ? { validate: spec.validate } : {}),
            backup: spec.backup && cur.exists,
          });
          const written = fileData(dest, res.stat, {
            ...extra,
            ...(res.backupFile ? { backup_file: res.backupFile } : {}),
          });
          // The controller file was hashed before it was sent: one that changed meanwhile is not what was decided.
          if (local && res.stat.checksum !== undefined && res.stat.checksum !== checksum)
            return {
              kind: 'failed',
              msg: `${spec.srcName ?? local.controllerFile} changed on the controller while it was copied (sha1 ${checksum ?? ''} when checked, ${res.stat.checksum} as written to ${dest}): run again`,
              data: written,
            };
          return { kind: 'applied', data: written };
        }
        const st = await runThenStat(ctx.conn, attrCommands(dest, plan), dest, { checksum: 'sha1' });
        return { kind: 'applied', data: fileData(dest, st, extra) };
      }),
  };
  return withFlags(ctx, spec.attrs.flags, decision, flagsSpec);
}

/** The md5 of a file on the target (Ansible's copy registers it as `md5sum` for remote_src). */
async function remoteMd5(ctx: ModuleContext, path: string): Promise<string> {
  const res = await ctx.conn.exec(sh`md5sum < ${path}`, { readOnly: true });
  const m = /^([0-9a-f]{32})\b/.exec(res.stdout);
  if (res.rc !== 0 || !m) throw new RemoteFailure(`Source ${path} not readable: ${res.stderr.trim()}`);
  return m[1]!;
}
