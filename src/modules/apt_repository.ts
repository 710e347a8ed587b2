/**
 * `apt_repository`: add or remove a one-line APT source in sources.list or
 * sources.list.d, edited as ansible-core 2.14 edits them (lib/apt-sources.ts),
 * without Python on the target: one round trip reads every sources file
 * (the folders from apt-config), one writes the changed files, and
 * `apt-get update` runs after a change unless update_cache is off (on its
 * failure the files are put back, as Ansible does).
 */
import { sh, shq } from '../util/shell.js';
import { defineModule, type FileDiff, type ModuleContext } from './types.js';
import {
  addSource,
  dumpSources,
  expandSourcesPath,
  InvalidSource,
  parseSourcesText,
  removeSource,
  repoSource,
  suggestFilename,
  type SourcesFiles,
} from './lib/apt-sources.js';
import { parseMode, wantedAttrs } from './lib/attrs.js';
import { boolSchema, toBool } from './lib/bool.js';
import { atomicWrite, RemoteFailure } from './lib/remote-file.js';
import { applyFailed, applying, deciding, failed } from './lib/result.js';

/** Arguments of `apt_repository`. */
export interface AptRepositoryArgs {
  repo: string;
  state?: 'present' | 'absent';
  mode?: string | number;
  update_cache?: boolean | string;
  'update-cache'?: boolean | string;
  update_cache_retries?: number;
  update_cache_retry_max_delay?: number;
  validate_certs?: boolean | string;
  filename?: string;
  codename?: string;
  install_python_apt?: boolean | string;
}

/** What the read found: the sources files and where apt keeps them. */
interface SourcesRead {
  listFile: string;
  partsDir: string;
  files: SourcesFiles;
  /** The files' bytes as read (to put back when apt-get update fails). */
  raw: Map<string, string>;
  modes: Map<string, number>;
}

/** Read sources.list, every sources.list.d/*.list and `extra` (if a file) in one round trip. */
async function readSources(ctx: ModuleContext, extra?: string): Promise<SourcesRead | string> {
  const res = await ctx.conn.exec(
    [
      'command -v apt-config >/dev/null 2>&1 || { echo NOAPT; exit 0; }',
      'eval "$(apt-config shell bosun_l Dir::Etc::sourcelist/f bosun_d Dir::Etc::sourceparts/d)"',
      'printf "L %s\\n" "$(printf %s "$bosun_l" | base64 -w0)"; printf "D %s\\n" "$(printf %s "$bosun_d" | base64 -w0)"',
      `for bosun_f in "$bosun_l" "\${bosun_d%/}"/*.list ${extra !== undefined ? shq(extra) : ''}; do`,
      '  [ -f "$bosun_f" ] || continue',
      '  printf "F %s %s " "$(stat -c %a -- "$bosun_f")" "$(printf %s "$bosun_f" | base64 -w0)"; base64 -w0 < "$bosun_f"; echo',
      'done',
    ].join('\n'),
  );
  if (/^NOAPT$/m.test(res.stdout)) return 'apt_repository needs apt on the target: apt-config was not found';
  const b64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');
  const listFile = b64(/^L (\S*)$/m.exec(res.stdout)?.[1] ?? '');
  const partsDir = b64(/^D (\S*)$/m.exec(res.stdout)?.[1] ?? '');
  const files: SourcesFiles = new Map();
  const raw = new Map<string, string>();
  const modes = new Map<string, number>();
  for (const m of res.stdout.matchAll(/^F ([0-7]+) (\S+) (\S*)$/gm)) {
    const path = b64(m[2]!);
    if (files.has(path)) continue;
    const text = b64(m[3]!);
    files.set(path, parseSourcesText(text));
    raw.set(path, text);
    modes.set(path, parseInt(m[1]!, 8));
  }
  return { listFile, partsDir, files, raw, modes };
}

const apt_repository = defineModule<AptRepositoryArgs>({
  name: 'apt_repository',
  docs: {
    short: 'Add or remove an APT repository line in sources.list.d',
    description:
      "Edits sources.list and sources.list.d/*.list as Ansible does (a new repo goes to sources.list.d/<filename>.list, named from the repository's URL unless filename is given; an equal commented-out line is enabled instead), then runs apt-get update unless update_cache is false. Needs no Python on the target. ppa: repositories are not supported (they need a Launchpad lookup).",
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['repo'],
    properties: {
      repo: { type: 'string', description: "A source line: 'deb [options] URI suite [components]'" },
      state: {
        type: 'string',
        enum: ['present', 'absent'],
        default: 'present',
        description: 'Whether the line should be there',
      },
      mode: { type: ['string', 'integer'], description: "Mode of a file the line is added to ('0644')" },
      update_cache: boolSchema('Run apt-get update after a change (alias: update-cache)', true),
      'update-cache': boolSchema('Alias of update_cache'),
      update_cache_retries: { type: 'integer', minimum: 0, default: 5, description: 'Tries of apt-get update' },
      update_cache_retry_max_delay: {
        type: 'integer',
        minimum: 0,
        default: 12,
        description: 'Longest wait between tries, in seconds (the wait doubles from 1 s)',
      },
      validate_certs: boolSchema('Accepted for compatibility (apt itself checks certificates)', true),
      filename: {
        type: 'string',
        minLength: 1,
        description: 'File name in sources.list.d without .list (with a /: a path, .list added)',
      },
      codename: { type: 'string', description: 'Codename for ppa: repositories (accepted; ppa: is not supported)' },
      install_python_apt: boolSchema('Accepted for compatibility: bosun needs no Python on the target', true),
    },
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const state = args.state ?? 'present';
      const data = { repo: args.repo, state };
      if (!args.repo) return failed("Please set argument 'repo' to a non-empty value", data);
      if (args.repo.startsWith('ppa:'))
        return failed('ppa: repositories are not supported by bosun (they need a Launchpad key lookup)', data);
      const attrs = wantedAttrs({ ...(args.mode !== undefined ? { mode: args.mode } : {}) });
      let source: string;
      try {
        source = repoSource(args.repo);
      } catch (e) {
        if (e instanceof InvalidSource) return failed(`Invalid repository string: ${e.message}`, data);
        throw e;
      }
      const name = suggestFilename(source, args.filename);
      const pathLike = name.includes('/') ? name : undefined;
      const read = await readSources(ctx, pathLike);
      if (typeof read === 'string') return failed(read, data);
      const before = dumpSources(read.files);
      const files: SourcesFiles = new Map([...read.files].map(([p, ls]) => [p, ls.map((l) => ({ ...l }))]));
      const target = expandSourcesPath(name, read.partsDir);
      const added = state === 'present' ? addSource(files, source, target) : new Set<string>();
      if (state === 'absent') removeSource(files, source);
      const after = dumpSources(files);
      const touched = [...new Set([...before.keys(), ...after.keys()])].filter((p) => before.get(p) !== after.get(p));
      if (!touched.length) return { kind: 'ok', data };
      const diff: FileDiff[] = touched.map((p) => ({
        path: p,
        // The file as it is (Ansible shows its normalised re-reading, which is not the file's content).
        before: read.raw.get(p) ?? '',
        after: after.get(p) ?? '',
        beforeHeader: before.has(p) ? p : '/dev/null',
        afterHeader: after.has(p) ? p : '/dev/null',
      }));
      const update = toBool(args.update_cache ?? args['update-cache'], true);
      return {
        kind: 'change',
        data,
        diff,
        apply: () =>
          applying(async () => {
            await writeSources(ctx, touched, after, read, added, attrs.mode);
            if (!update) return { kind: 'applied', data };
            const err = await aptUpdate(ctx, args.update_cache_retries ?? 5, args.update_cache_retry_max_delay ?? 12);
            if (err === undefined) return { kind: 'applied', data };
            // Put the files back as they were, as Ansible does when the update fails.
            const restore = new Map([...read.raw].filter(([p]) => touched.includes(p)));
            await writeSources(ctx, touched, restore, read, new Set(), undefined);
            return applyFailed(`Failed to update apt cache: ${err || 'unknown reason'}`, data);
          }),
      };
    }),
});

/** Write (or remove, when `texts` has no text for it) each touched file; a file given a new line gets `mode`. */
async function writeSources(
  ctx: ModuleContext,
  touched: string[],
  texts: Map<string, string>,
  read: SourcesRead,
  added: Set<string>,
  mode: string | undefined,
): Promise<void> {
  for (const path of touched) {
    const text = texts.get(path);
    if (text === undefined) {
      const rm = await ctx.conn.exec(sh`rm -f -- ${path}`);
      if (rm.rc !== 0) throw new RemoteFailure(`cannot remove ${path}: ${rm.stderr.trim()}`);
      continue;
    }
    const current = read.modes.get(path);
    const mk = await ctx.conn.exec(sh`mkdir -p -- ${path.replace(/\/[^/]*$/, '') || '/'}`);
    if (mk.rc !== 0) throw new RemoteFailure(`Failed to create directory for ${path}: ${mk.stderr.trim()}`);
    const base = current ?? 0o644;
    const wanted = added.has(path) && mode !== undefined ? parseMode(mode, base, false) : base;
    await atomicWrite(ctx.conn, path, Buffer.from(text, 'utf8'), { mode: wanted });
  }
}

/** `apt-get update` with Ansible's retries: '' or stderr on failure, undefined on success. */
async function aptUpdate(ctx: ModuleContext, retries: number, maxDelay: number): Promise<string | undefined> {
  let err = '';
  for (let i = 0; i < retries; i++) {
    const res = await ctx.conn.exec('apt-get update -q 2>&1');
    const failures = res.stdout.split('\n').filter((l) => /^[WE]: (Failed to fetch|Some index files failed)/.test(l));
    if (res.rc === 0 && !failures.length) return undefined;
    err = (failures.join('\n') || res.stdout).trim();
    if (i + 1 < retries) await new Promise((r) => setTimeout(r, Math.min(2 ** i, maxDelay) * 1000));
  }
  return err;
}

export default apt_repository;
