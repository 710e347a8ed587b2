/**
 * `file`: make a path a file, folder, symlink or hard link with given
 * attributes, touch it, or remove it. One stat round trip decides (the path,
 * what a link resolves to, the link source, and with `recurse` everything
 * below the folder through one `find`).
 */
import { withFlags, type FlagsSpec } from './lib/chattr.js';
import { posix } from 'node:path';
import { sh } from '../util/shell.js';
import { exactlyOneOf } from './lib/schema.js';
import { defineModule, type Decision } from './types.js';
import {
  attrCommands,
  attrDiffLines,
  attrSchemaProps,
  formatMode,
  planAttrs,
  resultMode,
  wantedAttrs,
  type AttrArgs,
  type AttrPlan,
  type WantedAttrs,
} from './lib/attrs.js';
import { boolSchema, toBool } from './lib/bool.js';
import { identityProbe, recurseCommands, recurseDiffers, recurseProbe } from './lib/file-recurse.js';
import { currentAttrs, runThenStat, statResolved, type RemoteStat } from './lib/remote-file.js';
import { applying, deciding, failed } from './lib/result.js';

type FileState = 'file' | 'directory' | 'link' | 'hard' | 'absent' | 'touch';

/** Arguments of `file`. */
export interface FileArgs extends AttrArgs {
  path?: string;
  dest?: string;
  name?: string;
  state?: FileState;
  recurse?: boolean | string;
  src?: string;
  force?: boolean | string;
  follow?: boolean | string;
  modification_time?: string;
  access_time?: string;
}

const STAMP = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{2}))?$/;

/** Epoch seconds of a `YYYYMMDDHHMM[.SS]` stamp (the controller's local time zone). */
function stampEpoch(stamp: string): number {
  const m = STAMP.exec(stamp)!;
  // The seconds group is optional: exec gives undefined for it (the lib types say string).
  const n = m.slice(1).map((x: string | undefined) => Number(x ?? 0));
  return Math.floor(new Date(n[0]!, n[1]! - 1, n[2], n[3], n[4], n[5]).getTime() / 1000);
}

function prevState(st: RemoteStat): string {
  return st.exists ? (st.type === 'other' ? 'special file' : st.type) : 'absent';
}

/** The `file` module. */
export default defineModule<FileArgs>({
  name: 'file',
  docs: {
    short: 'Manage a file, folder, symlink or hard link and its attributes',
    description:
      'Without state: the current type of the path, or `file` (which requires it to exist). With src and no state: link.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      path: { type: 'string', minLength: 1, description: 'The path on the target (aliases: dest, name)' },
      dest: { type: 'string', minLength: 1, description: 'Alias of path' },
      name: { type: 'string', minLength: 1, description: 'Alias of path' },
      state: {
        type: 'string',
        enum: ['file', 'directory', 'link', 'hard', 'absent', 'touch'],
        description: 'What the path should be',
      },
      ...attrSchemaProps,
      recurse: boolSchema('With state=directory: apply owner, group and mode to everything below', false),
      src: {
        type: 'string',
        minLength: 1,
        description: 'Target of the link (state=link or hard); relative to the link folder for symlinks',
      },
      force: boolSchema(
        'Replace an existing file or empty folder with the link, or create a link to a missing src',
        false,
      ),
      follow: boolSchema('When path is a symlink, manage what it points to (file, directory, touch)', true),
      modification_time: {
        type: 'string',
        pattern: '^(now|preserve|\\d{12}(\\.\\d{2})?)$',
        description: 'now, preserve, or YYYYMMDDHHMM.SS',
      },
      access_time: {
        type: 'string',
        pattern: '^(now|preserve|\\d{12}(\\.\\d{2})?)$',
        description: 'now, preserve, or YYYYMMDDHHMM.SS',
      },
    },
    ...exactlyOneOf('path', 'dest', 'name'),
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const rawPath = (args.path ?? args.dest ?? args.name)!;
      let path = rawPath.length > 1 ? rawPath.replace(/\/+$/, '') : rawPath;
      const want = wantedAttrs(args, { flags: true });
      const force = toBool(args.force);
      const recurse = toBool(args.recurse);
      const follow = toBool(args.follow, true);
      const srcPathOf = (p: string): string =>
        args.src === undefined ? p : posix.isAbsolute(args.src) ? args.src : posix.join(posix.dirname(p), args.src);
      // One `stat` for path and src as they are; a `stat -L` only for those that are links.
      const probe = [recurse ? recurseProbe(path, follow) : '', identityProbe(want)].filter(Boolean).join('\n');
      // Only a link's own target is read (linkTarget), never what it resolves to: no readlink -f.
      let found = await statResolved(ctx.conn, [path, srcPathOf(path)], probe, { linkSource: false });
      // As Ansible: a src given with a path that is a folder (but for link and absent) means the file of that name inside it.
      if (
        args.src !== undefined &&
        args.state !== 'link' &&
        args.state !== 'absent' &&
        found.stats[0]!.followed.type === 'directory'
      ) {
        path = posix.join(path, posix.basename(args.src));
        found = await statResolved(ctx.conn, [path, srcPathOf(path)], identityProbe(want), { linkSource: false });
      }
      const srcPath = srcPathOf(path);
      const {
        stats: [self, source],
        thenStdout,
      } = found;
      const own = self!.own;
      const followed = self!.followed;
      const src = source!.followed;
      const prev = prevState(own);
      const state: FileState =
        args.state ??
        (prev !== 'absent'
          ? own.type === 'link'
            ? 'link'
            : (prev as FileState)
          : args.src !== undefined
            ? 'link'
            : recurse
              ? 'directory'
              : 'file');
      if (recurse && state !== 'directory') return failed('recurse option requires state to be directory');
      if (recurse && want.flags)
        return failed(
          `attributes '${String(args.attributes ?? args.attr)}' with recurse: bosun sets file flags on the path itself only, not below it yet`,
        );
      const defaultTime = state === 'touch' ? 'now' : 'preserve';
      const mtime = args.modification_time ?? defaultTime;
      const atime = args.access_time ?? defaultTime;

      if (state === 'absent') {
        if (!own.exists) return { kind: 'ok', msg: 'path is absent', data: { path, state: 'absent' } };
        return {
          kind: 'change',
          msg: `${prev} removed`,
          diff: [{ path, before: `path: ${path}\nstate: ${prev}\n`, after: `path: ${path}\nstate: absent\n` }],
          data: { path, state: 'absent' },
          apply: () =>
            applying(async () => {
              await runThenStat(ctx.conn, [sh`rm -rf -- ${path}`], path);
              return { kind: 'applied', data: { path, state: 'absent' } };
            }),
        };
      }

      // Ansible's results: `dest` for links and touch, `path` otherwise; a link's own stat; modes as '0%03o'.
      const pathKey = state === 'link' || state === 'hard' || state === 'touch' ? 'dest' : 'path';
      const reportedSrc =
        args.src ??
        (state === 'link' ? (follow && own.type === 'link' && followed.exists ? own.linkTarget : null) : undefined);
      const resultData = (st: RemoteStat): Record<string, unknown> => ({
        [pathKey]: path,
        ...(reportedSrc !== undefined ? { src: reportedSrc } : {}),
        ...(st.exists
          ? {
              state: state === 'link' ? 'link' : state === 'hard' ? 'hard' : st.type,
              mode: resultMode(st.modeBits),
              owner: st.owner,
              group: st.group,
              uid: st.uid,
              gid: st.gid,
              size: st.size,
            }
          : { state: 'absent' }),
      });

      // The path whose attributes are managed: a symlink's target when following.
      const followLink =
        follow && own.type === 'link' && (state === 'file' || state === 'directory' || state === 'touch');
      const target = followLink ? followed : own;
      const targetState = prevState(target);
      const cmds: string[] = [];
      const before: string[] = [`path: ${path}`, `state: ${targetState}`];
      const after: string[] = [
        `path: ${path}`,
        `state: ${state === 'touch' ? (target.exists ? targetState : 'file') : state}`,
      ];
      let exists = target.exists;
      let defaultMode = 0o644;
      let createDirAt = -1;
      const warnings: string[] = [];
      // state=link with follow: the attributes go to what the link points to (after the change), as Ansible.
      let linkResolved: RemoteStat | undefined;

      if (state === 'file') {
        if (!target.exists) return failed(`file (${path}) is absent, cannot continue`, { path, state: 'absent' });
        if (target.type !== 'file') return failed(`file (${path}) is ${targetState}, cannot continue`, { path });
      } else if (state === 'directory') {
        defaultMode = 0o755;
        if (target.exists && target.type !== 'directory')
          return failed(`${path} already exists as a ${targetState}`, { path });
        if (!target.exists) createDirAt = cmds.push(sh`mkdir -p -- ${path}`) - 1;
      } else if (state === 'touch') {
        if (target.exists && target.type === 'directory') defaultMode = 0o755;
        if (!target.exists) cmds.push(sh`touch -- ${path}`);
      } else if (state === 'link') {
        const linkTo = args.src ?? own.linkTarget;
        if (linkTo === undefined) return failed(`src is required for creating the link ${path}`);
        if (own.exists && own.type === 'link' && own.linkTarget === linkTo) {
          linkResolved = followed;
        } else {
          linkResolved = src;
          if (!src.exists && !force && args.src !== undefined) {
            return failed(`src file does not exist, use "force=yes" if you really want to create the link: ${srcPath}`);
          }
          if (own.exists && own.type !== 'link') {
            if (!force) return failed(`refusing to convert from ${prev} to symlink for ${path}`);
            cmds.push(own.type === 'directory' ? sh`rmdir -- ${path}` : sh`rm -f -- ${path}`);
          }
          cmds.push(sh`ln -sfn -- ${linkTo} ${path}`);
          exists = false;
          if (own.type === 'link') before.push(`src: ${own.linkTarget ?? ''}`);
          after.push(`src: ${linkTo}`);
        }
      } else {
        // state: hard
        if (args.src === undefined) return failed(`src is required for creating the hard link ${path}`);
        if (!src.exists) return failed(`src does not exist: ${srcPath}`);
        const same = own.exists && own.type !== 'link' && followed.inode === src.inode && followed.dev === src.dev;
        if (!same) {
          if (own.exists && own.type === 'directory') return failed(`${path} already exists as a directory`);
          if (own.exists && !force) return failed(`Cannot link, different hard link exists at destination: ${path}`);
          cmds.push(sh`ln -f -- ${srcPath} ${path}`);
          after.push(`src: ${srcPath}`);
          exists = true;
        }
      }

      const isLink = state === 'link';
      const linkFollowed = isLink && follow && linkResolved?.exists === true;
      const cur = linkFollowed
        ? currentAttrs(linkResolved!)
        : exists
          ? currentAttrs(state === 'hard' ? src : target)
          : undefined;
      let wantHere: WantedAttrs = { ...want };
      // Linux cannot chmod a symlink itself.
      if (isLink && !linkFollowed) delete wantHere.mode;
      if (isLink && follow && !linkFollowed) {
        wantHere = {};
        // Ansible checks after making the link; in check mode a link not there yet returns before that.
        if (own.exists || !ctx.check)
          warnings.push(
            'Cannot set fs attributes on a non-existent symlink target. follow should be set to False to avoid this.',
          );
      }
      const plan: AttrPlan = planAttrs(wantHere, cur, defaultMode);
      // A name the target does not know fails in check mode too, as the real run would (Ansible looks it up first).
      if (cur && plan.owner !== undefined && thenStdout.includes('NOUSER\n'))
        return failed(`chown failed: failed to look up user ${plan.owner}`, resultData(linkFollowed ? own : target));
      if (cur && plan.group !== undefined && thenStdout.includes('NOGROUP\n'))
        return failed(`chgrp failed: failed to look up group ${plan.group}`, resultData(linkFollowed ? own : target));
      if (createDirAt >= 0) cmds[createDirAt] = createWithParents(path, plan);
      cmds.push(...attrCommands(path, plan, { noFollow: isLink && !linkFollowed }));
      const lines = attrDiffLines(plan, cur);
      before.push(...lines.before);
      after.push(...lines.after);

      if (recurse) {
        if (recurseDiffers(thenStdout, want)) {
          cmds.push(...recurseCommands(path, want, follow));
          after.push('recurse: attributes changed below');
        }
      }

      for (const [flag, value, label] of [
        ['-m', mtime, 'mtime'],
        ['-a', atime, 'atime'],
      ] as const) {
        if (value === 'preserve') continue;
        if (value === 'now') {
          if (target.exists || state !== 'touch') cmds.push(`touch ${flag} ` + sh`-- ${path}`);
          after.push(`${label}: now`);
        } else if (!target.exists || (label === 'mtime' ? target.mtime : target.atime) !== stampEpoch(value)) {
          cmds.push(`touch ${flag} ` + sh`-t ${value} -- ${path}`);
          after.push(`${label}: ${value}`);
        }
      }

      const modeBits = isLink ? 0o777 : (plan.mode ?? cur?.mode ?? defaultMode);
      const predicted: RemoteStat = {
        ...(cur && !linkFollowed ? target : own),
        exists: true,
        type: state === 'directory' ? 'directory' : isLink ? 'link' : 'file',
        mode: formatMode(modeBits),
        modeBits,
        owner: plan.owner ?? (cur ? target.owner : ctx.conn.spec.user),
        group: plan.group ?? (cur ? target.group : ''),
      };
      if (isLink) predicted.linkTarget = args.src ?? own.linkTarget ?? '';
      const warned = warnings.length ? { warnings } : {};
      const flagsSpec: FlagsSpec = {
        path: followLink ? (own.linkSource ?? path) : path,
        exists: isLink || state === 'hard' ? own.exists : target.exists,
        keeps: isLink || state === 'hard' ? own.exists : target.exists,
        changedMsg: () => `${state} updated`,
        diff: (b, a) => {
          const d = made.decision?.kind === 'change' ? made.decision.diff?.[0] : undefined;
          if (!d) return false;
          d.before += `attributes: ${b ?? ''}\n`;
          d.after += `attributes: ${a}\n`;
          return true;
        },
      };
      const made: { decision?: Decision } = {};
      // Ansible sets no flags where it set no attributes: a link to a target that is not there.
      const flags = isLink && follow && !linkFollowed ? undefined : want.flags;
      if (!cmds.length)
        return withFlags(
          ctx,
          flags,
          { kind: 'ok', msg: `${state} is up to date`, data: resultData(target), ...warned },
          flagsSpec,
        );
      const decision: Decision = {
        kind: 'change',
        msg: target.exists ? `${state} updated` : `${state} created`,
        ...warned,
        diff: [{ path, before: before.map((l) => `${l}\n`).join(''), after: after.map((l) => `${l}\n`).join('') }],
        // In check mode a path that does not exist yet is only its name (and src): Ansible returns before its stat.
        data: !target.exists
          ? { [pathKey]: path, ...(reportedSrc !== undefined ? { src: reportedSrc } : {}) }
          : resultData(predicted),
        apply: () =>
          applying(async () => ({
            kind: 'applied',
            data: resultData(await runThenStat(ctx.conn, cmds, path, { follow: followLink })),
          })),
      };
      made.decision = decision;
      return withFlags(ctx, flags, decision, flagsSpec);
    }),
});

/**
 * mkdir for a path and its missing parents, giving each folder it creates the
 * same owner, group and mode, as Ansible's file module does.
 */
function createWithParents(path: string, plan: AttrPlan): string {
  if (!posix.isAbsolute(path)) return sh`mkdir -p -- ${path}`;
  const parts = posix.normalize(path).split('/').filter(Boolean);
  const dirs = parts.map((_p, i) => `/${parts.slice(0, i + 1).join('/')}`);
  return dirs
    .map((d) => {
      const attrs = attrCommands(d, plan);
      return sh`[ -d ${d} ] || { mkdir -- ${d}` + (attrs.length ? ` && ${attrs.join(' && ')}` : '') + '; }';
    })
    .join(' && ');
}
