/**
 * Recursive copy of a controller folder (`copy` with a folder `src`), with
 * Ansible's trailing-slash rule: `src: conf` creates `dest/conf/...`,
 * `src: conf/` copies the contents into `dest/`. One stat round trip for the
 * whole tree; only changed files are sent.
 */
import { promises as fs, type Stats } from 'node:fs';
import { join, posix } from 'node:path';
import { BosunError, failOnController, type SourcePos } from '../../errors.js';
import type { ControllerFile } from '../../connection/types.js';
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
import { atomicWrite, currentAttrs, runThenStat, statMany } from './remote-file.js';
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
}

interface Entry {
  rel: string;
  local: string;
  isDir: boolean;
  mode: number;
  stat: Stats;
}

/**
 * Every file and folder under `root`, links followed (as Ansible's copy does by default). A dangling
 * link, a link loop or a folder that cannot be read is an error naming the entry, not a crash.
 */
async function walk(
  root: string,
  srcName: string,
  source: SourcePos,
  rel = '',
  above: string[] = [],
): Promise<Entry[]> {
  const shown = (r: string): string => posix.join(srcName, r);
  const here = await fs.realpath(join(root, rel)).catch(failOnController(`cannot copy ${shown(rel)}`, { source }));
  const ancestors = [...above, here];
  const out: Entry[] = [];
  const names = (
    await fs.readdir(join(root, rel)).catch(failOnController(`cannot list ${shown(rel)}`, { source }))
  ).sort();
  for (const name of names) {
    const r = rel ? `${rel}/${name}` : name;
    const local = join(root, r);
    const st = await fs.stat(local).catch(async (e: unknown) => {
      const link = await fs.readlink(local).catch(() => undefined);
      if (link !== undefined && (e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new BosunError(
          'CONTROLLER_FILE',
          `cannot copy ${shown(r)}: it is a symbolic link to '${link}', which does not exist`,
          {
            source,
            hint: 'links in a copied folder are followed: remove the link or create what it points to',
          },
        );
      }
      return failOnController(`cannot copy ${shown(r)}`, { source })(e);
    });
    if (st.isDirectory()) {
      const real = await fs.realpath(local).catch(failOnController(`cannot copy ${shown(r)}`, { source }));
      if (ancestors.includes(real)) {
        throw new BosunError(
          'CONTROLLER_FILE',
          `cannot copy ${shown(r)}: a symbolic link loop (it leads back to ${real}, a folder it is in)`,
          {
            source,
            hint: 'links in a copied folder are followed: remove the link or point it outside the folder',
          },
        );
      }
    }
    out.push({ rel: r, local, isDir: st.isDirectory(), mode: st.mode & 0o7777, stat: st });
    if (st.isDirectory()) out.push(...(await walk(root, srcName, source, r, ancestors)));
  }
  return out;
}

interface FileWork {
  path: string;
  data?: ControllerFile;
  mode: number;
  plan: AttrPlan;
  owner?: string;
  group?: string;
}

/** Decide a recursive copy: which folders to create and which files to write or fix. */
export async function decideCopyTree(ctx: ModuleContext, spec: CopyTreeSpec): Promise<Decision> {
  const root = spec.srcName.endsWith('/')
    ? spec.dest.replace(/(.)\/+$/, '$1')
    : posix.join(spec.dest, posix.basename(spec.srcName));
  const entries = await walk(spec.localDir, spec.srcName, ctx.source);
  const paths = [root, ...entries.map((e) => posix.join(root, e.rel))];
  const stats = await statMany(ctx.conn, paths, { checksum: 'sha1', follow: true });
  const dirAttrs: WantedAttrs = { ...spec.dirAttrs };
  if (spec.fileAttrs.owner !== undefined) dirAttrs.owner = spec.fileAttrs.owner;
  if (spec.fileAttrs.group !== undefined) dirAttrs.group = spec.fileAttrs.group;
  const newDirs: Array<{ path: string; plan: AttrPlan }> = [];
  const files: FileWork[] = [];
  const diff: FileDiff[] = [];
  const all: Array<Entry | undefined> = [undefined, ...entries];
  for (const [i, st] of stats.entries()) {
    const entry = all[i];
    const path = paths[i]!;
    if (!entry || entry.isDir) {
      if (st.exists && st.type !== 'directory')
        return failed(`cannot copy a folder to ${path}: it exists and is not a folder`);
      if (!st.exists) {
        newDirs.push({ path, plan: planAttrs(dirAttrs, undefined, 0o755) });
        diff.push({ path, before: 'state: absent\n', after: 'state: directory\n' });
      }
      continue;
    }
    if (st.type === 'directory') return failed(`dest ${path} is a directory`);
    if (st.exists && !spec.force) continue;
    const shownName = posix.join(spec.srcName, entry.rel);
    const checksum = await controllerSha1(entry.local, entry.stat).catch(
      failOnController(`cannot copy ${shownName}`, { source: ctx.source }),
    );
    const current = currentAttrs(st);
    const want =
      spec.fileAttrs.mode === 'preserve' ? { ...spec.fileAttrs, mode: formatMode(entry.mode) } : spec.fileAttrs;
    const plan = planAttrs(want, current);
    const contentChanged = !st.exists || st.checksum !== checksum;
    if (!contentChanged && isEmptyPlan(plan)) continue;
    const mode =
      want.mode !== undefined ? parseMode(want.mode, current?.mode ?? 0o644, false) : (current?.mode ?? 0o644);
    const work: FileWork = { path, mode, plan };
    if (contentChanged) {
      work.data = { controllerPath: entry.local };
      const owner = want.owner ?? (st.exists ? String(st.uid) : undefined);
      const group = want.group ?? (st.exists ? String(st.gid) : undefined);
      if (owner !== undefined) work.owner = owner;
      if (group !== undefined) work.group = group;
      if (ctx.diff)
        diff.push({
          path,
          before: st.exists ? await diffSide('destination', st.size, () => ctx.conn.readFile(path)) : '',
          after: await diffSide('source', entry.stat.size, () =>
            fs.readFile(entry.local).catch(failOnController(`cannot copy ${shownName}`, { source: ctx.source })),
          ),
        });
    }
    files.push(work);
  }
  const data = { dest: root, src: spec.srcName, state: 'directory' };
  if (!newDirs.length && !files.length) return { kind: 'ok', msg: 'all files are up to date', data };
  return {
    kind: 'change',
    msg: `${newDirs.length} folder(s) to create, ${files.length} file(s) to write`,
    diff,
    data,
    apply: () =>
      applying(async () => {
        const prep: string[] = [];
        for (const d of newDirs) prep.push(sh`mkdir -p -- ${d.path}`, ...attrCommands(d.path, d.plan));
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
        return { kind: 'applied', data };
      }),
  };
}
