/**
 * `git` (ansible.builtin.git): clone a repository with the target's git and keep its checkout at a version
 * (HEAD, a branch, a tag or a commit). The decision reads the checkout (HEAD, local changes, the remote's
 * URL, the submodules) and asks the remote with `git ls-remote`, as Ansible's check mode does, so check mode
 * predicts the commit the real run checks out. The real run takes Ansible's steps: clone (with its depth,
 * branch and single-branch rules) or set-url, fetch (its refspecs), checkout/reset, submodule update.
 */
import { sh, shq } from '../util/shell.js';
import type { ExecResult } from '../connection/types.js';
import { boolSchema, toBool } from './lib/bool.js';
import { applyFailed, applying, deciding, failed } from './lib/result.js';
import { defineModule, type ApplyResult, type Decision, type ModuleContext, type ResultData } from './types.js';

/** Arguments of `git`. */
export interface GitArgs {
  repo?: string;
  name?: string;
  dest?: string;
  version?: string;
  remote?: string;
  refspec?: string;
  force?: boolean | string;
  depth?: number | string;
  clone?: boolean | string;
  update?: boolean | string;
  bare?: boolean | string;
  single_branch?: boolean | string;
  accept_hostkey?: boolean | string;
  accept_newhostkey?: boolean | string;
  key_file?: string;
  ssh_opts?: string;
  executable?: string;
  recursive?: boolean | string;
  track_submodules?: boolean | string;
  umask?: string | number;
  archive?: string;
  archive_prefix?: string;
  verify_commit?: boolean | string;
  gpg_whitelist?: string[];
  reference?: string;
  separate_git_dir?: string;
}

/** The settings of one task, after defaults. */
interface Settings {
  repo: string;
  dest: string | undefined;
  version: string;
  remote: string;
  refspec: string | undefined;
  force: boolean;
  depth: number | undefined;
  bare: boolean;
  singleBranch: boolean;
  recursive: boolean;
  track: boolean;
  reference: string | undefined;
  /** The script lines every git command runs after (locale, GIT_SSH_COMMAND, umask). */
  preamble: string;
  git: string;
}

/** Ansible's GIT_SSH_COMMAND for these options (set_git_ssh_env with a git of 2.3 or later). */
export function sshCommand(o: {
  sshOpts?: string;
  keyFile?: string;
  acceptHostkey: boolean;
  acceptNewHostkey: boolean;
}): string {
  let opts = o.sshOpts;
  const strict = (extra: string): void => {
    if (opts === undefined) opts = extra;
    else if (!opts.includes('-o StrictHostKeyChecking=no') && !opts.includes('-o StrictHostKeyChecking=accept-new'))
      opts += ` ${extra}`;
  };
  if (o.acceptHostkey) strict('-o StrictHostKeyChecking=no');
  if (o.acceptNewHostkey) strict('-o StrictHostKeyChecking=accept-new');
  let full = opts === undefined ? '' : ` ${opts}`;
  if (o.acceptHostkey && !full.includes('StrictHostKeyChecking=no')) full += ' -o StrictHostKeyChecking=no';
  if (!full.includes('BatchMode=yes')) full += ' -o BatchMode=yes';
  if (o.keyFile) {
    if (!full.includes(`-i ${o.keyFile}`)) full += `  -i ${o.keyFile}`;
    if (!full.includes('IdentitiesOnly=yes')) full += ' -o IdentitiesOnly=yes';
  }
  return `ssh${full ? ` ${full}` : ''}`;
}

/** The branch a HEAD file names, as Ansible's head_splitter reads it (null when there is no such file). */
export function headSplitter(text: string | null, remote: string): string | null {
  if (!text) return null;
  const first = text.split('\n')[0]!.replace(`refs/remotes/${remote}`, '');
  const ref = first.split(' ').at(-1)!;
  const parts = splitMax(ref, '/', 2);
  return parts.at(-1)!;
}

/** Python's str.split(sep, max). */
function splitMax(s: string, sep: string, max: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (out.length < max) {
    const i = rest.indexOf(sep);
    if (i < 0) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + sep.length);
  }
  out.push(rest);
  return out;
}

/** The commit `git ls-remote -t refs/tags/V*` names for tag V (the dereferenced commit of an annotated tag). */
export function tagCommit(out: string, version: string): string {
  let pick = out;
  for (const line of out.split('\n')) {
    if (line.endsWith(`${version}^{}`)) {
      pick = line;
      break;
    } else if (line.endsWith(version)) pick = line;
  }
  return pick.split(/\s+/)[0]!;
}

/** What the probe of an existing checkout found. */
interface Checkout {
  head: string;
  /** `git status --porcelain` lines other than untracked files. */
  localMods: boolean;
  remoteUrl: string | null;
  headFile: string | null;
  remoteHeadFile: string | null;
  branches: string[];
  submodules: 'none' | 'uninitialised' | 'behind' | 'current';
}

/** Run a script with the task's preamble; the result as is. */
function run(ctx: ModuleContext, s: Settings, script: string): Promise<ExecResult> {
  return ctx.conn.exec(`${s.preamble}\n${script}`);
}

/** Ansible's failure of a command run with check_rc: its stderr as the message, and the command's output. */
function commandFailure(cmd: string, r: ExecResult, msg?: string): ResultData & { msg: string } {
  return { msg: msg ?? (r.stderr.trimEnd() || r.stdout.trimEnd()), cmd, rc: r.rc, stdout: r.stdout, stderr: r.stderr };
}

class GitStepError extends Error {
  constructor(readonly data: ResultData & { msg: string }) {
    super(data.msg);
  }
}

/** Run one git command in `cwd`; a failure throws with Ansible's message unless `soft`. */
async function git(
  ctx: ModuleContext,
  s: Settings,
  args: string[],
  o: { cwd?: string; soft?: boolean; msg?: string } = {},
): Promise<ExecResult> {
  const cd = o.cwd === undefined ? '' : `cd ${shq(o.cwd)} && `;
  const r = await run(ctx, s, `${cd}${sh`${s.git} ${args}`}`);
  if (r.rc !== 0 && !o.soft) throw new GitStepError(commandFailure([s.git, ...args].join(' '), r, o.msg));
  return r;
}

const isBranch = async (ctx: ModuleContext, s: Settings, remote: string, cwd?: string): Promise<boolean> =>
  (await git(ctx, s, ['ls-remote', remote, '-h', `refs/heads/${s.version}`], { cwd })).stdout.includes(s.version);
const isTag = async (ctx: ModuleContext, s: Settings, remote: string, cwd?: string): Promise<boolean> =>
  (await git(ctx, s, ['ls-remote', remote, '-t', `refs/tags/${s.version}`], { cwd })).stdout.includes(s.version);

/** The branch HEAD follows (get_head_branch): .git/HEAD, or the remote's HEAD when detached. */
function headBranch(c: Checkout, s: Settings): string | null {
  const detached = c.branches.some(
    (b) => b.startsWith('* ') && (b.includes('no branch') || b.includes('detached from') || b.includes('detached at')),
  );
  return headSplitter(detached ? c.remoteHeadFile : c.headFile, s.remote);
}

/** The commit the remote has for the version (get_remote_head): ls-remote for HEAD, branches and tags; a sha as given. */
async function remoteHead(ctx: ModuleContext, s: Settings, remote: string, c?: Checkout): Promise<string> {
  let args: string[];
  let tag = false;
  const cwd = c ? s.dest : undefined;
  if (s.version === 'HEAD') {
    args = c
      ? ['ls-remote', remote, '-h', `refs/heads/${String(headBranch(c, s))}`]
      : ['ls-remote', remote, '-h', 'HEAD'];
  } else if (await isBranch(ctx, s, remote, cwd)) args = ['ls-remote', remote, '-h', `refs/heads/${s.version}`];
  else if (await isTag(ctx, s, remote, cwd)) {
    tag = true;
    args = ['ls-remote', remote, '-t', `refs/tags/${s.version}*`];
  } else return s.version;
  const r = await git(ctx, s, args, { cwd });
  if (!r.stdout)
    throw new GitStepError({
      msg: `Could not determine remote revision for ${s.version}`,
      stdout: r.stdout,
      stderr: r.stderr,
      rc: r.rc,
    });
  return tag ? tagCommit(r.stdout, s.version) : r.stdout.split(/\s+/)[0]!;
}

/** Read an existing checkout in one round trip. */
async function readCheckout(ctx: ModuleContext, s: Settings, repoPath: string): Promise<Checkout> {
  const dest = s.dest!;
  const probe = [
    // git status must not refresh the index while deciding (check mode changes nothing).
    'export GIT_OPTIONAL_LOCKS=0',
    `cd ${shq(dest)} || exit 3`,
    `echo @HEAD; ${sh`${s.git}`} rev-parse HEAD 2>/dev/null`,
    `echo @STATUS; ${s.bare ? ':' : `${sh`${s.git}`} status --porcelain | grep -v '^??'`}`,
    `echo @URL; ${sh`${s.git} ls-remote --get-url ${s.remote}`} 2>/dev/null || echo '@NOURL'`,
    `echo @HEADFILE; ${sh`head -n 1 ${`${repoPath}/HEAD`}`} 2>/dev/null || echo '@NONE'`,
    `echo @REMOTEHEAD; ${sh`head -n 1 ${`${repoPath}/refs/remotes/${s.remote}/HEAD`}`} 2>/dev/null || echo '@NONE'`,
    `echo @BRANCHES; ${sh`${s.git}`} branch --no-color -a 2>/dev/null`,
    `echo @SUBMODULES`,
    s.recursive && !s.bare
      ? `if [ -f .gitmodules ]; then for p in $(sed -n 's/^[[:space:]]*path[[:space:]]*=[[:space:]]*//p' .gitmodules); do [ -e "$p/.git" ] || echo MISSING; done; ${sh`${s.git}`} submodule status 2>/dev/null | grep -v '^ ' >/dev/null && echo BEHIND; echo HAVE; fi`
      : ':',
    'echo @END',
  ].join('\n');
  const r = await run(ctx, s, probe);
  if (r.rc === 3) throw new GitStepError({ msg: `cannot enter ${dest}: ${r.stderr.trim()}` });
  const sec: Record<string, string[]> = {};
  let cur = '';
  for (const line of r.stdout.split('\n')) {
    if (/^@[A-Z]+$/.test(line) && line !== '@NONE' && line !== '@NOURL') cur = line.slice(1);
    else (sec[cur] ??= []).push(line);
  }
  const text = (k: string): string => (sec[k] ?? []).filter((l) => l !== '').join('\n');
  const one = (k: string): string | null => {
    const t = (sec[k] ?? []).join('\n').replace(/\n+$/, '');
    return t === '@NONE' ? null : `${t}\n`;
  };
  const subs = sec['SUBMODULES'] ?? [];
  return {
    head: text('HEAD'),
    localMods: text('STATUS') !== '',
    remoteUrl: text('URL') === '@NOURL' ? null : text('URL'),
    headFile: one('HEADFILE'),
    remoteHeadFile: one('REMOTEHEAD'),
    branches: (sec['BRANCHES'] ?? []).map((l) => l.trim()).filter(Boolean),
    submodules: !subs.includes('HAVE')
      ? 'none'
      : subs.includes('MISSING')
        ? 'uninitialised'
        : subs.includes('BEHIND')
          ? 'behind'
          : 'current',
  };
}

/** Ansible's unfrackgitpath for a local path (`~`, `$VAR` and symlinks are the target's: compared as written). */
const normPath = (p: string): string => p.replace(/\/+/g, '/').replace(/\/$/, '');

/** Whether the checkout's remote URL differs from the repo asked for. */
function urlChanged(url: string | null, repo: string): boolean {
  return url !== null && url !== '' && url !== repo && normPath(url) !== normPath(repo);
}

/** `git clone` as Ansible builds it, and the refspec fetch after it. */
async function cloneRepo(ctx: ModuleContext, s: Settings, warnings: string[]): Promise<void> {
  const dest = s.dest!;
  const parent = dest.replace(/\/[^/]*$/, '') || '/';
  await run(ctx, s, sh`mkdir -p -- ${parent}`);
  const cmd = ['clone'];
  if (s.bare) cmd.push('--bare');
  else cmd.push('--origin', s.remote);
  const branchOrTag = (await isBranch(ctx, s, s.repo)) || (await isTag(ctx, s, s.repo));
  if (s.depth) {
    if (s.version === 'HEAD' || s.refspec) cmd.push('--depth', String(s.depth));
    else if (branchOrTag) cmd.push('--depth', String(s.depth), '--branch', s.version);
    else
      warnings.push(
        'Ignoring depth argument. Shallow clones are only available for HEAD, branches, tags or in combination with refspec.',
      );
  }
  if (s.reference) cmd.push('--reference', s.reference);
  if (s.singleBranch) {
    cmd.push('--single-branch');
    if (branchOrTag) cmd.push('--branch', s.version);
  }
  cmd.push(s.repo, dest);
  await git(ctx, s, cmd, { cwd: parent });
  if (s.bare && s.remote !== 'origin') await git(ctx, s, ['remote', 'add', s.remote, s.repo], { cwd: dest });
  if (s.refspec)
    await git(ctx, s, ['fetch', ...(s.depth ? ['--depth', String(s.depth)] : []), s.remote, s.refspec], { cwd: dest });
}

/** `git fetch` with Ansible's refspecs (after setting the remote's URL). */
async function fetchRepo(ctx: ModuleContext, s: Settings, c: Checkout): Promise<void> {
  const dest = s.dest!;
  const fetch = ['fetch'];
  let refspecs: string[] = [];
  if (s.depth) {
    const current = headBranch(c, s);
    if (s.refspec) refspecs.push(s.refspec);
    else if (s.version === 'HEAD') refspecs.push(String(current));
    else if (await isBranch(ctx, s, s.repo, dest)) {
      if (current !== s.version) refspecs.push(`+refs/heads/${s.version}:refs/heads/${s.version}`);
      refspecs.push(`+refs/heads/${s.version}:refs/remotes/${s.remote}/${s.version}`);
    } else if (await isTag(ctx, s, s.repo, dest)) refspecs.push(`+refs/tags/${s.version}:refs/tags/${s.version}`);
    if (refspecs.length) fetch.push('--depth', String(s.depth));
  }
  if (!s.depth || !refspecs.length) {
    if (s.bare) refspecs = ['+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*'];
    else fetch.push('--tags');
    if (s.refspec) refspecs.push(s.refspec);
  }
  if (s.force) fetch.push('--force');
  const r = await git(ctx, s, [...fetch, s.remote, ...refspecs], { cwd: dest, soft: true });
  if (r.rc !== 0)
    throw new GitStepError({
      msg: `Failed to download remote objects and refs: ${r.stdout} ${r.stderr}`,
      cmd: [s.git, ...fetch, s.remote, ...refspecs].join(' '),
    });
}

/** Check out the version (switch_version): a branch tracked and reset to the remote's, a tag or commit forced. */
async function switchVersion(ctx: ModuleContext, s: Settings): Promise<void> {
  const dest = s.dest!;
  const c = await readCheckout(ctx, { ...s, recursive: false }, `${dest}/.git`);
  const localBranch = (b: string): boolean => c.branches.includes(b) || c.branches.includes(`* ${b}`);
  let last: string[];
  let what: string;
  if (s.version === 'HEAD') {
    const branch = String(headBranch(c, s));
    what = `branch ${branch}`;
    await git(ctx, s, ['checkout', '--force', branch], { cwd: dest, msg: `Failed to checkout branch ${branch}` });
    last = ['reset', '--hard', `${s.remote}/${branch}`, '--'];
  } else if (await isBranch(ctx, s, s.remote, dest)) {
    what = s.version;
    if (s.depth && !localBranch(s.version)) {
      const r = await git(
        ctx,
        s,
        [
          'fetch',
          `--depth=${s.depth}`,
          s.remote,
          `+refs/heads/${s.version}:refs/heads/${s.version}`,
          `+refs/heads/${s.version}:refs/remotes/${s.remote}/${s.version}`,
        ],
        { cwd: dest, soft: true },
      );
      if (r.rc !== 0)
        throw new GitStepError({
          msg: `Failed to fetch branch from remote: ${s.version}`,
          stdout: r.stdout,
          stderr: r.stderr,
          rc: r.rc,
        });
      c.branches = (await git(ctx, s, ['branch', '--no-color', '-a'], { cwd: dest })).stdout
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
    }
    if (!localBranch(s.version)) last = ['checkout', '--track', '-b', s.version, `${s.remote}/${s.version}`];
    else {
      await git(ctx, s, ['checkout', '--force', s.version], {
        cwd: dest,
        msg: `Failed to checkout branch ${s.version}`,
      });
      last = ['reset', '--hard', `${s.remote}/${s.version}`];
    }
  } else {
    what = s.version;
    last = ['checkout', '--force', s.version];
  }
  await git(ctx, s, last, { cwd: dest, msg: `Failed to checkout ${what}` });
}

/**
 * With track_submodules: whether a submodule's checkout is not its remote's tip of the branch `git submodule
 * update --remote` would take (submodule.<name>.branch, else the remote's HEAD), asked with ls-remote (read only).
 */
async function submodulesBehindRemote(ctx: ModuleContext, s: Settings): Promise<boolean> {
  const each = [
    'b=$(git config -f "$toplevel/.gitmodules" "submodule.$name.branch" || echo HEAD)',
    'case $b in HEAD) ref=HEAD ;; *) ref="refs/heads/$b" ;; esac',
    'r=$(git ls-remote origin "$ref" | head -n 1 | cut -f 1)',
    '[ -n "$r" ] && [ "$r" = "$(git rev-parse HEAD)" ] || echo TRACKBEHIND',
  ].join('; ');
  const r = await run(ctx, s, `cd ${shq(s.dest!)} && ${sh`${s.git} submodule foreach --quiet --recursive ${each}`}`);
  return /^TRACKBEHIND$/m.test(r.stdout) || r.rc !== 0;
}

/** `git submodule sync` and `update --init --recursive` (with --remote when tracking, --force with force). */
async function updateSubmodules(ctx: ModuleContext, s: Settings): Promise<void> {
  const dest = s.dest!;
  await git(ctx, s, ['submodule', 'sync'], { cwd: dest });
  const cmd = ['submodule', 'update', '--init', '--recursive', ...(s.track ? ['--remote'] : [])];
  if (s.force) cmd.push('--force');
  const r = await git(ctx, s, cmd, { cwd: dest, soft: true });
  if (r.rc !== 0) throw new GitStepError({ msg: `Failed to init/update submodules: ${r.stdout}${r.stderr}` });
}

const HEX = /^[0-9a-f]{4,40}$/i;

/** What Ansible's diff shows for a checkout moving from `before` to `after`. */
async function prepared(
  ctx: ModuleContext,
  s: Settings,
  before: string | null,
  after: string,
): Promise<string | undefined> {
  if (before === null) return `>> Newly checked out ${after}`;
  if (before === after) return undefined;
  const r = await git(ctx, s, ['diff', before, after], { cwd: s.dest, soft: true });
  if (r.rc === 0 && r.stdout) return r.stdout;
  if (r.rc === 0) return `>> No visual differences between ${before} and ${after}`;
  return `>> Failed to get proper diff between ${before} and ${after}${r.stderr ? `:\n>> ${r.stderr}` : ''}`;
}

async function decideGit(ctx: ModuleContext, args: GitArgs): Promise<Decision> {
  const repoArg = args.repo ?? args.name;
  if (repoArg === undefined) return failed('missing required arguments: repo');
  if (args.accept_hostkey !== undefined && args.accept_newhostkey !== undefined)
    return failed('parameters are mutually exclusive: accept_hostkey|accept_newhostkey');
  if (toBool(args.verify_commit))
    return failed('git: verify_commit is not supported by bosun (it needs the GPG keyring of the target user)');
  if (args.archive !== undefined)
    return failed('git: archive is not supported by bosun; clone, then use archive tools');
  if (args.separate_git_dir !== undefined) return failed('git: separate_git_dir is not supported by bosun');
  const allowClone = toBool(args.clone, true);
  const update = toBool(args.update, true);
  let umask = '';
  if (args.umask !== undefined) {
    if (typeof args.umask !== 'string') return failed('umask must be defined as a quoted octal integer');
    if (!/^[0-7]+$/.test(args.umask)) return failed('umask must be an octal integer');
    umask = `umask ${args.umask}`;
  }
  const repo = repoArg.startsWith('/') ? `file://${repoArg}` : repoArg;
  const depthNum = args.depth === undefined ? undefined : Number(args.depth);
  if (depthNum !== undefined && !Number.isInteger(depthNum))
    return failed(`argument 'depth' is of type ${typeof args.depth} and we were unable to convert to int`);
  const dest = args.dest === undefined ? undefined : args.dest.replace(/\/+$/, '') || '/';
  if (dest === undefined && allowClone) return failed('the destination directory must be specified unless clone=no');
  const ssh = sshCommand({
    sshOpts: args.ssh_opts,
    keyFile: args.key_file,
    acceptHostkey: toBool(args.accept_hostkey),
    acceptNewHostkey: toBool(args.accept_newhostkey),
  });
  const s: Settings = {
    repo,
    dest,
    version: args.version ?? 'HEAD',
    remote: args.remote ?? 'origin',
    refspec: args.refspec,
    force: toBool(args.force),
    depth: depthNum === 0 ? undefined : depthNum,
    bare: toBool(args.bare),
    singleBranch: toBool(args.single_branch),
    recursive: toBool(args.recursive, true),
    track: toBool(args.track_submodules),
    reference: args.reference,
    preamble: [
      'export LANG=C LC_ALL=C LC_MESSAGES=C LC_CTYPE=C',
      `export GIT_SSH_COMMAND=${shq(ssh)}`,
      ...(umask ? [umask] : []),
    ].join('\n'),
    git: args.executable ?? 'git',
  };
  const probe = await run(
    ctx,
    s,
    [
      `command -v ${shq(s.git)} >/dev/null 2>&1 || { echo NOGIT; exit 0; }`,
      dest === undefined
        ? 'echo NOREPO'
        : s.bare
          ? sh`[ -f ${`${dest}/config`} ] && echo REPO || echo NOREPO`
          : sh`if [ -f ${`${dest}/.git`} ]; then echo GITFILE; elif [ -f ${`${dest}/.git/config`} ]; then echo REPO; else echo NOREPO; fi`,
    ].join('\n'),
  );
  const found = probe.stdout.trim();
  if (found === 'NOGIT') return failed(`Failed to find required executable "${s.git}" in paths: $PATH`);
  if (found === 'GITFILE')
    return failed('git: a checkout whose .git is a file (a separate git dir) is not supported by bosun');
  const warnings: string[] = [];
  if (found === 'NOREPO') {
    const after = await remoteHead(ctx, s, s.repo);
    const data: ResultData = { before: null, after };
    if (!allowClone) return { kind: 'ok', data };
    if (ctx.diff) data['diff'] = { prepared: `>> Newly checked out ${after}` };
    return {
      kind: 'change',
      data,
      diff: [
        {
          path: dest!,
          before: '',
          after: `${String(dest)}: ${after}\n`,
          beforeHeader: 'before: (none)',
          afterHeader: `after: ${after}`,
        },
      ],
      apply: () =>
        steps(async () => {
          await cloneRepo(ctx, s, warnings);
          if (!s.bare) await switchVersion(ctx, s);
          if (s.recursive && !s.bare) await updateSubmodules(ctx, s);
          const head = (await git(ctx, s, ['rev-parse', 'HEAD'], { cwd: dest, soft: true })).stdout.trim();
          const out: ResultData = { before: null, after: head };
          if (ctx.diff) out['diff'] = { prepared: `>> Newly checked out ${head}` };
          return { kind: 'applied', data: out, ...(warnings.length ? { warnings } : {}) };
        }),
    };
  }
  if (dest === undefined) return failed('the destination directory must be specified unless clone=no');
  const repoPath = s.bare ? dest : `${dest}/.git`;
  const c = await readCheckout(ctx, s, repoPath);
  const before = c.head;
  if (!update) return { kind: 'ok', data: { before, after: before } };
  if (c.localMods && !s.force)
    return failed(`Local modifications exist in the destination: ${dest} (force=no).`, { before });
  const remoteUrlChanged = urlChanged(c.remoteUrl, s.repo);
  // With a new URL, ls-remote through the remote's name would ask the old one: ask the repo itself.
  const target = await remoteHead(ctx, s, remoteUrlChanged ? s.repo : s.remote, c);
  let want = target;
  if (want === s.version && HEX.test(want)) {
    const r = await git(ctx, s, ['rev-parse', '--verify', '--quiet', `${want}^{commit}`], { cwd: dest, soft: true });
    if (r.rc === 0) want = r.stdout.trim();
  }
  const subChange =
    s.recursive &&
    !s.bare &&
    (c.submodules === 'uninitialised' ||
      c.submodules === 'behind' ||
      (s.track && c.submodules === 'current' && (await submodulesBehindRemote(ctx, s))));
  const changing = before !== want || remoteUrlChanged || c.localMods || subChange;
  if (!changing) return { kind: 'ok', data: { before, after: before, remote_url_changed: false } };
  const diffText = ctx.diff ? await prepared(ctx, s, before, want) : undefined;
  const data: ResultData = { before, after: want, remote_url_changed: remoteUrlChanged };
  if (diffText) data['diff'] = { prepared: diffText };
  return {
    kind: 'change',
    data,
    diff: [
      {
        path: dest,
        before: `${dest}: ${before}\n`,
        after: `${dest}: ${want}\n${diffText && !diffText.startsWith('>>') ? diffText : ''}`,
        beforeHeader: `before: ${before}`,
        afterHeader: `after: ${want}`,
      },
    ],
    apply: () =>
      steps(async () => {
        if (c.localMods) await git(ctx, s, ['reset', '--hard', 'HEAD'], { cwd: dest });
        if (remoteUrlChanged) {
          const r = await git(ctx, s, ['remote', 'set-url', s.remote, s.repo], { cwd: dest, soft: true });
          if (r.rc !== 0)
            throw new GitStepError({
              msg: `Failed to set a new url ${s.repo} for ${s.remote}: ${r.stdout} ${r.stderr}`,
            });
        }
        await fetchRepo(ctx, s, c);
        if (!s.bare) await switchVersion(ctx, s);
        if (s.recursive && !s.bare && c.submodules !== 'none') await updateSubmodules(ctx, s);
        const after = (await git(ctx, s, ['rev-parse', 'HEAD'], { cwd: dest, soft: true })).stdout.trim();
        const out: ResultData = { before, after, remote_url_changed: remoteUrlChanged };
        if (c.localMods) out['msg'] = `Local modifications exist in the destination: ${dest}`;
        if (ctx.diff) {
          const p = await prepared(ctx, s, before, after);
          if (p) out['diff'] = { prepared: p };
        }
        if (after === before && !c.localMods && !remoteUrlChanged && !subChange)
          return { kind: 'unchanged', data: out };
        return { kind: 'applied', data: out, ...(c.localMods ? { msg: out['msg'] as string } : {}) };
      }),
  };
}

/** An apply body whose git steps fail the task with Ansible's message and the command's output. */
async function steps(body: () => Promise<ApplyResult>): Promise<ApplyResult> {
  return applying(async () => {
    try {
      return await body();
    } catch (e) {
      if (e instanceof GitStepError) {
        // Ansible's fail_json of a step carries only the step's own keys, not the result so far.
        const { msg, ...data } = e.data;
        return applyFailed(msg, { before: undefined, after: undefined, remote_url_changed: undefined, ...data });
      }
      throw e;
    }
  });
}

/** The `git` module. */
export default defineModule<GitArgs>({
  name: 'git',
  docs: {
    short: 'Clone a git repository and keep its checkout at a version',
    description:
      "As ansible.builtin.git, with the target's git: clone (depth, single_branch, bare, refspec), then keep the checkout at `version` (HEAD, a branch, a tag or a commit) by fetching and checking out; local changes fail the task unless force. Check mode asks the remote with `git ls-remote`, as Ansible's does. archive, verify_commit and separate_git_dir are refused.",
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      repo: {
        type: 'string',
        minLength: 1,
        description: 'The repository: a URL, or a path on the target (required; alias name)',
      },
      name: { type: 'string', minLength: 1, description: 'Another name of repo' },
      dest: { type: 'string', minLength: 1, description: 'Where the checkout goes (required unless clone is no)' },
      version: {
        type: 'string',
        default: 'HEAD',
        description: 'What to check out: HEAD (the remote default branch), a branch, a tag or a commit sha',
      },
      remote: { type: 'string', default: 'origin', description: "The remote's name" },
      refspec: { type: 'string', description: 'A refspec fetched besides (and after a clone)' },
      force: boolSchema('Discard local changes to tracked files (git reset --hard) instead of failing', false),
      depth: { type: ['integer', 'string'], pattern: '^\\d+$', description: 'A shallow clone of this many commits' },
      clone: boolSchema('Clone when dest holds no repository (no: only report the remote commit)', true),
      update: boolSchema('Fetch and check out the version (no: leave an existing checkout as it is)', true),
      bare: boolSchema('A bare repository in dest', false),
      single_branch: boolSchema('Clone only the history of the version (or of the default branch)', false),
      accept_hostkey: boolSchema('ssh -o StrictHostKeyChecking=no for an ssh repo', false),
      accept_newhostkey: boolSchema('ssh -o StrictHostKeyChecking=accept-new for an ssh repo', false),
      key_file: { type: 'string', description: 'The private key on the target for an ssh repo (-i, IdentitiesOnly)' },
      ssh_opts: { type: 'string', description: 'More ssh options for GIT_SSH_COMMAND' },
      executable: { type: 'string', description: 'The git program on the target (default: git on its PATH)' },
      recursive: boolSchema('Initialise and update submodules', true),
      track_submodules: boolSchema("Update submodules to their remote's branch (git submodule update --remote)", false),
      umask: { type: ['string', 'integer'], description: "The umask for git's files, a quoted octal text ('0022')" },
      reference: { type: 'string', description: 'A reference repository for the clone (--reference)' },
      archive: { type: 'string', description: 'Refused by bosun (an archive of the checkout)' },
      archive_prefix: { type: 'string', description: 'Refused with archive' },
      verify_commit: boolSchema('Refused by bosun when yes (GPG verification of the commit)', false),
      gpg_whitelist: { type: 'array', items: { type: 'string' }, description: 'Used with verify_commit only' },
      separate_git_dir: { type: 'string', description: 'Refused by bosun (a git dir apart from the work tree)' },
    },
  },
  decide: (ctx, args) =>
    deciding(async () => {
      try {
        return await decideGit(ctx, args);
      } catch (e) {
        if (e instanceof GitStepError) {
          const { msg, ...data } = e.data;
          return failed(msg, data);
        }
        throw e;
      }
    }),
});
