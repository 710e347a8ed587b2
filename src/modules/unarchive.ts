/**
 * `unarchive`: unpack a .tar(.gz/.xz/.bz2/.zst) or .zip into an existing
 * folder with the target's own tar/unzip. The archive is a controller file
 * (pushed), a file on the target (`remote_src`), or a URL (downloaded once by
 * the controller, cached, pushed). Unchanged when every member is already in
 * place with the same content (sha256 per member) and attributes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { posix } from 'node:path';
import { sh, shq } from '../util/shell.js';
import { attrSchemaProps, formatMode, parseMode, sameIdentity, wantedAttrs, type AttrArgs } from './lib/attrs.js';
import {
  climbingMessage,
  extractCommand,
  HANDLERS,
  inspectScript,
  isInspectFailure,
  parseInspection,
  runLocal,
  type ArchiveInfo,
  type ArchiveMember,
  type ArchiveOptions,
} from './lib/archive.js';
import { boolSchema, toBool } from './lib/bool.js';
import { controllerDownload } from './lib/controller-download.js';
import { parseStatLines, statScript, type RemoteStat } from './lib/remote-file.js';
import { applying, assumedChange, deciding, failed } from './lib/result.js';
import { notBoth } from './lib/schema.js';
import { defineModule, type Decision, type ModuleContext } from './types.js';

/** Arguments of `unarchive`. */
export interface UnarchiveArgs extends AttrArgs {
  src: string;
  dest: string;
  remote_src?: boolean | string;
  creates?: string;
  extra_opts?: string[];
  include?: string[];
  exclude?: string[];
  list_files?: boolean | string;
  keep_newer?: boolean | string;
  validate_certs?: boolean | string;
}

interface LocalArchive {
  info: ArchiveInfo;
  bytes: () => Promise<Buffer>;
}

/** Controller-side inspections, once per file version and options for the whole run. */
const inspected = new Map<string, Promise<LocalArchive | string | { climbing: string }>>();

async function inspectLocal(path: string, opts: ArchiveOptions): Promise<LocalArchive | string | { climbing: string }> {
  const st = await fs.stat(path);
  const key = JSON.stringify([path, st.size, st.mtimeMs, opts]);
  let p = inspected.get(key);
  if (!p) {
    p = (async (): Promise<LocalArchive | string | { climbing: string }> => {
      const res = await runLocal(inspectScript(path, opts));
      const info = parseInspection(res.stdout, opts);
      if (isInspectFailure(info)) {
        if ('climbing' in info) return info;
        if ('missing' in info) return `unarchive needs '${info.missing}' on the controller to read ${path} (not found)`;
        return `Failed to find handler for "${path}". Make sure the required command to extract the file is installed. (${info.error})`;
      }
      let bytes: Promise<Buffer> | undefined;
      return { info, bytes: () => (bytes ??= fs.readFile(path)) };
    })();
    inspected.set(key, p);
  }
  return p;
}

/** Why a member needs work, or undefined when it is in place. */
function memberChange(
  m: ArchiveMember,
  st: RemoteStat,
  wantMode: number | undefined,
  args: AttrArgs,
  keepNewer: boolean,
): 'added' | 'changed' | 'attributes' | undefined {
  if (!st.exists) return 'added';
  if (m.type === 'directory') {
    if (st.type !== 'directory') return 'changed';
  } else if (m.type === 'link') {
    if (st.type !== 'link' || st.linkTarget !== m.linkTarget) return 'changed';
  } else if (m.sha256 !== undefined) {
    // unzip -Z1 does not say which members are symlinks; `unzip -p` prints a link's target.
    if (
      st.type === 'link' &&
      st.linkTarget !== undefined &&
      createHash('sha256').update(st.linkTarget).digest('hex') === m.sha256
    )
      return undefined;
    if (st.type !== 'file') return 'changed';
    if (st.checksum !== m.sha256 && !(keepNewer && m.mtime !== undefined && st.mtime >= m.mtime)) return 'changed';
  }
  if (m.type !== 'link' && wantMode !== undefined && st.modeBits !== wantMode) return 'attributes';
  if (args.owner !== undefined && !sameIdentity(String(args.owner), st.uid, st.owner)) return 'attributes';
  if (args.group !== undefined && !sameIdentity(String(args.group), st.gid, st.group)) return 'attributes';
  return undefined;
}

/** The `unarchive` module. */
export default defineModule<UnarchiveArgs>({
  name: 'unarchive',
  docs: {
    short: 'Unpack a tar or zip archive into an existing folder on the target',
    description:
      'src is a controller file (pushed), a target file (remote_src), or a URL (downloaded once by the controller and pushed). Idempotent by the content of every member.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['src', 'dest'],
    properties: {
      src: {
        type: 'string',
        minLength: 1,
        description: 'Archive on the controller (searched in files/), on the target with remote_src, or an http(s) URL',
      },
      dest: { type: 'string', minLength: 1, description: 'Existing folder on the target to unpack into' },
      remote_src: boolSchema('src is already on the target', false),
      creates: { type: 'string', description: 'A path on the target; when it exists nothing is unpacked' },
      extra_opts: {
        type: 'array',
        items: { type: 'string' },
        description: "Extra options for tar or unzip, e.g. ['--strip-components=1']",
      },
      include: {
        type: 'array',
        items: { type: 'string' },
        description: 'Only these members (tar wildcards / unzip patterns)',
      },
      exclude: { type: 'array', items: { type: 'string' }, description: 'Leave out these members (patterns)' },
      ...attrSchemaProps,
      list_files: boolSchema('Register the member names as files', false),
      keep_newer: boolSchema('Do not replace files that are newer than the archive member (tar)', false),
      validate_certs: boolSchema('Verify TLS certificates when src is a URL', true),
    },
    // Ansible: "parameters are mutually exclusive: include|exclude".
    ...notBoth('include', 'exclude'),
  },
  decide: (ctx, args) => deciding(async () => decideUnarchive(ctx, args)),
});

async function decideUnarchive(ctx: ModuleContext, args: UnarchiveArgs): Promise<Decision> {
  const attrs = wantedAttrs(args);
  const opts: ArchiveOptions = {
    extraOpts: args.extra_opts ?? [],
    include: args.include ?? [],
    exclude: args.exclude ?? [],
  };
  const remote = toBool(args.remote_src);
  const keepNewer = toBool(args.keep_newer);
  const dest = args.dest.length > 1 ? args.dest.replace(/\/+$/, '') : args.dest;
  const data: Record<string, unknown> = { dest, src: args.src };
  let local: LocalArchive | undefined;
  if (!remote) {
    let path: string;
    if (/^https?:\/\//i.test(args.src)) {
      path = (await controllerDownload({ url: args.src, validateCerts: toBool(args.validate_certs, true) })).path;
    } else {
      try {
        path = await ctx.findFile('files', args.src);
      } catch (e) {
        return failed((e as Error).message, data);
      }
    }
    const got = await inspectLocal(path, opts);
    if (typeof got === 'string') return failed(got, data);
    if ('climbing' in got) return failed(climbingMessage(got.climbing, dest, args.src), data);
    local = got;
  }
  const tool = local?.info.format === 'zip' ? 'unzip' : 'tar';
  const first = [
    statScript('d', dest, { follow: true }),
    args.creates !== undefined ? statScript('c', args.creates, { follow: true }) : ':',
    local ? `command -v ${tool} >/dev/null 2>&1 || echo 'M ${tool}'` : ':',
    remote ? `if [ -f ${shq(args.src)} ]; then ${inspectScript(args.src, opts)}\nelse echo 'E missing'; fi` : ':',
  ].join('\n');
  const res = await ctx.conn.exec(first);
  const stats = parseStatLines(res.stdout);
  if (args.creates !== undefined && stats.get('c')?.exists)
    return { kind: 'skip', msg: `skipped, since ${args.creates} exists`, data };
  const destSt = stats.get('d');
  // Check mode: the folder and a remote archive may come from earlier tasks (file, get_url); predict the unpacking.
  const assumed = (what: string, realFailure: string): Decision =>
    assumedChange({
      msg: `would unpack ${args.src} into ${dest} (${what} does not exist yet: an earlier task must create it)`,
      data,
      realFailure,
    });
  if (destSt?.type !== 'directory')
    return ctx.check && !destSt?.exists
      ? assumed(`dest '${dest}'`, `dest '${dest}' must be an existing dir`)
      : failed(`dest '${dest}' must be an existing dir`, data);
  let info: ArchiveInfo;
  if (local) {
    const missing = /^M (\S+)$/m.exec(res.stdout);
    if (missing) return failed(`unarchive needs '${missing[1]!}' on the target (not found)`, data);
    info = local.info;
  } else {
    if (/^E missing$/m.test(res.stdout))
      return ctx.check
        ? assumed(`the archive ${args.src}`, `Source '${args.src}' does not exist`)
        : failed(`Source '${args.src}' does not exist`, data);
    const parsed = parseInspection(res.stdout, opts);
    if (isInspectFailure(parsed)) {
      if ('missing' in parsed) return failed(`unarchive needs '${parsed.missing}' on the target (not found)`, data);
      if ('climbing' in parsed) return failed(climbingMessage(parsed.climbing, dest, args.src), data);
      return failed(
        `Failed to find handler for "${args.src}". Make sure the required command to extract the file is installed. (${parsed.error})`,
        data,
      );
    }
    info = parsed;
  }
  data['handler'] = HANDLERS[info.format];
  Object.assign(data, {
    uid: destSt.uid,
    gid: destSt.gid,
    owner: destSt.owner,
    group: destSt.group,
    mode: destSt.mode,
    size: destSt.size,
    state: 'directory',
  });
  if (toBool(args.list_files)) data['files'] = info.members.map((m) => m.name);

  const paths = info.members.map((m) => posix.join(dest, m.name));
  const memberStats = parseStatLines(
    (await ctx.conn.exec(paths.map((p, i) => statScript(`m${i}`, p, { checksum: 'sha256' })).join('\n') || ':')).stdout,
  );
  const root = ctx.conn.spec.user === 'root';
  const work: Array<{ m: ArchiveMember; path: string; why: string; mode: number | undefined }> = [];
  const wanted: Array<{ m: ArchiveMember; path: string; mode: number | undefined }> = [];
  for (const [i, m] of info.members.entries()) {
    const st = memberStats.get(`m${i}`)!;
    const isDir = m.type === 'directory';
    const base = m.mode ?? (st.exists ? st.modeBits : isDir ? 0o755 : 0o644);
    const mode =
      attrs.mode !== undefined
        ? parseMode(attrs.mode, base, isDir)
        : root && info.format !== 'zip'
          ? m.mode
          : undefined;
    wanted.push({ m, path: paths[i]!, mode });
    const why = memberChange(m, st, mode, args, keepNewer);
    if (why) work.push({ m, path: paths[i]!, why, mode });
  }
  work.sort((a, b) => (a.m.name < b.m.name ? -1 : a.m.name > b.m.name ? 1 : 0));
  if (!work.length) return { kind: 'ok', msg: 'all archive members are in place', data };
  const diff = [
    {
      path: dest,
      before: '',
      after: work.map((w) => `${w.why}: ${w.m.name}\n`).join(''),
      afterHeader: `${dest} (unarchive ${args.src})`,
    },
  ];
  return {
    kind: 'change',
    msg: `${work.length} archive member(s) to unpack`,
    diff,
    data,
    apply: () =>
      applying(async () => {
        const tmp = posix.join(dest, `.bosun-archive-${randomBytes(6).toString('hex')}`);
        const archive = local ? tmp : args.src;
        if (local) await ctx.conn.writeFile(tmp, await local.bytes(), 0o600);
        const lines = [
          `${extractCommand(archive, info.format, dest, { ...opts, keepNewer })} || { bosun_rc=$?; ${local ? sh`rm -f -- ${tmp}; ` : ''}exit $bosun_rc; }`,
        ];
        if (local) lines.push(sh`rm -f -- ${tmp}`);
        const byMode = new Map<number, string[]>();
        for (const w of wanted)
          if (w.mode !== undefined && w.m.type !== 'link' && attrs.mode !== undefined)
            byMode.set(w.mode, [...(byMode.get(w.mode) ?? []), w.path]);
        for (const [mode, list] of byMode) lines.push(`chmod ${formatMode(mode)} -- ${sh`${list}`}`);
        if (attrs.owner !== undefined) lines.push(`chown -h ${sh`${attrs.owner} -- ${wanted.map((w) => w.path)}`}`);
        if (attrs.group !== undefined) lines.push(`chgrp -h ${sh`${attrs.group} -- ${wanted.map((w) => w.path)}`}`);
        const out = await ctx.conn.exec(lines.join(' &&\n'));
        if (out.rc !== 0)
          return {
            kind: 'failed',
            msg: `failed to unpack ${args.src} into ${dest}: ${out.stderr.trim() || `rc ${out.rc}`}`,
            data,
          };
        return { kind: 'applied', data, msg: `unpacked ${work.length} member(s)` };
      }),
  };
}
