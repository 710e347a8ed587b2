/**
 * `file`: make a path a file, folder, symlink or hard link with given
 * attributes, touch it, or remove it. One stat round trip decides (the path,
 * what a link resolves to, the link source, and with `recurse` everything
 * below the folder through one `find`).
 */
import { posix } from 'node:path';
import { sh } from '../util/shell.js';
import { exactlyOneOf } from './lib/schema.js';
import { defineModule, type Decision } from './types.js';
import {
  attrCommands,
  attrDiffLines,
  attrSchemaProps,
  formatMode,
  isEmptyPlan,
  planAttrs,
  wantedAttrs,
  type AttrArgs,
  type AttrPlan,
  type WantedAttrs,
} from './lib/attrs.js';
import { boolSchema, toBool } from './lib/bool.js';
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

/** Attribute commands for `recurse`: everything below gets the same owner, group and mode. */
function recurseCommands(path: string, want: WantedAttrs): string[] {
  const cmds: string[] = [];
  if (want.owner !== undefined) cmds.push(sh`chown -R ${want.owner} -- ${path}`);
  if (want.group !== undefined) cmds.push(sh`chgrp -R ${want.group} -- ${path}`);
  if (want.mode !== undefined) {
    const mode = /^[0-7]+$/.test(want.mode)
      ? want.mode
      : want.mode
          .split(',')
          .map((c) => (/^[-+=]/.test(c) ? `a${c}` : c))
          .join(',');
    cmds.push(sh`chmod -R ${mode} -- ${path}`);
  }
  return cmds;
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
      const path = rawPath.length > 1 ? rawPath.replace(/\/+$/, '') : rawPath;
      const want = wantedAttrs(args);
      const force = toBool(args.force);
      const recurse = toBool(args.recurse);
      const srcPath =
        args.src === undefined
          ? path
          : posix.isAbsolute(args.src)
            ? args.src
            : posix.join(posix.dirname(path), args.src);
      // One `stat` for path and src as they are; a `stat -L` only for those that are links.
      const recurseScript = recurse
        ? sh`[ -d ${path} ] && find ${path} -mindepth 1 ! -type l -exec stat -c 'F %f %u %g %U %G' {} +`
        : '';
      const {
        stats: [self, source],
        thenStdout,
      } = await statResolved(ctx.conn, [path, srcPath], recurseScript);
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

      // The path whose attributes are managed: a symlink's target when following.
      const followLink =
        toBool(args.follow, true) &&
        own.type === 'link' &&
        (state === 'file' || state === 'directory' || state === 'touch');
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
          // already right
        } else {
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
      const cur = exists ? currentAttrs(state === 'hard' ? src : target) : undefined;
      const wantHere: WantedAttrs = { ...want };
      // Linux cannot chmod a symlink itself.
      if (isLink) delete wantHere.mode;
      const plan: AttrPlan = planAttrs(wantHere, cur, defaultMode);
      if (createDirAt >= 0) cmds[createDirAt] = createWithParents(path, plan);
      cmds.push(...attrCommands(path, plan, { noFollow: isLink }));
      const lines = attrDiffLines(plan, cur);
      before.push(...lines.before);
      after.push(...lines.after);

      if (recurse) {
        const below = thenStdout.split('\n').filter((l) => l.startsWith('F '));
        const differs = below.some((l) => {
          const f = l.split(' ');
          const raw = parseInt(f[1]!, 16);
          const attrs = {
            mode: raw & 0o7777,
            uid: Number(f[2]),
            gid: Number(f[3]),
            owner: f[4] ?? '',
            group: f.slice(5).join(' '),
            isDir: (raw & 0o170000) === 0o040000,
          };
          return !isEmptyPlan(planAttrs(want, attrs));
        });
        if (differs) {
          cmds.push(...recurseCommands(path, want));
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

      const resultData = (st: RemoteStat): Record<string, unknown> => ({
        path,
        state: st.exists ? (isLink ? 'link' : state === 'hard' ? 'hard' : st.type) : 'absent',
        mode: st.mode,
        owner: st.owner,
        group: st.group,
        uid: st.uid,
        gid: st.gid,
        size: st.size,
        ...(isLink && st.linkTarget !== undefined ? { src: st.linkTarget } : {}),
      });
      const predicted: RemoteStat = {
        ...(cur ? target : own),
        exists: true,
        type: state === 'directory' ? 'directory' : isLink ? 'link' : 'file',
        mode: formatMode(plan.mode ?? cur?.mode ?? defaultMode),
        owner: plan.owner ?? (cur ? target.owner : ctx.conn.spec.user),
        group: plan.group ?? (cur ? target.group : ''),
      };
      if (isLink) predicted.linkTarget = args.src ?? own.linkTarget ?? '';
      if (!cmds.length) return { kind: 'ok', msg: `${state} is up to date`, data: resultData(target) };
      const decision: Decision = {
        kind: 'change',
        msg: target.exists ? `${state} updated` : `${state} created`,
        diff: [{ path, before: before.map((l) => `${l}\n`).join(''), after: after.map((l) => `${l}\n`).join('') }],
        data: resultData(predicted),
        apply: () =>
          applying(async () => ({
            kind: 'applied',
            data: resultData(await runThenStat(ctx.conn, cmds, path, { follow: followLink })),
          })),
      };
      return decision;
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
