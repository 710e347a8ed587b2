/**
 * Recursive copy of a controller folder (`copy` with a folder `src`), with
 * Ansible's trailing-slash rule: `src: conf` creates `dest/conf/...`,
 * `src: conf/` copies the contents into `dest/`. One stat round trip for the
 * whole tree; only changed files are sent.
 */
import { createHash } from 'node:crypto';
import { promises as fs, type Stats } from 'node:fs';
import { dirname, join, posix, sep } from 'node:path';
import { failOnController, type SourcePos } from '../../errors.js';
import type { WriteSource } from '../../connection/types.js';
import { sh } from '../../util/shell.js';
import type { Decision, FileDiff, ModuleContext } from '../types.js';
import {
  attrCommands,
  formatMode,
  isEmptyPlan,
  parseMode,
  planAttrs,
  type AttrPlan,
  type WantedAttrs,
} from './attrs.js';
import { atomicWrite, currentAttrs, runThenStat, statMany, statResolved } from './remote-file.js';
import { decryptedFile } from './controller-vault.js';
import { controllerSha1 } from './controller-digest.js';
import { applying, diffSide, failed } from './result.js';

/** A folder to copy. */
export interface CopyTreeSpec {
  localDir: string;
  srcName: string;
  dest: string;
  fileAttrs: WantedAttrs;
  /** Attributes of created folders (directory_mode, plus owner/group). */
  dirAttrs: WantedAttrs;
  force: boolean;
  /** local_follow: links in the folder are followed (false: made again as links). */
  localFollow: boolean;
  /** decrypt: vault files are sent as their plaintext. */
  decrypt: boolean;
}

/** One thing found under the copied folder, as Ansible's copy action lists it (_walk_dirs). */
interface Entry {
  rel: string;
  kind: 'file' | 'dir' | 'link';
  /** The controller file to send (a followed link's real file). */
  local: string;
  mode: number;
  stat?: Stats;
  /** A link made again on the target: its target as readlink gives it. */
  linkTarget?: string;
}

/** A folder's identity (st_dev, st_ino), as Ansible compares folders to find link loops. */
const ident = (st: Stats): string => `${st.dev}:${st.ino}`;

/**
 * Every file, folder and link under `root`, as Ansible's copy action walks it: with `follow` (local_follow), a link
 * to a file is that file and a link to a folder is walked, except one leading back into the folders being copied (a
 * loop), which is made again as a link, as is a dangling link; without `follow` every link is made again as a link.
 * A folder that cannot be read is an error naming it.
 */
async function walk(
  root: string,
  srcName: string,
  source: SourcePos,
  follow: boolean,
  rel = '',
  parents?: Set<string>,
): Promise<Entry[]> {
  const shown = (r: string): string => posix.join(srcName, r);
  const here = join(root, rel);
  const known =
    parents ?? new Set([ident(await fs.stat(here).catch(failOnController(`cannot copy ${srcName}`, { source })))]);
  const out: Entry[] = [];
  const names = (await fs.readdir(here).catch(failOnController(`cannot list ${shown(rel)}`, { source }))).sort();
  for (const name of names) {
    const r = rel ? `${rel}/${name}` : name;
    const local = join(root, r);
    const own = await fs.lstat(local).catch(failOnController(`cannot copy ${shown(r)}`, { source }));
    if (!own.isSymbolicLink()) {
      if (own.isDirectory()) {
        out.push({ rel: r, kind: 'dir', local, mode: own.mode & 0o7777 });
        out.push(...(await walk(root, srcName, source, follow, r, known)));
      } else out.push({ rel: r, kind: 'file', local, mode: own.mode & 0o7777, stat: own });
      continue;
    }
    const linkTarget = await fs.readlink(local).catch(failOnController(`cannot copy ${shown(r)}`, { source }));
    const target = follow ? await fs.stat(local).catch(() => undefined) : undefined;
    if (target?.isFile()) {
      const real = await fs.realpath(local).catch(failOnController(`cannot copy ${shown(r)}`, { source }));
      out.push({ rel: r, kind: 'file', local: real, mode: target.mode & 0o7777, stat: target });
    } else if (target?.isDirectory() && !known.has(ident(target)) && !(await leadsBack(local, target, known))) {
      out.push({ rel: r, kind: 'dir', local, mode: target.mode & 0o7777 });
      out.push(...(await walk(root, srcName, source, follow, r, new Set([...known, ident(target)]))));
    } else out.push({ rel: r, kind: 'link', local, mode: 0o777, linkTarget });
  }
  return out;
}

/** Whether the folder a link points to is one of the link's own ancestors below the folders already known (a loop). */
async function leadsBack(link: string, target: Stats, known: Set<string>): Promise<boolean> {
  const parts = dirname(link).split(sep);
  for (let n = parts.length; n > 0; n--) {
    const st = await fs.stat(parts.slice(0, n).join(sep) || sep).catch(() => undefined);
    if (!st || known.has(ident(st))) return false;
    if (ident(st) === ident(target)) return true;
  }
  return false;
}

interface FileWork {
  path: string;
  data?: WriteSource;
  mode: number;
  plan: AttrPlan;
  owner?: string;
  group?: string;
}

/** Decide a recursive copy: which folders to create or fix, which files to write or fix, which links to make. */
export async function decideCopyTree(ctx: ModuleContext, spec: CopyTreeSpec): Promise<Decision> {
  // Ansible's action makes dest a folder path (trailing slash) and puts `src` under it, or only its contents
  // with `src/`.
  const destDir = spec.dest.endsWith('/') ? spec.dest : `${spec.dest}/`;
  const root = spec.srcName.endsWith('/')
    ? spec.dest.replace(/(.)\/+$/, '$1')
    : posix.join(spec.dest, posix.basename(spec.srcName));
  const entries = await walk(spec.localDir, spec.srcName, ctx.source, spec.localFollow);
  const at = (e: Entry): string => posix.join(root, e.rel);
  const plain = entries.filter((e) => e.kind !== 'link');
  const links = entries.filter((e) => e.kind === 'link');
  const paths = [root, ...plain.map(at)];
  const stats = await statMany(ctx.conn, paths, { checksum: 'sha1', follow: true });
  const linkStats = links.length ? (await statResolved(ctx.conn, links.map(at))).stats : [];
  const dirAttrs: WantedAttrs = { ...spec.dirAttrs };
  if (spec.fileAttrs.owner !== undefined) dirAttrs.owner = spec.fileAttrs.owner;
  if (spec.fileAttrs.group !== undefined) dirAttrs.group = spec.fileAttrs.group;
  // The root folder is made only on the way to a file or folder in it (Ansible makes no step of its own for it).
  const rootMade = plain.length > 0;
  const dirWork: Array<{ path: string; plan: AttrPlan; create: boolean }> = [];
  const files: FileWork[] = [];
  const linkWork: Array<{ path: string; target: string }> = [];
  const diff: FileDiff[] = [];
  const all: Array<Entry | undefined> = [undefined, ...plain];
  for (const [i, st] of stats.entries()) {
    const entry = all[i];
    const path = paths[i]!;
    if (!entry || entry.kind === 'dir') {
      if (st.exists && st.type !== 'directory')
        return failed(`cannot copy a folder to ${path}: it exists and is not a folder`);
      if (!entry && (!rootMade || st.exists)) continue;
      const plan = st.exists ? planAttrs(dirAttrs, currentAttrs(st)) : planAttrs(dirAttrs, undefined, 0o755);
      if (st.exists && isEmptyPlan(plan)) continue;
      dirWork.push({ path, plan, create: !st.exists });
      if (!st.exists) diff.push({ path, before: 'state: absent\n', after: 'state: directory\n' });
      continue;
    }
    if (st.type === 'directory') return failed(`dest ${path} is a directory`);
    if (st.exists && !spec.force) continue;
    const shownName = posix.join(spec.srcName, entry.rel);
    const vault = spec.decrypt
      ? await decryptedFile(entry.local, ctx.source).catch(
          failOnController(`cannot copy ${shownName}`, { source: ctx.source }),
        )
      : undefined;
    const checksum = vault
      ? createHash('sha1').update(vault).digest('hex')
      : await controllerSha1(entry.local, entry.stat!).catch(
          failOnController(`cannot copy ${shownName}`, { source: ctx.source }),
        );
    const current = currentAttrs(st);
    // mode: preserve keeps the source's mode (a decrypted vault's: the 0600 of Ansible's controller temp file).
    const want =
      spec.fileAttrs.mode === 'preserve'
        ? { ...spec.fileAttrs, mode: formatMode(vault ? 0o600 : entry.mode) }
        : spec.fileAttrs;
    const plan = planAttrs(want, current);
    const contentChanged = !st.exists || st.checksum !== checksum;
    if (!contentChanged && isEmptyPlan(plan)) continue;
    const mode =
      want.mode !== undefined ? parseMode(want.mode, current?.mode ?? 0o644, false) : (current?.mode ?? 0o644);
    const work: FileWork = { path, mode, plan };
    if (contentChanged) {
      work.data = vault ?? { controllerPath: entry.local };
      const owner = want.owner ?? (st.exists ? String(st.uid) : undefined);
      const group = want.group ?? (st.exists ? String(st.gid) : undefined);
      if (owner !== undefined) work.owner = owner;
      if (group !== undefined) work.group = group;
      if (ctx.diff)
        diff.push({
          path,
          before: st.exists ? await diffSide('destination', st.size, () => ctx.conn.readFile(path)) : '',
          after: await diffSide('source', vault ? vault.length : entry.stat!.size, () =>
            vault
              ? Promise.resolve(vault)
              : fs.readFile(entry.local).catch(failOnController(`cannot copy ${shownName}`, { source: ctx.source })),
          ),
        });
    }
    files.push(work);
  }
  for (const [i, entry] of links.entries()) {
    const path = at(entry);
    const { own } = linkStats[i]!;
    if (own.type === 'link' && own.linkTarget === entry.linkTarget) continue;
    if (own.type === 'directory') return failed(`refusing to convert from directory to symlink for ${path}`);
    // Ansible's file module (state=link) fails where the folder the link goes in is missing.
    if (!ctx.check && !rootMade && !stats[0]!.exists && posix.dirname(path) === root)
      return failed(`Error while linking: [Errno 2] No such file or directory: b'${entry.linkTarget!}' -> b'${path}'`);
    linkWork.push({ path, target: entry.linkTarget! });
    diff.push({
      path,
      before: own.exists ? `state: ${own.type === 'link' ? 'link' : 'file'}\n` : 'state: absent\n',
      after: 'state: link\n',
    });
  }
  const data = { dest: destDir, src: spec.localDir + (spec.srcName.endsWith('/') ? '/' : '') };
  if (!dirWork.length && !files.length && !linkWork.length) return { kind: 'ok', data };
  return {
    kind: 'change',
    diff,
    data,
    apply: () =>
      applying(async () => {
        const prep: string[] = [];
        for (const d of dirWork) {
          if (d.create) prep.push(sh`mkdir -p -- ${d.path}`);
          prep.push(...attrCommands(d.path, d.plan));
        }
        for (const f of files) if (!f.data) prep.push(...attrCommands(f.path, f.plan));
        if (prep.length) await runThenStat(ctx.conn, prep, root);
        for (const f of files) {
          if (!f.data) continue;
          await atomicWrite(ctx.conn, f.path, f.data, {
            mode: f.mode,
            ...(f.owner !== undefined ? { owner: f.owner } : {}),
            ...(f.group !== undefined ? { group: f.group } : {}),
          });
        }
        // Links last, as Ansible makes them (after the files and folders they may point at).
        const ln = linkWork.map((l) => sh`ln -sfn -- ${l.target} ${l.path}`);
        if (ln.length) await runThenStat(ctx.conn, ln, root);
        return { kind: 'applied', data };
      }),
  };
}
